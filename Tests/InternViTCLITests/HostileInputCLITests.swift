import Foundation
import Imaging
import InternViT
import Tensor
import Testing

/// A copy of the CLI's fixture model with `config.json` / `preprocessor_config.json` keys
/// replaced by raw JSON text.
func craftedModel(config: [String: String] = [:], preprocessor: [String: String] = [:]) throws -> URL {
    let source = URL(fileURLWithPath: CLIFixtures.model)
    let folder = try CLIFixtures.temporary("model")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
        try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
    }
    for (file, values) in [("config.json", config), ("preprocessor_config.json", preprocessor)] where !values.isEmpty {
        let url = folder.appendingPathComponent(file)
        var text = try String(contentsOf: url, encoding: .utf8)
        for (key, value) in values {
            // Fixture files are pretty-printed with one key per line: replace the line, or add one.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if let index = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("\"\(key)\":") }) {
                let comma = lines[index].hasSuffix(",") ? "," : ""
                var copy = lines.map(String.init)
                copy[index] = "  \"\(key)\": \(value)\(comma)"
                text = copy.joined(separator: "\n")
            } else {
                text = text.replacingOccurrences(of: "{", with: "{\n  \"\(key)\": \(value),", options: [], range: text.range(of: "{"))
            }
        }
        try Data(text.utf8).write(to: url)
    }
    return folder
}

/// The crafted inputs of issue #12 that trapped (exit 132/134) or ran away from the
/// command line now exit 1 with a short message naming the problem.
@Suite struct HostileInputCLITests {
    static func expectShortFailure(_ arguments: [String], mentions words: [String],
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        let (code, _, err) = run(arguments)
        #expect(code == 1, "exit \(code): \(err)", sourceLocation: sourceLocation)
        #expect(err.split(separator: "\n").count <= 8 && err.count < 2000, "long stderr: \(err.prefix(500))", sourceLocation: sourceLocation)
        for word in words { #expect(err.contains(word), "\(err)", sourceLocation: sourceLocation) }
    }

    @Test(arguments: [
        (["num_hidden_layers": "1000000"], "num_hidden_layers"),      // 30 s, 4 GB, 500 MB message
        (["num_hidden_layers": "1000"], "holds 2"),
        (["image_size": "8400"], "parameters"),
        (["hidden_size": "\"1024\""], "hidden_size"),
        (["image_size": "1048576"], "image_size"),
        (["hidden_act": "\"quick_gelu\""], "hidden_act"),
    ])
    func configValues(_ config: [String: String], _ word: String) throws {
        let model = try craftedModel(config: config)
        Self.expectShortFailure(["embed", CLIFixtures.image, "--model", model.path], mentions: [word])
    }

    @Test(arguments: [
        (["crop_size": "10"], "patch"),                      // precondition in the forward
        (["crop_size": "1099511627776"], "crop_size"),       // 2⁴⁰ overflowed
        (["crop_size": "1000000", "size": "1000000"], "size"),  // aborted on allocation
        (["crop_size": "5000"], "tokens"),
        (["size": "{\"shortest_edge\": \"56\"}"], "size"),   // wrong type, once ignored
    ])
    func preprocessorValues(_ preprocessor: [String: String], _ word: String) throws {
        let model = try craftedModel(preprocessor: preprocessor)
        for command in ["embed", "visualize"] {
            var arguments = [command, CLIFixtures.image, "--model", model.path]
            if command == "visualize" { arguments += ["--output", try CLIFixtures.temporary("v.png").path] }
            Self.expectShortFailure(arguments, mentions: [word])
        }
        Self.expectShortFailure(["preprocess", CLIFixtures.image, "--model", model.path, "--output", try CLIFixtures.temporary("p.npy").path],
                                mentions: [word])
    }

    /// Dynamic tiling with a tile size whose grid cannot fit the pixel cap: refused
    /// before the image is read (it asked for terabytes).
    @Test func dynamicTilingWithAHugeImageSize() throws {
        let model = try craftedModel(config: ["image_size": "13370"])
        Self.expectShortFailure(["preprocess", CLIFixtures.image, "--model", model.path, "--dynamic",
                                 "--output", try CLIFixtures.temporary("p.npy").path], mentions: ["config.json", "image_size"])
        Self.expectShortFailure(["embed", CLIFixtures.image, "--model", model.path, "--dynamic"], mentions: ["image_size"])
    }

    /// A 65535 × 1 PNG: the shortest-edge resize would need 39 GB (exit 134 before). With
    /// the center crop only the crop is computed, so it embeds; without a crop the whole
    /// target is refused, and `--keep-going` skips it and embeds the other image.
    @Test func extremeAspectRatioImage() throws {
        let url = try CLIFixtures.temporary("strip.png")
        try Data(PNGWriter.encode(RGBImage(width: 65535, height: 1))).write(to: url)
        #expect(try Data(contentsOf: url).count < 300_000)
        let (code, out, err) = run(["embed", url.path, "--model", CLIFixtures.model])
        #expect(code == 0 && out.contains("shape [1, 17, 64]"), "\(err)")
        let noCrop = try craftedModel(preprocessor: ["do_center_crop": "false"])
        Self.expectShortFailure(["embed", url.path, "--model", noCrop.path], mentions: ["strip.png", "65535 x 1"])
        let (code2, out2, err2) = run(["embed", url.path, CLIFixtures.image, "--model", noCrop.path, "--keep-going"])
        #expect(code2 == 1 && err2.contains("skipped") && err2.contains("1 of 2 images failed"), "\(err2)")
        #expect(out2.contains(CLIFixtures.image))
    }

    /// A JPEG of thousands of empty scans is refused quickly by the scan limit.
    @Test func jpegWithThousandsOfScans() throws {
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00] + [UInt8](repeating: 1, count: 64)
        bytes += [0xFF, 0xC2, 0x00, 0x0B, 8, 0x10, 0x00, 0x10, 0x00, 1, 1, 0x11, 0]                 // 4096 x 4096 gray
        bytes += [0xFF, 0xC4, 0x00, 0x14, 0x00, 1] + [UInt8](repeating: 0, count: 15) + [0]
        for _ in 0..<3000 { bytes += [0xFF, 0xDA, 0x00, 0x08, 1, 1, 0x00, 0, 0, 0] }
        bytes += [0xFF, 0xD9]
        let url = try CLIFixtures.temporary("scans.jpg")
        try Data(bytes).write(to: url)
        Self.expectShortFailure(["embed", url.path, "--model", CLIFixtures.model], mentions: ["scans.jpg", "500 scans"])
    }
}
