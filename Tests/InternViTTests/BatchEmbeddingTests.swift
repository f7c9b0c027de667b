import Foundation
import Imaging
import InternViT
import Tensor
import Testing
import TestScratch

/// A scratch directory with copies of the image fixtures (PNG and JPEG photos of several
/// sizes) and one corrupt file, for batch embedding tests.
enum BatchFixtures {
    static let images = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ImagingTests/Fixtures")
    static let model = InternViTFixtures.checkpoint("internvit-tiny300m")

    static func scratch() throws -> URL {
        try ScratchFolder.make("internvit-batch")
    }

    /// `count` images (JPEGs from the fixtures, then PNGs), some in a subfolder, plus
    /// `corrupt.jpg` (text, not an image) when asked. Throws if the fixtures are missing.
    static func imageFolder(count: Int, corrupt: Bool) throws -> URL {
        let folder = try scratch().appendingPathComponent("images")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let jpegs = try FileManager.default.contentsOfDirectory(atPath: images.appendingPathComponent("jpeg").path)
            .filter { $0.hasSuffix(".jpg") }.sorted().map { images.appendingPathComponent("jpeg/\($0)") }
        let pngs = try FileManager.default.contentsOfDirectory(atPath: images.appendingPathComponent("clip").path)
            .filter { $0.hasSuffix(".png") }.sorted().map { images.appendingPathComponent("clip/\($0)") }
        let sources = jpegs + pngs
        try #require(sources.count >= count, "image fixtures missing under \(images.path)")
        for (i, source) in sources.prefix(count).enumerated() {
            let target = i % 3 == 0 ? folder.appendingPathComponent("sub/\(source.lastPathComponent)")
                : folder.appendingPathComponent(source.lastPathComponent)
            try FileManager.default.copyItem(at: source, to: target)
        }
        if corrupt { try Data("not an image".utf8).write(to: folder.appendingPathComponent("corrupt.jpg")) }
        return folder
    }

    static func job(_ inputs: EmbeddingInputs, _ output: URL, shard: EmbeddingShard = .whole, resume: Bool = false,
                    rowsPerPart: Int = 3) throws -> BatchEmbeddingJob {
        var options = BatchEmbeddingOptions()
        options.shard = shard
        options.resume = resume
        options.rowsPerPart = rowsPerPart
        return try BatchEmbeddingJob(model: try InternViTCheckpoint.load(model), preprocessing: try .clip(directory: model),
                                     inputs: inputs, outputDirectory: output, options: options)
    }
}

@Suite struct EmbeddingInputsTests {
    @Test func directoryWalkIsRecursiveAndBytewiseOrdered() throws {
        let root = try BatchFixtures.scratch()
        for name in ["b.png", "a/z.jpg", "B.JPG", "a.jpg", "é.png", "notes.txt", "out/x.png", "a/deeper/c.ppm"] {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data([1]).write(to: url)
        }
        let inputs = try EmbeddingInputs.directory(root, excluding: root.appendingPathComponent("out"))
        // Bytewise: 'B' (0x42) < 'a'; "a.jpg" < "a/…" because '.' (0x2E) < '/' (0x2F); 'é' (0xC3…) last.
        #expect(inputs.names == ["B.JPG", "a.jpg", "a/deeper/c.ppm", "a/z.jpg", "b.png", "é.png"])
        #expect((0..<inputs.count).map { inputs.file($0).lastPathComponent } == ["B.JPG", "a.jpg", "c.ppm", "z.jpg", "b.png", "é.png"])
    }

    @Test func inputListKeepsFileOrderAndSkipsEmptyLines() throws {
        let list = try BatchFixtures.scratch().appendingPathComponent("list.txt")
        try Data("z.jpg\r\n\nsub/a.png\n/abs/b.jpg".utf8).write(to: list)
        let inputs = try EmbeddingInputs.list(contentsOf: list)
        #expect(inputs.names == ["z.jpg", "sub/a.png", "/abs/b.jpg"])
        #expect(inputs.file(2).path == "/abs/b.jpg" && inputs.root == nil)
        #expect(inputs.fingerprint != (try EmbeddingInputs(names: ["sub/a.png", "z.jpg", "/abs/b.jpg"])).fingerprint)
        #expect(throws: BatchEmbeddingError.self) { try EmbeddingInputs(names: ["a\nb"]) }
    }

