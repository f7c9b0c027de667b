import Foundation
import Testing

/// The `vit-train` executable (built by `swift test` beside the test bundle) when its
/// standard streams fail: an exit code, never a trap and never a silent success.
@Suite struct VitTrainCommandTests {
    static func executable() throws -> URL {
        var folder = Bundle.main.bundleURL
        if folder.pathExtension == "xctest" || !FileManager.default.fileExists(atPath: folder.appendingPathComponent("vit-train").path) {
            folder = folder.deletingLastPathComponent()
        }
        let binary = folder.appendingPathComponent("vit-train")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no vit-train executable at \(binary.path)")
        return binary
    }

    /// `--help` to a full disk, and an error message to a full disk, both exit with 1.
    @Test func fullStandardStreamsGiveExitOne() throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"), "no /dev/full on this system")
        for (arguments, toStderr) in [(["--help"], false), (["--bogus"], true),
                                      (["--predict", "/nonexistent-model", "--data", "x", "--output", "y"], true)] {
            let process = Process()
            process.executableURL = try Self.executable()
            process.arguments = arguments
            if toStderr { process.standardError = full; process.standardOutput = FileHandle.nullDevice }
            else { process.standardOutput = full; process.standardError = FileHandle.nullDevice }
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationReason == .exit, "\(arguments): killed by signal \(process.terminationStatus)")
            #expect(process.terminationStatus == 1, "\(arguments)")
        }
    }
}
