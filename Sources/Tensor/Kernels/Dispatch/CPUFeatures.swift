import Foundation
#if arch(x86_64)
import _Builtin_intrinsics.intel.cpuid
#endif

/// The instruction sets this CPU and operating system can run, read once.
///
/// On x86-64 the CPU's own answer comes from `cpuid` (leaf 1: FMA, OSXSAVE; leaf 7:
/// AVX2, AVX-512F/BW/DQ/VL, AVX512-VNNI; leaf 7 sub-leaf 1: AVX-VNNI). A CPU may have AVX-512 while the operating
/// system does not save the zmm state (`xgetbv` is not callable from Swift), so the
/// operating system's own report is required as well: the `flags` of
/// `/proc/cpuinfo` on Linux (the kernel clears features whose state it does not
/// save), `sysctl hw.optional.*` on macOS. Where neither is readable AVX-512 counts
/// as absent.
struct CPUFeatures: Sendable, Equatable {
    var avx2 = false
    var fma = false
    var avx512f = false
    var avx512bw = false
    var avx512dq = false
    var avx512vl = false
    var avx512vnni = false
    /// AVX-VNNI: the VEX-encoded 256-bit `vpdpbusd` (Alder Lake and later, Zen 5), which
    /// needs only the ymm state.
    var avxvnni = false

    /// AVX2 and FMA: what the AVX2 kernel target is compiled for (`x86-64-v3`).
    var hasAVX2Kernels: Bool { avx2 && fma }
    /// What the AVX-512 kernel target is compiled for (`x86-64-v4`).
    var hasAVX512Kernels: Bool { hasAVX2Kernels && avx512f && avx512bw && avx512dq && avx512vl }

    /// What the AVX-VNNI int8 kernel target is compiled for (`x86-64-v3` + `avxvnni`).
    var hasAVXVNNIKernels: Bool { hasAVX2Kernels && avxvnni }

    /// This machine's features (computed once).
    static let host = detect()

    static func detect() -> CPUFeatures {
        #if arch(x86_64)
        var eax: UInt32 = 0, ebx: UInt32 = 0, ecx: UInt32 = 0, edx: UInt32 = 0
        var features = CPUFeatures()
        guard __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 else { return features }
        let osSavesVectorState = ecx & (1 << 27) != 0  // OSXSAVE
        let fma = ecx & (1 << 12) != 0
        let avx = ecx & (1 << 28) != 0
        guard osSavesVectorState, avx, __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) != 0 else { return features }
        let leaf7SubLeaves = eax  // highest sub-leaf of leaf 7
        let os = OperatingSystemReport.current
        features.fma = fma && os.allows("fma")
        features.avx2 = ebx & (1 << 5) != 0 && os.allows("avx2")
        features.avx512f = ebx & (1 << 16) != 0 && os.confirms("avx512f")
        features.avx512dq = ebx & (1 << 17) != 0 && os.confirms("avx512dq")
        features.avx512bw = ebx & (1 << 30) != 0 && os.confirms("avx512bw")
        features.avx512vl = ebx & (1 << 31) != 0 && os.confirms("avx512vl")
        features.avx512vnni = ecx & (1 << 11) != 0 && os.confirms("avx512_vnni")
        // Leaf 7 sub-leaf 1 (when leaf 7's EAX lists it), EAX bit 4. AVX-VNNI needs only the
        // ymm state, the same as AVX2, which the OS check above covers; the Linux flag
        // `avx_vnni` is not required (older kernels and qemu-user's host view lack it).
        if leaf7SubLeaves >= 1, __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) != 0 {
            features.avxvnni = eax & (1 << 4) != 0 && features.avx2
        }
        return features
        #else
        return CPUFeatures()
        #endif
    }
}

/// What the operating system says it supports, by Linux `/proc/cpuinfo` flag name.
private struct OperatingSystemReport {
    /// Flag names, or nil when the operating system's report could not be read.
    let flags: Set<String>?

    /// A feature the report lists, or any feature when there is no report (used for
    /// AVX2/FMA, whose ymm state every OS with OSXSAVE saves).
    func allows(_ flag: String) -> Bool { flags?.contains(flag) ?? true }
    /// A feature the report lists; without a report, no (used for AVX-512).
    func confirms(_ flag: String) -> Bool { flags?.contains(flag) ?? false }

    static var current: OperatingSystemReport {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return OperatingSystemReport(flags: nil) }
        return OperatingSystemReport(flags: Set(line[line.index(after: colon)...].split(separator: " ").map(String.init)))
        #elseif os(macOS)
        var flags: Set<String> = []
        let names = ["fma": "hw.optional.fma", "avx2": "hw.optional.avx2_0", "avx512f": "hw.optional.avx512f",
                     "avx512dq": "hw.optional.avx512dq", "avx512bw": "hw.optional.avx512bw",
                     "avx512vl": "hw.optional.avx512vl", "avx512_vnni": "hw.optional.avx512vnni"]
        for (flag, name) in names {
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            if sysctlbyname(name, &value, &size, nil, 0) == 0 && value != 0 { flags.insert(flag) }
        }
        return OperatingSystemReport(flags: flags)
        #else
        return OperatingSystemReport(flags: nil)
        #endif
    }
}
