import Foundation
import Tensor

/// Joins the shards of a batch embedding into one safetensors file:
///
/// - `embeddings`: float32 `[n, D]` (pooled) or `[n, tokens, D]`, the rows of the inputs
///   recorded `ok`, in input order;
/// - `indices`: int64 `[n]`, each row's input index;
/// - metadata: `output`, `inputs`, `rows`, `failed`, `inputs_fingerprint`, `paths_file`;
/// - a sidecar text file (`X.paths.txt` for `X.safetensors`): the path of each row, one
///   per line, in row order.
///
/// Before writing anything it checks that the manifests agree (same inputs, sharding and
/// output), that every shard is there, and that every input of every shard is recorded
/// exactly once; otherwise it throws naming the missing shards and inputs.
public enum EmbeddingMerge {
    /// What a merge wrote.
    public struct Report: Sendable {
        /// Rows written (inputs embedded).
        public var rows: Int
        /// Inputs of the job.
        public var inputs: Int
        /// Shape of the `embeddings` tensor.
        public var shape: [Int]
        /// Inputs recorded as failed: (index, path, error).
        public var failures: [(index: Int, path: String, error: String)]
        /// The sidecar file with the paths.
        public var pathsFile: URL
    }

    /// The sidecar paths file of a merged file: `X.paths.txt` beside `X.safetensors`.
    public static func pathsFile(for output: URL) -> URL {
        output.deletingPathExtension().appendingPathExtension("paths.txt")
    }

    /// Merges the shards in `directory` into `output`.
    /// - Throws: `BatchEmbeddingError` naming missing shards or inputs, disagreeing
    ///   manifests, duplicate records or damaged part files.
    public static func merge(directory: URL, output: URL) throws -> Report {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw BatchEmbeddingError("\(directory.path): cannot list the output directory: \(error.localizedDescription)")
        }
        let manifestNames = names.filter { $0.hasPrefix("manifest-shard-") && $0.hasSuffix(".jsonl") }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard !manifestNames.isEmpty else { throw BatchEmbeddingError("\(directory.path): no embed manifests (manifest-shard-*.jsonl)") }
        let manifests = try manifestNames.map { try EmbeddingManifest.read(directory.appendingPathComponent($0)) }

        // One job: same inputs, output kind and number of shards everywhere.
        let first = manifests[0].header
        for (name, manifest) in zip(manifestNames, manifests) {
            let h = manifest.header
            guard h.inputCount == first.inputCount, h.inputsFingerprint == first.inputsFingerprint,
                  h.output == first.output, h.shard.count == first.shard.count else {
                throw BatchEmbeddingError("\(name) and \(manifestNames[0]) are from different jobs "
                    + "(inputs \(h.inputCount) vs \(first.inputCount), shards \(h.shard.count) vs \(first.shard.count), "
                    + "output \(h.output) vs \(first.output)); merge one job's directory at a time")
            }
        }
        let shardCount = first.shard.count
        let inputCount = first.inputCount
        let present = Set(manifests.map(\.header.shard.index))
        let missingShards = (0..<shardCount).filter { !present.contains($0) }

        // Every input of every present shard exactly once.
        var recordOf = [Int32](repeating: -1, count: inputCount)      // index → position in `records`
        var records: [EmbeddingManifest.Record] = []
        for (name, manifest) in zip(manifestNames, manifests) {
            for record in manifest.records {
                guard record.index >= 0, record.index < inputCount, manifest.header.shard.owns(record.index) else {
                    throw BatchEmbeddingError("\(name): input \(record.index) does not belong to shard \(manifest.header.shard)")
                }
                guard recordOf[record.index] < 0 else {
                    throw BatchEmbeddingError("\(name): input \(record.index) (\(record.path)) is recorded twice")
                }
                recordOf[record.index] = Int32(records.count)
                records.append(record)
            }
        }
        let missing = (0..<inputCount).filter { recordOf[$0] < 0 }
        if !missing.isEmpty {
            var lines: [String] = []
            if !missingShards.isEmpty {
                lines.append("no manifest for shard\(missingShards.count > 1 ? "s" : "") "
                    + missingShards.prefix(20).map { "\($0)/\(shardCount)" }.joined(separator: ", ")
                    + (missingShards.count > 20 ? ", …" : "") + " (not run yet, or run with another output directory)")
            }
            let incomplete = Set(missing.map { $0 % shardCount }).subtracting(missingShards).sorted()
            if !incomplete.isEmpty {
                lines.append("shard\(incomplete.count > 1 ? "s" : "") "
                    + incomplete.prefix(20).map { "\($0)/\(shardCount)" }.joined(separator: ", ")
                    + " did not finish: run \(incomplete.count > 1 ? "them" : "it") again with --resume")
            }
            lines.append("\(missing.count) of \(inputCount) inputs are missing: indices "
                + missing.prefix(20).map(String.init).joined(separator: ", ") + (missing.count > 20 ? ", …" : ""))
            throw BatchEmbeddingError("\(directory.path): incomplete: " + lines.joined(separator: "\n"))
        }

