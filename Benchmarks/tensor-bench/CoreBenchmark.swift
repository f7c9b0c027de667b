import Foundation
import Tensor

/// Throughput of softmax and layer norm on InternViT's shapes, 1 thread vs all threads.
enum CoreBenchmark {
    static func run() {
        let all = ProcessInfo.processInfo.activeProcessorCount
        print("softmax / layerNorm throughput (G elements/s = elements / best time)")
        for shape in [[16, 1025, 1025], [1025, 1024]] {
            let x = Tensor<Float>.randomNormal(shape, std: 3, seed: 1)
            let weight = Tensor<Float>.randomNormal([shape.last!], seed: 2)
            let bias = Tensor<Float>.randomNormal([shape.last!], seed: 3)
            for (name, op) in [("softmax", { _ = x.softmax() }),
                               ("layerNorm", { _ = x.layerNorm(weight: weight, bias: bias, epsilon: 1e-6) })] as [(String, () -> Void)] {
                var cells: [String] = []
                for threads in [1, all] {
                    let seconds = ComputeThreads.withCount(threads) { bestSeconds(op) }
                    cells.append(String(format: "%dT %.2f ms (%.2f G el/s)", threads, seconds * 1e3,
                                        Double(x.count) / seconds / 1e9))
                }
                print("\(name) \(shape): " + cells.joined(separator: ", "))
            }
        }
        geluEpilogue()
    }

    /// fc1's exact-GELU epilogue, one thread: the fused linear + GELU against the same
    /// linear without it (the difference is the epilogue's time), and `gelu()` alone.
    static func geluEpilogue() {
        let x = Tensor<Float>.randomNormal([1025, 1024], seed: 4)                           // [N, D]
        let weight = Tensor<Float>.randomNormal([4096, 1024], std: 0.03, seed: 5)           // [F, D]
        let bias = Tensor<Float>.randomNormal([4096], std: 0.1, seed: 6)                    // [F]
        let hidden = x.linear(weight: weight, bias: bias)                                   // [N, F]
        ComputeThreads.withCount(1) {
            let plain = bestSeconds { _ = x.linear(weight: weight, bias: bias) }
            let fused = bestSeconds { _ = x.linear(weight: weight, bias: bias, activation: .gelu) }
            let alone = bestSeconds { _ = hidden.gelu() }
            print(String(format: "GELU epilogue [1025, 4096], 1T: linear %.2f ms, linear + GELU %.2f ms "
                         + "(epilogue %.2f ms, %.2f ns/element); gelu() alone %.2f ms (%.2f ns/element)",
                         plain * 1e3, fused * 1e3, (fused - plain) * 1e3, (fused - plain) / Double(hidden.count) * 1e9,
                         alone * 1e3, alone / Double(hidden.count) * 1e9))
        }
    }
}
