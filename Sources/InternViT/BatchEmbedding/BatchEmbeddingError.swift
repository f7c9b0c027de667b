/// A failure of a batch embedding or a merge: bad inputs, an output directory that does
/// not belong to this run, an incomplete set of shards. The message names the file or
/// shard and the problem.
public struct BatchEmbeddingError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
