import Foundation
import Imaging
import InternViT
import InternViTCLI
import Tensor
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The command line as a hostile user drives it (issue #12, items 1, 3 and 5): every
/// case ends with exit code 1 or 2, a short message, and no file lost.
@Suite struct HostileOutputTests {
    /// A private copy of the tiny model, so tests can aim outputs at it.
    static func modelCopy() throws -> URL {
        let model = try CLIFixtures.temporary("model")
        try FileManager.default.copyItem(atPath: CLIFixtures.model, toPath: model.path)
        return model
    }

    static func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    /// The data loss: a .safetensors output onto an existing file deleted both.
    @Test func safetensorsOutputReplacesAnExistingFile() throws {
        let url = try CLIFixtures.temporary("features.safetensors")
        try Data("an older file".utf8).write(to: url)
        #expect(chmod(url.path, 0o640) == 0)
        for _ in 0..<2 {
            let (code, _, err) = run(["embed", CLIFixtures.image, "--model", CLIFixtures.model, "--output", url.path])
            #expect(code == 0, "\(err)")
            #expect(try SafeTensorsFile(contentsOf: url).tensorNames == [CLIFixtures.image])
        }
        var info = stat()
        #expect(stat(url.path, &info) == 0 && info.st_mode & 0o777 == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == ["features.safetensors"])
    }

    /// An output that is one of the inputs is refused (exit 2) before any work, whether
    /// named directly, through a symlink or through a hard link; the input is unchanged.
    @Test func anOutputThatIsAnInputIsRefused() throws {
        let model = try Self.modelCopy()
        let weights = model.appendingPathComponent("model.safetensors")
        let config = model.appendingPathComponent("config.json")
        let folder = model.deletingLastPathComponent()
        let image = folder.appendingPathComponent("photo.png")
        try FileManager.default.copyItem(atPath: CLIFixtures.image, toPath: image.path)
        #expect(symlink(image.path, folder.appendingPathComponent("alias.png").path) == 0)
        #expect(symlink("photo.png", folder.appendingPathComponent("alias.json").path) == 0)
        #expect(link(weights.path, folder.appendingPathComponent("hard.safetensors").path) == 0)
        let pixels = folder.appendingPathComponent("pixels.npy")
        try NPY.write(Tensor<Float>(repeating: 0, shape: [1, 3, 56, 56]), to: pixels)
        let before = try [weights, config, image, pixels].map(Self.bytes)
        let cases: [[String]] = [
            ["embed", image.path, "--model", model.path, "--output", weights.path],
            ["embed", image.path, "--model", model.path, "--output", folder.appendingPathComponent("hard.safetensors").path],
            ["embed", image.path, "--model", model.path, "--output", config.path],
            ["embed", "--pixels", pixels.path, "--model", model.path, "--output", pixels.path],
            ["embed", folder.path, "--model", model.path, "--output", folder.appendingPathComponent("alias.json").path],
            ["visualize", image.path, "--model", model.path, "--output", folder.appendingPathComponent("alias.png").path],
            ["attention", image.path, "--model", model.path, "--rollout", "--output", folder.appendingPathComponent("alias.png").path],
        ]
        for arguments in cases {
            let (code, _, err) = run(arguments)
            #expect(code == 2, "\(arguments): \(err)")
            #expect(err.contains("is an input of this command") && err.split(separator: "\n").count == 1, "\(arguments): \(err)")
        }
        // preprocess reads an image, not pixels: its output may replace pixels.npy, but not the image.
        #expect(symlink("photo.png", folder.appendingPathComponent("alias.npy").path) == 0)
        let (code, _, err) = run(["preprocess", image.path, "--model", model.path, "--output", folder.appendingPathComponent("alias.npy").path])
        #expect(code == 2 && err.contains("is an input"), "\(err)")
        #expect(try [weights, config, image].map(Self.bytes) == Array(before.prefix(3)))
        #expect(try Self.bytes(pixels) == before[3])
    }

    @Test func anOutputSymlinkIsWrittenThroughAndStays() throws {
        let folder = try CLIFixtures.temporary("x").deletingLastPathComponent()
        let link = folder.appendingPathComponent("latest.npy")
        #expect(symlink("run-1.npy", link.path) == 0)
        let (code, _, err) = run(["embed", CLIFixtures.image, "--model", CLIFixtures.model, "--output", link.path])
        #expect(code == 0, "\(err)")
        var info = stat()
        #expect(lstat(link.path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
        #expect(try NPY.readFloat(contentsOf: folder.appendingPathComponent("run-1.npy")).shape == [1, 17, 64])
    }

    @Test func aFIFOOutputIsWrittenStraightThrough() throws {
        let fifo = try CLIFixtures.temporary("stream")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let received = LockedData()
        let reader = Thread {
            // Plain open/read: Foundation's file readers do not read FIFOs.
            var data = Data()
            let descriptor = open(fifo.path, O_RDONLY)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while descriptor >= 0 {
                let n = read(descriptor, &buffer, buffer.count)
                if n <= 0 { break }
                data.append(contentsOf: buffer[0..<n])
            }
            close(descriptor)
            received.set(data)
        }
        reader.start()
        let (code, _, err) = run(["embed", CLIFixtures.image, "--model", CLIFixtures.model, "--output", fifo.path, "--format", "npy"])
        #expect(code == 0, "\(err)")
        #expect(received.wait(seconds: 10))
        #expect(try NPY.read(received.value).shape == [1, 17, 64])
        var info = stat()
        #expect(lstat(fifo.path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
    }

    @Test(arguments: [
        (["embed", "IMG", "--model", "MODEL", "--output", "features.bin"], "unknown output extension '.bin'"),
        (["embed", "IMG", "--model", "MODEL", "--output", "features"], "cannot tell the output format of 'features'"),
        (["embed", "IMG", "--model", "MODEL", "--output", "features.npy", "--format", "json"], "--format json contradicts the extension"),
        (["embed", "IMG", "--model", "MODEL", "--output", "features.bin", "--format", "npy"], "unknown output extension '.bin'"),
        (["visualize", "IMG", "--model", "MODEL", "--output", "picture.jpg"], "--output must be a .png file, got 'picture.jpg'"),
        (["attention", "IMG", "--model", "MODEL", "--rollout", "--output", "heat.jpg"], "--output must be a .png file, got 'heat.jpg'"),
        (["preprocess", "IMG", "--output", "pixels.png"], "--output must be a .npy file, got 'pixels.png'"),
    ])
    func outputNamesThatDoNotFitAreUsageErrors(_ arguments: [String], _ message: String) {
        let arguments = arguments.map { $0 == "IMG" ? CLIFixtures.image : $0 == "MODEL" ? CLIFixtures.model : $0 }
        let (code, _, err) = run(arguments)
        #expect(code == 2 && err.contains(message), "\(arguments): \(err)")
        #expect(!FileManager.default.fileExists(atPath: arguments[arguments.firstIndex(of: "--output")! + 1]))
    }

    @Test func directoriesAsOutputsOrImagesGetPlainMessages() throws {
        let folder = try CLIFixtures.temporary("x").deletingLastPathComponent()
        var (code, _, err) = run(["embed", CLIFixtures.image, "--model", CLIFixtures.model, "--output", folder.path, "--format", "npy"])
        #expect(code == 1 && err == "internvit: \(folder.path): cannot write: it is a directory", "\(err)")
        (code, _, err) = run(["preprocess", folder.path, "--output", folder.appendingPathComponent("p.npy").path])
        #expect(code == 1 && err == "internvit: \(folder.path): is a directory, not a regular file", "\(err)")
        (code, _, err) = run(["embed", CLIFixtures.image, "--model", CLIFixtures.model, "--output", folder.path + "/missing/out.npy"])
        #expect(code == 1 && err.hasSuffix("no such file or directory") && !err.contains("NSCocoaErrorDomain"), "\(err)")
    }
}

@Suite struct HostileInputTests {
    /// FIFOs named like the weights, the config or an image fail at once, naming the file.
    @Test func fifosAreRefusedWithoutBlocking() throws {
        let model = try HostileOutputTests.modelCopy()
        let weights = model.appendingPathComponent("model.safetensors")
        try FileManager.default.removeItem(at: weights)
        #expect(mkfifo(weights.path, 0o600) == 0)
        var (code, _, err) = run(["embed", CLIFixtures.image, "--model", model.path])
        #expect(code == 1 && err == "internvit: \(weights.path): is a FIFO (named pipe), not a regular file", "\(err)")

        let config = model.appendingPathComponent("config.json")
        try FileManager.default.removeItem(at: config)
        #expect(mkfifo(config.path, 0o600) == 0)
        (code, _, err) = run(["inspect", "--model", model.path])
        #expect(code == 1 && err.contains("config.json") && err.contains("is a FIFO (named pipe), not a regular file"), "\(err)")

        let image = model.deletingLastPathComponent().appendingPathComponent("cat.png")
        #expect(mkfifo(image.path, 0o600) == 0)
        (code, _, err) = run(["embed", image.path, "--model", CLIFixtures.model])
        #expect(code == 1 && err == "internvit: \(image.path): is a FIFO (named pipe), not a regular file", "\(err)")
    }

    @Test(arguments: ["0", "-5", "abc", "", "99999999999999999999"])
    func invalidThreadCountsInTheEnvironmentAreUsageErrors(_ value: String) {
        let captured = Captured()
        let code = InternViTCommand.run(["embed", CLIFixtures.image, "--model", CLIFixtures.model], console: captured.console,
                                        environment: ["TENSOR_NUM_THREADS": value])
        #expect(code == 2)
        #expect(captured.err == "internvit: TENSOR_NUM_THREADS must be a whole number from 1 to 1024, got '\(value.prefix(40))'")
        #expect(ComputeThreads.environmentProblem(["TENSOR_NUM_THREADS": value]) != nil)
        #expect(ComputeThreads.environmentProblem(["TENSOR_NUM_THREADS": " 3 "]) == nil)
    }

    @Test func pixelsAcceptFloatTypesAndRejectOthersByName() throws {
        let folder = try CLIFixtures.temporary("x").deletingLastPathComponent()
        let reference = Tensor<Float>.randomUniform([1, 3, 56, 56], low: -2, high: 2, seed: 5)
        let model = try InternViTCheckpoint.load(URL(fileURLWithPath: CLIFixtures.model))
        let expected = model(reference).scalars
        let float64 = folder.appendingPathComponent("p64.npy")
        try NPY.write(Tensor<Double>(reference.scalars.map { Double($0) }, shape: reference.shape), to: float64)
        let out = folder.appendingPathComponent("out.npy")
        var (code, _, err) = run(["embed", "--pixels", float64.path, "--model", CLIFixtures.model, "--output", out.path])
        #expect(code == 0, "\(err)")
        #expect(try NPY.readFloat(contentsOf: out).scalars == expected)
        for (name, write) in [("int32", { try NPY.write(Tensor<Int32>(repeating: 0, shape: [1, 3, 56, 56]), to: $0) }),
                              ("bool", { try NPY.write(Tensor<Bool>(repeating: false, shape: [1, 3, 56, 56]), to: $0) }),
                              ("uint8", { try NPY.write(Tensor<UInt8>(repeating: 0, shape: [1, 3, 56, 56]), to: $0) })]
            as [(String, (URL) throws -> Void)] {
            let url = folder.appendingPathComponent("\(name).npy")
            try write(url)
            (code, _, err) = run(["embed", "--pixels", url.path, "--model", CLIFixtures.model])
            #expect(code == 1 && err == "internvit: \(url.path): pixel_values must be float16, float32 or float64, got \(name)", "\(err)")
        }
    }

    /// Without preprocessor_config.json the tile size comes from config.json (56 for the
    /// tiny model, not 448), and stderr says so.
    @Test func aMissingPreprocessorConfigUsesTheModelsImageSize() throws {
        let model = try HostileOutputTests.modelCopy()
        try FileManager.default.removeItem(at: model.appendingPathComponent("preprocessor_config.json"))
        let out = model.deletingLastPathComponent().appendingPathComponent("pixels.npy")
        let (code, _, err) = run(["preprocess", CLIFixtures.image, "--model", model.path, "--output", out.path])
        #expect(code == 0, "\(err)")
        #expect(err.contains("has no preprocessor_config.json; using InternViT's CLIP settings at 56x56 (image_size from config.json)"))
        let pixels = try NPY.readFloat(contentsOf: out)
        #expect(pixels.shape == [1, 3, 56, 56])
        var config = CLIPImageProcessorConfig.internViT
        config.size = .shortestEdge(56)
        (config.cropHeight, config.cropWidth) = (56, 56)
        let image = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: CLIFixtures.image)).image
        #expect(try pixels.scalars == CLIPImageProcessor(config: config)(image).scalars)
    }

    /// `--no-mmap` gives the same features as the mapped checkpoint.
    @Test func noMmapGivesTheSameFeatures() throws {
        let folder = try CLIFixtures.temporary("x").deletingLastPathComponent()
        let mapped = folder.appendingPathComponent("mapped.npy"), read = folder.appendingPathComponent("read.npy")
        #expect(run(["embed", CLIFixtures.image, "--model", CLIFixtures.model, "--output", mapped.path]).0 == 0)
        let (code, _, err) = run(["embed", CLIFixtures.image, "--model", CLIFixtures.model, "--output", read.path, "--no-mmap"])
        #expect(code == 0, "\(err)")
        #expect(try NPY.readFloat(contentsOf: read).scalars == NPY.readFloat(contentsOf: mapped).scalars)
        for command in ["embed", "inspect", "bench", "visualize", "trace", "attention"] {
            #expect(run([command, "--help"]).1.contains("--no-mmap"), "\(command)")
        }
    }

    /// Foundation's coded errors read as words naming the file.
    @Test func foundationErrorsAreDescribedInWords() {
        let read = NSError(domain: NSCocoaErrorDomain, code: 256, userInfo: [NSFilePathErrorKey: "/data/photos"])
        #expect(InternViTCommand.describe(read) == "/data/photos: cannot read (is it a directory, a FIFO or a device?)")
        let write = NSError(domain: NSCocoaErrorDomain, code: 512, userInfo: [NSFilePathErrorKey: "/out"])
        #expect(InternViTCommand.describe(write) == "/out: cannot write (is it a directory, or is its folder missing?)")
        let permission = NSError(domain: NSCocoaErrorDomain, code: 257, userInfo: [
            NSFilePathErrorKey: "/x.png", NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES))])
        #expect(InternViTCommand.describe(permission) == "/x.png: cannot read: permission denied")
    }
}

