import Foundation
import Tensor

/// One shard's manifest in the output directory: `manifest-shard-IIIII-of-NNNNN.jsonl`,
/// JSON lines (Docs/Scaling.md is the contract):
///
/// ```
/// {"manifest":"internvit-embed","version":1,"shard":0,"shards":3,"inputs":10,"inputs_fingerprint":"…","output":"pooler_output"}
/// {"index":0,"path":"a.jpg","status":"ok","part":"part-shard-00000-of-00003-000000.safetensors","row":0}
/// {"index":3,"path":"b.jpg","status":"failed","error":"b.jpg: …"}
/// {"commit":0,"part":"part-shard-00000-of-00003-000000.safetensors","ok":1,"failed":1}
/// ```
///
/// Records are appended in groups, one group per part file, after that part file has been
/// completely written and renamed into place; each group ends with its `commit` line. A
/// group without its commit line (a process killed while appending) is not part of the
/// manifest and is cut off when the shard resumes.
public struct EmbeddingManifest: Sendable {
    /// What every shard of one job agrees on (checked by `--resume` and by merge).
    public struct Header: Sendable, Equatable {
        public var shard: EmbeddingShard
        public var inputCount: Int
        public var inputsFingerprint: String
        /// `pooler_output`, `last_hidden_state` or `hidden_state_layer_K`.
        public var output: String
    }

    /// The outcome of one input.
    public struct Record: Sendable, Equatable {
        public var index: Int
        public var path: String
        /// `nil` when the input was embedded; the error message when it failed.
        public var error: String?
        /// The part file holding the row, and the row in it (embedded inputs only).
        public var part: String?
        public var row: Int
    }

    public var header: Header
    /// Committed records, in the order they were written.
    public var records: [Record]
    /// Committed part files (nil for a group of failures only), in commit order.
    public var commits: [String?]
    /// Bytes of the file up to the end of the last commit line.
    public var committedLength: Int

    /// The file name of shard `shard`'s manifest.
    public static func fileName(_ shard: EmbeddingShard) -> String { "manifest-\(shard.fileTag).jsonl" }

    /// The file name of shard `shard`'s part number `sequence`.
    public static func partName(_ shard: EmbeddingShard, sequence: Int) -> String {
        "part-\(shard.fileTag)-\(EmbeddingShard.padded(sequence, width: 6)).safetensors"
    }

    /// The header line (with its newline).
    static func headerLine(_ header: Header) -> String {
        "{\"manifest\":\"internvit-embed\",\"version\":1,\"shard\":\(header.shard.index),\"shards\":\(header.shard.count),"
            + "\"inputs\":\(header.inputCount),\"inputs_fingerprint\":\(JSONValue.quoted(header.inputsFingerprint)),"
            + "\"output\":\(JSONValue.quoted(header.output))}\n"
    }

    /// The lines of one committed group: its records, then the commit line.
    static func groupLines(_ records: [Record], sequence: Int, part: String?) -> String {
        var text = ""
        for record in records {
            text += "{\"index\":\(record.index),\"path\":\(JSONValue.quoted(record.path)),"
            if let error = record.error {
                text += "\"status\":\"failed\",\"error\":\(JSONValue.quoted(error))}\n"
            } else {
                text += "\"status\":\"ok\",\"part\":\(JSONValue.quoted(record.part ?? "")),\"row\":\(record.row)}\n"
            }
        }
        let failed = records.filter { $0.error != nil }.count
        text += "{\"commit\":\(sequence),\"part\":\(part.map(JSONValue.quoted) ?? "null"),"
            + "\"ok\":\(records.count - failed),\"failed\":\(failed)}\n"
        return text
    }

