import Foundation
import Imaging
import InternViT
import NN
import Tensor

/// `internvit embed IMAGE... --model DIR [options]`.
enum EmbedCommand {
    static let help = """
        usage: internvit embed IMAGE|DIR... --model DIR|random [options]
               internvit embed --pixels PIXELS.npy --model DIR|random [options]

        Computes InternViT features of images (a directory embeds every image in it;
        for large collections use --output-dir, the batch mode below).
        Output: last_hidden_state as float32 [tiles, tokens, width], tiles of all images
        stacked in argument order.

        options:
          --model DIR|random     Hugging Face checkpoint directory, or seeded random weights
          --output FILE          write the features (default: print a summary); never one of
                                 the inputs; a device or FIFO (/dev/stdout) is written through
          --format npy|safetensors|json
                                 output format (default: from the extension .npy, .safetensors
                                 or .json; required for a path without one, e.g. /dev/stdout);
                                 safetensors stores one tensor per image, named by its path
          --pooled               pooler_output (the class token) [tiles, width] instead
          --layer K              that layer's hidden state (negative counts from the end)
          --pixels FILE.npy      run on ready-made pixel_values [N, 3, H, W] (float16, float32
                                 or float64 .npy) instead of images
          --dynamic              InternVL dynamic tiling instead of one 448x448 tile
          --max-tiles N          most tiles with --dynamic (default 12, up to 40)
          --dtype float32|bfloat16
                                 weights in memory: bfloat16 keeps the checkpoint's bf16
                                 (default), float32 widens them; compute is float32 either way
          --threads N            threads (default: all cores; also TENSOR_NUM_THREADS)
          --keep-going           record failed images and continue
        \(InternViTCommand.precisionHelp)
        \(InternViTCommand.noMmapHelp)
          -h, --help             this help

        """ + BatchEmbedCommand.help

