import Foundation
import Tensor

/// The ordered inputs of a batch embedding: the row of an input in every output is its
/// position here, so the order is fixed by the inputs alone (never by the file system's
/// listing order, the shard or the timing).
///
/// - A directory is walked recursively; files are ordered by their path relative to the
///   directory, compared byte by byte (UTF-8), and recorded by that relative path.
/// - A list file gives one path per line, in file order (empty lines are skipped, a
///   trailing `\r` is dropped); paths are recorded as written and read relative to the
///   current directory.
public struct EmbeddingInputs: Sendable, Equatable {
    /// The name recorded for each input in the manifest and the merged paths.
    public let names: [String]
    /// The directory the names are relative to; nil when they are paths as given
    /// (relative to the current directory). URLs are made one at a time in `file(_:)`,
    /// since a million `URL`s cost far more memory than their names.
    public let root: URL?

    /// Number of inputs.
    public var count: Int { names.count }

    /// File extensions (lowercased) a directory walk takes as images. Files with other
    /// extensions are not inputs; an image the decoders cannot read is recorded as failed.
    public static let imageExtensions: Set<String> = [
        "png", "jpg", "jpeg", "jpe", "jfif", "ppm", "pgm", "pnm", "pbm", "gif", "bmp", "webp", "tif", "tiff",
    ]

    /// Inputs named relative to `root`, or paths as given when `root` is nil (names must
    /// not contain a line break).
    public init(names: [String], root: URL? = nil) throws {
        for name in names where name.utf8.contains(0x0A) || name.utf8.contains(0x0D) {
            throw BatchEmbeddingError("\(JSONValue.quoted(name)): file names with a line break are not supported")
        }
        self.names = names
        self.root = root
    }

    /// Where input `index` is read from.
    public func file(_ index: Int) -> URL {
        root.map { $0.appendingPathComponent(names[index]) } ?? URL(fileURLWithPath: names[index])
    }

    /// Every image file under `directory`, recursively, in bytewise order of the relative
    /// path. `excluding` (the output directory, when it lies inside) is not walked.
    public static func directory(_ directory: URL, excluding: URL? = nil) throws -> EmbeddingInputs {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BatchEmbeddingError("\(directory.path): no such directory")
        }
        let root = directory.resolvingSymlinksInPath().standardizedFileURL
        let skipped = excluding.map { $0.resolvingSymlinksInPath().standardizedFileURL.path }
        guard let walker = FileManager.default.enumerator(atPath: root.path) else {
            throw BatchEmbeddingError("\(directory.path): cannot list the directory")
        }
        var relative: [String] = []
        while let entry = walker.nextObject() as? String {
            let full = root.appendingPathComponent(entry)
            if let skipped, full.standardizedFileURL.path == skipped {
                walker.skipDescendants()
                continue
            }
            guard imageExtensions.contains(full.pathExtension.lowercased()) else { continue }
            var entryIsDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full.path, isDirectory: &entryIsDirectory),
                  !entryIsDirectory.boolValue else { continue }
            relative.append(entry)
        }
        relative.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return try EmbeddingInputs(names: relative, root: root)
    }

    /// The paths listed in `listFile`, one per line, in file order.
    public static func list(contentsOf listFile: URL) throws -> EmbeddingInputs {
        let data: Data
        do { data = try Data(contentsOf: listFile) } catch {
            throw BatchEmbeddingError("\(listFile.path): cannot read the input list: \(error.localizedDescription)")
        }
        var names: [String] = []
        for (number, rawLine) in [UInt8](data).split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.last == 0x0D ? rawLine.dropLast() : rawLine[...]
            guard !line.isEmpty else { continue }
            guard let name = String(bytes: line, encoding: .utf8) else {
                throw BatchEmbeddingError("\(listFile.path):\(number + 1): the line is not UTF-8 text")
            }
            names.append(name)
        }
        return try EmbeddingInputs(names: names)
    }

    /// A 64-bit FNV-1a hash of the names in order (hex): shards and resumed runs check that
    /// they work on the same inputs.
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        for name in names {
            for byte in name.utf8 { mix(byte) }
            mix(0x0A)
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
