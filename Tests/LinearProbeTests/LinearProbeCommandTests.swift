import Foundation
import NNTesting
import Testing

/// The `linear-probe` executable (built by `swift test` beside the test bundle): the
/// train → predict round trip on a small folder, exit codes and one-line errors.
@Suite struct LinearProbeCommandTests {
    /// The `linear-probe` executable that `swift test` built beside the test bundle.
    static func executable() throws -> URL { try builtExecutable(named: "linear-probe") }

    /// Runs `linear-probe arguments`; returns the exit code, stdout and stderr.
    static func run(_ arguments: [String]) throws -> (code: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile(), errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    @Test func trainThenPredict() throws {
        let root = try ProbePipelineTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data"), probe = root.appendingPathComponent("probe")
        try ProbePipelineTests.writeFolder(data, classes: ["blue", "red"], perClass: 5)
        let train = try Self.run(["train", data.path, "--model", "random-tiny", "--output", probe.path, "--seed", "3"])
        #expect(train.code == 0, "\(train.err)")
        #expect(train.out.contains("held-out accuracy 100.00 % (2/2)"), "\(train.out)")
        for file in ["probe.safetensors", "probe.json", "report.txt", "features.safetensors", "features.paths.txt"] {
            #expect(FileManager.default.fileExists(atPath: probe.appendingPathComponent(file).path), "\(file)")
        }
        // Retraining from the features file gives the same report.
        let again = try Self.run(["train", "--features", probe.appendingPathComponent("features.safetensors").path,
                                  "--output", root.appendingPathComponent("probe2").path, "--seed", "3"])
        #expect(again.code == 0 && again.out == train.out, "\(again.err)")

        let image = data.appendingPathComponent("red/img0.png").path
        let labels = root.appendingPathComponent("labels.csv")
        try Data("\(image),red\n".utf8).write(to: labels)
        let predict = try Self.run(["predict", probe.path, image, "--model", "random-tiny", "--labels", labels.path])
        #expect(predict.code == 0, "\(predict.err)")
        #expect(predict.out.hasPrefix("path,class,probability\n\(image),red,"), "\(predict.out)")
        #expect(predict.out.contains("accuracy 100.00 % (1/1)"))

        try Data("\(image),green\n".utf8).write(to: labels)
        let unknown = try Self.run(["predict", probe.path, image, "--model", "random-tiny", "--labels", labels.path])
        #expect(unknown.code == 1 && unknown.err.contains("class 'green' is not one of the probe's classes (blue, red)"), "\(unknown.err)")
    }

    /// stdout or stderr on a full disk: the command says so with its exit code (1), never
    /// a trap (FileHandle.write traps there) and never a silent 0.
    @Test func fullStandardStreamsGiveExitOneNotATrap() throws {
        for (arguments, toStderr) in [(["bogus"], true), (["predict", "/nonexistent-probe", "x.png", "--model", "random-tiny"], true),
                                      (["--help"], false)] {
            let process = try runWithFullStandardStream(try Self.executable(), arguments, fullStandardError: toStderr)
            #expect(process.terminationReason == .exit, "\(arguments): killed by signal \(process.terminationStatus)")
            #expect(process.terminationStatus == (arguments == ["bogus"] ? 2 : 1), "\(arguments)")
        }
    }

    @Test func errorsAndUsage() throws {
        let root = try ProbePipelineTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try ProbePipelineTests.writeFolder(data, classes: ["only"], perClass: 2)
        let oneClass = try Self.run(["train", data.path, "--model", "random-tiny", "--output", root.appendingPathComponent("p").path])
        #expect(oneClass.code == 1 && oneClass.err.contains("at least two classes"), "\(oneClass.err)")

        let file = root.appendingPathComponent("existing")
        try Data("keep".utf8).write(to: file)
        let onFile = try Self.run(["train", data.path, "--model", "random-tiny", "--output", file.path])
        #expect(onFile.code == 1 && onFile.err.contains("exists and is not a folder"), "\(onFile.err)")
        #expect(try String(contentsOf: file, encoding: .utf8) == "keep")

        #expect(try Self.run(["train", data.path, "--bogus", "1"]).code == 2)
        #expect(try Self.run(["train", data.path, "--features", "f", "--output", "o"]).code == 2)
        #expect(try Self.run(["predict"]).code == 2)
        #expect(try Self.run(["frobnicate"]).code == 2)
        #expect(try Self.run([]).code == 2)
        let missingProbe = try Self.run(["predict", root.appendingPathComponent("nothing").path, "--features", "f"])
        #expect(missingProbe.code == 1 && missingProbe.err.contains("probe.json"), "\(missingProbe.err)")
    }
}
