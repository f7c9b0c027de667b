import Foundation
import Imaging
import InternViT
import Tensor

/// `internvit preprocess IMAGE --output FILE.npy [--dynamic --max-tiles N]`.
enum PreprocessCommand {
    static let help = """
        usage: internvit preprocess IMAGE --output FILE.npy [--model DIR] [--dynamic [--max-tiles N]]

        Writes the exact pixel_values the model would see: float32 [tiles, 3, 448, 448].
        Without --dynamic: CLIPImageProcessor with the model directory's
        preprocessor_config.json (InternViT-300M-448px's settings without --model).

        options:
          --output FILE.npy   where to write (required; .npy, or a device or FIFO such as
                              /dev/stdout; never the input image)
          --model DIR         model directory whose preprocessor_config.json to use
          --dynamic           InternVL dynamic tiling
          --max-tiles N       most tiles with --dynamic (default 12, up to 40)
          -h, --help          this help
        """

    static func run(_ raw: [String], console: Console) throws {
        if raw.contains("--help") || raw.contains("-h") { console.out(help); return }
        let arguments = try Arguments(raw, valueOptions: ["output", "model", "max-tiles"], flagOptions: ["dynamic"], help: help)
        guard arguments.positionals.count == 1 else { throw UsageError(message: "give exactly one image", help: help) }
        guard let output = arguments.values["output"] else { throw UsageError(message: "--output FILE.npy is required", help: help) }
        try OutputPath.require(output, extension: "npy", help: help)
        try OutputPath.refuseOverwriting(output, inputs: [arguments.positionals[0]] + OutputPath.modelFiles(arguments.values["model"]))
        let directory = arguments.values["model"].flatMap { $0 == "random" ? nil : URL(fileURLWithPath: $0) }
        var config = InternVisionConfig.internViT300M
        if let directory {
            config = try InternVisionConfig(contentsOf: directory.appendingPathComponent("config.json"))
        }
        let preprocessing = try InternViTCommand.preprocessing(arguments, directory: directory, tileSize: config.imageSize, console: console, help: help)
        try preprocessing.validate(for: config)
        let image = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: arguments.positionals[0])).image
        let pixels: Tensor<Float>
        do { pixels = try preprocessing.pixelValues(image) } catch var error as ImageError { error.file = arguments.positionals[0]; throw error }
        try NPY.write(pixels, to: URL(fileURLWithPath: output))
        console.err("internvit: wrote pixel_values \(pixels.shape) to \(output)")
    }
}
