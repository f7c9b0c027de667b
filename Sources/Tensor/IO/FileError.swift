#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that could not be opened, read or written, with the reason in plain words.
///
/// Thrown by `InputFile` and `OutputFile` (and so by every reader and writer built on
/// them). `description` is one line naming the path and the problem, e.g.
/// `out/features.npy: cannot write: no space left on device`.
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for code that wants to react to it.
    public enum Kind: String, Sendable, Equatable {
        /// Nothing at the path (or a missing directory on the way).
        case notFound
        /// The permissions forbid the access.
        case permissionDenied
        /// The path is a directory, FIFO, device or socket where a regular file is needed.
        case notRegularFile
        /// The file is larger than the reader accepts.
        case tooLarge
        /// The disk or quota is full.
        case noSpace
        /// Any other operating-system error (the message names it).
        case other
    }

    /// The kind of problem.
    public let kind: Kind
    /// The path as the caller gave it.
    public let path: String
    /// What went wrong, in words (no error domains or codes).
    public let message: String

    public init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    /// The error for a failed system call: `action` ("cannot open", "cannot write", …)
    /// followed by the reason for `code` (an `errno` value) in words.
    public init(errno code: Int32, path: String, _ action: String) {
        let kind: Kind
        switch code {
        case ENOENT, ENOTDIR: kind = .notFound
        case EACCES, EPERM, EROFS: kind = .permissionDenied
        case EISDIR: kind = .notRegularFile
        case ENOSPC, EDQUOT: kind = .noSpace
        case EFBIG: kind = .tooLarge
        default: kind = .other
        }
        self.init(kind, path: path, "\(action): \(Self.reason(code))")
    }

    /// `errno` in words, lower-case so it reads inside a sentence.
    public static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file or directory"
        case ENOTDIR: return "a component of the path is not a directory"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "read-only file system"
        case EISDIR: return "is a directory"
        case ENOSPC: return "no space left on device"
        case EDQUOT: return "disk quota exceeded"
        case EFBIG: return "file too large"
        case ELOOP: return "too many levels of symbolic links"
        case ENAMETOOLONG: return "file name too long"
        case EPIPE: return "broken pipe (the reading end was closed)"
        case EIO: return "input/output error"
        case EXDEV: return "cannot rename across file systems"
        case ETXTBSY: return "file is busy"
        case ENXIO: return "no reader on the other end (device or FIFO)"
        default:
            let text = String(cString: strerror(code))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }

    /// "a FIFO", "a directory", … for a `stat` mode; nil for a regular file.
    static func fileTypeName(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }
}
