import Foundation
import Tensor
import TensorKernelsVNNI

/// The AVX512-VNNI micro-kernel alone with its operands in L1 (one 4-row tile of A and one
/// 256-k slice of a packed 64-column panel, as inside one K block of `Int8GEMM`), one
/// thread: the ceiling the int8 layers of `tensor-bench int8` are measured against.
/// Operations counted as 2 per byte product (`vpdpbusd`: 64 per zmm instruction).
enum Int8KernelBenchmark {
    static func run() {
        guard Int8LinearWeights.kernelName == "avx512-vnni" else {
            print("int8 kernel: \(Int8LinearWeights.kernelName), not avx512-vnni (no AVX512-VNNI on this build, CPU or kernel table)")
            return
        }
        let rows = VNNIKernels.int8Rows, columns = VNNIKernels.int8Columns
        let depth = 256, groups = depth / 4
        var a = [UInt8](repeating: 0, count: rows * depth)  // [4, 256]
        var b = [Int8](repeating: 0, count: depth * columns)  // packed [64 groups, 64, 4]
        for i in a.indices { a[i] = UInt8(truncatingIfNeeded: i &* 37 &+ 11) }
        for i in b.indices { b[i] = Int8(truncatingIfNeeded: i &* 29 &- 5) }
        var c = [Int32](repeating: 0, count: rows * columns)  // [4, 64]
        let calls = 20_000
        let seconds = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    bestSeconds {
                        for call in 0..<calls {
                            VNNIKernels.int8MicroKernel(groups, pa.baseAddress!, depth, pb.baseAddress!,
                                                        pc.baseAddress!, columns, call > 0)
                        }
                    }
                }
            }
        }
        let operations = 2 * Double(calls * rows * columns * depth)
        print(String(format: "int8 micro-kernel (%dx%d, K block %d, operands in L1), 1 thread: %.1f GOP/s (%d products per call)",
                     rows, columns, depth, operations / seconds / 1e9, rows * columns * depth))
        precondition(c[0] != 12_345)  // keeps the sums live
    }
}
