extension Tensor {
    /// A tensor of `shape` with every element equal to `value`.
    public init(repeating value: Scalar, shape: [Int]) {
        self.init(storage: TensorStorage(repeating: value, count: Tensor.elementCount(shape)), shape: shape)
    }

    /// A tensor of `shape` whose elements are `scalars` in row-major order.
    public init(_ scalars: [Scalar], shape: [Int]) {
        let count = Tensor.elementCount(shape)
        precondition(scalars.count == count,
                     "\(scalars.count) scalars cannot fill shape \(shape) (\(count) elements)")
        let storage = TensorStorage<Scalar>(uninitializedCount: count)
        scalars.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: count) }
        self.init(storage: storage, shape: shape)
    }

    /// A one-dimensional tensor of `scalars`.
    public init(_ scalars: [Scalar]) { self.init(scalars, shape: [scalars.count]) }

    /// A rank-0 tensor holding `value`.
    public init(scalar value: Scalar) { self.init([value], shape: []) }

    /// A tensor of `shape` built from a sequence of exactly that many elements.
    public init<S: Sequence>(shape: [Int], contentsOf elements: S) where S.Element == Scalar {
        self.init(Array(elements), shape: shape)
    }

    /// A tensor of `shape` whose elements are copied from raw memory holding them in
    /// row-major order, in the machine's byte order (little-endian on every supported
    /// platform). Used by the file readers; the caller has checked the byte count.
    public init(shape: [Int], copyingBytes bytes: UnsafeRawBufferPointer) {
        let count = Tensor.elementCount(shape)
        precondition(bytes.count == count * MemoryLayout<Scalar>.stride,
                     "\(bytes.count) bytes cannot fill shape \(shape) of \(Scalar.dtype)")
        let storage = TensorStorage<Scalar>(uninitializedCount: count)
        if count > 0 {
            UnsafeMutableRawPointer(storage.base).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
        self.init(storage: storage, shape: shape)
    }

    /// A tensor of `shape` with every element zero.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: .zero, shape: shape) }
    /// A tensor of `shape` with every element one.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: .one, shape: shape) }
    /// A tensor of `shape` with every element `value`.
    public static func full(_ shape: [Int], _ value: Scalar) -> Tensor { Tensor(repeating: value, shape: shape) }

    /// `[0, 1, …, count − 1]`, exact for every integer and for floats up to 2²⁴.
    public static func arange(_ count: Int) -> Tensor {
        precondition(count >= 0, "arange of negative count \(count)")
        return Tensor((0..<count).map { Scalar(floatValue: Float($0)) }, shape: [count])
    }
}

extension Tensor where Scalar == Float {
    /// Values from `start` up to (not including) `end` in steps of `step`, like
    /// `numpy.arange(start, end, step, dtype=float32)`: ⌈(end − start)/step⌉ elements,
    /// element i = start + i·step.
    public static func arange(from start: Float, to end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0 && step.isFinite && start.isFinite && end.isFinite,
                     "arange needs finite bounds and a non-zero step")
        let span = (Double(end) - Double(start)) / Double(step)
        let count = Swift.max(0, Int(span.rounded(.up)))
        return Tensor((0..<count).map { Float(Double(start) + Double($0) * Double(step)) }, shape: [count])
    }
}

extension Tensor where Scalar == Int32 {
    /// `[start, start + step, …]` below `end` (above it for a negative step).
    public static func arange(from start: Int32, to end: Int32, step: Int32 = 1) -> Tensor {
        precondition(step != 0, "arange needs a non-zero step")
        return Tensor(Array(stride(from: start, to: end, by: Int(step))))
    }
}

extension Tensor {
    /// Samples from the normal distribution N(mean, std²), deterministic for a seed:
    /// the same seed gives the same tensor on every machine (the generator and the
    /// transform use only exactly-rounded IEEE operations).
    public static func randomNormal(_ shape: [Int], mean: Float = 0, std: Float = 1, seed: UInt64) -> Tensor {
        var values = [Float](repeating: 0, count: elementCount(shape))
        var generator = SeededGenerator(seed: seed)
        values.withUnsafeMutableBufferPointer { generator.fillNormal($0, mean: Double(mean), std: Double(std)) }
        return Tensor<Float>(values, shape: shape).converted(to: Scalar.self)
    }

    /// Samples uniformly from `[low, high)`, deterministic for a seed on every machine.
    public static func randomUniform(_ shape: [Int], low: Float = 0, high: Float = 1, seed: UInt64) -> Tensor {
        var values = [Float](repeating: 0, count: elementCount(shape))
        var generator = SeededGenerator(seed: seed)
        values.withUnsafeMutableBufferPointer { generator.fillUniform($0, low: Double(low), high: Double(high)) }
        return Tensor<Float>(values, shape: shape).converted(to: Scalar.self)
    }
}
