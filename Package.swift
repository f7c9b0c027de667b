// swift-tools-version:6.0
// A pure-Swift tensor framework whose showcase model is InternViT-300M-448px.
// No package dependencies and no native code: the Swift toolchain only.

import PackageDescription
import Foundation

// MARK: - Instruction sets
//
// Swift has no per-function target attribute, so each x86-64 instruction set's kernels
// live in a target of their own, compiled with that instruction set's flags
// (`TensorKernelsAVX2`: x86-64-v3, `TensorKernelsAVX512`: x86-64-v4), and Tensor picks
// one table of kernels at run time from cpuid (`TENSOR_KERNEL=portable|avx2|avx512`
// forces one). Everything else is compiled for the portable baseline, x86-64-v3
// (AVX2 + FMA, any x86-64 CPU since Haswell / Zen 1), so one binary runs everywhere and
// uses AVX-512 where it exists.
//
// - `TENSOR_TARGET_CPU=native` (or a CPU name clang knows, or `x86-64-v4`) in the
//   environment of `swift build` compiles all code for that CPU instead of the
//   baseline (the binary then runs only on such CPUs).
// - arm64 has NEON FMA as baseline: no flags, the portable kernels.
// - As a versioned dependency (`package(url:from:)` in an app's manifest), SwiftPM refuses unsafe flags.
//   SwiftPM places such dependencies under `.../checkouts/`; there this manifest emits
//   none, the instruction-set targets compile empty, and Tensor is told (`TENSOR_NO_FMA`)
//   that it may not rely on an FMA instruction, so its portable kernels multiply then
//   add instead of calling libm `fmaf` per lane. Docs/Performance.md ("Depending on
//   this package") gives the flags that bring the fast kernels back to such an app.
let environment = ProcessInfo.processInfo.environment
let isDependencyCheckout = Context.packageDirectory.contains("/checkouts/")
#if arch(x86_64)
let isX86 = true
#else
let isX86 = false
#endif

/// Settings for every target except the instruction-set kernels.
func baselineSettings() -> [SwiftSetting] {
    guard isX86 else { return [] }
    guard !isDependencyCheckout else { return [.define("TENSOR_NO_FMA")] }
    var settings: [SwiftSetting] = [.define("TENSOR_BASELINE_V3")]
    if let requested = environment["TENSOR_TARGET_CPU"], !requested.isEmpty {
        let flags = requested.hasPrefix("x86-64") ? ["-Xcc", "-march=\(requested)"] : ["-target-cpu", requested]
        settings += [.unsafeFlags(flags), .define("TENSOR_HOST_CPU")]
    } else {
        settings.append(.unsafeFlags(["-Xcc", "-march=x86-64-v3"]))
    }
    return settings
}

/// Settings for one instruction set's kernel target: its `-march` and the define that
/// turns its code on (off where flags are not allowed, or not on x86-64).
func instructionSetSettings(march: String, features: [String] = [], define: String) -> [SwiftSetting] {
    guard isX86 && !isDependencyCheckout else { return [] }
    return [.unsafeFlags(["-Xcc", "-march=\(march)"] + features.flatMap { ["-Xcc", "-m\($0)"] }), .define(define)]
}

let kernelSettings = baselineSettings()

/// `-O` in debug builds too, for the kernels (none in a versioned dependency).
func optimisedInDebug() -> [SwiftSetting] {
    isDependencyCheckout ? [] : [.unsafeFlags(["-O"], .when(configuration: .debug))]
}

