import Foundation
import Imaging
import InternViT
import Tensor

/// `internvit visualize IMAGE --model DIR --output FILE.png`.
enum VisualizeCommand {
    static let help = """
        usage: internvit visualize IMAGE --model DIR|random --output FILE.png [--threads N] [--no-mmap]

        Writes the preprocessed image beside the first three principal components of its
        patch features mapped to red, green and blue (the DINO-style picture).
        --output must end in .png (or be a device or FIFO such as /dev/stdout) and must
        not be one of the inputs.

        options:
        \(InternViTCommand.precisionHelp)
        \(InternViTCommand.noMmapHelp)
        """

    static func run(_ raw: [String], console: Console) throws {
        if raw.contains("--help") || raw.contains("-h") { console.out(help); return }
        let arguments = try Arguments(raw, valueOptions: ["model", "output", "threads", "dtype", "precision"], flagOptions: ["no-mmap"], help: help)
        guard arguments.positionals.count == 1 else { throw UsageError(message: "give exactly one image", help: help) }
        guard let output = arguments.values["output"] else { throw UsageError(message: "--output FILE.png is required", help: help) }
        try OutputPath.require(output, extension: "png", help: help)
        try OutputPath.refuseOverwriting(output, inputs: [arguments.positionals[0]] + OutputPath.modelFiles(arguments.values["model"]))
        try InternViTCommand.applyThreads(arguments, help: help)
        let dtype = try arguments.choice("dtype", ["float32", "bfloat16"], default: "bfloat16", help: help)
        let loaded = try ModelLoading.load(arguments.values["model"], dtype: dtype, precision: try InternViTCommand.precision(arguments, help: help), memoryMapped: InternViTCommand.memoryMapped(arguments),
                                           console: console, help: help)
        let preprocessing = try InternViTCommand.clip(directory: loaded.directory, tileSize: loaded.model.config.imageSize, console: console)
        try preprocessing.validate(for: loaded.model.config)
        guard case .clip(let processor) = preprocessing else { return }
        let image = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: arguments.positionals[0])).image
        let crop: RGBImage, pixels: Tensor<Float>                                 // what the model sees, 8-bit; [1, 3, H, W]
        do { (crop, pixels) = (try processor.resizedAndCropped(image), try processor(image)) } catch var error as ImageError {
            error.file = arguments.positionals[0]
            throw error
        }
        try loaded.model.validateInput(shape: pixels.shape)
        loaded.warnIfDebugBuild(console)
        let patch = loaded.model.config.patchSize
        let (h, w) = (crop.height / patch, crop.width / patch)
        // The picture is the crop and the enlarged colours side by side: twice the crop.
        try DecodeLimits().checkDerived(width: 2 * w * patch, height: h * patch, "the visualization canvas")
        let hidden = loaded.model(pixels)                                         // [1, N, D]
        let tokens = hidden.selecting(axis: 0, index: 0).sliced(axis: 0, 1..<(1 + h * w)).contiguous()   // [h·w, D]
        let colours = FeatureVisualization.principalComponents(tokens, gridHeight: h, gridWidth: w)
        let picture = FeatureVisualization.sideBySide(crop.cropped(left: 0, top: 0, width: w * patch, height: h * patch),
                                                      FeatureVisualization.enlarged(colours, by: patch))
        try PNGWriter.write(picture, to: URL(fileURLWithPath: output))
        console.err("internvit: wrote \(picture.width)x\(picture.height) PNG to \(output)")
    }
}
