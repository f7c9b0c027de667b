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
    }
}