let package = Package(
    name: "InternViTSwift",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "NNTesting", targets: ["NNTesting"]),
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "InternViT", targets: ["InternViT"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .executable(name: "internvit", targets: ["internvit"]),
        .executable(name: "tensor-bench", targets: ["tensor-bench"]),
        .executable(name: "vit-classify", targets: ["vit-classify"]),
        .executable(name: "minilm-embed", targets: ["minilm-embed"]),
        .executable(name: "vit-train", targets: ["vit-train"]),
        .executable(name: "linear-probe", targets: ["linear-probe"]),
    ],
    targets: [
        .target(
            name: "TensorKernelsAVX2",
            swiftSettings: instructionSetSettings(march: "x86-64-v3", define: "TENSOR_KERNELS_AVX2") + optimisedInDebug()),
        .target(
            name: "TensorKernelsAVX512",
            swiftSettings: instructionSetSettings(march: "x86-64-v4", define: "TENSOR_KERNELS_AVX512") + optimisedInDebug()),
        // AVX512-VNNI integer dot products (`vpdpbusd`) for the int8 linear layers (issue 16).
        .target(
            name: "TensorKernelsVNNI",
            swiftSettings: instructionSetSettings(march: "x86-64-v4", features: ["avx512vnni"], define: "TENSOR_KERNELS_VNNI")
                + optimisedInDebug()),
        // AVX-VNNI (256-bit, VEX `vpdpbusd`) for the int8 layers on CPUs without AVX-512 (issue 16).
        .target(
            name: "TensorKernelsAVXVNNI",
            swiftSettings: instructionSetSettings(march: "x86-64-v3", features: ["avxvnni"], define: "TENSOR_KERNELS_AVXVNNI")
                + optimisedInDebug()),
        // Tensor (the kernels) is optimised in debug builds too: unoptimised SIMD code runs
        // ~1000x slower, which made debug builds useless for experiments (issue 14).
        // (Not in a versioned dependency, which may have no unsafe flags.)
        .target(name: "Tensor", dependencies: ["TensorKernelsAVX2", "TensorKernelsAVX512", "TensorKernelsVNNI",
                                               "TensorKernelsAVXVNNI"],
                swiftSettings: kernelSettings + optimisedInDebug()),
        .target(name: "NN", dependencies: ["Autograd", "Tensor"], swiftSettings: kernelSettings),
        .target(name: "Imaging", dependencies: ["Tensor"], swiftSettings: kernelSettings),
        // Reverse-mode automatic differentiation on Tensor (Docs/Training.md).
        .target(name: "Autograd", dependencies: ["Tensor"], swiftSettings: kernelSettings),
        // Test helpers for layers (`expectClose`, `LayerFixture`), public so that other
        // packages can test their own layers the same way (Docs/Extending.md).
        .target(name: "NNTesting", dependencies: ["NN", "Tensor"]),
        .target(name: "TestScratch"),
        .testTarget(name: "TestScratchTests", dependencies: ["TestScratch"]),
        .target(name: "InternViT", dependencies: ["NN", "Autograd", "Tensor", "Imaging"], swiftSettings: kernelSettings),
        .target(
            name: "InternViTCLI", dependencies: ["InternViT", "NN", "Tensor", "Imaging"],
            swiftSettings: kernelSettings),
        .executableTarget(name: "internvit", dependencies: ["InternViTCLI"], swiftSettings: kernelSettings),
        .executableTarget(
            name: "tensor-bench", dependencies: ["Tensor", "Imaging", "TensorKernelsVNNI"], path: "Benchmarks/tensor-bench",
            swiftSettings: kernelSettings),
        // Example models, built only from the libraries.
        .target(name: "ViTClassifier", dependencies: ["NN", "Tensor", "Imaging"], path: "Examples/ViT/Model",
                swiftSettings: kernelSettings),
        .executableTarget(name: "vit-classify", dependencies: ["ViTClassifier", "Tensor", "Imaging"], path: "Examples/ViT/CLI",
                          swiftSettings: kernelSettings),
        // A linear probe on InternViT's pooled features (Docs/Training.md, "Linear probe").
        .target(name: "LinearProbe", dependencies: ["Autograd", "InternViT", "Tensor"], path: "Examples/LinearProbe/Probe",
                swiftSettings: kernelSettings),
        .executableTarget(name: "linear-probe", dependencies: ["LinearProbe", "InternViTCLI", "InternViT", "Imaging", "Tensor"],
                          path: "Examples/LinearProbe/CLI", swiftSettings: kernelSettings),
        .testTarget(name: "LinearProbeTests", dependencies: ["TestScratch", "NNTesting", "LinearProbe", "InternViT", "Imaging", "Tensor"], exclude: ["Fixtures"],
                    swiftSettings: kernelSettings),
        .target(name: "MiniLM", dependencies: ["NN", "Tensor"], path: "Examples/MiniLM/Model", swiftSettings: kernelSettings),
        .executableTarget(name: "minilm-embed", dependencies: ["MiniLM", "Tensor"], path: "Examples/MiniLM/CLI",
                          swiftSettings: kernelSettings),
        .target(name: "DigitsTraining", dependencies: ["InternViT", "NN", "Autograd", "Tensor", "Imaging"],
                path: "Examples/ViTTraining/Model", swiftSettings: kernelSettings),
        .executableTarget(name: "vit-train", dependencies: ["DigitsTraining", "Tensor", "Imaging"],
                          path: "Examples/ViTTraining/CLI", swiftSettings: kernelSettings),
        .testTarget(
            name: "ExamplesTests", dependencies: ["TestScratch", "NNTesting", "ViTClassifier", "MiniLM", "DigitsTraining", "InternViT", "Autograd", "NN", "Tensor", "Imaging"], exclude: ["Fixtures"],
            swiftSettings: kernelSettings),
        .testTarget(
            name: "TensorTests", dependencies: ["TestScratch", "Tensor"], exclude: ["Fixtures"],
            swiftSettings: kernelSettings),
        .testTarget(name: "NNTests", dependencies: ["TestScratch", "NN", "NNTesting", "Autograd", "Tensor"], exclude: ["Fixtures"], swiftSettings: kernelSettings),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "Tensor"], exclude: ["Fixtures"], swiftSettings: kernelSettings),
        .testTarget(
            name: "ImagingTests", dependencies: ["TestScratch", "Imaging", "Tensor"], exclude: ["Fixtures"],
            swiftSettings: kernelSettings),
        .testTarget(
            name: "InternViTCLITests", dependencies: ["TestScratch", "NNTesting", "InternViTCLI", "InternViT", "Imaging", "Tensor"],
            swiftSettings: kernelSettings),
        .testTarget(
            name: "InternViTTests", dependencies: ["TestScratch", "InternViT", "NN", "NNTesting", "Autograd", "Tensor", "Imaging"], exclude: ["Fixtures"],
            swiftSettings: kernelSettings),
    ]
)