    /// Reads a manifest, keeping only committed groups.
    /// - Throws: `BatchEmbeddingError` for an unreadable file, a bad header or a damaged line
    ///   before the last commit.
    public static func read(_ url: URL) throws -> EmbeddingManifest {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw BatchEmbeddingError("\(url.path): cannot read the manifest: \(error.localizedDescription)")
        }
        let bytes = [UInt8](data)
        var lineStart = 0
        var lineNumber = 0
        var header: Header?
        var manifest: EmbeddingManifest?
        var pending: [Record] = []
        func fail(_ message: String) -> BatchEmbeddingError {
            BatchEmbeddingError("\(url.path):\(lineNumber): \(message)")
        }
        while lineStart < bytes.count {
            guard let newline = bytes[lineStart...].firstIndex(of: 0x0A) else { break }   // torn last line
            lineNumber += 1
            let line = bytes[lineStart..<newline]
            let lineEnd = newline + 1
            let value: JSONValue
            do { value = try JSONValue.parse(line) } catch {
                // Only the tail after the last commit may be damaged (a killed append).
                if bytes[lineEnd...].contains(where: { $0 == 0x0A }) { throw fail("damaged line: \(error)") }
                break
            }
            lineStart = lineEnd
            if header == nil {
                guard value["manifest"]?.stringValue == "internvit-embed", value["version"]?.intValue == 1,
                      let index = value["shard"]?.intValue, let count = value["shards"]?.intValue,
                      let inputs = value["inputs"]?.intValue, inputs >= 0,
                      let fingerprint = value["inputs_fingerprint"]?.stringValue,
                      let output = value["output"]?.stringValue else {
                    throw fail("not an internvit embed manifest header")
                }
                let shard: EmbeddingShard
                do { shard = try EmbeddingShard(index: index, count: count) } catch { throw fail("\(error)") }
                header = Header(shard: shard, inputCount: inputs, inputsFingerprint: fingerprint, output: output)
                manifest = EmbeddingManifest(header: header!, records: [], commits: [], committedLength: lineEnd)
                continue
            }
            if let sequence = value["commit"]?.intValue {
                guard sequence == manifest!.commits.count else { throw fail("commit \(sequence) out of sequence") }
                let part = value["part"]?.stringValue
                manifest!.records += pending
                manifest!.commits.append(part)
                manifest!.committedLength = lineEnd
                pending = []
                continue
            }
            guard let index = value["index"]?.intValue, let path = value["path"]?.stringValue,
                  let status = value["status"]?.stringValue else {
                throw fail("a record needs index, path and status")
            }
            if status == "ok" {
                guard let part = value["part"]?.stringValue, let row = value["row"]?.intValue, row >= 0 else {
                    throw fail("an ok record needs part and row")
                }
                pending.append(Record(index: index, path: path, error: nil, part: part, row: row))
            } else {
                pending.append(Record(index: index, path: path, error: value["error"]?.stringValue ?? status, part: nil, row: 0))
            }
        }
        guard let manifest else { throw BatchEmbeddingError("\(url.path): empty or damaged manifest (no header line)") }
        return manifest
    }
}

/// Appends committed groups to a manifest file. Each group is one `write`, followed by
/// an `fsync`, so a crash leaves at most one torn group at the end.
final class ManifestAppender {
    private let handle: FileHandle
    let url: URL

    /// Opens `url`, cutting it back to `length` bytes (dropping an uncommitted tail).
    init(url: URL, truncatingTo length: Int) throws {
        guard let handle = FileHandle(forUpdatingAtPath: url.path) else {
            throw BatchEmbeddingError("\(url.path): cannot open the manifest for writing")
        }
        self.handle = handle
        self.url = url
        do {
            try handle.truncate(atOffset: UInt64(length))
            try handle.seekToEnd()
        } catch {
            throw BatchEmbeddingError("\(url.path): cannot write the manifest: \(error.localizedDescription)")
        }
    }

    /// Creates the manifest with its header line; fails if the file exists.
    static func create(url: URL, header: EmbeddingManifest.Header) throws -> ManifestAppender {
        let line = Data(EmbeddingManifest.headerLine(header).utf8)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: line) else {
            throw BatchEmbeddingError("\(url.path): cannot create the manifest in \(url.deletingLastPathComponent().path)")
        }
        // link(2) instead of rename: it fails when another process created the manifest first.
        defer { _ = unlink(temporary.path) }
        guard link(temporary.path, url.path) == 0 else {
            throw BatchEmbeddingError("\(url.path): cannot create the manifest (\(String(cString: strerror(errno))))")
        }
        return try ManifestAppender(url: url, truncatingTo: line.count)
    }

    func append(_ text: String) throws {
        do {
            try handle.write(contentsOf: Data(text.utf8))
            try handle.synchronize()
        } catch {
            throw BatchEmbeddingError("\(url.path): cannot write the manifest: \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }
}
