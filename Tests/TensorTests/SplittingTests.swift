import Testing
import Tensor

/// `split` / `chunked`: views whose pieces put back together give the original, with
/// PyTorch's piece sizes.
@Suite struct SplittingTests {
    let x = Tensor<Float>((0..<60).map(Float.init), shape: [3, 5, 4])

    @Test func splitBySizesIsViewsThatConcatenateBack() {
        let pieces = x.split(sizes: [1, 3, 1], axis: 1)
        #expect(pieces.map(\.shape) == [[3, 1, 4], [3, 3, 4], [3, 1, 4]])
        #expect(pieces.allSatisfy { $0.sharesStorage(with: x) })
        #expect(Tensor.concatenate(pieces, axis: 1).scalars == x.scalars)
        #expect(pieces[1][2, 0, 3] == x[2, 1, 3])
        #expect(x.split(sizes: [4], axis: -1)[0].scalars == x.scalars)
    }

    @Test func fusedQKVSplitsIntoThreeColumnBlocks() {
        let qkv = Tensor<Float>((0..<(2 * 3 * 12)).map(Float.init), shape: [2, 3, 12])   // [B, N, 3D], D = 4
        let parts = qkv.chunked(3, axis: -1)                                            // [B, N, D] each
        #expect(parts.count == 3)
        for (j, part) in parts.enumerated() {
            #expect(part.shape == [2, 3, 4])
            #expect(part.scalars == qkv.sliced(axis: 2, (4 * j)..<(4 * j + 4)).scalars)
        }
    }

    /// torch.split(x, 2, 1) on 5 rows gives 2, 2, 1; torch.chunk(x, 4, 1) also gives
    /// 2, 2, 1 (three pieces, not four); torch.chunk(x, 5, 1) gives five rows.
    @Test func pieceSizesFollowPyTorch() {
        #expect(x.split(size: 2, axis: 1).map { $0.shape[1] } == [2, 2, 1])
        #expect(x.chunked(4, axis: 1).map { $0.shape[1] } == [2, 2, 1])
        #expect(x.chunked(5, axis: 1).map { $0.shape[1] } == [1, 1, 1, 1, 1])
        #expect(x.chunked(2, axis: 0).map { $0.shape[0] } == [2, 1])
        #expect(x.split(size: 7, axis: 1).map { $0.shape[1] } == [5])
    }
}
