/// A tensor whose element type is known only at run time, as read from a file.
public enum AnyTensor: Sendable {
    case float32(Tensor<Float>)
    case float64(Tensor<Double>)
    case bfloat16(Tensor<BFloat16>)
    case float16(Tensor<Half>)
    case int64(Tensor<Int64>)
    case int32(Tensor<Int32>)
    case int16(Tensor<Int16>)
    case int8(Tensor<Int8>)
    case uint8(Tensor<UInt8>)
    case bool(Tensor<Bool>)

    /// Wraps a typed tensor.
    public init<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>) {
        switch tensor {
        case let t as Tensor<Float>: self = .float32(t)
        case let t as Tensor<Double>: self = .float64(t)
        case let t as Tensor<BFloat16>: self = .bfloat16(t)
        case let t as Tensor<Int64>: self = .int64(t)
        case let t as Tensor<Int32>: self = .int32(t)
        case let t as Tensor<Int16>: self = .int16(t)
        case let t as Tensor<Int8>: self = .int8(t)
        case let t as Tensor<UInt8>: self = .uint8(t)
        case let t as Tensor<Bool>: self = .bool(t)
        default:
            if let t = tensor as? Tensor<Half> { self = .float16(t); return }
            preconditionFailure("no AnyTensor case for \(Scalar.self)")
        }
    }

    /// Calls `body` with the typed tensor.
    public func withTensor<R>(_ body: (any TensorProtocol) throws -> R) rethrows -> R {
        switch self {
        case .float32(let t): return try body(t)
        case .float64(let t): return try body(t)
        case .bfloat16(let t): return try body(t)
        case .float16(let t): return try body(t)
        case .int64(let t): return try body(t)
        case .int32(let t): return try body(t)
        case .int16(let t): return try body(t)
        case .int8(let t): return try body(t)
        case .uint8(let t): return try body(t)
        case .bool(let t): return try body(t)
        }
    }

    /// The element type.
    public var dtype: DType { withTensor { $0.dtype } }
    /// The shape.
    public var shape: [Int] { withTensor { $0.shape } }
    /// The values converted to `Float`.
    public func toFloat() -> Tensor<Float> { withTensor { $0.floatTensor() } }

    /// The tensor if its element type is `Scalar`, else nil.
    public func tensor<Scalar: TensorScalar>(as _: Scalar.Type) -> Tensor<Scalar>? {
        withTensor { $0 as? Tensor<Scalar> }
    }
}

/// What every `Tensor<Scalar>` offers without naming `Scalar`.
public protocol TensorProtocol: Sendable {
    /// The element type.
    var dtype: DType { get }
    /// The shape.
    var shape: [Int] { get }
    /// The values converted to `Float`.
    func floatTensor() -> Tensor<Float>
    /// Calls `body` with the raw bytes of the elements in row-major order.
    func withUnsafeRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Tensor: TensorProtocol {
    public func floatTensor() -> Tensor<Float> { toFloat() }

    public func withUnsafeRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { try body(UnsafeRawBufferPointer($0)) }
    }
}
