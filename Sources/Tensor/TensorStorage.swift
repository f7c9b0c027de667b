/// The memory behind one or more tensors: a flat buffer of `count` scalars.
///
/// Tensors share a storage when they are views of each other; `Tensor` copies it
/// before a write unless it is the only owner (copy-on-write). Storage is either
/// allocated here (64-byte aligned, so SIMD loads of whole cache lines are aligned)
/// or borrowed from memory someone else owns, such as a memory-mapped checkpoint;
/// borrowed storage keeps its owner alive and is never written (a write copies it).
///
/// ## Sharing between threads
/// `Tensor` is `Sendable` because its storage is, and the storage is `@unchecked
/// Sendable` for this reason: its properties are `let`s, and the elements behind `base`
/// are written only while a single tensor owns the storage. `Tensor` writes through
/// `makeUniqueStorage` / `makeUniqueContiguous`, which copy first unless
/// `isKnownUniquelyReferenced` (an atomic check, as for `Array`) proves this tensor is
/// the only reference and the memory is not borrowed; kernels write into storage they
/// have just allocated, before any tensor hands it out, and parallel pieces of a kernel
/// write disjoint ranges. So once a tensor can be seen by a second thread, there are
/// two references and nobody writes its elements again. (Writing through the public
/// `base` pointer of a shared storage breaks this, as any raw-pointer write can.)
public final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
    /// The first element.
    public let base: UnsafeMutablePointer<Scalar>
    /// Number of elements.
    public let count: Int
    /// The object that owns borrowed memory (kept alive as long as this storage), or nil
    /// when the memory was allocated here.
    public let owner: AnyObject?

    /// Alignment of allocated buffers, in bytes.
    public static var alignment: Int { 64 }

    /// Allocates uninitialised memory for `count` elements.
    ///
    /// The scalar types are trivial, so uninitialised memory is a valid (if arbitrary)
    /// value; callers fill it before reading.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "negative element count \(count)")
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Scalar>.stride,
            alignment: Swift.max(Self.alignment, MemoryLayout<Scalar>.alignment))
        base = raw.bindMemory(to: Scalar.self, capacity: max(count, 1))
        self.count = count
        owner = nil
    }

    /// Allocates memory for `count` elements, all equal to `value`.
    public convenience init(repeating value: Scalar, count: Int) {
        self.init(uninitializedCount: count)
        base.initialize(repeating: value, count: count)
    }

    /// Wraps memory owned by `owner` (for example a memory-mapped file) without copying.
    ///
    /// - Parameters:
    ///   - pointer: the first element; must stay valid while `owner` is alive and be
    ///     suitably aligned for `Scalar`.
    ///   - count: number of elements.
    ///   - owner: kept alive by this storage.
    public init(borrowing pointer: UnsafeMutablePointer<Scalar>, count: Int, owner: AnyObject) {
        base = pointer
        self.count = count
        self.owner = owner
    }

    /// Whether the memory is borrowed (and so must not be written).
    public var isBorrowed: Bool { owner != nil }

    /// Drops the resident pages of this storage if it borrows a memory-mapped file
    /// (`ByteBuffer.discardResidentPages`): for a weight that was converted and is no
    /// longer read. Reading it again is still correct (the pages come back from the file).
    public func discardResidentPages() {
        guard let buffer = owner as? ByteBuffer else { return }
        buffer.discardResidentPages(UnsafeRawPointer(base), count: count * MemoryLayout<Scalar>.stride)
    }

    deinit {
        if owner == nil { UnsafeMutableRawPointer(base).deallocate() }
    }
}
