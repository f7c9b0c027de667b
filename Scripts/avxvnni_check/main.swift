// Dev-only harness for Scripts/check_avxvnni.sh (not part of the package): compiled together
// with Sources/TensorKernelsAVXVNNI/AVXVNNIInt8MicroKernel.swift by `swiftc`, it runs
// `AVXVNNIKernels.int8MicroKernel` on the packed layout of `Int8GEMM.packWeights` (per group
// of 4 k, 64 columns × 4 signed bytes) and compares every int32 sum with a naive Int64
// reference: random and extreme operands, K blocks with `accumulate`, padded strides.
// Exit status 0 and one line per case when every sum matches; 1 on the first mismatch.

struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One case: 4 rows of `groups · 4` unsigned bytes (row stride `aStride`), a 64-column
/// panel, C with row stride `cStride`; the K range is cut into `blocks` calls (the first
/// overwrites, the rest accumulate), as `Int8GEMM.multiply` does.
func check(groups: Int, aStride: Int, cStride: Int, blocks: Int, extreme: Bool, seed: UInt64) -> Bool {
    var rng = SplitMix64(state: seed)
    let k = 4 * groups
    var a = [UInt8](repeating: 0, count: 4 * aStride)  // [4, aStride]
    var b = [Int8](repeating: 0, count: groups * 256)  // [groups, 64, 4]
    for r in 0..<4 { for kk in 0..<k { a[r * aStride + kk] = extreme ? 255 : UInt8(truncatingIfNeeded: rng.next()) } }
    for i in 0..<b.count {
        let column = (i / 4) % 64
        b[i] = extreme ? (column % 2 == 0 ? -127 : 127) : Int8(Int(rng.next() % 255) - 127)
    }
    var c = [Int32](repeating: -7, count: 4 * cStride)  // [4, cStride]
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                let per = (groups + blocks - 1) / blocks
                var g0 = 0
                repeat {
                    let count = min(per, groups - g0)
                    AVXVNNIKernels.int8MicroKernel(count, pa.baseAddress! + 4 * g0, aStride, pb.baseAddress! + 256 * g0,
                                                   pc.baseAddress!, cStride, g0 > 0)
                    g0 += count
                } while g0 < groups
            }
        }
    }
    for r in 0..<4 {
        for column in 0..<64 {
            var expected: Int64 = 0
            for kk in 0..<k {
                expected += Int64(a[r * aStride + kk]) * Int64(b[(kk / 4) * 256 + 4 * column + kk % 4])
            }
            if Int64(c[r * cStride + column]) != expected {
                print("MISMATCH groups \(groups) row \(r) column \(column): \(c[r * cStride + column]) != \(expected)")
                return false
            }
        }
        for column in 64..<cStride where c[r * cStride + column] != -7 {
            print("MISMATCH groups \(groups): wrote past column 63 in row \(r)")
            return false
        }
    }
    return true
}

precondition(AVXVNNIKernels.isCompiled, "compile with -D TENSOR_KERNELS_AVXVNNI")
var cases = 0
for (groups, aStride, cStride, blocks) in [(1, 4, 64, 1), (2, 8, 64, 1), (9, 40, 64, 1), (64, 256, 64, 1), (64, 300, 96, 2),
                                            (275, 1100, 64, 5), (256, 1024, 128, 4), (3, 12, 70, 3)] {
    for extreme in [false, true] {
        guard check(groups: groups, aStride: aStride, cStride: cStride, blocks: blocks, extreme: extreme,
                    seed: UInt64(groups * 31 + aStride + cStride)) else { exit1() }
        cases += 1
    }
}
// K = 65,536 (Int8GEMM.maxDepth) at 255 · ±127: the extreme int32 sums ±2,122,383,360.
guard check(groups: 16_384, aStride: 65_536, cStride: 64, blocks: 256, extreme: true, seed: 1) else { exit1() }
cases += 1
print("avx-vnni micro-kernel: \(cases) cases, every int32 sum equals the naive Int64 reference")

func exit1() -> Never {
    print("avx-vnni micro-kernel: FAILED")
    fatalError("mismatch")
}
