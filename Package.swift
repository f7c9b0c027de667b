// swift-tools-version:6.0
// A pure-Swift tensor framework whose showcase model is InternViT-300M-448px.
// No package dependencies and no native code: the Swift toolchain only.

import PackageDescription
import Foundation

// MARK: - Target CPU
//
// Swift has no per-function target attribute and no runtime CPU dispatch, so the
// instruction set is chosen when the package is built. Without a target CPU, a
// release build lowers `SIMD.addingProduct` to one libm `fmaf` call per lane
// (under 1 GFLOP/s), so some choice is always made here:
//
// - default on x86-64: `x86-64-v3` (AVX2 + FMA), which runs on any x86-64 CPU
//   from the last decade (Haswell, Zen 1 and later);
// - `TENSOR_TARGET_CPU=native` (or `x86-64-v4`, or any CPU name clang knows)
//   in the environment of `swift build` opts in to the build host's full
//   instruction set (AVX-512 on Zen 4 / Skylake-X). The binary then only runs on
//   machines with that instruction set.
// - arm64 has NEON FMA as baseline and needs no flag.
//
// Docs/Performance.md explains the trade-offs and the measured figures.
let environment = ProcessInfo.processInfo.environment

/// Compiler flags that select the instruction set on x86-64.
func targetCPUFlags() -> [SwiftSetting] {
    #if arch(x86_64)
    let requested = environment["TENSOR_TARGET_CPU"] ?? "x86-64-v3"
    var flags: [String]
    if requested.hasPrefix("x86-64") {
        flags = ["-Xcc", "-march=\(requested)"]
    } else {
        flags = ["-target-cpu", requested]
    }
    // The GEMM micro-kernel picks its register tile from the vector width the
    // target has; tell it when 32 zmm registers are available.
    let hostHasAVX512 = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .contains(" avx512f") ?? false
    let wantsAVX512 = requested == "x86-64-v4"
        || (requested == "native" && hostHasAVX512)
        || ["znver4", "znver5", "skylake-avx512", "icelake-server", "sapphirerapids", "cascadelake"]
            .contains(requested)
    if wantsAVX512 { flags += ["-D", "TENSOR_AVX512"] }
    return [.unsafeFlags(flags)]
    #else
    return []
    #endif
}

let kernelSettings = targetCPUFlags()

let package = Package(
    name: "InternViTSwift",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "NNTesting", targets: ["NNTesting"]),
        .library(name: "InternViT", targets: ["InternViT"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .executable(name: "internvit", targets: ["internvit"]),
        .executable(name: "tensor-bench", targets: ["tensor-bench"]),
        .executable(name: "vit-classify", targets: ["vit-classify"]),
        .executable(name: "minilm-embed", targets: ["minilm-embed"]),
    ],
    targets: [
        // Tensor (the kernels) is optimised in debug builds too: unoptimised SIMD code runs
        // ~1000x slower, which made debug builds useless for experiments (issue 14).
        .target(name: "Tensor", swiftSettings: kernelSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "NN", dependencies: ["Tensor"], swiftSettings: kernelSettings),
        .target(name: "Imaging", dependencies: ["Tensor"], swiftSettings: kernelSettings),
        // Test helpers for layers (`expectClose`, `LayerFixture`), public so that other
        // packages can test their own layers the same way (Docs/Extending.md).
        .target(name: "NNTesting", dependencies: ["NN", "Tensor"]),
        .target(name: "InternViT", dependencies: ["NN", "Tensor", "Imaging"], swiftSettings: kernelSettings),
        .target(
            name: "InternViTCLI", dependencies: ["InternViT", "NN", "Tensor", "Imaging"],
            swiftSettings: kernelSettings),
        .executableTarget(name: "internvit", dependencies: ["InternViTCLI"], swiftSettings: kernelSettings),
        .executableTarget(
            name: "tensor-bench", dependencies: ["Tensor", "Imaging"], path: "Benchmarks/tensor-bench",
            swiftSettings: kernelSettings),
        // Example models, built only from the libraries.
        .target(name: "ViTClassifier", dependencies: ["NN", "Tensor", "Imaging"], path: "Examples/ViT/Model",
                swiftSettings: kernelSettings),
        .executableTarget(name: "vit-classify", dependencies: ["ViTClassifier", "Tensor", "Imaging"], path: "Examples/ViT/CLI",
                          swiftSettings: kernelSettings),
        .target(name: "MiniLM", dependencies: ["NN", "Tensor"], path: "Examples/MiniLM/Model", swiftSettings: kernelSettings),
        .executableTarget(name: "minilm-embed", dependencies: ["MiniLM", "Tensor"], path: "Examples/MiniLM/CLI",
                          swiftSettings: kernelSettings),
        .testTarget(
            name: "ExamplesTests", dependencies: ["ViTClassifier", "MiniLM", "NN", "Tensor", "Imaging"], exclude: ["Fixtures"],
            swiftSettings: kernelSettings),
        .testTarget(
            name: "TensorTests", dependencies: ["Tensor"], exclude: ["Fixtures"],
            swiftSettings: kernelSettings),
        .testTarget(name: "NNTests", dependencies: ["NN", "NNTesting", "Tensor"], exclude: ["Fixtures"], swiftSettings: kernelSettings),
        .testTarget(
            name: "ImagingTests", dependencies: ["Imaging", "Tensor"], exclude: ["Fixtures"],
            swiftSettings: kernelSettings),
        .testTarget(
            name: "InternViTCLITests", dependencies: ["InternViTCLI", "InternViT", "Imaging", "Tensor"],
            swiftSettings: kernelSettings),
        .testTarget(
            name: "InternViTTests", dependencies: ["InternViT", "NN", "Tensor", "Imaging"], exclude: ["Fixtures"],
            swiftSettings: kernelSettings),
    ]
)
