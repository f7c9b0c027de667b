import Testing
@testable import Tensor

/// Weights packed once for the GEMM (`PackedLinearWeights`) give the same bytes as the
/// unpacked weight, for every stored precision, every kernel table the panels were packed
/// for and every table that runs them, 1 or 2 threads, and every epilogue; and they read
/// back as the values that were packed. The table override is process-wide, so the suite
/// is serialised.
@Suite(.serialized) struct PackedLinearWeightsTests {
    /// [tokens, in, out]: edge tiles of every micro-kernel (MR 5 / 6, NR 16 / 64), several
    /// depth blocks (in > 512, 1025 = 3 blocks of 344), more than one NC block (out > 4096),
    /// and sizes worth two threads.
    static let shapes: [(m: Int, k: Int, n: Int)] = [
        (1, 1, 1), (7, 5, 13), (37, 29, 53), (97, 1025, 31), (161, 385, 130), (65, 64, 192), (13, 520, 4100),
    ]

    /// The three stored precisions of one random weight `[n, k]`, each with its own float values.
    static func weights(n: Int, k: Int, seed: UInt64) -> [(name: String, exact: Tensor<Float>, pack: (Int) -> PackedLinearWeights)] {
        let w = Tensor<Float>.randomNormal([n, k], seed: seed)                     // [N, K]
        let bf16 = w.converted(to: BFloat16.self), f16 = w.converted(to: Half.self)
        return [
            ("float32", w, { PackedLinearWeights(w, panelWidth: $0) { .float32($0) } }),
            ("bfloat16", bf16.toFloat(), { PackedLinearWeights(bf16, panelWidth: $0) { .bfloat16($0) } }),
            ("float16", f16.toFloat(), { PackedLinearWeights(f16, panelWidth: $0) { .float16($0) } }),
        ]
    }

    @Test(arguments: shapes.indices)
    func packedProductHasTheBitsOfTheUnpackedOne(shapeIndex: Int) {
        let (m, k, n) = Self.shapes[shapeIndex]
        let tables = KernelDispatch.supported
        #expect(!tables.isEmpty)
        let x = Tensor<Float>.randomNormal([m, k], seed: UInt64(m + k))                  // [M, K]
        let bias = Tensor<Float>.randomNormal([n], seed: 3)                             // [N]
        let scale = Tensor<Float>.randomNormal([n], seed: 4)                            // [N]
        let residual = Tensor<Float>.randomNormal([m, n], seed: 5)                      // [M, N]
        for (name, exact, pack) in Self.weights(n: n, k: k, seed: UInt64(n)) {
            // The unpacked float32 weight on the portable table, one thread: the reference bytes.
            func products(_ linear: (Tensor<Float>?, LinearActivation, ScaledResidual?) -> Tensor<Float>) -> [[UInt32]] {
                [bits(linear(nil, .none, nil).scalars), bits(linear(bias, .gelu, nil).scalars),
                 bits(linear(bias, .none, ScaledResidual(scale: scale, residual: residual)).scalars)]
            }
            let expected = KernelDispatch.withTable(.portable) {
                ComputeThreads.withCount(1) { products { x.linear(weight: exact, bias: $0, activation: $1, scaledResidual: $2) } }
            }
            for packingTable in tables {
                let packed = pack(packingTable.gemmColumns)
                #expect(packed.float().scalars == exact.scalars, "\(name) packed for \(packingTable.kind) reads back")
                for table in tables {
                    for threads in [1, 2] {
                        let got = KernelDispatch.withTable(table) {
                            ComputeThreads.withCount(threads) {
                                products { x.linear(weight: packed, bias: $0, activation: $1, scaledResidual: $2) }
                            }
                        }
                        for (index, epilogue) in ["none", "bias + GELU", "bias + scaled residual"].enumerated() {
                            #expect(got[index] == expected[index], """
                                [\(m), \(k)] x [\(n), \(k)]ᵀ \(name) packed for \(packingTable.kind), run on \(table.kind), \
                                \(threads) threads, \(epilogue): bytes differ from the unpacked weight
                                """)
                        }
                    }
                }
            }
        }
    }

    @Test func unpackedGivesTheStoredValuesInTheirPrecision() {
        let w = Tensor<Float>.randomNormal([70, 1030], seed: 8)                            // [N, K]
        let bf16 = w.converted(to: BFloat16.self)
        let packed = PackedLinearWeights(weight: bf16)
        #expect(packed.dtype == .bfloat16)
        #expect(packed.byteCount >= 70 * 1030 * 2 && packed.byteCount < 2 * 70 * 1030 * 2)
        guard case .bfloat16(let back) = packed.unpacked() else { Issue.record("not bfloat16"); return }
        #expect(back.shape == [70, 1030])
        #expect(back.scalars.map(\.bitPattern) == bf16.scalars.map(\.bitPattern))
        let f32 = PackedLinearWeights(weight: w)
        #expect(f32.dtype == .float32 && f32.float().scalars == w.scalars)
    }

    @Test func aWrongInputWidthIsRefusedByShape() {
        let packed = PackedLinearWeights(weight: Tensor<Float>.randomNormal([8, 16], seed: 1))
        #expect(packed.outFeatures == 8 && packed.inFeatures == 16)
        let y = Tensor<Float>.randomNormal([3, 16], seed: 2).linear(weight: packed)      // [3, 8]
        #expect(y.shape == [3, 8])
    }
}
