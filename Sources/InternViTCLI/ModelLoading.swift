import Foundation
import InternViT
import NN
import Tensor

/// A loaded model with the preprocessing that goes with it.
struct LoadedModel {
    let model: InternVisionModel
    let directory: URL?
    let loadSeconds: Double
    var isRandom: Bool { directory == nil }
}

enum ModelLoading {
    /// `--model DIR` (a Hugging Face directory) or `--model random` (InternViT-300M-448px
    /// with seeded random weights, announced on stderr). `--dtype float32` widens the
    /// stored bf16 weights; `bfloat16` keeps them (random weights are made as bf16).
    /// `memoryMapped` false (`--no-mmap`) reads the weights into memory.
    /// `--model random-tiny` is `InternVisionConfig.tiny` with seeded random weights.
    static func load(_ spec: String?, dtype: String, memoryMapped: Bool = true, console: Console, help: String) throws -> LoadedModel {
        guard let spec else { throw UsageError(message: "--model DIR|random is required", help: help) }
        let start = Date()
        if spec == "random-tiny" {
            console.err("internvit: --model random-tiny: InternVisionConfig.tiny (width 64, 2 layers) with seeded random weights")
            let model = InternVisionModel(config: .tiny)
            model.initializeRandomly(seed: 0, dtype: .float32)
            return LoadedModel(model: model, directory: nil, loadSeconds: Date().timeIntervalSince(start))
        }
        if spec == "random" {
            console.err("internvit: --model random: InternViT-300M-448px with seeded random weights (seed 0); "
                        + "the features are NOT meaningful. Pass --model DIR with the Hugging Face checkpoint for real ones.")
            let model = InternVisionModel(config: .internViT300M)
            model.initializeRandomly(seed: 0, dtype: dtype == "float32" ? .float32 : .bfloat16)
            return LoadedModel(model: model, directory: nil, loadSeconds: Date().timeIntervalSince(start))
        }
        let directory = URL(fileURLWithPath: spec)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RuntimeFailure(description: "\(spec): no such model directory")
        }
        let model = try InternViTCheckpoint.load(directory, precision: dtype == "float32" ? .float32 : .asStored,
                                                memoryMapped: memoryMapped)
        return LoadedModel(model: model, directory: directory, loadSeconds: Date().timeIntervalSince(start))
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
