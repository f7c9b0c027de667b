/// An n-dimensional array of `Scalar`s: shared copy-on-write storage, a shape, and
/// strides (in elements) that say where each index lives in that storage.
///
/// Views (`reshaped`, `permuted`, `transposed`, `sliced`, `expanded`) share the
/// storage of the tensor they come from and copy nothing. Writing through any tensor
/// first copies its storage if another tensor still refers to it, so a view never
/// changes behind its original's back (value semantics). `contiguous()` returns a
/// tensor whose elements are densely packed in row-major order.
///
/// Shape errors are programmer errors: operations trap with a message naming both
/// shapes. Errors from data (files, user input) are thrown by the IO and model code.
///
/// A tensor is `Sendable`: a copy given to another task or thread shares the storage,
/// and copy-on-write means neither copy writes shared memory (see `TensorStorage`).
public struct Tensor<Scalar: TensorScalar>: Sendable {
    /// The memory this tensor (and possibly others) reads from.
    public private(set) var storage: TensorStorage<Scalar>
    /// Extent of each axis.
    public private(set) var shape: [Int]
    /// Distance in elements between neighbours along each axis (0 for a broadcast axis).
    public private(set) var strides: [Int]
    /// Index in `storage` of the element at all-zero indices.
    public private(set) var offset: Int

    /// Creates a tensor over existing storage. The layout must stay inside the storage.
    public init(storage: TensorStorage<Scalar>, shape: [Int], strides: [Int], offset: Int = 0) {
        precondition(shape.count == strides.count,
                     "shape \(shape) and strides \(strides) differ in rank")
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        if shape.reduce(1, *) > 0 {
            var low = offset, high = offset
            for (extent, stride) in zip(shape, strides) {
                if stride >= 0 { high += (extent - 1) * stride } else { low += (extent - 1) * stride }
            }
            precondition(low >= 0 && high < storage.count,
                         "layout shape \(shape) strides \(strides) offset \(offset) overruns storage of \(storage.count)")
        }
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// Creates a dense row-major tensor over `storage`, whose size must match the shape.
    public init(storage: TensorStorage<Scalar>, shape: [Int]) {
        let count = Tensor.elementCount(shape)
        precondition(count == storage.count,
                     "shape \(shape) needs \(count) elements, storage has \(storage.count)")
        self.init(storage: storage, shape: shape, strides: Tensor.contiguousStrides(for: shape))
    }

    /// The element type.
    public var dtype: DType { Scalar.dtype }
    /// Number of axes.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { Tensor.elementCount(shape) }

    /// Whether the elements are densely packed in row-major order (offset may be non-zero).
    public var isContiguous: Bool {
        if count == 0 { return true }
        var expected = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Row-major strides for `shape`.
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// The number of elements of `shape`; traps if it overflows `Int`.
    public static func elementCount(_ shape: [Int]) -> Int {
        var count = 1
        for extent in shape {
            precondition(extent >= 0, "negative extent in shape \(shape)")
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            precondition(!overflow, "element count of shape \(shape) overflows")
            count = product
        }
        return count
    }

    /// Resolves a possibly negative axis (`-1` = last) and traps when out of range.
    public func normalizedAxis(_ axis: Int, rankOverride: Int? = nil) -> Int {
        let r = rankOverride ?? rank
        let resolved = axis < 0 ? axis + r : axis
        precondition(resolved >= 0 && resolved < Swift.max(r, 1),
                     "axis \(axis) out of range for shape \(shape)")
        return resolved
    }

    /// The storage index of the element at `indices`.
    @inlinable
    func storageIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == rank,
                     "\(indices.count) indices for a tensor of shape \(shape)")
        var index = offset
        for axis in 0..<rank {
            var i = indices[axis]
            if i < 0 { i += shape[axis] }
            precondition(i >= 0 && i < shape[axis],
                         "index \(indices[axis]) out of range for axis \(axis) of shape \(shape)")
            index += i * strides[axis]
        }
        return index
    }

    /// The element at `indices` (negative indices count from the end).
    public subscript(_ indices: Int...) -> Scalar {
        get { storage.base[storageIndex(indices)] }
        set {
            makeUniqueStorage()
            storage.base[storageIndex(indices)] = newValue
        }
    }

    /// The element at `indices`, given as an array.
    public subscript(indices indices: [Int]) -> Scalar {
        get { storage.base[storageIndex(indices)] }
        set {
            makeUniqueStorage()
            storage.base[storageIndex(indices)] = newValue
        }
    }

    /// The single element of a one-element tensor.
    public var item: Scalar {
        precondition(count == 1, "item of a tensor of shape \(shape) with \(count) elements")
        return storage.base[offset]
    }

    /// All elements in row-major order.
    public var scalars: [Scalar] {
        let dense = contiguous()
        return Array(UnsafeBufferPointer(start: dense.storage.base + dense.offset, count: dense.count))
    }

    // MARK: Copy-on-write

    /// Copies the storage if it is shared with another tensor or borrowed, keeping
    /// this tensor's layout but making it dense. Afterwards writes are safe.
    public mutating func makeUniqueStorage() {
        if !isKnownUniquelyReferenced(&storage) || storage.isBorrowed {
            self = contiguousCopy()
        }
    }

    /// Makes the tensor dense, row-major and sole owner of writable storage, so its
    /// elements can be written through `withUnsafeMutableBufferPointer`.
    public mutating func makeUniqueContiguous() {
        if !isContiguous || !isKnownUniquelyReferenced(&storage) || storage.isBorrowed {
            self = contiguousCopy()
        }
    }

    /// Calls `body` with the elements in row-major order (copying first if not dense).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        let dense = contiguous()
        return try withExtendedLifetime(dense) {
            try body(UnsafeBufferPointer(start: dense.storage.base + dense.offset, count: dense.count))
        }
    }

    /// Calls `body` with writable elements in row-major order (copying first if the
    /// storage is shared, borrowed or not dense).
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        makeUniqueContiguous()
        return try body(UnsafeMutableBufferPointer(start: storage.base + offset, count: count))
    }

    /// Whether both tensors read the same storage (one is a view of the other).
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    // MARK: Materialising

    /// A dense row-major tensor with the same elements: `self` when already dense,
    /// otherwise a copy.
    public func contiguous() -> Tensor {
        isContiguous ? self : contiguousCopy()
    }

    /// A dense row-major copy in fresh storage, whatever the layout.
    public func contiguousCopy() -> Tensor {
        let result = TensorStorage<Scalar>(uninitializedCount: count)
        StridedCopy.copy(from: self, into: result.base)
        return Tensor(storage: result, shape: shape)
    }
}
