import Foundation
import Tensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a command writes: standard output, standard error, and whether stderr is a
/// terminal (progress lines are shown only then). Tests substitute closures.
public struct Console: Sendable {
    public var out: @Sendable (String) -> Void
    public var err: @Sendable (String) -> Void
    public var errIsTerminal: Bool
    /// The first failed write to stdout or stderr, if any (e.g. "standard output: no
    /// space left on device"); a command whose output was lost exits with 1.
    public var writeFailure: @Sendable () -> String?

    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void, errIsTerminal: Bool = false,
                writeFailure: @escaping @Sendable () -> String? = { nil }) {
        self.out = out
        self.err = err
        self.errIsTerminal = errIsTerminal
        self.writeFailure = writeFailure
    }

    /// The process's own stdout and stderr.
    public static var standard: Console { descriptors(out: 1, err: 2) }

    /// Lines written with `write(2)` to the descriptors `out` and `err`.
    ///
    /// `FileHandle.write` traps when the write fails (a full disk, `>/dev/full`, a closed
    /// pipe); here a failure is recorded in `writeFailure` and later lines are dropped, so
    /// the command ends with exit code 1 instead of a signal. SIGPIPE is ignored so that a
    /// closed pipe shows up as the EPIPE error rather than killing the process.
    public static func descriptors(out: Int32, err: Int32) -> Console {
        signal(SIGPIPE, SIG_IGN)
        let streams = StandardStreams(out: out, err: err)
        return Console(out: { streams.write($0 + "\n", to: 0) }, err: { streams.write($0 + "\n", to: 1) },
                       errIsTerminal: isatty(err) == 1, writeFailure: { streams.failure })
    }
}

/// Two descriptors written with `write(2)`, remembering the first failure of each.
final class StandardStreams: @unchecked Sendable {
    // @unchecked: every mutable field is read and written under `lock`.
    private let lock = NSLock()
    private let descriptors: [Int32]
    private var failures: [String?] = [nil, nil]
    private var closed = [false, false]
    private static let names = ["standard output", "standard error"]

    /// A descriptor that is closed at start (`>&-`) is parked on /dev/null, so that the
    /// next file the process opens cannot take its number and receive the console's
    /// lines; writing to it is then a failure.
    init(out: Int32, err: Int32) {
        descriptors = [out, err]
        for (index, descriptor) in descriptors.enumerated() where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            closed[index] = true
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 && null != descriptor {
                _ = dup2(null, descriptor)
                close(null)
            }
        }
    }

    /// The first failure on either stream.
    var failure: String? { lock.withLock { failures[0] ?? failures[1] } }

    /// Writes `text` to stream `index` (0 stdout, 1 stderr) unless it has already failed.
    func write(_ text: String, to index: Int) {
        lock.withLock {
            guard failures[index] == nil else { return }
            guard !closed[index] else {
                failures[index] = "cannot write to \(Self.names[index]): it is closed"
                return
            }
            let bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { systemWrite(descriptors[index], $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    failures[index] = "cannot write to \(Self.names[index]): \(FileError.reason(errno))"
                    return
                }
                offset += n
            }
        }
    }
}

/// `write(2)`, named so that it is not shadowed by the methods called `write`.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// A mistake in the command line: exit code 2, with the command's help.
struct UsageError: Error {
    let message: String
    let help: String
}

/// A failure while doing the work (bad image, bad checkpoint, unwritable output): exit 1.
struct RuntimeFailure: Error, CustomStringConvertible {
    let description: String
}
