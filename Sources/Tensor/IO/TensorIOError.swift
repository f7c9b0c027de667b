/// A problem with a file of tensors (.npy, .safetensors, an index or config JSON).
///
/// The message names the file, the tensor when there is one, and what is wrong, so
/// `print(error)` is enough for a user to act on it.
public struct TensorIOError: Error, CustomStringConvertible, Equatable {
    /// What kind of problem it is, for code that wants to react to it.
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be opened or read.
        case unreadable
        /// The file ends before the data it announces.
        case truncated
        /// The header is malformed (bad magic, bad JSON or dict, missing field).
        case malformedHeader
        /// A dtype the reader does not support, or a byte order / layout it rejects.
        case unsupported
        /// Shapes, offsets or sizes disagree with each other.
        case inconsistent
        /// A tensor name is missing, or appears twice.
        case missingTensor
        /// A tensor exists but has a different type than requested.
        case wrongType
    }

    /// The kind of problem.
    public let kind: Kind
    /// The file the problem is in.
    public let file: String
    /// The tensor the problem concerns, if any.
    public let tensor: String?
    /// A human-readable explanation.
    public let message: String

    public init(_ kind: Kind, file: String, tensor: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.tensor = tensor
        self.message = message
    }

    public var description: String {
        if let tensor { return "\(file): tensor '\(tensor)': \(message)" }
        return "\(file): \(message)"
    }
}
