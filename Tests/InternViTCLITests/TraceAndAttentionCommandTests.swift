import Foundation
import Imaging
import InternViT
import InternViTCLI
import Tensor
import Testing

/// `internvit trace` and `internvit attention` on the tiny official-layout checkpoint.
@Suite struct TraceAndAttentionCommandTests {
    static func pixels() throws -> Tensor<Float> {
        let directory = URL(fileURLWithPath: CLIFixtures.model)
        guard case .clip(let processor) = try InternViTPreprocessing.clip(directory: directory) else {
            throw RuntimeFailureForTests.notClip
        }
        return try processor(try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: CLIFixtures.image)).image)   // [1, 3, 56, 56]
    }
    enum RuntimeFailureForTests: Error { case notClip }

    @Test func traceJSONHasTheKeysAndTheLibraryValues() throws {
        let (code, out, err) = run(["trace", CLIFixtures.image, "--model", CLIFixtures.model, "--json"])
        #expect(code == 0, "\(err)")
        // The package's own parser: it reads numbers with Double(String), which round-trips
        // the shortest representation the command writes exactly.
        let objects = try #require(try JSONValue.parse(out).arrayValue)
        let model = try InternViTCheckpoint.load(URL(fileURLWithPath: CLIFixtures.model))
        let expected = model.traceStatistics(try Self.pixels())
        #expect(objects.count == expected.count && expected.count == 19)
        for (object, step) in zip(objects, expected) {
            #expect(Set((object.objectPairs ?? []).map(\.0)) == ["name", "shape", "mean", "std", "min", "max"])
            #expect(object["name"]?.stringValue == step.name)
            #expect(object["shape"]?.arrayValue?.compactMap(\.intValue) == step.shape)
            #expect(object["mean"]?.doubleValue == step.mean && object["std"]?.doubleValue == step.std, "\(step.name)")
            #expect(object["min"]?.doubleValue == step.min && object["max"]?.doubleValue == step.max, "\(step.name)")
        }
    }

    @Test func traceTableForOneLayer() {
        let (code, out, err) = run(["trace", CLIFixtures.image, "--model", CLIFixtures.model, "--layer", "-1"])
        #expect(code == 0, "\(err)")
        let lines = out.split(separator: "\n")
        #expect(lines.count == 10)
        #expect(lines.first?.hasPrefix("step ") == true)
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("encoder.layers.1") })
        #expect(lines.contains { $0.hasPrefix("encoder.layers.1.mlp.act ") && $0.contains("[1, 17, 256]") })
    }

    /// Decodes the written PNG; checks its geometry (crop | heat map | 100-pixel legend).
    static func picture(_ arguments: [String]) throws -> (RGBImage, Data) {
        let url = try CLIFixtures.temporary("attention.png")
        let (code, _, err) = run(["attention", CLIFixtures.image, "--model", CLIFixtures.model, "--output", url.path] + arguments)
        #expect(code == 0, "\(err)")
        let data = try Data(contentsOf: url)
        let image = try ImageDecoder.decode(data).image
        #expect(image.width == 2 * 56 + AttentionPicture.legendWidth && image.height == 56)
        return (image, data)
    }

    /// The heat-map panel shows `values` (4 × 4 patches of 14 pixels): every pixel of a
    /// cell is the palette colour of round(255 · (v − min)/(max − min)) (or a colour equal
    /// to it: neighbouring palette entries may coincide).
    static func expectHeatMap(_ image: RGBImage, shows values: [Double], _ context: String) {
        let low = values.min()!, high = values.max()!
        #expect(high > low, "\(context): flat map")
        for (cell, v) in values.enumerated() {
            let index = Int((255 * (v - low) / (high - low)).rounded())
            let wanted = AttentionPicture.palette[index]
            for (dx, dy) in [(0, 0), (7, 7), (13, 13)] {
                let x = 56 + (cell % 4) * 14 + dx, y = (cell / 4) * 14 + dy
                let pixel = image[x, y]
                if pixel != wanted {
                    Issue.record("\(context): cell \(cell) pixel \(pixel) is not palette[\(index)] = \(wanted)")
                    return
                }
            }
        }
    }

    /// `--layer -1` draws row 0 of the last layer's probabilities, mean over heads,
    /// without the class token's own column; `--head 2` that head only. The same command
    /// twice writes the same bytes.
    @Test func layerMapDrawsTheClassTokenRow() throws {
        let model = try InternViTCheckpoint.load(URL(fileURLWithPath: CLIFixtures.model))
        let probabilities = try #require(model.forward(try Self.pixels(), attentionLayer: -1).attention)   // [1, 4, 17, 17]
        func row(head: Int) -> [Double] { (1..<17).map { Double(probabilities[0, head, 0, $0]) } }
        let mean = (0..<16).map { j in (0..<4).map { row(head: $0)[j] }.reduce(0, +) / 4 }
        let (image, bytes) = try Self.picture(["--layer", "-1"])
        Self.expectHeatMap(image, shows: mean, "layer -1")
        let (again, bytesAgain) = try Self.picture(["--layer", "1"])
        #expect(bytes == bytesAgain && image == again, "not deterministic, or -1 is not the last layer")
        let (headImage, _) = try Self.picture(["--layer", "-1", "--head", "2"])
        Self.expectHeatMap(headImage, shows: row(head: 2), "head 2")
    }

    /// Rollout against an independent computation in Double: per layer the head mean
    /// plus the identity, rows renormalised, multiplied first layer first.
    @Test func rolloutMatchesAnIndependentComputation() throws {
        let model = try InternViTCheckpoint.load(URL(fileURLWithPath: CLIFixtures.model))
        let pixels = try Self.pixels()
        let n = 17
        var rollout = (0..<n).map { i in (0..<n).map { j in i == j ? 1.0 : 0.0 } }
        for layer in 0..<model.config.numHiddenLayers {
            let p = try #require(model.forward(pixels, attentionLayer: layer).attention)        // [1, H, N, N]
            let heads = p.shape[1]
            var a = (0..<n).map { i in (0..<n).map { j in
                (0..<heads).map { Double(p[0, $0, i, j]) }.reduce(0, +) / Double(heads) + (i == j ? 1 : 0)
            } }
            for i in 0..<n { let s = a[i].reduce(0, +); a[i] = a[i].map { $0 / s } }
            rollout = (0..<n).map { i in (0..<n).map { j in (0..<n).map { a[i][$0] * rollout[$0][j] }.reduce(0, +) } }
        }
        let (image, bytes) = try Self.picture(["--rollout"])
        Self.expectHeatMap(image, shows: Array(rollout[0][1...]), "rollout")
        let (_, bytesAgain) = try Self.picture(["--rollout"])
        #expect(bytes == bytesAgain)
    }

    static let badCommandLines: [([String], String)] = [
        (["--layer", "0", "--rollout"], "give either --layer L or --rollout"),
        ([], "give either --layer L or --rollout"),
        (["--rollout", "--head", "1"], "--head needs --layer"),
        (["--layer", "2"], "--layer must be an integer in -2...1"),
        (["--layer", "0", "--head", "4"], "--head must be an integer in 0...3"),
    ]

    @Test(arguments: badCommandLines)
    func badAttentionCommandLines(_ extra: [String], _ message: String) throws {
        let url = try CLIFixtures.temporary("never.png")
        let (code, _, err) = run(["attention", CLIFixtures.image, "--model", CLIFixtures.model, "--output", url.path] + extra)
        #expect(code == 2)
        #expect(err.contains(message), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    /// The output is checked before any work: a PNG name, never one of the inputs.
    @Test func attentionOutputChecks() throws {
        var (code, _, err) = run(["attention", CLIFixtures.image, "--model", CLIFixtures.model, "--layer", "0",
                                  "--output", try CLIFixtures.temporary("map.jpg").path])
        #expect(code == 2 && err.contains("--output must be a .png file"), "\(err)")
        let copy = try CLIFixtures.temporary("input.png")
        try FileManager.default.copyItem(atPath: CLIFixtures.image, toPath: copy.path)
        let before = try Data(contentsOf: copy)
        (code, _, err) = run(["attention", copy.path, "--model", CLIFixtures.model, "--layer", "0", "--output", copy.path])
        #expect(code == 2 && err.contains("is an input of this command"), "\(err)")
        #expect(try Data(contentsOf: copy) == before)
    }

    @Test func traceRejectsALayerOutOfRange() {
        let (code, _, err) = run(["trace", CLIFixtures.image, "--model", CLIFixtures.model, "--layer", "-3"])
        #expect(code == 2 && err.contains("--layer must be an integer in -2...1"), "\(err)")
    }
}
