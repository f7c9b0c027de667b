import Foundation
import Tensor

/// The int8 linear layer (`Int8LinearWeights.apply`: per-token quantisation, integer GEMM,
/// fused epilogue) beside the float32 linear layer on InternViT-300M's four shapes, same
/// run, 1 thread and all threads; operations counted as 2·M·N·K.
enum Int8LinearBenchmark {
    /// `only`: run the shapes whose name starts with it (e.g. `fc1`).
    static func run(only: String? = nil) {
        let shapes: [(name: String, m: Int, k: Int, n: Int, gelu: Bool)] = [
            ("qkv 1025x1024x3072", 1025, 1024, 3072, false), ("proj 1025x1024x1024", 1025, 1024, 1024, false),
            ("fc1 1025x1024x4096 +GELU", 1025, 1024, 4096, true), ("fc2 1025x4096x1024", 1025, 4096, 1024, false),
        ]
        if let info = try? BuildInfo.current() { print("float32 kernel: \(info.selectedKernel.rawValue)") }
        print("int8 kernel: \(Int8LinearWeights.kernelName)")
        print("| shape | threads | float32 GFLOP/s | int8 GOP/s | int8 / float32 time |")
        print("|---|---|---|---|---|")
        for shape in shapes where only.map({ shape.name.hasPrefix($0) }) ?? true {
            let x = Tensor<Float>.randomNormal([shape.m, shape.k], seed: 1)  // [M, K]
            let weight = Tensor<Float>.randomNormal([shape.n, shape.k], std: 0.03, seed: 2)  // [N, K]
            let bias = Tensor<Float>.randomNormal([shape.n], std: 0.02, seed: 3)  // [N]
            let int8 = Int8LinearWeights(weight: weight)
            let activation: LinearActivation = shape.gelu ? .gelu : .none
            let operations = 2 * Double(shape.m * shape.n * shape.k)
            for threads in [1, ComputeThreads.count] {
                var sink: Float = 0
                let float32 = ComputeThreads.withCount(threads) {
                    bestSeconds { sink += x.linear(weight: weight, bias: bias, activation: activation).scalars[7] }
                }
                let integer = ComputeThreads.withCount(threads) {
                    bestSeconds { sink += int8.apply(x, bias: bias, activation: activation).scalars[7] }
                }
                precondition(sink.isFinite)
                print(String(format: "| %@ | %d | %.1f | %.1f | %.2f |", shape.name, threads,
                             operations / float32 / 1e9, operations / integer / 1e9, integer / float32))
            }
        }
    }
}
