import Foundation
import Testing
@testable import Tensor

/// Run-time kernel selection, and the promise that every kernel table, thread count and
/// batch size gives the same float32 bits.
///
/// The tables are compared in one process by calling each directly (GEMM) or by forcing
/// one for a whole computation (`KernelDispatch.withTable`, process-wide, hence the
/// serialised suite). CI also runs the GEMM tests under each `TENSOR_KERNEL`.
@Suite(.serialized) struct KernelDispatchTests {
    /// The tables this machine can run; at least the portable one.
    static let tables = KernelDispatch.supported

    /// Overrides from two threads (as from suites running in parallel) take turns: each
    /// body sees its own table throughout, and afterwards no table is left forced.
    @Test func overridesFromTwoThreadsTakeTurns() {
        let pair = [KernelTable.portable, Self.tables.last ?? .portable]
        let mismatches = ManagedAtomicCounter()
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            for _ in 0..<40 {
                KernelDispatch.withTable(pair[thread]) {
                    for _ in 0..<3 {
                        if KernelDispatch.current.kind != pair[thread].kind { mismatches.increment() }
                        usleep(50)
                    }
                }
            }
        }
        #expect(mismatches.value == 0)
        #expect(KernelDispatch.current.kind == KernelDispatch.selected.kind)
    }

    @Test func defaultIsTheBestSupportedTable() throws {
        let none = CPUFeatures()
        #expect(try KernelDispatch.choose(request: nil, features: none).get().kind == .portable)
        var avx2 = CPUFeatures()
        avx2.avx2 = true
        avx2.fma = true
        var avx512 = avx2
        avx512.avx512f = true; avx512.avx512bw = true; avx512.avx512dq = true; avx512.avx512vl = true
        let best: KernelKind = KernelTable.compiledIn.contains { $0.kind == .avx512 } ? .avx512 : .portable
        #expect(try KernelDispatch.choose(request: nil, features: avx512).get().kind == best)
        #expect(try KernelDispatch.choose(request: "portable", features: avx512).get().kind == .portable)
        // AVX-512F alone (no BW/DQ/VL) is not enough for the x86-64-v4 target.
        var partial = avx2
        partial.avx512f = true
        #expect(try KernelDispatch.choose(request: nil, features: partial).get().kind != .avx512)
    }

    @Test func anUnusableRequestIsAClearError() throws {
        let unknown = KernelDispatch.choose(request: "avx9", features: .host)
        #expect(throws: KernelSelectionError.self) { try unknown.get() }
        if case .failure(let error) = unknown {
            #expect(error.description.contains("TENSOR_KERNEL=avx9") && error.description.contains("avx512"))
        }
        // Asking for AVX-512 on a CPU without it fails before any kernel runs.
        let refused = KernelDispatch.choose(request: "avx512", features: CPUFeatures())
        #expect(throws: KernelSelectionError.self) { try refused.get() }
        if case .failure(let error) = refused { #expect(error.description.contains("avx512")) }
    }

    @Test func buildInfoDescribesTheSelection() throws {
        let info = try BuildInfo.current()
        #expect(info.kernelsCompiledIn.contains(.portable))
        #expect(info.kernelsSupported.contains(info.selectedKernel))
        #expect(info.gemmDepthBlock == GEMMKernel.kc)
        #expect(info.description.contains("kernel selected: \(info.selectedKernel.rawValue)"))
        #if arch(x86_64) && os(Linux)
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        if info.kernelsCompiledIn.contains(.avx512) && cpuinfo.contains(" avx512bw") {
            #expect(info.kernelsSupported.contains(.avx512), "cpuinfo lists AVX-512 but dispatch does not")
        }
        #endif
    }

    /// GEMM shapes that hit edge tiles of every table (MR 5 or 6, NR 16 or 64), several
    /// K blocks (k > 512), alpha/beta, transposes, and sizes worth several threads.
    static let gemmShapes: [(m: Int, n: Int, k: Int, transA: Bool, transB: Bool)] = [
        (1, 1, 1, false, false), (7, 13, 5, false, true), (37, 53, 29, true, false), (97, 31, 1025, false, true),
        (161, 130, 385, false, false), (65, 3 * 64, 64, false, true), (131, 300, 64, false, false),
        (130, 70, 1100, true, true),
    ]

    @Test func gemmBitsAreTheSameForEveryTableAndThreadCount() {
        for shape in Self.gemmShapes {
            let (m, n, k) = (shape.m, shape.n, shape.k)
            let a = Tensor<Float>.randomNormal([m * k], seed: UInt64(m + k)).scalars
            let b = Tensor<Float>.randomNormal([k * n], seed: UInt64(n + 7)).scalars
            let aLayout = shape.transA ? MatrixLayout.transposedRowMajor(columns: m) : .rowMajor(columns: k)
            let bLayout = shape.transB ? MatrixLayout.transposedRowMajor(columns: k) : .rowMajor(columns: n)
            let initial = Tensor<Float>.randomNormal([m * n], seed: 5).scalars
            for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1.5)] {
                var results: [(String, [Float])] = []
                for table in Self.tables {
                    for threads in [1, 2] {
                        var c = initial
                        a.withUnsafeBufferPointer { pa in
                            b.withUnsafeBufferPointer { pb in
                                c.withUnsafeMutableBufferPointer { pc in
                                    GEMMKernel.run(m: m, n: n, k: k, alpha: alpha, a: pa.baseAddress!, aLayout,
                                                   b: pb.baseAddress!, bLayout, beta: beta, c: pc.baseAddress!, ldc: n,
                                                   epilogue: .none, threads: threads, kernel: table)
                                }
                            }
                        }
                        results.append(("\(table.kind) \(threads)T", c))
                    }
                }
                for (name, c) in results.dropFirst() {
                    #expect(bits(c) == bits(results[0].1),
                            "m \(m) n \(n) k \(k) alpha \(alpha) beta \(beta): \(name) differs from \(results[0].0)")
                }
            }
        }
    }

    /// Softmax, layer norm, RMS norm, a GELU-epilogue linear layer and attention, under
    /// each table and thread count, give the bytes of the portable table on one thread.
    @Test func operationBitsAreTheSameForEveryTableAndThreadCount() {
        let x = Tensor<Float>.randomNormal([3, 77, 200], seed: 11)            // [B, N, C]
        let weight = Tensor<Float>.randomNormal([200], seed: 12)               // [C]
        let bias = Tensor<Float>.randomNormal([200], seed: 13)                 // [C]
        let projection = Tensor<Float>.randomNormal([96 * 3, 200], seed: 14)   // [3·H·hd, C]
        func run() -> [[UInt32]] {
            let qkv = x.linear(weight: projection, bias: nil)                   // [B, N, 3·H·hd]
            let q = qkv.sliced(axis: 2, 0..<96), k = qkv.sliced(axis: 2, 96..<192), v = qkv.sliced(axis: 2, 192..<288)
            let attention = AttentionKernel.attention(q: q, k: k, v: v, heads: 3, scale: 0.125, returnProbabilities: true)
            return [
                bits(x.softmax(axis: -1).scalars),
                bits(x.layerNorm(weight: weight, bias: bias, epsilon: 1e-6).scalars),
                bits(x.rmsNorm(weight: weight, epsilon: 1e-6).scalars),
                bits(x.linear(weight: projection, bias: nil, activation: .gelu).scalars),
                bits(attention.output.scalars),
                bits(attention.probabilities!.scalars),
            ]
        }
        let expected = KernelDispatch.withTable(.portable) { ComputeThreads.withCount(1) { run() } }
        for table in Self.tables {
            for threads in [1, 2] {
                let got = KernelDispatch.withTable(table) { ComputeThreads.withCount(threads) { run() } }
                for (index, name) in ["softmax", "layer norm", "RMS norm", "linear+GELU", "attention", "probabilities"].enumerated() {
                    #expect(got[index] == expected[index], "\(name): \(table.kind) on \(threads) threads differs")
                }
            }
        }
    }
}

/// The bit patterns of `values` (so NaNs and signed zeros compare exactly).
func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

/// A counter several threads bump (for the override test).
final class ManagedAtomicCounter: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
