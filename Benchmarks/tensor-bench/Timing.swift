import Foundation

/// Minimum wall time of `body` over repeated runs (at least `minRuns`, and until
/// `minSeconds` have been spent), after one warm-up run.
func bestSeconds(minRuns: Int = 3, minSeconds: Double = 0.6, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity, total = 0.0, runs = 0
    while runs < minRuns || total < minSeconds {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        best = min(best, elapsed)
        total += elapsed
        runs += 1
    }
    return best
}

/// Runs a command and returns its standard output, or nil if it cannot run or fails.
func runCommand(_ executable: String, _ arguments: [String], environment: [String: String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
}