        // The rows, in input order, streamed from the part files.
        let okIndices = (0..<inputCount).filter { records[Int(recordOf[$0])].error == nil }
        var parts: [String: (embeddings: Tensor<Float>, indices: Tensor<Int64>)] = [:]
        func part(_ name: String) throws -> (embeddings: Tensor<Float>, indices: Tensor<Int64>) {
            if let loaded = parts[name] { return loaded }
            let url = directory.appendingPathComponent(name)
            do {
                let file = try SafeTensorsFile(contentsOf: url)
                guard let embeddings = try file.tensor(named: "embeddings").tensor(as: Float.self),
                      let indices = try file.tensor(named: "indices").tensor(as: Int64.self),
                      embeddings.rank >= 2, indices.rank == 1, indices.shape[0] == embeddings.shape[0] else {
                    throw BatchEmbeddingError("\(url.path): not a part file (needs float32 embeddings and int64 indices)")
                }
                parts[name] = (embeddings, indices)
                return (embeddings, indices)
            } catch let error as BatchEmbeddingError {
                throw error
            } catch {
                throw BatchEmbeddingError("\(url.path): \(error)")
            }
        }
        var rowShape: [Int]?
        for index in okIndices {
            let record = records[Int(recordOf[index])]
            let (embeddings, indices) = try part(record.part ?? "")
            guard record.row < indices.shape[0], indices[record.row] == Int64(index) else {
                throw BatchEmbeddingError("\(record.part ?? ""): row \(record.row) is not input \(index) as the manifest says")
            }
            let shape = Array(embeddings.shape.dropFirst())
            if rowShape == nil { rowShape = shape }
            guard shape == rowShape else {
                throw BatchEmbeddingError("\(record.part ?? ""): rows \(shape) differ from the other parts' \(rowShape!)")
            }
        }
        let shape = [okIndices.count] + (rowShape ?? [0])
        let rowBytes = (rowShape ?? [0]).reduce(1, *) * MemoryLayout<Float>.size
        let pathsURL = pathsFile(for: output)
        let failures = (0..<inputCount).compactMap { index -> (Int, String, String)? in
            let record = records[Int(recordOf[index])]
            return record.error.map { (index, record.path, $0) }
        }
        let metadata = ["format": "pt", "producer": "internvit merge", "output": first.output,
                        "inputs": String(inputCount), "rows": String(okIndices.count), "failed": String(failures.count),
                        "inputs_fingerprint": first.inputsFingerprint, "paths_file": pathsURL.lastPathComponent]
        let embeddings = SafeTensorsWriter.StreamedTensor(name: "embeddings", dtype: .float32, shape: shape) { sink in
            var buffer = [UInt8]()
            buffer.reserveCapacity(Swift.max(1 << 22, rowBytes))
            for index in okIndices {
                let record = records[Int(recordOf[index])]
                let source = try part(record.part ?? "").embeddings
                source.withUnsafeRawBytes { raw in
                    buffer.append(contentsOf: raw[(record.row * rowBytes)..<((record.row + 1) * rowBytes)])
                }
                if buffer.count >= 1 << 22 {
                    try buffer.withUnsafeBytes(sink)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try buffer.withUnsafeBytes(sink)
        }
        let indexValues = okIndices.map { Int64($0) }
        let indices = SafeTensorsWriter.StreamedTensor(name: "indices", dtype: .int64, shape: [okIndices.count]) { sink in
            try indexValues.withUnsafeBytes(sink)
        }
        var pathsText = ""
        for index in okIndices { pathsText += records[Int(recordOf[index])].path + "\n" }
        do {
            try SafeTensorsWriter.write([embeddings, indices], metadata: metadata, to: output)
        } catch let error as BatchEmbeddingError {
            throw error
        } catch {
            throw BatchEmbeddingError("\(output.path): cannot write: \(error)")
        }
        do { try OutputFile.write(Data(pathsText.utf8), to: pathsURL) } catch {
            throw BatchEmbeddingError("\(pathsURL.path): cannot write: \(error)")
        }
        return Report(rows: okIndices.count, inputs: inputCount, shape: shape,
                      failures: failures.map { (index: $0.0, path: $0.1, error: $0.2) }, pathsFile: pathsURL)
    }
}
