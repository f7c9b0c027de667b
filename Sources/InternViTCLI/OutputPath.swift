import Foundation
import Tensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks on `--output` made before any work: the format its name implies, and that it
/// is not one of the command's inputs.
enum OutputPath {
    /// Whether `path` is a device, FIFO or descriptor link (`/dev/stdout`), written
    /// straight through: those need no extension.
    static func isStream(_ path: String) -> Bool { OutputFile.writesThrough(path) }

    /// The output format of `embed`: from the file's extension, which must be one of
    /// `formats`; `--format` must agree with it, and is required when the path has no
    /// extension or is a device (`--output /dev/stdout --format json`).
    static func format(of output: String?, explicit: String?, formats: [String], help: String) throws -> String {
        if let explicit, !formats.contains(explicit) {
            throw UsageError(message: "--format must be one of \(formats.joined(separator: ", ")), got '\(explicit)'", help: help)
        }
        guard let output else { return explicit ?? formats[0] }
        guard !output.isEmpty else { throw UsageError(message: "--output is empty", help: help) }
        let suffix = (output as NSString).pathExtension.lowercased()
        if formats.contains(suffix) {
            if let explicit, explicit != suffix {
                throw UsageError(message: "--format \(explicit) contradicts the extension of '\(output)'", help: help)
            }
            return suffix
        }
        if let explicit, suffix.isEmpty || isStream(output) { return explicit }
        let known = formats.map { "." + $0 }.joined(separator: ", ")
        if suffix.isEmpty {
            throw UsageError(message: "cannot tell the output format of '\(output)': name it \(known) or give --format", help: help)
        }
        throw UsageError(message: "unknown output extension '.\(suffix)' in '\(output)' (use \(known))", help: help)
    }

    /// Requires `output` to end in `.extension` unless it is a device or FIFO.
    static func require(_ output: String, extension wanted: String, help: String) throws {
        guard !output.isEmpty else { throw UsageError(message: "--output is empty", help: help) }
        guard (output as NSString).pathExtension.lowercased() != wanted, !isStream(output) else { return }
        throw UsageError(message: "--output must be a .\(wanted) file, got '\(output)'", help: help)
    }

    /// Refuses an output that is (through links or hard links: same device and inode)
    /// one of `inputs`, before anything is read or written.
    /// The error is short (no help text): the command line is fine apart from this.
    /// A directory at the output path fails here too, before a model is loaded or run.
    static func refuseOverwriting(_ output: String?, inputs: [String]) throws {
        guard let output, !isStream(output) else { return }
        var target = stat()
        guard stat(output, &target) == 0 else { return }
        if target.st_mode & S_IFMT == S_IFDIR {
            throw FileError(.notRegularFile, path: output, "cannot write: it is a directory")
        }
        guard target.st_mode & S_IFMT == S_IFREG else { return }
        for input in inputs {
            var info = stat()
            if stat(input, &info) == 0 && info.st_dev == target.st_dev && info.st_ino == target.st_ino {
                throw UsageError(message: "--output '\(output)' is an input of this command ('\(input)'); "
                                 + "refusing to overwrite it", help: "")
            }
        }
    }

    /// The files of a `--model` directory (config, preprocessor config, weights, index
    /// and shards): none may be overwritten by an output.
    static func modelFiles(_ spec: String?) -> [String] {
        guard let spec, spec != "random",
              let entries = try? FileManager.default.contentsOfDirectory(atPath: spec) else { return [] }
        return entries.map { (spec as NSString).appendingPathComponent($0) }
    }
}