    @Test func shardsAreModuloAndValidated() throws {
        let shard = try EmbeddingShard(parsing: "1/3")
        #expect((0..<10).filter(shard.owns) == [1, 4, 7])
        #expect(shard.fileTag == "shard-00001-of-00003")
        for bad in ["3/3", "-1/3", "1/0", "1", "a/b", "1/3/4", ""] {
            #expect(throws: BatchEmbeddingError.self, "\(bad)") { try EmbeddingShard(parsing: bad) }
        }
    }
}

@Suite struct EmbeddingManifestTests {
    @Test func aTornGroupIsNotCommittedButADamagedMiddleLineIsAnError() throws {
        let url = try BatchFixtures.scratch().appendingPathComponent("manifest.jsonl")
        let header = #"{"manifest":"internvit-embed","version":1,"shard":0,"shards":2,"inputs":4,"inputs_fingerprint":"f","output":"pooler_output"}"#
        let group = #"{"index":0,"path":"a.jpg","status":"ok","part":"p0","row":0}"# + "\n"
            + #"{"index":2,"path":"b.jpg","status":"failed","error":"b.jpg: bad"}"# + "\n"
            + #"{"commit":0,"part":"p0","ok":1,"failed":1}"# + "\n"
        let torn = #"{"index":4,"path":"c.jpg","status":"ok","part":"p1","row":0}"# + "\n" + #"{"commit":1,"pa"#
        try Data((header + "\n" + group + torn).utf8).write(to: url)
        let manifest = try EmbeddingManifest.read(url)
        #expect(manifest.records.map(\.index) == [0, 2])
        #expect(manifest.records[1].error == "b.jpg: bad")
        #expect(manifest.commits == ["p0"])
        #expect(manifest.committedLength == (header + "\n" + group).utf8.count)
        #expect(manifest.header.shard == (try EmbeddingShard(index: 0, count: 2)))

        try Data((header + "\n" + "{\"index\":0,\"pa\n" + group).utf8).write(to: url)
        #expect(throws: BatchEmbeddingError.self) { try EmbeddingManifest.read(url) }
        try Data("{\"something\":1}\n".utf8).write(to: url)
        #expect(throws: BatchEmbeddingError.self) { try EmbeddingManifest.read(url) }
    }
}

