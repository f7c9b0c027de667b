import Foundation
import InternViT
import NN
import Tensor

/// A loaded model with the preprocessing that goes with it.
final class LoadedModel {
    let model: InternVisionModel
    let directory: URL?
    let loadSeconds: Double
    /// The kernels and build the model runs with (printed by `bench` and `inspect`).
    let buildInfo: BuildInfo
    var isRandom: Bool { directory == nil }
    private var warnedAboutDebugBuild = false
    private var tilesAnnounced = 0

    /// Tiles a command will run beyond which packing the float32 linear weights once
    /// (`prepackLinearLayers`) pays: packing the 300M model's weights costs about 0.5 s
    /// of CPU plus fresh pages for its 608 MB, about what the per-forward packing it
    /// saves costs over two tiles. The bits are the same either way.
    static let tilesWorthPacking = 2

    init(model: InternVisionModel, directory: URL?, loadSeconds: Double, buildInfo: BuildInfo) {
        self.model = model
        self.directory = directory
        self.loadSeconds = loadSeconds
        self.buildInfo = buildInfo
    }

    /// Call before each forward with its tile count: the weights are packed for the GEMM
    /// (`prepackLinearLayers`; a no-op for int8 or already packed layers) once the run
    /// reaches `tilesWorthPacking` tiles, so a one-tile run (one image, `attention`,
    /// `trace`) does not pay for packing it would not win back.
    func willRun(tiles: Int) {
        let before = tilesAnnounced
        tilesAnnounced = tiles > Int.max - before ? Int.max : before + tiles
        if before < Self.tilesWorthPacking && tilesAnnounced >= Self.tilesWorthPacking {
            model.prepackLinearLayers()
        }
    }

    /// Call before running the model: in a debug build, warns once on stderr that it is
    /// much slower than release (after input errors, which stay one clear line).
    func warnIfDebugBuild(_ console: Console) {
        guard buildInfo.isDebugBuild, !warnedAboutDebugBuild else { return }
        warnedAboutDebugBuild = true
        console.err("internvit: warning: this is a debug build, much slower than release; "
                    + "build with `swift build -c release` (or `swift run -c release internvit ...`).")
    }
}

enum ModelLoading {
    /// `--model DIR` (a Hugging Face directory) or `--model random` (InternViT-300M-448px
    /// with seeded random weights, announced on stderr). `--dtype float32` widens the
    /// stored bf16 weights; `bfloat16` keeps them (random weights are made as bf16).
    /// `memoryMapped` false (`--no-mmap`) reads the weights into memory.
    /// `--model random-tiny` is `InternVisionConfig.tiny` with seeded random weights.
    /// `precision` `.int8` quantises the encoder's linear layers right after loading;
    /// with `.float32`, `prepack` packs their weights for the GEMM at once
    /// (`prepackLinearLayers`: for commands that run many tiles; the others let
    /// `LoadedModel.willRun(tiles:)` decide). Either way the time is part of `loadSeconds`.
    static func load(_ spec: String?, dtype: String, precision: ComputePrecision = .float32, prepack: Bool = false,
                     memoryMapped: Bool = true, console: Console, help: String) throws -> LoadedModel {
        let loaded = try loadWeights(spec, dtype: dtype, memoryMapped: memoryMapped, console: console, help: help)
        guard precision != .float32 else {
            guard prepack else { return loaded }
            let start = Date()
            loaded.willRun(tiles: .max)
            return LoadedModel(model: loaded.model, directory: loaded.directory,
                               loadSeconds: loaded.loadSeconds + Date().timeIntervalSince(start), buildInfo: loaded.buildInfo)
        }
        if precision == .int8 && Int8LinearWeights.kernelName == "portable" {
            console.err("internvit: warning: --precision int8 runs on portable integer loops here (no AVX512-VNNI or AVX-VNNI, "
                        + "or TENSOR_KERNEL chose another table): same results, but several times slower than float32")
        }
        let start = Date()
        loaded.model.quantiseLinearLayers(to: precision)
        return LoadedModel(model: loaded.model, directory: loaded.directory,
                           loadSeconds: loaded.loadSeconds + Date().timeIntervalSince(start), buildInfo: loaded.buildInfo)
    }

    private static func loadWeights(_ spec: String?, dtype: String, memoryMapped: Bool, console: Console, help: String) throws -> LoadedModel {
        guard let spec else { throw UsageError(message: "--model DIR|random is required", help: help) }
        // A TENSOR_KERNEL this machine cannot run is an error here, before any kernel runs.
        let buildInfo = try BuildInfo.current()
        let start = Date()
        if spec == "random-tiny" {
            console.err("internvit: --model random-tiny: InternVisionConfig.tiny (width 64, 2 layers) with seeded random weights")
            let model = InternVisionModel(config: .tiny)
            model.initializeRandomly(seed: 0, dtype: .float32)
            return LoadedModel(model: model, directory: nil, loadSeconds: Date().timeIntervalSince(start),
                               buildInfo: buildInfo)
        }
        if spec == "random" {
            console.err("internvit: --model random: InternViT-300M-448px with seeded random weights (seed 0); "
                        + "the features are NOT meaningful. Pass --model DIR with the Hugging Face checkpoint for real ones.")
            let model = InternVisionModel(config: .internViT300M)
            model.initializeRandomly(seed: 0, dtype: dtype == "float32" ? .float32 : .bfloat16)
            return LoadedModel(model: model, directory: nil, loadSeconds: Date().timeIntervalSince(start),
                               buildInfo: buildInfo)
        }
        let directory = URL(fileURLWithPath: spec)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RuntimeFailure(description: "\(spec): no such model directory")
        }
        let model = try InternViTCheckpoint.load(directory, precision: dtype == "float32" ? .float32 : .asStored,
                                                memoryMapped: memoryMapped)
        return LoadedModel(model: model, directory: directory, loadSeconds: Date().timeIntervalSince(start),
                           buildInfo: buildInfo)
    }

    /// Resident memory of the process in bytes (Linux /proc), current and peak.
    static func residentBytes() -> (current: Int, peak: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
                  let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
            return kb * 1024
        }
        guard let current = field("VmRSS"), let peak = field("VmHWM") else { return nil }
        return (current, peak)
    }
}
