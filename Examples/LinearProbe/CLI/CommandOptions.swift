import Foundation
import InternViT
import InternViTCLI
import LinearProbe
import Tensor

/// A usage error: printed with the help, exit status 2.
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// `--name value` options and positional arguments.
struct CommandOptions {
    static let names: Set<String> = ["model", "output", "features", "held-out", "seed", "l2", "threads", "labels", "data",
                                     "per-class", "scale"]
    var values: [String: String] = [:]
    var positionals: [String] = []

    init(_ arguments: [String]) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--") {
                let name = String(argument.dropFirst(2))
                guard Self.names.contains(name) else { throw UsageError("unknown option '\(argument)'") }
                guard index + 1 < arguments.count else { throw UsageError("\(argument) needs a value") }
                guard values[name] == nil else { throw UsageError("\(argument) is given twice") }
                values[name] = arguments[index + 1]
                index += 2
            } else {
                positionals.append(argument)
                index += 1
            }
        }
    }

    func number<T: LosslessStringConvertible & Comparable>(_ name: String, default value: T, in range: ClosedRange<T>) throws -> T {
        guard let text = values[name] else { return value }
        guard let parsed = T(text), range.contains(parsed) else { throw UsageError("--\(name) must be in \(range), got '\(text)'") }
        return parsed
    }

    /// Applies `--threads`.
    func applyThreads() throws {
        if values["threads"] != nil { ComputeThreads.count = try number("threads", default: 1, in: 1...1024) }
    }

    /// The model named by `--model` (announced on stderr) with its CLIP preprocessing,
    /// as `internvit --model` loads it.
    func model() throws -> (model: InternVisionModel, preprocessing: InternViTPreprocessing, name: String) {
        guard let spec = values["model"] else { throw UsageError("--model DIR|random|random-tiny is required") }
        switch spec {
        case "random-tiny", "random":
            say("--model \(spec): \(spec == "random" ? "InternViT-300M-448px" : "the tiny configuration (width 64, 2 layers)") "
                + "with seeded random weights (seed 0); its features are NOT meaningful, only the pipeline is")
            let config: InternVisionConfig = spec == "random" ? .internViT300M : .tiny
            let model = InternVisionModel(config: config)
            model.initializeRandomly(seed: 0, dtype: .float32)
            return (model, try .clip(directory: nil, imageSize: config.imageSize), spec)
        default:
            let directory = URL(fileURLWithPath: spec)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: spec, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw LinearProbeError("\(spec): no such model directory")
            }
            let model = try InternViTCheckpoint.load(directory)
            return (model, try .clip(directory: directory, imageSize: model.config.imageSize), directory.standardizedFileURL.path)
        }
    }
}

/// stdout and stderr through `write(2)` (InternViTCLI's `Console`): `FileHandle.write` traps
/// when stderr is a full disk or a closed pipe; here a lost line makes the exit code 1.
let console = Console.standard

/// One line on stderr.
func say(_ text: String) { console.err("linear-probe: \(text)") }

/// A progress line on stderr (every 10 % of the images).
func embeddingProgress(_ progress: BatchEmbeddingProgress) {
    let step = Swift.max(progress.total / 10, 1)
    if progress.done % step == 0 || progress.done == progress.total {
        say(String(format: "embedded %d/%d images (%.1f images/s)", progress.done, progress.total,
                   Double(progress.done) / Swift.max(progress.elapsed, 1e-9)))
    }
}
