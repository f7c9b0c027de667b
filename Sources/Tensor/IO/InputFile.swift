#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file opened for reading: the one way the libraries open their inputs
/// (weights, configs, images, .npy).
///
/// Opening never blocks and never reads from something that is not a regular file: the
/// path is opened with `O_NONBLOCK` (so a FIFO named `model.safetensors` does not wait
/// for a writer) and `fstat` must then report a regular file; a FIFO, device, socket
/// or directory is refused with a `FileError` of kind `.notRegularFile` that says what
/// it is. Symbolic links are followed. Foundation's `Data(contentsOf:)` is avoided
/// because it blocks on FIFOs, reads devices without end, and reports failures as
/// "NSCocoaErrorDomain error 256".
public final class InputFile {
    /// The path as given.
    public let path: String
    /// Size in bytes when opened.
    public let size: Int
    /// The open descriptor (closed when this object goes away).
    public let descriptor: Int32

    /// Opens `path` for reading.
    /// - Throws: `FileError` (missing, permission denied, not a regular file, …).
    public init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(errno: errno, path: path, "cannot open") }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw FileError(errno: code, path: path, "cannot open")
        }
        if let type = FileError.fileTypeName(info.st_mode) {
            close(descriptor)
            throw FileError(.notRegularFile, path: path, "is \(type), not a regular file")
        }
        self.path = path
        self.size = Int(info.st_size)
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Reads `count` bytes at `offset` into `destination` (which has room for them).
    /// - Throws: `FileError` if reading fails or the file ends first (it shrank).
    public func read(into destination: UnsafeMutableRawPointer, count: Int, at offset: Int) throws {
        var done = 0
        while done < count {
            // Reads in pieces of at most 1 GiB: Linux caps one read at about 2 GiB.
            let n = pread(descriptor, destination + done, Swift.min(count - done, 1 << 30), off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(errno: errno, path: path, "cannot read")
            }
            if n == 0 {
                throw FileError(.other, path: path, "cannot read: the file ended after \(offset + done) of \(offset + count) bytes "
                                + "(was it truncated while being read?)")
            }
            done += n
        }
    }

    /// The first `count` bytes (fewer if the file is shorter).
    public func prefix(_ count: Int) throws -> [UInt8] {
        let n = Swift.min(count, size)
        var bytes = [UInt8](repeating: 0, count: n)
        try bytes.withUnsafeMutableBytes { buffer in
            if n > 0 { try read(into: buffer.baseAddress!, count: n, at: 0) }
        }
        return bytes
    }

    /// The whole file.
    /// - Parameter maximumBytes: larger files are refused (`FileError.Kind.tooLarge`)
    ///   before anything is read; `what` names the limit in that message.
    public func readAll(maximumBytes: Int = Int.max, what: String = "limit") throws -> [UInt8] {
        guard size <= maximumBytes else {
            throw FileError(.tooLarge, path: path, "file is \(size) bytes, more than the \(maximumBytes)-byte \(what)")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        try bytes.withUnsafeMutableBytes { buffer in
            if size > 0 { try read(into: buffer.baseAddress!, count: size, at: 0) }
        }
        return bytes
    }

    /// The bytes of the regular file at `path` (convenience for small files: configs,
    /// JSON indexes). Files larger than `maximumBytes` are refused before reading.
    public static func read(_ path: String, maximumBytes: Int = Int.max, what: String = "limit") throws -> [UInt8] {
        try InputFile(path: path).readAll(maximumBytes: maximumBytes, what: what)
    }

    /// Largest JSON file (config, preprocessor config, shard index) the libraries read:
    /// 64 MiB, far above any real one (a 1,000-shard index is under 1 MiB), so an absurd
    /// file is refused before it is read.
    public static let maximumJSONBytes = 64 << 20
}

extension TensorIOError {
    /// The tensor readers' form of a file that could not be opened or read: kind
    /// `.unreadable`, same path and words.
    init(_ error: FileError) {
        self.init(.unreadable, file: error.path, error.message)
    }

    /// Runs `body`, turning a `FileError` into `TensorIOError(.unreadable)`.
    static func reading<R>(_ body: () throws -> R) throws -> R {
        do { return try body() } catch let error as FileError { throw TensorIOError(error) }
    }
}
