import Tensor

/// A checkpoint seen under other names: `rename` maps each stored key to the key the
/// model uses (or nil to hide it). How checkpoints in another spelling — InternVL's
/// transformers "-hf" conversion, say — load into the same modules.
public struct KeyMappedSource: TensorSource {
    public let base: any TensorSource
    private let storedKey: [String: String]
    public let tensorNames: [String]

    /// - Parameter rename: stored key → model key, or nil to drop the tensor.
    public init(_ base: any TensorSource, rename: (String) -> String?) {
        self.base = base
        var storedKey: [String: String] = [:]
        var names: [String] = []
        for stored in base.tensorNames {
            guard let name = rename(stored) else { continue }
            storedKey[name] = stored
            names.append(name)
        }
        self.storedKey = storedKey
        tensorNames = names
    }

    public var sourceDescription: String { base.sourceDescription }

    public func info(named name: String) -> TensorInfo? {
        guard let stored = storedKey[name], let info = base.info(named: stored) else { return nil }
        return TensorInfo(name: name, dtype: info.dtype, shape: info.shape)
    }

    public func tensor(named name: String) throws -> AnyTensor {
        guard let stored = storedKey[name] else {
            throw TensorIOError(.missingTensor, file: sourceDescription, tensor: name, "no such tensor in the checkpoint")
        }
        return try base.tensor(named: stored)
    }
}

/// Tensors held in memory, by name (for tests and for building checkpoints in code).
public struct InMemorySource: TensorSource {
    public let tensors: [String: AnyTensor]
    public let tensorNames: [String]
    public let sourceDescription: String

    public init(_ tensors: [(String, AnyTensor)], description: String = "<memory>") {
        self.tensors = Dictionary(tensors, uniquingKeysWith: { _, last in last })
        tensorNames = tensors.map(\.0)
        sourceDescription = description
    }

    public func info(named name: String) -> TensorInfo? {
        tensors[name].map { TensorInfo(name: name, dtype: $0.dtype, shape: $0.shape) }
    }

    public func tensor(named name: String) throws -> AnyTensor {
        guard let t = tensors[name] else {
            throw TensorIOError(.missingTensor, file: sourceDescription, tensor: name, "no such tensor")
        }
        return t
    }
}
