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

        Run `internvit <command> --help` for a command's options.
        Images: \(ImageDecoder.supportedFormats) (GIF: first frame; TIFF: first
        page), decoded to RGB exactly as Pillow's Image.open(f).convert("RGB").
        --model DIR takes a Hugging Face checkpoint directory (config.json,
        preprocessor_config.json, model.safetensors or a sharded index);
        --model random builds InternViT-300M-448px with seeded random weights.
        """

    /// Runs the command line `arguments` (without the program name); returns the exit code.
    public static func run(_ arguments: [String], console: Console = .standard) -> Int32 {
        guard let command = arguments.first, !["-h", "--help", "help"].contains(command) else {
            console.out(help)
            return arguments.isEmpty ? 2 : 0
        }
        let rest = Array(arguments.dropFirst())
        do {
            switch command {
            case "embed": try EmbedCommand.run(rest, console: console)
            case "preprocess": try PreprocessCommand.run(rest, console: console)
            case "inspect": try InspectCommand.run(rest, console: console)
            case "bench": try BenchCommand.run(rest, console: console)
            case "visualize": try VisualizeCommand.run(rest, console: console)
            default: throw UsageError(message: "unknown command '\(command)'", help: help)
            }
            return 0
        } catch let usage as UsageError {
            console.err("internvit: \(usage.message)\n\n\(usage.help)")
            return 2
        } catch {
            console.err("internvit: \(Self.describe(error))")
            return 1
        }
    }

    /// One line for any error the libraries throw.
    static func describe(_ error: Error) -> String {
        let text = "\(error)"
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
        let extensions: Set<String> = ["png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "pbm", "pgm", "ppm", "pnm"]
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
                              help: String) throws -> InternViTPreprocessing {
        if arguments.flags.contains("dynamic") {
            let maxTiles = try arguments.integer("max-tiles", default: 12, range: 1...40, help: help)
            return .dynamic(DynamicTiling(tileSize: tileSize, maxTiles: maxTiles))
        }
        if arguments.values["max-tiles"] != nil {
            throw UsageError(message: "--max-tiles needs --dynamic", help: help)
        }
        return try .clip(directory: directory)
    }
}
