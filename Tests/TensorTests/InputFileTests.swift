import Foundation
import Testing
import Tensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `InputFile` and the readers on it: only regular files, opened without blocking, in
/// plain words (issue #12, item 3).
@Suite struct InputFileTests {
    /// Runs `body` on another thread and fails (instead of hanging the run) if it does
    /// not finish within `seconds`.
    static func finishes(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
        let finished = DispatchSemaphore(value: 0)
        Thread { body(); finished.signal() }.start()
        return finished.wait(timeout: .now() + seconds) == .success
    }

    @Test func aFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let folder = try Files.folder()
        let fifo = folder.appendingPathComponent("model.safetensors")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let messages = LockedStrings()
        #expect(Self.finishes(within: 10) {
            do { _ = try SafeTensorsFile(contentsOf: fifo) } catch { messages.append("\(error)") }
            do { _ = try SafeTensorsFile(contentsOf: fifo, memoryMapped: false) } catch { messages.append("\(error)") }
            do { _ = try NPY.read(contentsOf: fifo) } catch { messages.append("\(error)") }
            do { _ = try Checkpoint.open(folder) } catch { messages.append("\(error)") }
        })
        #expect(messages.values.count == 4)
        for message in messages.values {
            #expect(message == "\(fifo.path): is a FIFO (named pipe), not a regular file")
        }
    }

    @Test func directoriesAndDevicesAreRefusedByName() throws {
        let folder = try Files.folder()
        let directory = try #require(throws: FileError.self) { _ = try InputFile(path: folder.path) }
        #expect(directory.kind == .notRegularFile && directory.message == "is a directory, not a regular file")
        let device = try #require(throws: FileError.self) { _ = try ByteBuffer.mapping(path: "/dev/zero") }
        #expect(device.description == "/dev/zero: is a character device, not a regular file")
        let missing = try #require(throws: FileError.self) { _ = try InputFile(path: folder.path + "/none.json") }
        #expect(missing.kind == .notFound && missing.message == "cannot open: no such file or directory")
    }

    @Test func largeFilesAreRefusedBeforeTheyAreRead() throws {
        let folder = try Files.folder()
        let url = folder.appendingPathComponent("config.json")
        // A sparse 1 GiB file: costs no disk, and would cost 1 GiB of memory to read.
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        #expect(truncate(url.path, 1 << 30) == 0)
        let error = try #require(throws: FileError.self) {
            _ = try InputFile.read(url.path, maximumBytes: InputFile.maximumJSONBytes, what: "limit for a config")
        }
        #expect(error.kind == .tooLarge)
        #expect(error.message == "file is 1073741824 bytes, more than the 67108864-byte limit for a config")
    }

    /// `--no-mmap`: weights read into memory survive the file being truncated under them,
    /// which would end a mapped reader with SIGBUS.
    @Test func readCheckpointsSurviveTruncationOfTheFile() throws {
        let folder = try Files.folder()
        let url = folder.appendingPathComponent("model.safetensors")
        let values = (0..<4096).map { Float($0) / 7 }
        try SafeTensorsWriter.write([("w", AnyTensor(Tensor<Float>(values)))], to: url)
        let mapped = try SafeTensorsFile(contentsOf: url)
        let read = try SafeTensorsFile(contentsOf: url, memoryMapped: false)
        #expect(try read.floatTensor(named: "w").scalars == mapped.floatTensor(named: "w").scalars)
        #expect(truncate(url.path, 0) == 0)
        #expect(try read.floatTensor(named: "w").scalars == values)
    }
}