    static func run(_ raw: [String], console: Console) throws {
        if raw.contains("--help") || raw.contains("-h") { console.out(help); return }
        let arguments = try Arguments(raw, valueOptions: Set(["model", "output", "format", "layer", "max-tiles", "dtype", "precision", "threads", "pixels"])
                                          .union(BatchEmbedCommand.valueOptions),
                                      flagOptions: Set(["pooled", "dynamic", "keep-going", "no-mmap"]).union(BatchEmbedCommand.flagOptions),
                                      help: help)
        if !BatchEmbedCommand.valueOptions.filter({ arguments.values[$0] != nil }).isEmpty
            || !BatchEmbedCommand.flagOptions.filter({ arguments.flags.contains($0) }).isEmpty {
            return try BatchEmbedCommand.run(arguments, console: console, help: help)
        }
        let pixelFile = arguments.values["pixels"]
        guard !arguments.positionals.isEmpty || pixelFile != nil else { throw UsageError(message: "no images given", help: help) }
        if pixelFile != nil && !arguments.positionals.isEmpty {
            throw UsageError(message: "give images or --pixels, not both", help: help)
        }
        guard arguments.values["model"] != nil else { throw UsageError(message: "--model DIR|random is required", help: help) }
        let dtype = try arguments.choice("dtype", ["float32", "bfloat16"], default: "bfloat16", help: help)
        let output = arguments.values["output"]
        let format = try OutputPath.format(of: output, explicit: arguments.values["format"],
                                           formats: ["npy", "safetensors", "json"], help: help)
        let layer: Int?
        if let text = arguments.values["layer"] {
            guard let k = Int(text) else { throw UsageError(message: "--layer must be an integer, got '\(text)'", help: help) }
            layer = k
        } else {
            layer = nil
        }
        if layer != nil && arguments.flags.contains("pooled") {
            throw UsageError(message: "--pooled and --layer cannot be combined", help: help)
        }
        try InternViTCommand.applyThreads(arguments, help: help)
        let files = try InternViTCommand.imageFiles(arguments.positionals)
        if pixelFile == nil && files.isEmpty {
            throw RuntimeFailure(description: "no image files found in \(arguments.positionals.joined(separator: ", "))")
        }

        try OutputPath.refuseOverwriting(output, inputs: files + [pixelFile].compactMap { $0 } + OutputPath.modelFiles(arguments.values["model"]))

        let loaded = try ModelLoading.load(arguments.values["model"], dtype: dtype, precision: try InternViTCommand.precision(arguments, help: help), memoryMapped: InternViTCommand.memoryMapped(arguments),
                                           console: console, help: help)
        let layerCount = loaded.model.config.numHiddenLayers
        if let layer, layer >= layerCount || layer < -layerCount {
            throw UsageError(message: "--layer \(layer) is out of range for \(layerCount) layers", help: help)
        }
        let preprocessing = try InternViTCommand.preprocessing(arguments, directory: loaded.directory,
                                                               tileSize: loaded.model.config.imageSize, console: console, help: help)
        try preprocessing.validate(for: loaded.model.config)
        let keepGoing = arguments.flags.contains("keep-going")

        // Without --output each image's summary is printed as it finishes, so memory does
        // not grow with the number of images; with --output the file needs them all.
        var results: [(path: String, features: Tensor<Float>)] = []
        var embeddedCount = 0
        func record(_ path: String, _ features: Tensor<Float>) {
            embeddedCount += 1
            if output != nil { results.append((path, features)); return }
            let norm = features.squared().sum().squareRoot()
            let first = features.flattened().sliced(axis: 0, 0..<Swift.min(5, features.count)).scalars
                .map { String(format: "%.4f", $0) }.joined(separator: ", ")
            console.out("\(path): shape \(features.shape), norm \(String(format: "%.4f", norm)), first values [\(first)]")
        }
        var failures: [String] = []
        if let pixelFile {
            let array = try NPY.read(contentsOf: URL(fileURLWithPath: pixelFile))
            guard [.float16, .float32, .float64].contains(array.dtype) else {
                throw RuntimeFailure(description: "\(pixelFile): pixel_values must be float16, float32 or float64, got \(array.dtype)")
            }
            let pixels = array.toFloat()
            let c = loaded.model.config
            guard pixels.rank == 4, pixels.shape[1] == c.numChannels, pixels.shape[2] >= c.patchSize, pixels.shape[3] >= c.patchSize else {
                throw RuntimeFailure(description: "\(pixelFile): pixel_values must be [N, \(c.numChannels), H, W] with H, W ≥ \(c.patchSize), got \(pixels.shape)")
            }
            try loaded.model.validateInput(shape: pixels.shape)                // token count bounded
            loaded.warnIfDebugBuild(console)
            loaded.willRun(tiles: pixels.shape[0])
            let result = loaded.model.forward(pixels, stopAfterLayer: layer)
            record(pixelFile, arguments.flags.contains("pooled") ? result.poolerOutput : result.lastHiddenState)
        }
        let start = Date()
        var tilesDone = 0
        for (index, file) in files.enumerated() {
            do {
                let image = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: file)).image
                let pixels: Tensor<Float>                                       // [tiles, 3, H, W]
                do { pixels = try preprocessing.pixelValues(image) } catch var error as ImageError { error.file = file; throw error }
                try loaded.model.validateInput(shape: pixels.shape)
                loaded.warnIfDebugBuild(console)
                loaded.willRun(tiles: pixels.shape[0] + (index + 1 < files.count ? 1 : 0))
                let result = loaded.model.forward(pixels, stopAfterLayer: layer)
                record(file, arguments.flags.contains("pooled") ? result.poolerOutput : result.lastHiddenState)
                tilesDone += pixels.shape[0]
            } catch {
                guard keepGoing else { throw error }
                failures.append(InternViTCommand.describe(error))
            }
            if console.errIsTerminal {
                let elapsed = Date().timeIntervalSince(start)
                let rate = Double(tilesDone) / Swift.max(elapsed, 1e-9)
                let eta = elapsed / Double(index + 1) * Double(files.count - index - 1)
                console.err(String(format: "\r[%d/%d images] %.2f tiles/s, ETA %.0f s", index + 1, files.count, rate, eta))
            }
        }
        for failure in failures { console.err("internvit: skipped: \(failure)") }
        if embeddedCount == 0 { throw RuntimeFailure(description: "no image could be embedded") }

        if let output {
            try OutputWriter.write(results, to: URL(fileURLWithPath: output), format: format)
            let total = Tensor.concatenate(results.map(\.features), axis: 0).shape
            console.err("internvit: wrote \(format) \(total) to \(output)")
        }
        if !failures.isEmpty { throw RuntimeFailure(description: "\(failures.count) of \(files.count) images failed") }
    }
}

/// Writing features to .npy / .safetensors / .json through `OutputFile` (temporary file
/// renamed into place; devices and FIFOs written through).
enum OutputWriter {
    /// Largest number of values written as JSON.
    static let jsonLimit = 2_000_000

    static func write(_ results: [(path: String, features: Tensor<Float>)], to url: URL, format: String) throws {
        switch format {
        case "npy":
            try NPY.write(Tensor.concatenate(results.map(\.features), axis: 0), to: url)
        case "safetensors":
            var names = Set<String>()
            var tensors: [(name: String, tensor: AnyTensor)] = []
            for (path, features) in results {
                var name = path
                var suffix = 2
                while names.contains(name) { name = "\(path)#\(suffix)"; suffix += 1 }
                names.insert(name)
                tensors.append((name, AnyTensor(features)))
            }
            try SafeTensorsWriter.write(tensors, metadata: ["format": "pt", "producer": "internvit embed"], to: url)
        default:
            let count = results.reduce(0) { $0 + $1.features.count }
            guard count <= jsonLimit else {
                throw RuntimeFailure(description: "\(url.path): \(count) values are too many for JSON (limit \(jsonLimit)); use --format npy")
            }
            var text = "{\"images\": ["
            for (index, (path, features)) in results.enumerated() {
                let escaped = JSONValue.quoted(path)
                text += (index > 0 ? ", " : "") + "{\"path\": \(escaped), \"shape\": \(features.shape), \"values\": ["
                text += features.scalars.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ", ") + "]}"
            }
            text += "]}\n"
            try OutputFile.write(Data(text.utf8), to: url)
        }
    }
}
