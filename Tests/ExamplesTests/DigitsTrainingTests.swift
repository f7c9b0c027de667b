import Autograd
import DigitsTraining
import Foundation
import Imaging
import InternViT
import NN
import Tensor
import Testing

/// vit-train's library: data parsing (and hostile files), a short deterministic training
/// run, and the saved folder read back through the inference path.
@Suite struct DigitsTrainingTests {
    /// `count` rows of seeded random pixels 0…16 with label = (sum of the top half) mod 10,
    /// as CSV text with 65 fields per line.
    static func syntheticCSV(rows count: Int, seed: UInt64 = 1) -> String {
        var generator = SeededGenerator(seed: seed)
        var lines: [String] = []
        for _ in 0..<count {
            let pixels = (0..<64).map { _ in Int(generator.next() % 17) }
            lines.append((pixels.map(String.init) + [String(pixels[0..<32].reduce(0, +) % 10)]).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vit-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func error(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return "\(error)" }
        return nil
    }

    static var tinyRecipe: TrainingRecipe {
        var recipe = TrainingRecipe()
        recipe.epochs = 2; recipe.batchSize = 16; recipe.warmupEpochs = 1
        recipe.width = 16; recipe.depth = 2; recipe.heads = 2; recipe.mlpRatio = 2; recipe.averageDecay = 0
        return recipe
    }

    @Test func parsesLabelledAndBlankedRows() throws {
        let pixels = (0..<64).map { String($0 % 17) }.joined(separator: ",")
        let text = "\(pixels),7\r\n\n\(pixels),\n\(pixels)\n\(pixels), ?\n"
        let data = try DigitsData.parse(Array(text.utf8), source: "t.csv", requireLabels: false)
        #expect(data.count == 4)
        #expect(data.labels == [-1, -1, -1, -1])
        #expect(data.pixels[0..<3] == [0, 1 / 16, 2 / 16] && data.pixels[16] == 1)
        let labelled = try DigitsData.parse(Array("\(pixels),7\n\(pixels), 0 \n".utf8), source: "t.csv", requireLabels: true)
        #expect(labelled.labels == [7, 0])
        #expect(data.pixelValues([1]).count == 192)
        #expect(Array(data.pixelValues([1])[64..<128]) == Array(data.pixels[64..<128]))
    }

    @Test func hostileDataGivesClearErrors() throws {
        let pixels = (0..<64).map { _ in "3" }.joined(separator: ",")
        func parse(_ text: String, labels: Bool = true) -> String? {
            Self.error { _ = try DigitsData.parse(Array(text.utf8), source: "d.csv", requireLabels: labels) }
        }
        #expect(parse("1,2,3\n")?.contains("line 1: 3 columns") == true)
        #expect(parse("\(pixels),1,2\n")?.contains("66 columns") == true)
        #expect(parse("\(pixels),1\n\(pixels.replacingOccurrences(of: "3,3,3", with: "3,17,3")),1\n")?
                    .contains("line 2 column 2: pixel '17' is not a number in 0…16") == true)
        #expect(parse("\(pixels.replacingOccurrences(of: "3,3", with: "3,-1")),1\n")?.contains("not a number in 0…16") == true)
        #expect(parse("\(pixels.replacingOccurrences(of: "3,3", with: "3,x")),1\n")?.contains("pixel 'x'") == true)
        #expect(parse("\(pixels),10\n")?.contains("label '10' is not a digit 0…9") == true)
        #expect(parse("\(pixels),\n")?.contains("label '' is not a digit") == true)
        #expect(parse("\(pixels)\n")?.contains("no label column") == true)
        #expect(parse("\(pixels),10\n", labels: false) == nil)
        #expect(parse("\n\n")?.contains("no rows") == true)
        #expect(Self.error { _ = try DigitsData.parse([0xFF, 0xFE, 0x00], source: "d.csv", requireLabels: false) }?
                    .contains("not UTF-8") == true)

        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let gzip = try gzipped(Self.syntheticCSV(rows: 4))
        let truncated = directory.appendingPathComponent("truncated.csv.gz")
        try Data(gzip.prefix(gzip.count / 2)).write(to: truncated)
        #expect(Self.error { _ = try DigitsData.load(truncated.path, requireLabels: true) }?.contains("not a valid gzip file") == true)
        var corrupt = gzip
        for i in 12..<Swift.min(40, corrupt.count) { corrupt[i] ^= 0x5A }
        let corruptURL = directory.appendingPathComponent("corrupt.csv.gz")
        try Data(corrupt).write(to: corruptURL)
        #expect(Self.error { _ = try DigitsData.load(corruptURL.path, requireLabels: true) } != nil)
        let good = directory.appendingPathComponent("good.csv.gz")
        try Data(gzip).write(to: good)
        #expect(try DigitsData.load(good.path, requireLabels: true).count == 4)
        #expect(Self.error { _ = try DigitsData.load(directory.path, requireLabels: true) }?.contains("is a directory") == true)
        #expect(Self.error { _ = try DigitsData.load(directory.path + "/none", requireLabels: true) }?.contains("no such file") == true)
    }