/// Standard output and error that cannot be written end the command with exit code 1,
/// never a signal.
@Suite struct UnwritableConsoleTests {
    @Test func fullDiskOnStandardOutputIsExitCodeOne() throws {
        let full = open("/dev/full", O_WRONLY)
        try #require(full >= 0)
        defer { close(full) }
        var errPipe: [Int32] = [0, 0]
        #expect(pipe(&errPipe) == 0)
        let code = InternViTCommand.run(["embed", "--help"], console: .descriptors(out: full, err: errPipe[1]))
        close(errPipe[1])
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(errPipe[0], &buffer, buffer.count)
        close(errPipe[0])
        #expect(code == 1)
        #expect(String(decoding: buffer[0..<max(n, 0)], as: UTF8.self) == "internvit: cannot write to standard output: no space left on device\n")
    }

    @Test func closedPipesAreExitCodeOne() throws {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        #expect(pipe(&outPipe) == 0 && pipe(&errPipe) == 0)
        close(outPipe[0])
        close(errPipe[0])
        defer { close(outPipe[1]); close(errPipe[1]) }
        #expect(InternViTCommand.run(["--help"], console: .descriptors(out: outPipe[1], err: errPipe[1])) == 1)
        #expect(InternViTCommand.run(["frobnicate"], console: .descriptors(out: outPipe[1], err: errPipe[1])) == 2)
    }
}

