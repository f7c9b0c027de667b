import Foundation
import Imaging
import InternViT
import LinearProbe
import Tensor
import Testing
import TestScratch

/// The probe end to end on a small synthetic image folder (embedded by the batch
/// embedding with the tiny random model), and its refusals of bad input.
@Suite struct ProbePipelineTests {
    /// A fresh temporary folder.
    static func temporaryFolder() throws -> URL {
        try ScratchFolder.make("probe-tests")
    }

    /// An ImageFolder with `classes` classes of `perClass` 32×32 images: class k is a
    /// colour (red, green, blue, …) with seeded noise, so any features separate them.
    static func writeFolder(_ root: URL, classes: [String], perClass: Int) throws {
        let colours: [[Int]] = [[220, 30, 30], [30, 200, 40], [40, 40, 220], [230, 230, 40]]
        var generator = SeededGenerator(seed: 5)
        for (k, name) in classes.enumerated() {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<perClass {
                var pixels = [UInt8]()
                for _ in 0..<(32 * 32) {
                    for c in 0..<3 { pixels.append(UInt8(Swift.max(0, Swift.min(255, colours[k][c] + Int(generator.next() % 41) - 20)))) }
                }
                try PNGWriter.write(RGBImage(width: 32, height: 32, pixels: pixels), to: folder.appendingPathComponent("img\(i).png"))
            }
        }
    }

    static func tinyModel() -> InternVisionModel {
        let model = InternVisionModel(config: .tiny)
        model.initializeRandomly(seed: 0, dtype: .float32)
        return model
    }

    @Test func trainsSavesLoadsAndPredicts() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data"), probeFolder = root.appendingPathComponent("probe")
        try Self.writeFolder(data, classes: ["blue", "green", "red"], perClass: 6)
        try Data("not an image".utf8).write(to: data.appendingPathComponent("red/notes.txt"))
        let folder = try LabelledImageFolder(scanning: data)
        #expect(folder.classes == ["blue", "green", "red"])
        #expect(folder.inputs.count == 18 && folder.labels == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2])
        #expect(folder.ignored == ["red/notes.txt"])

