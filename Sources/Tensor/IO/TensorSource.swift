/// The name, element type and shape of a stored tensor.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]

    public init(name: String, dtype: DType, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }
}

/// Anything tensors can be loaded from by name: a safetensors file, a sharded
/// checkpoint, or a key-translating view of either.
public protocol TensorSource: Sendable {
    /// Where the tensors come from, for messages.
    var sourceDescription: String { get }
    /// Every tensor name, in a stable order.
    var tensorNames: [String] { get }
    /// The dtype and shape of `name`, or nil if there is no such tensor.
    func info(named name: String) -> TensorInfo?
    /// The tensor `name` as stored (no copy where the storage allows).
    /// - Throws: `TensorIOError` (`.missingTensor` if absent; data errors).
    func tensor(named name: String) throws -> AnyTensor
}

extension TensorSource {
    /// The tensor `name` converted to `Float`.
    public func floatTensor(named name: String) throws -> Tensor<Float> {
        try tensor(named: name).toFloat()
    }

    /// The tensor `name`, which must be stored as `Scalar`.
    /// - Throws: `TensorIOError.Kind.wrongType` if it is stored as another type.
    public func tensor<Scalar: TensorScalar>(named name: String, as type: Scalar.Type) throws -> Tensor<Scalar> {
        let stored = try tensor(named: name)
        guard let typed = stored.tensor(as: type) else {
            throw TensorIOError(.wrongType, file: sourceDescription, tensor: name,
                                "stored as \(stored.dtype), not \(Scalar.dtype)")
        }
        return typed
    }
}