extension UnwritableConsoleTests {
    /// A closed standard output (`>&-`): the number is parked on /dev/null (so no file
    /// opened later receives console lines) and a command that prints fails with 1.
    @Test func aClosedStandardOutputIsExitCodeOne() throws {
        let closed: Int32 = 1000   // far above any descriptor the test process has open
        try #require(fcntl(closed, F_GETFD) == -1)
        defer { close(closed) }
        var errPipe: [Int32] = [0, 0]
        #expect(pipe(&errPipe) == 0)
        let code = InternViTCommand.run(["inspect", "--help"], console: .descriptors(out: closed, err: errPipe[1]))
        close(errPipe[1])
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(errPipe[0], &buffer, buffer.count)
        close(errPipe[0])
        #expect(code == 1)
        #expect(String(decoding: buffer[0..<max(n, 0)], as: UTF8.self) == "internvit: cannot write to standard output: it is closed\n")
        #expect(fcntl(closed, F_GETFD) != -1, "parked on /dev/null")
    }
}

/// Data handed from a reader thread.
final class LockedData: @unchecked Sendable {
    // @unchecked: all state is guarded by `condition`.
    private let condition = NSCondition()
    private var stored: Data?
    var value: Data { condition.withLock { stored ?? Data() } }
    func set(_ data: Data) { condition.withLock { stored = data; condition.broadcast() } }
    func wait(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while stored == nil { if !condition.wait(until: deadline) { return stored != nil } }
        return true
    }
}
