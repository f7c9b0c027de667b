import Foundation
import Imaging

/// gzip decompression (`Imaging.Gzip` on the package's inflate) beside Python's
/// `gzip.decompress` (zlib, C) on the same file in the same run
/// (Scripts/bench_gzip_python.py). Throughput is in MB/s of decompressed output.
enum GzipBenchmark {
    static func run(arguments: [String]) {
        guard let path = arguments.first, let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else {
            print("usage: tensor-bench gzip FILE.gz   (e.g. Scripts/bench_gzip_python.py --write /tmp/bench.gz)")
            return
        }
        let input = [UInt8](data)
        guard let output = try? Gzip.decompress(input, limit: 1 << 31) else {
            print("cannot decompress \(path)")
            return
        }
        let ours = bestSeconds(minRuns: 3, minSeconds: 1) { _ = try? Gzip.decompress(input, limit: 1 << 31) }
        let megabytes = Double(output.count) / 1e6
        print(String(format: "%@: %.1f MB compressed, %.1f MB decompressed", path, Double(input.count) / 1e6, megabytes))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Scripts/bench_gzip_python.py").standardized.path
        var line = String(format: "ours %.1f MB/s (%.3f s)", megabytes / ours, ours)
        if let text = runCommand("python3", [script, path], environment: ProcessInfo.processInfo.environment),
           let seconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").last ?? "") {
            line += String(format: ", Python zlib %.1f MB/s (%.3f s), ratio ours/zlib %.2f", megabytes / seconds, seconds, seconds / ours)
        }
        print(line)
    }
}
