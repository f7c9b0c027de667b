import Foundation
import Testing

/// The executable product `name` that `swift test` built beside the test bundle (for tests
/// that run a command-line tool as a child process). Fails the test, naming the path it
/// looked at, when there is none.
///
/// Swift Testing runs from the build folder itself; XCTest from inside `*.xctest`, whose
/// parent is the build folder.
public func builtExecutable(named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
    var folder = Bundle.main.bundleURL
    if folder.pathExtension == "xctest" || !FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) {
        folder = folder.deletingLastPathComponent()
    }
    let binary = folder.appendingPathComponent(name)
    try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no \(name) executable at \(binary.path)",
                 sourceLocation: sourceLocation)
    return binary
}

/// Runs `executable arguments` with standard output (or, with `fullStandardError`,
/// standard error) on `/dev/full` and the other stream discarded, and returns the finished
/// process: a tool must report the lost output with an exit code, never a signal.
public func runWithFullStandardStream(_ executable: URL, _ arguments: [String], fullStandardError: Bool) throws -> Process {
    let full = try #require(FileHandle(forWritingAtPath: "/dev/full"), "no /dev/full on this system")
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.standardOutput = fullStandardError ? FileHandle.nullDevice : full
    process.standardError = fullStandardError ? full : FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process
}
