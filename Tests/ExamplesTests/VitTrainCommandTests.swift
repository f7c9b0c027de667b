import Foundation
import NNTesting
import Testing

/// The `vit-train` executable (built by `swift test` beside the test bundle) when its
/// standard streams fail: an exit code, never a trap and never a silent success.
@Suite struct VitTrainCommandTests {
    /// The `vit-train` executable that `swift test` built beside the test bundle.
    static func executable() throws -> URL { try builtExecutable(named: "vit-train") }

    /// `--help` to a full disk, and an error message to a full disk, both exit with 1.
    @Test func fullStandardStreamsGiveExitOne() throws {
        for (arguments, toStderr) in [(["--help"], false), (["--bogus"], true),
                                      (["--predict", "/nonexistent-model", "--data", "x", "--output", "y"], true)] {
            let process = try runWithFullStandardStream(try Self.executable(), arguments, fullStandardError: toStderr)
            #expect(process.terminationReason == .exit, "\(arguments): killed by signal \(process.terminationStatus)")
            #expect(process.terminationStatus == 1, "\(arguments)")
        }
    }
}