        try TrainedLinearProbe.prepareFolder(probeFolder)
        let stale = probeFolder.appendingPathComponent(ProbeFeatures.temporaryPrefix + "left-by-a-killed-run")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        let featuresFile = probeFolder.appendingPathComponent("features.safetensors")
        let features = try ProbeFeatures.embed(folder.inputs, model: Self.tinyModel(), preprocessing: .clip(directory: nil, imageSize: 224),
                                               features: featuresFile)             // [18, 64]
        #expect(features.shape == [18, 64])
        // The merged file is the batch embedding's: rows in input order, paths beside it.
        let (read, paths) = try ProbeFeatures.read(featuresFile)
        #expect(read.scalars == features.scalars && paths == folder.inputs.names)
        #expect(try ProbeLabels.fromPaths(paths, file: "f").labels == folder.labels)
        // No temporary embedding folder is left behind (a stale one is removed).
        #expect(try FileManager.default.contentsOfDirectory(atPath: probeFolder.path).sorted()
                == ["features.paths.txt", "features.safetensors"])

        let outcome = try LinearProbeTraining.train(features: features, labels: folder.labels, classes: folder.classes)
        #expect(outcome.split.heldOut.count == 3 && outcome.split.train.count == 15)   // 1 of 6 per class (20 %)
        #expect(outcome.heldOut.accuracy == 1, "colours must separate: \(outcome.heldOut.text)")
        try outcome.probe.save(to: probeFolder)
        let loaded = try TrainedLinearProbe.load(from: probeFolder)
        #expect(loaded.classes == folder.classes && loaded.standardization == outcome.probe.standardization)
        #expect(try loaded.predict(features).labels == folder.labels)
        #expect(try loaded.predict(features).probabilities.scalars == (try outcome.probe.predict(features)).probabilities.scalars)
    }

    @Test func splitIsStratifiedSeededAndComplete() throws {
        let labels = [Int](repeating: 0, count: 50) + [Int](repeating: 1, count: 10) + [Int](repeating: 2, count: 3)
        let split = try StratifiedSplit(labels: labels, classCount: 3, heldOutFraction: 0.2, seed: 7)
        #expect(Set(split.train).isDisjoint(with: split.heldOut) && (split.train + split.heldOut).sorted() == Array(0..<63))
        #expect(split.heldOut.map { labels[$0] }.reduce(into: [0, 0, 0]) { $0[$1] += 1 } == [10, 2, 1])
        #expect(try StratifiedSplit(labels: labels, classCount: 3, heldOutFraction: 0.2, seed: 7) == split)
        #expect(try StratifiedSplit(labels: labels, classCount: 3, heldOutFraction: 0.2, seed: 8) != split)
        #expect(throws: LinearProbeError.self) { try StratifiedSplit(labels: [0, 0, 1], classCount: 2, heldOutFraction: 0.2, seed: 0) }
    }

    // MARK: Hostile input

    @Test func emptyClassFolderIsNamed() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.writeFolder(root, classes: ["a", "b"], perClass: 2)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: root.appendingPathComponent("empty/readme.md"))
        let error = try #require(throws: LinearProbeError.self) { try LabelledImageFolder(scanning: root) }
        #expect(error.description.contains("class folder 'empty'") && error.description.contains("has no images"))
    }

    @Test func oneClassOrNoneIsRefused() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(throws: LinearProbeError.self) { try LabelledImageFolder(scanning: root) }            // no class folders
        try Self.writeFolder(root, classes: ["only"], perClass: 2)
        let error = try #require(throws: LinearProbeError.self) { try LabelledImageFolder(scanning: root) }
        #expect(error.description.contains("at least two classes"))
        #expect(throws: LinearProbeError.self) { try LabelledImageFolder(scanning: root.appendingPathComponent("missing")) }
        #expect(throws: LinearProbeError.self) { try ProbeLabels.fromPaths(["only/a.png", "only/b.png"], file: "f") }
        #expect(throws: LinearProbeError.self) { try ProbeLabels.fromPaths(["a/x.png", "flat.png"], file: "f") }
    }

    /// A file with an image extension that does not decode stops the run, naming it.
    @Test func corruptImageIsNamed() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try Self.writeFolder(data, classes: ["a", "b"], perClass: 2)
        try Data("this is not a PNG".utf8).write(to: data.appendingPathComponent("b/broken.png"))
        let folder = try LabelledImageFolder(scanning: data)
        let error = try #require(throws: LinearProbeError.self) {
            try ProbeFeatures.embed(folder.inputs, model: Self.tinyModel(), preprocessing: .clip(directory: nil, imageSize: 224),
                                    features: root.appendingPathComponent("features.safetensors"))
        }
        #expect(error.description.contains("b/broken.png") && error.description.contains("1 of 5 images"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("features.safetensors").path))
    }

    @Test func mismatchedFeatureWidthIsRefused() throws {
        let probe = TrainedLinearProbe(classes: ["a", "b"], standardization: FeatureStandardization(mean: [0, 0, 0], std: [1, 1, 1]),
                                       classifier: SoftmaxRegression(weight: .zeros([2, 3]), bias: .zeros([2])),
                                       training: ["model": "random-tiny"])
        let error = try #require(throws: LinearProbeError.self) { try probe.predict(.zeros([4, 5])) }
        #expect(error.description.contains("trained on 3 features"))
        // A probe folder whose weights disagree with probe.json.
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try probe.save(to: root)
        try SafeTensorsWriter.write([("weight", AnyTensor(Tensor<Float>.zeros([2, 4]))), ("bias", AnyTensor(Tensor<Float>.zeros([2])))],
                                    to: root.appendingPathComponent(TrainedLinearProbe.weightsFile))
        #expect(throws: LinearProbeError.self) { try TrainedLinearProbe.load(from: root) }
        try Data("{\"classes\": [\"a\"]}".utf8).write(to: root.appendingPathComponent(TrainedLinearProbe.descriptionFile))
        #expect(throws: LinearProbeError.self) { try TrainedLinearProbe.load(from: root) }
    }

    @Test func labelsFileNamingUnknownClassIsRefused() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("labels.csv")
        let paths = ["x/1.png", "x/2,with comma.png"]
        try Data("x/1.png,cat\nx/2,with comma.png,dog\n".utf8).write(to: file)
        #expect(try ProbeLabels.read(file, paths: paths, classes: ["cat", "dog"]) == [0, 1])
        try Data("x/1.png,cat\nx/2,with comma.png,horse\n".utf8).write(to: file)
        let error = try #require(throws: LinearProbeError.self) { try ProbeLabels.read(file, paths: paths, classes: ["cat", "dog"]) }
        #expect(error.description.contains("line 2: class 'horse' is not one of the probe's classes"))
        try Data("x/1.png,cat\n".utf8).write(to: file)
        #expect(throws: LinearProbeError.self) { try ProbeLabels.read(file, paths: paths, classes: ["cat", "dog"]) }  // unlabelled
        try Data("x/3.png,cat\n".utf8).write(to: file)
        #expect(throws: LinearProbeError.self) { try ProbeLabels.read(file, paths: paths, classes: ["cat", "dog"]) }  // unknown path
    }

    /// An output that is a file, or a folder that cannot be written, fails before any
    /// work; an existing file at the path is left as it was.
    @Test func unwritableOutputIsRefused() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("a-file")
        try Data("keep me".utf8).write(to: file)
        #expect(throws: LinearProbeError.self) { try TrainedLinearProbe.prepareFolder(file) }
        #expect(throws: LinearProbeError.self) { try TrainedLinearProbe.prepareFolder(file.appendingPathComponent("probe")) }
        #expect(try String(contentsOf: file, encoding: .utf8) == "keep me")
        let probe = TrainedLinearProbe(classes: ["a", "b"], standardization: FeatureStandardization(mean: [0], std: [1]),
                                       classifier: SoftmaxRegression(weight: .zeros([2, 1]), bias: .zeros([2])))
        #expect(throws: LinearProbeError.self) { try probe.save(to: file.appendingPathComponent("probe")) }
        if getuid() != 0 {                       // root may write anywhere
            let locked = root.appendingPathComponent("locked")
            try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: locked.path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: locked.path) }
            #expect(throws: LinearProbeError.self) { try TrainedLinearProbe.prepareFolder(locked) }
        }
    }

    @Test func featuresFileThatIsNotPooledIsRefused() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("f.safetensors")
        try SafeTensorsWriter.write([("embeddings", AnyTensor(Tensor<Float>.zeros([2, 3, 4])))], to: file)
        try Data("a/1.png\nb/2.png\n".utf8).write(to: root.appendingPathComponent("f.paths.txt"))
        let error = try #require(throws: LinearProbeError.self) { try ProbeFeatures.read(file) }
        #expect(error.description.contains("pooled"))
        try SafeTensorsWriter.write([("embeddings", AnyTensor(Tensor<Float>.zeros([3, 4])))], to: file)
        #expect(throws: LinearProbeError.self) { try ProbeFeatures.read(file) }          // 2 paths for 3 rows
        try SafeTensorsWriter.write([("embeddings", AnyTensor(Tensor<Float>([1, .nan], shape: [2, 1])))], to: file)
        #expect(throws: LinearProbeError.self) { try ProbeFeatures.read(file) }          // not finite
    }
}
