import Testing
import Tensor

/// Concatenation, stacking and row gathers against numpy / PyTorch (pure copies: exact).
@Suite struct JoiningTests {
    @Test(arguments: Fixtures.cases("concatenate") + Fixtures.cases("stack"))
    func joinMatchesNumpy(_ c: Fixtures.Case) throws {
        try c.checkPresent()
        let parts = try (0..<c.inputs.count).map { try c.floatInput($0) }
        let result = c.op == "stack" ? Tensor.stack(parts, axis: c.int("axis"))
            : Tensor.concatenate(parts, axis: c.int("axis"))
        expectMatch(result, try c.expectedTensor().toFloat(), "\(c)") { _, _ in 0 }
    }

    @Test(arguments: Fixtures.cases("gather_rows"))
    func gatherRowsMatchesEmbedding(_ c: Fixtures.Case) throws {
        let table = try c.floatInput(0)
        let indices = try #require(try c.input(1).tensor(as: Int32.self))
        expectMatch(table.gatherRows(indices), try c.expectedTensor().toFloat(), "\(c)") { _, _ in 0 }
    }

    @Test func concatenateReadsViewsAndOtherTypes() {
        let a = Tensor<Int32>([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let joined = Tensor.concatenate([a.transposed(), Tensor<Int32>([7, 8], shape: [1, 2])], axis: 0)
        #expect(joined.shape == [4, 2])
        #expect(joined.scalars == [1, 4, 2, 5, 3, 6, 7, 8])
        let rows = a.gatherRows([-1, 0])
        #expect(rows.scalars == [4, 5, 6, 1, 2, 3])
    }
}
