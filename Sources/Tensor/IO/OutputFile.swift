import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one routine every writer in the package goes through (safetensors, `Module.save`,
/// .npy, PNG, JSON and every CLI output), so that no existing file is ever lost.
///
/// What happens depends on what is at the path:
/// - **nothing, or a regular file**: the bytes go to a new temporary file in the same
///   directory (unique name, created with `O_EXCL`), which is flushed with `fsync` and
///   then renamed over the path with `rename(2)`. Readers see the old file or the new
///   one, never a mix; an existing file's permission bits (and owner, where allowed) are
///   kept; if anything fails — the producer throws, the disk fills — the old file is
///   untouched and the temporary is removed. Concurrent writers each rename a complete
///   file, so the last one wins and the path never goes missing.
/// - **a symbolic link**: followed (to any depth, even when dangling) and its final
///   target written by the rules above; the link itself stays.
/// - **a character device, FIFO or descriptor link** (`/dev/null`, a named pipe,
///   `/dev/stdout` and `/dev/fd/N`, whatever they point to): written straight through
///   (appending), so `--output /dev/stdout` works in a pipeline or redirection. Opening
///   a FIFO waits for its reader, as any writer would.
/// - **a directory, block device or socket**: refused with a `FileError`.
///
/// Foundation's replace-item call is not used: on Linux (swift-corelibs-foundation) it can
/// delete both files. Every failure is a `FileError` naming the path and the reason.
public enum OutputFile {
    /// Where a producer writes its bytes, in as many pieces as it likes.
    public struct Sink {
        let descriptor: Int32
        /// The path being written (for error messages).
        public let path: String

        /// Appends `bytes`.
        /// - Throws: `FileError` (e.g. no space left on device, broken pipe).
        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard var next = bytes.baseAddress else { return }
            var remaining = bytes.count
            while remaining > 0 {
                let n = Glibc_write(descriptor, next, Swift.min(remaining, 1 << 30))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileError(errno: errno, path: path, "cannot write")
                }
                next += n
                remaining -= n
            }
        }

        /// Appends `bytes`.
        public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

        /// Appends `data`.
        public func write(_ data: Data) throws { try data.withUnsafeBytes { try write($0) } }
    }

    /// Writes what `produce` hands to its sink to `url` (see the type's rules), without
    /// holding the whole file in memory.
    public static func write(to url: URL, _ produce: (Sink) throws -> Void) throws {
        try write(toPath: url.path, produce)
    }

    /// Writes `bytes` to `url` (see the type's rules).
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        try write(toPath: url.path) { try $0.write(bytes) }
    }

    /// Writes `data` to `url` (see the type's rules).
    public static func write(_ data: Data, to url: URL) throws {
        try write(toPath: url.path) { try $0.write(data) }
    }

    /// Writes what `produce` hands to its sink to `path` (see the type's rules).
    public static func write(toPath path: String, _ produce: (Sink) throws -> Void) throws {
        guard !path.isEmpty else { throw FileError(.notFound, path: "\"\"", "cannot write: the path is empty") }
        switch try destination(path) {
        case .file(let target, let existing):
            try replace(target, reportedAs: path, keeping: existing, produce)
        case .stream:
            try writeThrough(path, produce)
        }
    }

    /// Whether `path` is written straight through (a device, FIFO or descriptor link such
    /// as `/dev/stdout`) rather than replaced by a new file.
    public static func writesThrough(_ path: String) -> Bool {
        if case .stream? = try? destination(path) { return true }
        return false
    }

    /// What writing to a path means.
    enum Destination {
        /// A regular file to replace (or create, when `existing` is nil) at `target`, the
        /// path with every symbolic link followed.
        case file(target: String, existing: stat?)
        /// A device, FIFO or open descriptor to write into.
        case stream
    }

    /// Follows symbolic links from `path` (to any depth, even when the last one dangles)
    /// and says what is at the end. A link into `/proc/…/fd/` (`/dev/stdout` on Linux
    /// names a descriptor such as `pipe:[1234]`) is a stream.
    static func destination(_ path: String) throws -> Destination {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            if lstat(current, &info) != 0 {
                if errno == ENOENT { return .file(target: current, existing: nil) }
                throw FileError(errno: errno, path: path, "cannot write")
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                return .file(target: current, existing: info)
            case S_IFCHR, S_IFIFO:
                return .stream
            case S_IFLNK:
                if isDescriptorLink(current) { return .stream }
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = readlink(current, &buffer, buffer.count - 1)
                guard length >= 0 else { throw FileError(errno: errno, path: path, "cannot follow the link") }
                let link = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                current = link.hasPrefix("/") ? link : directory(of: current) + "/" + link
            default:
                let type = FileError.fileTypeName(info.st_mode) ?? "not a regular file"
                throw FileError(.notRegularFile, path: path, "cannot write: it is \(type)")
            }
        }
        throw FileError(errno: ELOOP, path: path, "cannot write")
    }

    /// Whether `link` is one of the kernel's links to an open descriptor (an entry of
    /// `/proc/<pid>/fd`, reached as `/dev/stdout`, `/dev/fd/N` or `/proc/self/fd/N`):
    /// its target (`pipe:[1234]`, or a file) is written through the descriptor.
    static func isDescriptorLink(_ link: String) -> Bool {
        guard let resolved = realpath(directory(of: link), nil) else { return false }
        defer { free(resolved) }
        let folder = String(cString: resolved)
        return folder.hasPrefix("/proc/") && folder.hasSuffix("/fd")
    }

    /// The directory part of `path` ("." when there is none).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Opens a device, FIFO or descriptor link and writes into it, appending (so
    /// `>> log` redirections behind `/dev/stdout` keep what they had).
    private static func writeThrough(_ path: String, _ produce: (Sink) throws -> Void) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(errno: errno, path: path, "cannot open for writing") }
        do {
            try produce(Sink(descriptor: descriptor, path: path))
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 || errno == EINTR else { throw FileError(errno: errno, path: path, "cannot write") }
    }

    /// Temporary file, fsync, rename.
    private static func replace(_ target: String, reportedAs path: String, keeping existing: stat?,
                                _ produce: (Sink) throws -> Void) throws {
        let folder = directory(of: target)
        let name = target.split(separator: "/").last.map(String.init) ?? target
        var temporary = ""
        var descriptor: Int32 = -1
        for _ in 0..<100 {
            // A name of at most ~230 bytes, so it stays under NAME_MAX for any target.
            let stem = String(decoding: Array(name.utf8.prefix(200)), as: UTF8.self)
            temporary = folder + "/." + stem + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".tmp"
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else {
            throw FileError(errno: errno, path: path, "cannot create a file in \(folder)")
        }
        var isOpen = true
        do {
            if let existing {
                // Owner first: changing the owner clears set-id bits that fchmod then restores.
                if existing.st_uid != geteuid() || existing.st_gid != getegid() {
                    _ = fchown(descriptor, existing.st_uid, existing.st_gid)
                }
                guard fchmod(descriptor, existing.st_mode & 0o7777) == 0 else {
                    throw FileError(errno: errno, path: path, "cannot set permissions")
                }
            }
            try produce(Sink(descriptor: descriptor, path: path))
            guard fsync(descriptor) == 0 else { throw FileError(errno: errno, path: path, "cannot write") }
            isOpen = false
            guard close(descriptor) == 0 else { throw FileError(errno: errno, path: path, "cannot write") }
            guard rename(temporary, target) == 0 else { throw FileError(errno: errno, path: path, "cannot replace") }
        } catch {
            if isOpen { close(descriptor) }
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable (best effort: some file systems refuse).
        let directoryDescriptor = Glibc_open(folder, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}

// Module-level names for the C calls whose Swift names are shadowed inside the types above.
@inline(__always) private func Glibc_write(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

@inline(__always) private func Glibc_open(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
