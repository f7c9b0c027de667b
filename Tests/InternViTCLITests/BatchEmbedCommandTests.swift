import Foundation
import NNTesting
import InternViTCLI
import Tensor
import Testing

/// The batch mode of `embed` and `merge`, end to end: in process, and as a real child
/// process interrupted by SIGINT or killed by SIGKILL.
enum BatchCLIFixtures {
    /// A folder of `count` fixture images (JPEG and PNG, some in a subfolder) and one corrupt `.jpg`.
    static func imageFolder(count: Int) throws -> URL {
        let fixtures = CLIFixtures.tests.appendingPathComponent("ImagingTests/Fixtures")
        let folder = try CLIFixtures.temporary("images")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("nested"), withIntermediateDirectories: true)
        var sources: [URL] = []
        for sub in ["jpeg", "clip"] {
            sources += try FileManager.default.contentsOfDirectory(atPath: fixtures.appendingPathComponent(sub).path)
                .filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }.sorted()
                .map { fixtures.appendingPathComponent("\(sub)/\($0)") }
        }
        try #require(sources.count >= 20, "image fixtures missing under \(fixtures.path)")
        // More images than fixtures repeat them under other names (rows stay distinct inputs).
        for i in 0..<count {
            let source = sources[i % sources.count]
            try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(i % 4 == 1 ? "nested/\(i)-\(source.lastPathComponent)"
                                                                                                : "\(i)-\(source.lastPathComponent)"))
        }
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0]).write(to: folder.appendingPathComponent("5-truncated.jpg"))
        return folder
    }

    /// The merged file and its paths, as bytes, after `internvit merge`.
    static func merged(_ directory: URL) throws -> [UInt8] {
        let output = try CLIFixtures.temporary("merged.safetensors")
        let (code, _, err) = run(["merge", directory.path, "--output", output.path])
        try #require(code == 0, "\(err)")
        let paths = output.deletingPathExtension().appendingPathExtension("paths.txt")
        return [UInt8](try Data(contentsOf: output)) + [UInt8](try Data(contentsOf: paths))
    }

    /// The `internvit` executable that `swift test` built beside the test bundle.
    static func executable() throws -> URL { try builtExecutable(named: "internvit") }

    static func batchArguments(_ images: URL, _ out: URL, _ extra: [String] = []) -> [String] {
        ["embed", images.path, "--output-dir", out.path, "--model", CLIFixtures.model, "--pooled", "--part-rows", "2"] + extra
    }
}

/// A child process whose stderr is read line by line.
final class ChildProcess {
    let process = Process()
    private let pipe = Pipe()
    private(set) var stderr = ""