@Suite struct BatchEmbeddingJobTests {
    /// Each row is exactly the model's pooler_output for that image alone; the corrupt
    /// file is recorded with its error and left out of the merge.
    @Test func rowsAreTheModelsOutputInInputOrderAndFailuresAreRecorded() throws {
        let images = try BatchFixtures.imageFolder(count: 5, corrupt: true)
        let inputs = try EmbeddingInputs.directory(images)
        let out = try BatchFixtures.scratch()
        let summary = try BatchFixtures.job(inputs, out).run()
        #expect(summary.embedded == 5 && summary.failed == 1 && summary.failures.count == 1 && !summary.interrupted)
        #expect(summary.failures.first?.path == "corrupt.jpg")
        let manifest = try EmbeddingManifest.read(out.appendingPathComponent("manifest-shard-00000-of-00001.jsonl"))
        let failed = manifest.records.filter { $0.error != nil }
        #expect(failed.count == 1 && failed[0].path == "corrupt.jpg" && failed[0].error?.contains("unknown image format") == true)

        let merged = out.appendingPathComponent("merged.safetensors")
        let report = try EmbeddingMerge.merge(directory: out, output: merged)
        #expect(report.rows == 5 && report.failures.map(\.path) == ["corrupt.jpg"])
        let file = try SafeTensorsFile(contentsOf: merged)
        let embeddings = try #require(try file.tensor(named: "embeddings").tensor(as: Float.self))   // [5, D]
        #expect(embeddings.shape == [5, 64])
        let paths = try String(contentsOf: EmbeddingMerge.pathsFile(for: merged), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(paths == inputs.names.filter { $0 != "corrupt.jpg" })
        let model = try InternViTCheckpoint.load(BatchFixtures.model)
        let preprocessing = try InternViTPreprocessing.clip(directory: BatchFixtures.model)
        for (row, path) in paths.enumerated() {
            let image = try ImageDecoder.decode(contentsOf: images.appendingPathComponent(path)).image
            let expected = model.forward(try preprocessing.pixelValues(image)).poolerOutput               // [1, D]
            #expect(embeddings.selecting(axis: 0, index: row).contiguous().scalars == expected.scalars, "\(path)")
        }
    }

    /// Stopped after a few images (what SIGINT does), then resumed: the merge equals an
    /// uninterrupted run byte for byte. Then a crash is imitated (a torn manifest group
    /// and an uncommitted part file left behind): resume cleans up and still agrees.
    @Test func stoppedAndCrashedRunsResumeToTheSameBytes() throws {
        let images = try BatchFixtures.imageFolder(count: 8, corrupt: true)
        let inputs = try EmbeddingInputs.directory(images)
        let whole = try BatchFixtures.scratch()
        _ = try BatchFixtures.job(inputs, whole).run()
        let expected = try mergedBytes(whole)

        let stopped = try BatchFixtures.scratch()
        var seen = 0
        let first = try BatchFixtures.job(inputs, stopped).run(shouldStop: { seen += 1; return seen == 4 })
        #expect(first.interrupted && first.embedded + first.failed == 4)
        #expect(throws: BatchEmbeddingError.self) { try BatchFixtures.job(inputs, stopped).run() }   // no --resume: refused
        let second = try BatchFixtures.job(inputs, stopped, resume: true).run()
        #expect(second.resumed == 4 && second.embedded + second.failed == 5 && !second.interrupted)
        #expect(try mergedBytes(stopped) == expected)

        let crashed = try BatchFixtures.scratch()
        _ = try BatchFixtures.job(inputs, crashed).run(shouldStop: { seen += 1; return seen == 8 })
        let manifestURL = crashed.appendingPathComponent("manifest-shard-00000-of-00001.jsonl")
        let handle = try FileHandle(forWritingTo: manifestURL)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"index":5,"path":"x","status":"ok","part":"part-shard-00000-of-00001-000009.safetensors","row":0}"#.utf8))
        try handle.close()
        let orphan = crashed.appendingPathComponent("part-shard-00000-of-00001-000009.safetensors")
        try Data("half a part".utf8).write(to: orphan)
        _ = try BatchFixtures.job(inputs, crashed, resume: true).run()
        #expect(!FileManager.default.fileExists(atPath: orphan.path))
        #expect(try mergedBytes(crashed) == expected)
    }

    /// Three shards into one directory merge to the bytes of one unsharded run; with a
    /// shard missing the merge names it; a resume with other inputs is refused.
    @Test func shardsMergeToTheUnshardedBytesAndAMissingShardIsNamed() throws {
        let images = try BatchFixtures.imageFolder(count: 7, corrupt: true)
        let inputs = try EmbeddingInputs.directory(images)
        let whole = try BatchFixtures.scratch()
        _ = try BatchFixtures.job(inputs, whole, rowsPerPart: 2).run()
        let sharded = try BatchFixtures.scratch()
        for i in [2, 0] { _ = try BatchFixtures.job(inputs, sharded, shard: try EmbeddingShard(index: i, count: 3)).run() }
        do {
            _ = try EmbeddingMerge.merge(directory: sharded, output: sharded.appendingPathComponent("m.safetensors"))
            Issue.record("merge of an incomplete directory succeeded")
        } catch let error as BatchEmbeddingError {
            #expect(error.description.contains("no manifest for shard 1/3"), "\(error)")
            #expect(error.description.contains("indices 1, 4, 7"), "\(error)")
        }
        _ = try BatchFixtures.job(inputs, sharded, shard: try EmbeddingShard(index: 1, count: 3)).run()
        #expect(try mergedBytes(sharded) == mergedBytes(whole))

        let other = try EmbeddingInputs(names: Array(inputs.names.dropLast()), root: inputs.root)
        #expect(throws: BatchEmbeddingError.self) {
            try BatchFixtures.job(other, sharded, shard: try EmbeddingShard(index: 1, count: 3), resume: true).run()
        }
    }

    private func mergedBytes(_ directory: URL) throws -> [UInt8] {
        let target = try BatchFixtures.scratch().appendingPathComponent("merged.safetensors")
        _ = try EmbeddingMerge.merge(directory: directory, output: target)
        return [UInt8](try Data(contentsOf: target)) + [UInt8](try Data(contentsOf: EmbeddingMerge.pathsFile(for: target)))
    }
}
