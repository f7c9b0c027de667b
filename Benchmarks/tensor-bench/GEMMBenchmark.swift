import Foundation
import Tensor

/// GFLOP/s of our GEMM on 1 thread and all threads, beside numpy's OpenBLAS on the
/// same shapes in the same run.
enum GEMMBenchmark {
    struct Shape {
        let name: String, m: Int, k: Int, n: Int, batch: Int
        var flops: Double { 2 * Double(m) * Double(n) * Double(k) * Double(batch) }
        var spec: String { "\(m),\(k),\(n),\(batch)" }
    }

    static let shapes = [
        Shape(name: "1024^3", m: 1024, k: 1024, n: 1024, batch: 1),
        Shape(name: "2048^3", m: 2048, k: 2048, n: 2048, batch: 1),
        Shape(name: "qkv 1025x1024x3072", m: 1025, k: 1024, n: 3072, batch: 1),
        Shape(name: "fc1 1025x1024x4096", m: 1025, k: 1024, n: 4096, batch: 1),
        Shape(name: "fc2 1025x4096x1024", m: 1025, k: 4096, n: 1024, batch: 1),
        Shape(name: "proj 1025x1024x1024", m: 1025, k: 1024, n: 1024, batch: 1),
        Shape(name: "QK^T 16x1025x64x1025", m: 1025, k: 64, n: 1025, batch: 16),
        Shape(name: "PV 16x1025x1025x64", m: 1025, k: 1025, n: 64, batch: 16),
    ]

    static func ours(_ s: Shape, threads: Int) -> Double {
        let a = Tensor<Float>.randomNormal([s.batch, s.m, s.k], seed: 1)
        let b = Tensor<Float>.randomNormal([s.batch, s.k, s.n], seed: 2)
        var c = Tensor<Float>.zeros([s.batch, s.m, s.n])
        let seconds = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    bestSeconds {
                        if s.batch == 1 {
                            GEMM.multiply(m: s.m, n: s.n, k: s.k, a: pa.baseAddress!, .rowMajor(columns: s.k),
                                          b: pb.baseAddress!, .rowMajor(columns: s.n), c: pc.baseAddress!, ldc: s.n,
                                          threads: threads)
                        } else {
                            GEMM.batched(m: s.m, n: s.n, k: s.k,
                                         a: pa.baseAddress!, .rowMajor(columns: s.k),
                                         aOffsets: (0..<s.batch).map { $0 * s.m * s.k },
                                         b: pb.baseAddress!, .rowMajor(columns: s.n),
                                         bOffsets: (0..<s.batch).map { $0 * s.k * s.n },
                                         c: pc.baseAddress!, ldc: s.n,
                                         cOffsets: (0..<s.batch).map { $0 * s.m * s.n }, threads: threads)
                        }
                    }
                }
            }
        }
        precondition(c.sum().isFinite)
        return s.flops / seconds / 1e9
    }

    /// numpy's figures for every shape at `threads` OpenBLAS threads, keyed by spec.
    static func numpy(threads: Int) -> [String: Double] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Scripts/bench_numpy_gemm.py").standardized.path
        var environment = ProcessInfo.processInfo.environment
        // A current OpenBLAS picks its own kernel; the workplace's core-type overrides
        // would slow it (they exist for old OpenBLAS builds), so drop them here only.
        environment["OPENBLAS_CORETYPE"] = nil
        environment["OPENBLAS_L2_SIZE"] = nil
        environment["OPENBLAS_NUM_THREADS"] = String(threads)
        environment["OMP_NUM_THREADS"] = String(threads)
        guard let output = runCommand("python3", [script, String(threads)] + shapes.map(\.spec),
                                      environment: environment) else { return [:] }
        var result: [String: Double] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { result[String(parts[0])] = value }
        }
        return result
    }

    static func run(arguments: [String]) {
        let all = ProcessInfo.processInfo.activeProcessorCount
        let useNumpy = !arguments.contains("--no-numpy")
        print("GEMM GFLOP/s (best of runs), float32. Threads: 1 and \(all).")
        if let info = try? BuildInfo.current() {
            print("kernel: \(info.selectedKernel.rawValue), tile \(info.gemmTile.rows)x\(info.gemmTile.columns) (\(info.baseline))")
        }
        // Interleave per thread count: ours then numpy, so both see similar machine load.
        var rows: [[String]] = []
        var numpyFigures: [Int: [String: Double]] = [:]
        var oursFigures: [Int: [String: Double]] = [:]
        for threads in [1, all] {
            for shape in shapes { oursFigures[threads, default: [:]][shape.spec] = ours(shape, threads: threads) }
            if useNumpy { numpyFigures[threads] = numpy(threads: threads) }
        }
        let header = ["shape", "ours 1T", "numpy 1T", "ratio", "ours \(all)T", "numpy \(all)T", "ratio"]
        for shape in shapes {
            var row = [shape.name]
            for threads in [1, all] {
                let o = oursFigures[threads]?[shape.spec] ?? .nan
                let n = numpyFigures[threads]?[shape.spec]
                row += [String(format: "%.1f", o), n.map { String(format: "%.1f", $0) } ?? "-",
                        n.map { String(format: "%.2f", o / $0) } ?? "-"]
            }
            rows.append(row)
        }
        printTable(header, rows)
    }

    static func printTable(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            "| " + cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: " | ") + " |"
        }
        print(line(header))
        print("|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|")
        rows.forEach { print(line($0)) }
    }
}
