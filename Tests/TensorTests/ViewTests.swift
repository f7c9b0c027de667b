import Testing
import Tensor

/// Views share storage and never copy; writes copy first (copy-on-write).
@Suite struct ViewTests {
    let x = Tensor<Float>((0..<24).map(Float.init), shape: [2, 3, 4])

    @Test func reshapeInfersOneExtentAndSharesStorage() {
        let r = x.reshaped([4, -1])
        #expect(r.shape == [4, 6])
        #expect(r.sharesStorage(with: x))
        #expect(r.scalars == x.scalars)
        #expect(x.reshaped(-1).shape == [24])
        #expect(x.reshaped([2, 0 + 12]).shape == [2, 12])
    }

    @Test func permuteAndTransposeAreViews() {
        let p = x.permuted(2, 0, 1)
        #expect(p.shape == [4, 2, 3])
        #expect(p.sharesStorage(with: x))
        #expect(!p.isContiguous)
        #expect(p[1, 1, 2] == x[1, 2, 1])
        let t = x.transposed()
        #expect(t.shape == [2, 4, 3])
        #expect(t[1, 3, 0] == x[1, 0, 3])
        // Materialising gives the permuted order, numpy's `ascontiguousarray(x.transpose(2,0,1))`.
        let dense = p.contiguous()
        #expect(dense.isContiguous && !dense.sharesStorage(with: x))
        #expect(dense.scalars[0..<6] == [0, 4, 8, 12, 16, 20])
    }

    @Test func reshapeOfNonContiguousViewCopiesOnlyWhenNeeded() {
        let t = x.transposed(0, 1)            // [3, 2, 4], last axis still dense
        let merged = t.reshaped([3, 8])       // needs a copy: axes 1,2 are not adjacent in memory
        #expect(merged.scalars == t.contiguous().scalars)
        let split = t.reshaped([3, 2, 2, 2])  // splitting the dense last axis stays a view
        #expect(split.sharesStorage(with: x))
        #expect(split.scalars == t.contiguous().reshaped([3, 2, 2, 2]).scalars)
    }

    @Test func slicingSelectingAndSteps() {
        let s = x.sliced(axis: 1, 1..<3)
        #expect(s.shape == [2, 2, 4])
        #expect(s.sharesStorage(with: x))
        #expect(s[0, 0, 0] == 4 && s[1, 1, 3] == 23)
        let stepped = x.sliced(axis: 2, 0..<4, step: 3)
        #expect(stepped.shape == [2, 3, 2])
        #expect(stepped.scalars == [0, 3, 4, 7, 8, 11, 12, 15, 16, 19, 20, 23])
        let row = x.selecting(axis: 0, index: -1)
        #expect(row.shape == [3, 4] && row[0, 0] == 12)
        #expect(x.sliced(axis: 0, 1..<1).count == 0)
    }

    @Test func expandBroadcastsWithZeroStrides() {
        let v = Tensor<Float>([1, 2, 3], shape: [3, 1])
        let e = v.expanded(to: [2, 3, 4])
        #expect(e.shape == [2, 3, 4])
        #expect(e.strides == [0, 1, 0])
        #expect(e.sharesStorage(with: v))
        let expected: [Float] = (0..<24).map { index in Float((index / 4) % 3 + 1) }
        #expect(e.contiguous().scalars == expected)
        #expect(v.unsqueezed(axis: 0).shape == [1, 3, 1])
        #expect(v.squeezed(axis: 1).shape == [3])
    }

    @Test func writesCopyOnWrite() {
        var a = x
        let view = a.transposed()
        a[0, 0, 0] = 100
        #expect(a[0, 0, 0] == 100)
        #expect(x[0, 0, 0] == 0)
        #expect(view[0, 0, 0] == 0)
        #expect(!a.sharesStorage(with: x))
        // A uniquely owned tensor is written in place.
        // (Compare addresses: holding the storage object itself would make it shared.)
        var b = Tensor<Float>.zeros([4])
        let before = b.storage.base
        b[2] = 1
        #expect(b.storage.base == before)
        // Writing through a view copies it and leaves the original alone.
        var slice = x.sliced(axis: 2, 1..<2)
        slice[1, 2, 0] = -1
        #expect(slice[1, 2, 0] == -1 && x[1, 2, 1] == 21)
    }

    @Test func contiguousOfDenseTensorIsTheSameStorage() {
        #expect(x.contiguous().sharesStorage(with: x))
        #expect(x.sliced(axis: 0, 1..<2).contiguous().sharesStorage(with: x))
    }
}
