import Foundation
import Imaging
import InternViT
import InternViTCLI
import Tensor
import Testing
import TestScratch

/// Captures what a command prints.
final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var outLines: [String] = []
    private var errLines: [String] = []
    var out: String { lock.withLock { outLines.joined(separator: "\n") } }
    var err: String { lock.withLock { errLines.joined(separator: "\n") } }
    var console: Console {
        Console(out: { [self] line in lock.withLock { outLines.append(line) } },
                err: { [self] line in lock.withLock { errLines.append(line) } })
    }
}

/// Runs the command line and returns (exit code, stdout, stderr).
func run(_ arguments: [String]) -> (Int32, String, String) {
    let captured = Captured()
    let code = InternViTCommand.run(arguments, console: captured.console)
    return (code, captured.out, captured.err)
}

enum CLIFixtures {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let model = tests.appendingPathComponent("InternViTTests/Fixtures/internvit-tiny300m").path
    static let image = tests.appendingPathComponent("ImagingTests/Fixtures/clip/landscape.png").path
    static let image2 = tests.appendingPathComponent("ImagingTests/Fixtures/jpeg/420_base_64x48.jpg").path
    static func temporary(_ name: String) throws -> URL {
        try ScratchFolder.make("internvit-cli").appendingPathComponent(name)
    }

    /// The library's answer: CLIP preprocessing, then the model.
    static func libraryFeatures(_ path: String, pooled: Bool = false, layer: Int? = nil, dynamic: Bool = false) throws -> Tensor<Float> {
        let directory = URL(fileURLWithPath: model)
        let model = try InternViTCheckpoint.load(directory)
        let preprocessing = dynamic ? InternViTPreprocessing.dynamic(DynamicTiling(tileSize: 56, maxTiles: 12))
            : try InternViTPreprocessing.clip(directory: directory)
        let image = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: path)).image
        let output = model.forward(try preprocessing.pixelValues(image), stopAfterLayer: layer)
        return pooled ? output.poolerOutput : output.lastHiddenState
    }
}

@Suite struct EmbedCommandTests {
    @Test func npyOutputEqualsTheLibraryAndFollowsTheFormat() throws {
        let url = try CLIFixtures.temporary("features.npy")
        let (code, _, err) = run(["embed", CLIFixtures.image, CLIFixtures.image2, "--model", CLIFixtures.model, "--output", url.path])
        #expect(code == 0, "\(err)")
        // The .npy format: magic, version 1.0, little-endian header length, a dict ending in
        // a newline, data aligned to 64 bytes, then exactly the float32 values.
        let data = try Data(contentsOf: url)
        #expect(Array(data.prefix(8)) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 17, 64), }") && header.hasSuffix("\n"))
        #expect((10 + headerLength) % 64 == 0 && data.count == 10 + headerLength + 2 * 17 * 64 * 4)
        let features = try NPY.readFloat(contentsOf: url)
        let expected = Tensor.concatenate([try CLIFixtures.libraryFeatures(CLIFixtures.image),
                                           try CLIFixtures.libraryFeatures(CLIFixtures.image2)], axis: 0)
        #expect(features.scalars == expected.scalars)
    }

    @Test func safetensorsNamesTensorsPerImage() throws {
        let url = try CLIFixtures.temporary("features.safetensors")
        let (code, _, err) = run(["embed", CLIFixtures.image, CLIFixtures.image2, "--model", CLIFixtures.model, "--pooled",
                                  "--output", url.path])
        #expect(code == 0, "\(err)")
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(Set(file.tensorNames) == [CLIFixtures.image, CLIFixtures.image2])
        #expect(try file.floatTensor(named: CLIFixtures.image2).scalars == (try CLIFixtures.libraryFeatures(CLIFixtures.image2, pooled: true)).scalars)
    }

