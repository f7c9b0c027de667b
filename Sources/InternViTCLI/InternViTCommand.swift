import Foundation
import Imaging
import InternViT
import NN
import Tensor

/// The `internvit` command line: `internvit <command> [options]`.
///
/// Exit codes: 0 success; 1 a runtime failure (one line naming the file and the
/// problem); 2 a usage error (with the command's help).
public enum InternViTCommand {
    static let help = """
        usage: internvit <command> [options]

        InternViT-300M-448px (and the InternViT family) in pure Swift.

        commands:
          embed       features of images (last_hidden_state, pooler_output or a layer)
          preprocess  the pixel_values the model would see, as .npy
          inspect     configuration, parameters per module, FLOPs, memory
          bench       latency and throughput of the forward pass
          visualize   principal components of the patch features, as a PNG
          trace       shape and statistics of every step of the forward pass
          attention   the class token's attention (one layer, or rollout) as a PNG
          merge       join the shards of `embed --output-dir` into one file

        Run `internvit <command> --help` for a command's options.
        Images: \(ImageDecoder.supportedFormats) (GIF: first frame; TIFF: first
        page), decoded to RGB exactly as Pillow's Image.open(f).convert("RGB").
        --model DIR takes a Hugging Face checkpoint directory (config.json,
        preprocessor_config.json, model.safetensors or a sharded index);
        --model random builds InternViT-300M-448px with seeded random weights;
        --model random-tiny the tiny configuration (width 64, 2 layers), for experiments.
        """

    /// Runs the command line `arguments` (without the program name); returns the exit code.
    ///
    /// A failed write to stdout or stderr (a full disk, a closed pipe) turns a success
    /// into exit code 1. An invalid `TENSOR_NUM_THREADS` in `environment` is exit code 2.
    public static func run(_ arguments: [String], console: Console = .standard,
                           environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
        let code = runCommand(arguments, console: console, environment: environment)
        guard let failure = console.writeFailure() else { return code }
        console.err("internvit: \(failure)")
        return code == 0 ? 1 : code
    }

    private static func runCommand(_ arguments: [String], console: Console, environment: [String: String]) -> Int32 {
        guard let command = arguments.first, !["-h", "--help", "help"].contains(command) else {
            console.out(help)
            return arguments.isEmpty ? 2 : 0
        }
        if let problem = ComputeThreads.environmentProblem(environment) {
            console.err("internvit: \(problem)")
            return 2
        }
        let rest = Array(arguments.dropFirst())
        do {
            switch command {
            case "embed": try EmbedCommand.run(rest, console: console)
            case "preprocess": try PreprocessCommand.run(rest, console: console)
            case "inspect": try InspectCommand.run(rest, console: console)
            case "bench": try BenchCommand.run(rest, console: console)
            case "visualize": try VisualizeCommand.run(rest, console: console)
            case "trace": try TraceCommand.run(rest, console: console)
            case "attention": try AttentionCommand.run(rest, console: console)
            case "merge": try MergeCommand.run(rest, console: console)
            default: throw UsageError(message: "unknown command '\(command)'", help: help)
            }
            return 0
        } catch let usage as UsageError {
            console.err("internvit: \(usage.message)" + (usage.help.isEmpty ? "" : "\n\n\(usage.help)"))
            return 2
        } catch {
            console.err("internvit: \(Self.describe(error))")
            return 1
        }
    }

    /// One line for any error the libraries throw.
    public static func describe(_ error: Error) -> String {
        let text = PlainErrors.describe(error) ?? "\(error)"
        return text.split(separator: "\n").count > 8 ? text.split(separator: "\n").prefix(8).joined(separator: "\n") + "\n…" : text
    }

    /// Threads option shared by the commands.
    static func applyThreads(_ arguments: Arguments, help: String) throws {
        if arguments.values["threads"] != nil {
            ComputeThreads.count = try arguments.integer("threads", default: 1, range: 1...1024, help: help)
        }
    }

    /// Image files named on the command line; a directory contributes every image in it.
    static func imageFiles(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        let extensions: Set<String> = ["png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "pbm", "pgm", "ppm", "pnm"]
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw RuntimeFailure(description: "\(path): no such file or directory")
            }
            if isDirectory.boolValue {
                let entries = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                files += entries.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                    .map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }

    /// The preprocessing chosen by `--dynamic` / `--max-tiles` for a model directory.
    /// Dynamic tiles are the model's native size (448 for every released InternViT).
    static func preprocessing(_ arguments: Arguments, directory: URL?, tileSize: Int = 448,
                              console: Console, help: String) throws -> InternViTPreprocessing {
        if arguments.flags.contains("dynamic") {
            let maxTiles = try arguments.integer("max-tiles", default: 12, range: 1...40, help: help)
            return .dynamic(DynamicTiling(tileSize: tileSize, maxTiles: maxTiles))
        }
        if arguments.values["max-tiles"] != nil {
            throw UsageError(message: "--max-tiles needs --dynamic", help: help)
        }
        return try clip(directory: directory, tileSize: tileSize, console: console)
    }

    /// CLIP preprocessing from the model directory's `preprocessor_config.json`; when the
    /// directory has none, InternViT's settings at the model's `image_size`, said on stderr.
    static func clip(directory: URL?, tileSize: Int, console: Console) throws -> InternViTPreprocessing {
        if let directory, !FileManager.default.fileExists(atPath: directory.appendingPathComponent("preprocessor_config.json").path) {
            console.err("internvit: \(directory.path) has no preprocessor_config.json; using InternViT's CLIP settings "
                        + "at \(tileSize)x\(tileSize) (image_size from config.json)")
        }
        return try .clip(directory: directory, imageSize: tileSize)
    }

    /// Whether weights are memory-mapped (`--no-mmap` reads them into memory).
    static func memoryMapped(_ arguments: Arguments) -> Bool { !arguments.flags.contains("no-mmap") }

    /// `--precision float32|int8` (default float32): the arithmetic of the encoder's linear layers.
    static func precision(_ arguments: Arguments, help: String) throws -> ComputePrecision {
        let name = try arguments.choice("precision", ComputePrecision.allCases.map(\.rawValue), default: "float32", help: help)
        return ComputePrecision(rawValue: name)!
    }

    /// The `--precision` line of every command that runs a model.
    static let precisionHelp = """
          --precision float32|int8
                                 float32 (default) or int8: the encoder's linear layers
                                 quantised at load (int8 weights per output channel, u8
                                 activations per token) on the integer dot-product GEMM
        """

    /// The `--no-mmap` line of every command that loads a model.
    static let noMmapHelp = """
          --no-mmap              read the checkpoint into memory instead of mapping it
                                 (a mapped file that another process truncates or rewrites
                                 while it is in use kills this process with SIGBUS)
        """
}
