import Foundation

/// Where a command writes: standard output, standard error, and whether stderr is a
/// terminal (progress lines are shown only then). Tests substitute closures.
public struct Console: Sendable {
    public var out: @Sendable (String) -> Void
    public var err: @Sendable (String) -> Void
    public var errIsTerminal: Bool

    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void, errIsTerminal: Bool = false) {
        self.out = out
        self.err = err
        self.errIsTerminal = errIsTerminal
    }

    /// The process's own stdout and stderr.
    public static var standard: Console {
        Console(out: { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) },
                err: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) },
                errIsTerminal: isatty(2) == 1)
    }
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
