import Foundation

/// A checkpoint split over several safetensors files, read through its
/// `model.safetensors.index.json` (`{"metadata": …, "weight_map": {name: shard file}}`),
/// as the InternViT-6B checkpoints ship. Reads as one `TensorSource`.
public final class ShardedCheckpoint: TensorSource, Sendable {
    /// The index file.
    public let indexPath: String
    /// The index's `metadata` strings (e.g. `total_size`), if any.
    public let metadata: [String: String]
    public let tensorNames: [String]
    private let shardOf: [String: SafeTensorsFile]

    /// Opens the index at `url` and every shard it names (each memory-mapped, validated).
    /// - Throws: `TensorIOError` if the index is malformed, names a shard that is missing
    ///   or outside the index's directory, or maps a tensor to a shard that lacks it.
    /// - Parameter memoryMapped: whether shards are mapped (the default) or read into
    ///   memory; see `SafeTensorsFile.init(contentsOf:memoryMapped:)`.
    public init(indexURL url: URL, memoryMapped: Bool = true) throws {
        indexPath = url.path
        let data = Data(try TensorIOError.reading {
            try InputFile.read(url.path, maximumBytes: InputFile.maximumJSONBytes, what: "limit for a JSON index")
        })
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch {
            throw TensorIOError(.malformedHeader, file: url.path, "\(error)")
        }
        guard let weightMap = json["weight_map"]?.objectPairs else {
            throw TensorIOError(.malformedHeader, file: url.path, "no 'weight_map' object")
        }
        var metadata: [String: String] = [:]
        for (key, value) in json["metadata"]?.objectPairs ?? [] {
            metadata[key] = value.stringValue ?? value.intValue.map(String.init) ?? "\(value)"
        }
        self.metadata = metadata
        let directory = url.deletingLastPathComponent()
        var shards: [String: SafeTensorsFile] = [:]
        var shardOf: [String: SafeTensorsFile] = [:]
        for (name, value) in weightMap {
            guard let fileName = value.stringValue else {
                throw TensorIOError(.malformedHeader, file: url.path, tensor: name, "shard name is not a string")
            }
            guard !fileName.isEmpty, !fileName.contains("/"), !fileName.contains("\\"), fileName != "..", fileName != "." else {
                throw TensorIOError(.malformedHeader, file: url.path, tensor: name,
                                    "shard '\(fileName)' is not a plain file name in the index's directory")
            }
            let shard: SafeTensorsFile
            if let open = shards[fileName] {
                shard = open
            } else {
                shard = try SafeTensorsFile(contentsOf: directory.appendingPathComponent(fileName), memoryMapped: memoryMapped)
                shards[fileName] = shard
            }
            guard shard.info(named: name) != nil else {
                throw TensorIOError(.missingTensor, file: shard.path, tensor: name,
                                    "the index maps this tensor to the shard, which does not contain it")
            }
            shardOf[name] = shard
        }
        self.shardOf = shardOf
        tensorNames = weightMap.map(\.0)
    }

    public var sourceDescription: String { indexPath }

    public func info(named name: String) -> TensorInfo? { shardOf[name]?.info(named: name) }

    public func tensor(named name: String) throws -> AnyTensor {
        guard let shard = shardOf[name] else {
            throw TensorIOError(.missingTensor, file: indexPath, tensor: name, "no such tensor in the checkpoint")
        }
        return try shard.tensor(named: name)
    }
}

/// Opening a Hugging Face model directory's weights.
public enum Checkpoint {
    /// The weights of a model directory: `model.safetensors.index.json` (sharded) if
    /// present, else `model.safetensors`. A path to a `.safetensors` or index file opens
    /// that file.
    /// - Throws: `TensorIOError` naming what was looked for when nothing is found.
    /// - Parameter memoryMapped: whether the weights are mapped (the default: no memory
    ///   cost, but SIGBUS if the file is truncated while in use) or read into memory.
    public static func open(_ url: URL, memoryMapped: Bool = true) throws -> TensorSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TensorIOError(.unreadable, file: url.path, "no such file or directory")
        }
        if !isDirectory.boolValue {
            return url.lastPathComponent.hasSuffix(".index.json")
                ? try ShardedCheckpoint(indexURL: url, memoryMapped: memoryMapped)
                : try SafeTensorsFile(contentsOf: url, memoryMapped: memoryMapped)
        }
        let index = url.appendingPathComponent("model.safetensors.index.json")
        if FileManager.default.fileExists(atPath: index.path) { return try ShardedCheckpoint(indexURL: index, memoryMapped: memoryMapped) }
        let single = url.appendingPathComponent("model.safetensors")
        if FileManager.default.fileExists(atPath: single.path) { return try SafeTensorsFile(contentsOf: single, memoryMapped: memoryMapped) }
        throw TensorIOError(.unreadable, file: url.path,
                            "no model.safetensors or model.safetensors.index.json in the directory")
    }
}
