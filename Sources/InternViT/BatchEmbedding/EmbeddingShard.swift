/// Which inputs one process embeds: `I/N` takes the inputs whose index `i` satisfies
/// `i mod N == I` (modulo, not contiguous ranges, so every shard gets a similar mix of
/// images and the shards finish together whatever the order of the inputs).
public struct EmbeddingShard: Sendable, Equatable, CustomStringConvertible {
    /// This shard, `0 ..< count`.
    public let index: Int
    /// Number of shards.
    public let count: Int

    /// The whole input set in one process.
    public static let whole = EmbeddingShard(checkedIndex: 0, count: 1)

    /// At most this many shards (file names keep five digits).
    public static let maximumCount = 99_999

    private init(checkedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// - Throws: unless `0 ≤ index < count ≤ maximumCount`.
    public init(index: Int, count: Int) throws {
        guard count >= 1, count <= Self.maximumCount, index >= 0, index < count else {
            throw BatchEmbeddingError("shard \(index)/\(count): need 0 ≤ I < N ≤ \(Self.maximumCount)")
        }
        self.init(checkedIndex: index, count: count)
    }

    /// Parses `I/N` (what `--shard "$JOB_COMPLETION_INDEX/N"` passes).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw BatchEmbeddingError("shard '\(text)': expected I/N, e.g. 0/4")
        }
        try self.init(index: index, count: count)
    }

    /// Whether input `inputIndex` belongs to this shard.
    public func owns(_ inputIndex: Int) -> Bool { inputIndex % count == index }

    /// `shard-00001-of-00003`: the part of every file name this shard writes.
    public var fileTag: String { "shard-\(Self.padded(index))-of-\(Self.padded(count))" }

    public var description: String { "\(index)/\(count)" }

    static func padded(_ value: Int, width: Int = 5) -> String {
        let text = String(value)
        return String(repeating: "0", count: Swift.max(0, width - text.count)) + text
    }
}