    /// Deflate-stored gzip of `text` (no compression: enough to test framing).
    func gzipped(_ text: String) throws -> [UInt8] {
        let bytes = Array(text.utf8)
        precondition(bytes.count < 65_535)
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255, 1]
        out += [UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8), UInt8(~bytes.count & 0xFF), UInt8((~bytes.count >> 8) & 0xFF)]
        out += bytes
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc = ~crc
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((crc >> UInt32(shift)) & 0xFF)) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((UInt32(bytes.count) >> UInt32(shift)) & 0xFF)) }
        #expect(try Gzip.decompress(out, limit: 1 << 20) == bytes)
        return out
    }

    @Test func sameSeedSameBytesAndInferenceRoundTrip() throws {
        let data = try DigitsData.parse(Array(Self.syntheticCSV(rows: 48).utf8), source: "synthetic", requireLabels: true)
        let train = data.rows(0..<40), heldOut = data.rows(40..<48)
        var reports: [EpochReport] = []
        let (model, losses) = try DigitsTrainer.train(train, heldOut: heldOut, seed: 7, recipe: Self.tinyRecipe,
                                                  epochDone: { reports.append($0) })
        let (again, lossesAgain) = try DigitsTrainer.train(train, heldOut: heldOut, seed: 7, recipe: Self.tinyRecipe)
        let (other, _) = try DigitsTrainer.train(train, heldOut: heldOut, seed: 8, recipe: Self.tinyRecipe)
        #expect(reports.map(\.epoch) == [1, 2] && reports.allSatisfy { $0.heldOutAccuracy != nil })
        #expect(losses.count == 6 && losses == lossesAgain)
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("a"), second = directory.appendingPathComponent("b")
        try model.save(to: first)
        try again.save(to: second)
        for file in ["config.json", "model.safetensors", "head.safetensors"] {
            let bytes = try Data(contentsOf: first.appendingPathComponent(file))
            #expect(bytes == (try Data(contentsOf: second.appendingPathComponent(file))), "\(file) differs between runs")
        }
        #expect(model.vision.encoder.layers[0].attn.attention.qkv!.weight.float.scalars
                    != other.vision.encoder.layers[0].attn.attention.qkv!.weight.float.scalars)
        // Trained: the values moved away from the seeded initialisation.
        let fresh = DigitsClassifier(config: Self.tinyRecipe.config)
        fresh.initialize(seed: 7)
        #expect(fresh.head.weight.float.maxAbsDifference(model.head.weight.float) > 1e-4)

        // The folder loads through the inference loaders; the official loader alone reads
        // config.json and model.safetensors unchanged.
        let official = try InternViTCheckpoint.load(first)
        #expect(official.config == Self.tinyRecipe.config)
        let loaded = try DigitsClassifier.load(first)
        let pixels = Tensor(data.pixelValues(0..<48), shape: [48, 3, 8, 8])          // [48, 3, 8, 8]
        let context = TrainingContext(parameters: model.trainableParameters(), isTraining: false)
        let tape = model(Variable(pixels), context).value                            // [48, 10]
        let inference = loaded.logits(pixels)                                        // [48, 10]
        // Same float32 weights, same maths, other summation order (see NNTests'
        // TrainingForwardTests): 1e-5 of scale.
        let scale = Double(tape.abs().max())
        #expect(inference.maxAbsDifference(tape) <= 1e-5 * Swift.max(scale, 1e-3))
        #expect(loaded.predict(data) == tape.argmax(axis: -1).scalars.map { Int($0) })
        #expect(loaded.predict(data) == model.predict(data))
    }

    @Test func movingAverageIsEvaluatedAndKept() throws {
        let data = try DigitsData.parse(Array(Self.syntheticCSV(rows: 48).utf8), source: "synthetic", requireLabels: true)
        var recipe = Self.tinyRecipe
        recipe.averageDecay = 0.9
        var reports: [EpochReport] = []
        let (averaged, _) = try DigitsTrainer.train(data.rows(0..<40), heldOut: data.rows(40..<48), seed: 7, recipe: recipe,
                                                    epochDone: { reports.append($0) })
        let (raw, _) = try DigitsTrainer.train(data.rows(0..<40), heldOut: data.rows(40..<48), seed: 7, recipe: Self.tinyRecipe)
        #expect(reports.allSatisfy { $0.rawHeldOutAccuracy != nil && $0.heldOutAccuracy != nil })
        // Same steps (the average does not touch the optimisation), other kept weights.
        let difference = averaged.head.weight.float.maxAbsDifference(raw.head.weight.float)
        #expect(difference > 1e-6)
    }

    @Test func unusableOutputFoldersAreRefusedBeforeTraining() throws {
        let directory = try Self.temporaryDirectory()
        defer {
            chmod(directory.appendingPathComponent("locked").path, 0o755)
            try? FileManager.default.removeItem(at: directory)
        }
        let file = directory.appendingPathComponent("file")
        try Data("keep".utf8).write(to: file)
        #expect(Self.error { _ = try prepareOutputFolder(file.path) }?.contains("exists and is not a directory") == true)
        #expect(try Data(contentsOf: file) == Data("keep".utf8))
        let locked = directory.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        chmod(locked.path, 0o555)
        if getuid() != 0 {
            #expect(Self.error { _ = try prepareOutputFolder(locked.path) }?.contains("not writable") == true)
        }
        #expect(Self.error { _ = try prepareOutputFolder(file.path + "/sub") }?.contains("cannot create the folder") == true)
        #expect(try prepareOutputFolder(directory.appendingPathComponent("new/deeper").path).hasDirectoryPath == true
                    || FileManager.default.fileExists(atPath: directory.appendingPathComponent("new/deeper").path))
        #expect(Self.error { _ = try DigitsClassifier.load(directory) }?.contains("cannot load the model") == true)
    }

    @Test func lossCurveIsDrawn() throws {
        let losses = (0..<100).map { Float(2.3) * Float(Foundation.exp(-Double($0) / 30)) }
        let image = LossCurve.image(losses: losses, epochs: 10, accuracies: (0..<10).map { Double($0) / 10 })
        #expect(image.width == 720 && image.height == 400)
        let dark = stride(from: 0, to: image.pixels.count, by: 3).filter { image.pixels[$0 + 2] > 150 && image.pixels[$0] < 60 }
        #expect(dark.count > 300, "the per-epoch loss line is drawn")
        #expect(PNGWriter.encode(image).starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}