    init(_ executable: URL, _ arguments: [String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// Reads stderr until `condition` holds for the text so far; false at end of file.
    func waitFor(_ condition: (String) -> Bool) -> Bool {
        while !condition(stderr) {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { return false }
            stderr += String(decoding: data, as: UTF8.self)
        }
        return true
    }

    func finish() -> Int32 {
        while true {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            stderr += String(decoding: data, as: UTF8.self)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Whether a progress line says at least `count` images are done.
func progressReached(_ text: String, _ count: Int) -> Bool {
    text.split(separator: "\n").contains { line in
        guard let slash = line.range(of: " images"), let colon = line.range(of: ": ", options: .backwards, range: line.startIndex..<slash.lowerBound)
        else { return false }
        let fraction = line[colon.upperBound..<slash.lowerBound].split(separator: "/")
        return fraction.count == 2 && (Int(fraction[0]) ?? 0) >= count
    }
}

@Suite(.serialized) struct BatchEmbedCommandTests {
    @Test func threeShardsMergeToTheUnshardedRunByteForByte() throws {
        let images = try BatchCLIFixtures.imageFolder(count: 9)
        let whole = try CLIFixtures.temporary("whole")
        let (code, _, err) = run(BatchCLIFixtures.batchArguments(images, whole))
        #expect(code == 1, "a corrupt image makes the exit status 1: \(err)")
        #expect(err.contains("5-truncated.jpg"), "\(err)")
        let manifest = try String(contentsOf: whole.appendingPathComponent("manifest-shard-00000-of-00001.jsonl"), encoding: .utf8)
        let failed = manifest.split(separator: "\n").filter { $0.contains("\"status\":\"failed\"") }
        #expect(failed.count == 1 && failed[0].contains("\"path\":\"5-truncated.jpg\"") && failed[0].contains("\"error\":"), "\(manifest)")

        let sharded = try CLIFixtures.temporary("sharded")
        var codes: [Int32] = []
        for i in 0..<3 {
            let (shardCode, _, shardErr) = run(BatchCLIFixtures.batchArguments(images, sharded, ["--shard", "\(i)/3"]))
            #expect(!shardErr.contains("exists"), "\(shardErr)")
            codes.append(shardCode)
        }
        #expect(codes.filter { $0 == 1 }.count == 1 && codes.filter { $0 == 0 }.count == 2, "only the corrupt image's shard fails: \(codes)")
        let names = try FileManager.default.contentsOfDirectory(atPath: sharded.path)
        #expect(names.filter { $0.hasPrefix("manifest-") }.count == 3)
        #expect(try BatchCLIFixtures.merged(sharded) == BatchCLIFixtures.merged(whole))

        let file = try SafeTensorsFile(contentsOf: {
            let url = try CLIFixtures.temporary("m.safetensors")
            _ = run(["merge", whole.path, "--output", url.path])
            return url
        }())
        #expect(file.info(named: "embeddings")?.shape == [9, 64] && file.info(named: "embeddings")?.dtype == .float32)
        #expect(file.metadata?["failed"] == "1" && file.metadata?["inputs"] == "10")
    }

    @Test func mergeNamesAMissingShardAndUsageErrorsExitTwo() throws {
        let images = try BatchCLIFixtures.imageFolder(count: 4)
        let out = try CLIFixtures.temporary("partial")
        for i in [0, 2] { _ = run(BatchCLIFixtures.batchArguments(images, out, ["--shard", "\(i)/3"])) }
        let (code, _, err) = run(["merge", out.path, "--output", try CLIFixtures.temporary("x.safetensors").path])
        #expect(code == 1 && err.contains("no manifest for shard 1/3") && err.contains("indices 1, 4"), "\(err)")

        let (again, _, againErr) = run(BatchCLIFixtures.batchArguments(images, out, ["--shard", "0/3"]))
        #expect(again == 1 && againErr.contains("--resume"), "rerunning a shard without --resume must not touch it: \(againErr)")
        for arguments in [BatchCLIFixtures.batchArguments(images, out, ["--shard", "3/3"]),
                          BatchCLIFixtures.batchArguments(images, out, ["--dynamic"]),
                          ["embed", images.path, "--resume", "--model", CLIFixtures.model],
                          ["merge", out.path, "--output", "x.npy"]] {
            let (usage, _, usageErr) = run(arguments)
            #expect(usage == 2, "\(arguments): \(usageErr)")
        }
    }

    /// A real child process gets SIGINT mid-way: it commits its part and exits 1 telling
    /// to resume; the resumed run merges to the bytes of an uninterrupted one. Then the
    /// same with SIGKILL (no chance to clean up).
    @Test(arguments: [SIGINT, SIGKILL])
    func interruptedChildResumesToTheSameBytes(_ signalNumber: Int32) throws {
        // Enough images that the child cannot finish between the parent seeing its fifth
        // progress line and the signal arriving (30 were done in 0.4 s on an idle machine).
        let count = 240
        let images = try BatchCLIFixtures.imageFolder(count: count)
        let reference = try CLIFixtures.temporary("reference")
        _ = run(BatchCLIFixtures.batchArguments(images, reference))
        let expected = try BatchCLIFixtures.merged(reference)

        let out = try CLIFixtures.temporary("interrupted")
        let child = try ChildProcess(try BatchCLIFixtures.executable(),
                                     BatchCLIFixtures.batchArguments(images, out, ["--log-every", "0"]))
        #expect(child.waitFor { progressReached($0, 5) }, "no progress from the child: \(child.stderr)")
        kill(child.process.processIdentifier, signalNumber)
        let code = child.finish()
        if signalNumber == SIGINT {
            #expect(code == 1 && child.stderr.contains("stopped by SIGINT") && child.stderr.contains("--resume"), "\(code): \(child.stderr)")
        } else {
            #expect(child.process.terminationReason == .uncaughtSignal && code == SIGKILL)
        }
        let manifest = try String(contentsOf: out.appendingPathComponent("manifest-shard-00000-of-00001.jsonl"), encoding: .utf8)
        let recorded = manifest.split(separator: "\n").filter { $0.hasPrefix("{\"index\"") }.count
        #expect(recorded >= 1 && recorded < count + 1, "the child was stopped mid-way (\(recorded) of \(count + 1) recorded)")

        let resumed = try ChildProcess(try BatchCLIFixtures.executable(), BatchCLIFixtures.batchArguments(images, out, ["--resume"]))
        #expect(resumed.finish() == 1, "the corrupt image still fails: \(resumed.stderr)")
        #expect(resumed.stderr.contains("done before"), "\(resumed.stderr)")
        #expect(try BatchCLIFixtures.merged(out) == expected)
    }

    @Test func inputListOrderIsTheRowOrder() throws {
        let images = try BatchCLIFixtures.imageFolder(count: 3)
        let names = try FileManager.default.contentsOfDirectory(atPath: images.path).filter { $0.hasSuffix(".jpg") && !$0.contains("truncated") }
        let list = try CLIFixtures.temporary("list.txt")
        let ordered = names.sorted().reversed().map { images.appendingPathComponent($0).path }
        try Data((ordered.joined(separator: "\n") + "\n").utf8).write(to: list)
        let out = try CLIFixtures.temporary("listed")
        let (code, _, err) = run(["embed", "--input-list", list.path, "--output-dir", out.path, "--model", CLIFixtures.model, "--pooled"])
        #expect(code == 0, "\(err)")
        let merged = try CLIFixtures.temporary("listed.safetensors")
        #expect(run(["merge", out.path, "--output", merged.path]).0 == 0)
        let paths = try String(contentsOf: merged.deletingPathExtension().appendingPathExtension("paths.txt"), encoding: .utf8)
        #expect(paths == ordered.joined(separator: "\n") + "\n")
        let embeddings = try #require(try SafeTensorsFile(contentsOf: merged).tensor(named: "embeddings").tensor(as: Float.self))
        for (row, path) in ordered.enumerated() {
            #expect(embeddings.selecting(axis: 0, index: row).contiguous().scalars
                    == (try CLIFixtures.libraryFeatures(path, pooled: true)).scalars, "\(path)")
        }
    }
}