    @Test func jsonLayerAndDynamicTiling() throws {
        let url = try CLIFixtures.temporary("features.json")
        var (code, _, err) = run(["embed", CLIFixtures.image, "--model", CLIFixtures.model, "--layer", "-2", "--output", url.path])
        #expect(code == 0, "\(err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let first = try #require((json["images"] as? [[String: Any]])?.first)
        #expect(first["shape"] as? [Int] == [1, 17, 64])
        let values = (first["values"] as? [Double] ?? []).map { Float($0) }
        #expect(values == (try CLIFixtures.libraryFeatures(CLIFixtures.image, layer: -2)).scalars)

        let npy = try CLIFixtures.temporary("dynamic.npy")
        (code, _, err) = run(["embed", CLIFixtures.image, "--model", CLIFixtures.model, "--dynamic", "--output", npy.path])
        #expect(code == 0, "\(err)")
        #expect(try NPY.readFloat(contentsOf: npy).scalars == (try CLIFixtures.libraryFeatures(CLIFixtures.image, dynamic: true)).scalars)
    }

    /// `--pixels` runs ready-made pixel_values; here the reference fixture's inputs.
    @Test func pixelsInput() throws {
        let pixels = CLIFixtures.tests.appendingPathComponent("InternViTTests/Fixtures/cases/internvit-tiny300m_wide_pixels.npy")
        let url = try CLIFixtures.temporary("from-pixels.npy")
        let (code, _, err) = run(["embed", "--pixels", pixels.path, "--model", CLIFixtures.model, "--output", url.path])
        #expect(code == 0, "\(err)")
        let model = try InternViTCheckpoint.load(URL(fileURLWithPath: CLIFixtures.model))
        #expect(try NPY.readFloat(contentsOf: url).scalars == model(try NPY.readFloat(contentsOf: pixels)).scalars)
        let bad = run(["embed", "--pixels", CLIFixtures.image, "--model", CLIFixtures.model])
        #expect(bad.0 == 1)
    }

    @Test func directoryArgumentAndSummary() throws {
        let folder = try CLIFixtures.temporary("x").deletingLastPathComponent()
        try FileManager.default.copyItem(atPath: CLIFixtures.image, toPath: folder.appendingPathComponent("a.png").path)
        try FileManager.default.copyItem(atPath: CLIFixtures.image2, toPath: folder.appendingPathComponent("b.jpg").path)
        try Data("not an image".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let (code, out, _) = run(["embed", folder.path, "--model", CLIFixtures.model])
        #expect(code == 0)
        #expect(out.split(separator: "\n").count == 2 && out.contains("a.png: shape [1, 17, 64], norm "))
    }

    @Test func keepGoingRecordsFailuresAndWritesTheRest() throws {
        let bad = try CLIFixtures.temporary("broken.jpg")
        try Data([0xFF, 0xD8, 0xFF, 0xC0, 0x00]).write(to: bad)
        let url = bad.deletingLastPathComponent().appendingPathComponent("out.npy")
        var (code, _, err) = run(["embed", CLIFixtures.image, bad.path, "--model", CLIFixtures.model, "--output", url.path])
        #expect(code == 1 && err.contains(bad.path), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: url.path), "no output without --keep-going")
        (code, _, err) = run(["embed", CLIFixtures.image, bad.path, "--model", CLIFixtures.model, "--output", url.path, "--keep-going"])
        #expect(code == 1 && err.contains("skipped: \(bad.path)"))
        #expect(try NPY.readFloat(contentsOf: url).shape == [1, 17, 64])
    }
}

@Suite struct CommandErrorTests {
    @Test(arguments: [
        (["embed", "--model", "x"], Int32(2), "no images given"),
        (["embed", "a.png"], 2, "--model DIR|random is required"),
        (["embed", "a.png", "--model", "m", "--format", "csv"], 2, "--format must be one of"),
        (["embed", "a.png", "--model", "m", "--wrong"], 2, "unknown option '--wrong'"),
        (["embed", "a.png", "--model", "m", "--threads"], 2, "--threads needs a value"),
        (["frobnicate"], 2, "unknown command 'frobnicate'"),
        (["embed", "/nonexistent/a.png", "--model", "m"], 1, "/nonexistent/a.png: no such file or directory"),
        (["preprocess", "a.png"], 2, "--output FILE.npy is required"),
        (["bench", "--tiles", "0"], 2, "--tiles must be an integer"),
    ])
    func badCommandLines(_ arguments: [String], _ expectedCode: Int32, _ message: String) {
        let (code, _, err) = run(arguments)
        #expect(code == expectedCode, "\(arguments): \(err)")
        #expect(err.contains(message), "\(arguments): \(err)")
        if expectedCode == 2 { #expect(err.contains("usage: internvit")) }
    }

    @Test func corruptInputsFailWithOneClearLine() throws {
        let image = try CLIFixtures.temporary("corrupt.png")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: CLIFixtures.image))
        bytes[100] ^= 0xFF
        try bytes.write(to: image)
        var (code, _, err) = run(["embed", image.path, "--model", CLIFixtures.model])
        #expect(code == 1 && err.hasPrefix("internvit: \(image.path): ") && err.contains("CRC"), "\(err)")

        // A checkpoint whose model.safetensors is cut short.
        let model = try CLIFixtures.temporary("model")
        try FileManager.default.copyItem(atPath: CLIFixtures.model, toPath: model.path)
        let weights = model.appendingPathComponent("model.safetensors")
        try Data(try Data(contentsOf: weights).prefix(5000)).write(to: weights)
        (code, _, err) = run(["embed", CLIFixtures.image, "--model", model.path])
        #expect(code == 1 && err.contains("model.safetensors") && !err.contains("Fatal"), "\(err)")
    }

    @Test func everyCommandHasHelp() {
        for command in ["embed", "preprocess", "inspect", "bench", "visualize"] {
            let (code, out, _) = run([command, "--help"])
            #expect(code == 0 && out.hasPrefix("usage: internvit \(command)"))
        }
        #expect(run(["--help"]).0 == 0)
        #expect(run([]).0 == 2)
    }
}

@Suite struct OtherCommandTests {
    @Test func preprocessWritesThePixelValues() throws {
        let url = try CLIFixtures.temporary("pixels.npy")
        let (code, _, err) = run(["preprocess", CLIFixtures.image, "--model", CLIFixtures.model, "--output", url.path])
        #expect(code == 0, "\(err)")
        let expected = try InternViTPreprocessing.clip(directory: URL(fileURLWithPath: CLIFixtures.model))
            .pixelValues(try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: CLIFixtures.image)).image)
        #expect(try NPY.readFloat(contentsOf: url).scalars == expected.scalars)
        let tiles = try CLIFixtures.temporary("tiles.npy")
        #expect(run(["preprocess", CLIFixtures.image, "--dynamic", "--max-tiles", "6", "--output", tiles.path]).0 == 0)
        #expect(try NPY.readFloat(contentsOf: tiles).shape == [7, 3, 448, 448])
    }

    @Test func inspectAndBench() {
        let (code, out, _) = run(["inspect", "--model", CLIFixtures.model])
        #expect(code == 0)
        #expect(out.contains("total") && out.contains("encoder.layers.1.mlp") && out.contains("GFLOP"))
        let bench = run(["bench", "--model", CLIFixtures.model, "--iterations", "1", "--threads", "1"])
        #expect(bench.0 == 0 && bench.1.contains("GFLOP/s") && bench.1.contains("load:"), "\(bench.2)")
    }

    @Test func visualizeWritesAPicture() throws {
        let url = try CLIFixtures.temporary("pca.png")
        let (code, _, err) = run(["visualize", CLIFixtures.image, "--model", CLIFixtures.model, "--output", url.path])
        #expect(code == 0, "\(err)")
        let picture = try ImageDecoder.decode(contentsOf: url).image
        #expect(picture.width == 112 && picture.height == 56)
        // The right half is a 4x4 grid of 14-pixel patches of uniform colour.
        #expect(picture[56, 0] == picture[69, 13])
        #expect(Set((0..<4).map { i in "\(picture[56 + 14 * i, 0])" }).count > 1, "patches differ in colour")
    }
}
