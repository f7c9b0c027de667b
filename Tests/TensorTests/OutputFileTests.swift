import Foundation
import Testing
import TestScratch
import Tensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Helpers for the file tests: a fresh folder, file type and mode, the folder's listing.
enum Files {
    static func folder() throws -> URL {
        try ScratchFolder.make("tensor-io")
    }

    static func lstatInfo(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    static func type(_ path: String) -> mode_t? { lstatInfo(path).map { $0.st_mode & S_IFMT } }

    static func listing(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    struct Stop: Error {}
}

/// `OutputFile`: the rules every writer follows (issue #12, item 1).
@Suite struct OutputFileTests {
    @Test func newFileIsWrittenWithNoTemporaryLeft() throws {
        let folder = try Files.folder()
        let url = folder.appendingPathComponent("out.bin")
        try OutputFile.write([1, 2, 3], to: url)
        #expect(try Data(contentsOf: url) == Data([1, 2, 3]))
        #expect(try Files.listing(folder) == ["out.bin"])
    }

    @Test func existingFileIsReplacedByRenameKeepingItsPermissionBits() throws {
        let folder = try Files.folder()
        let url = folder.appendingPathComponent("out.bin")
        try Data("old".utf8).write(to: url)
        #expect(chmod(url.path, 0o640) == 0)
        let before = try #require(Files.lstatInfo(url.path))
        try OutputFile.write(to: url) { sink in
            try sink.write(Data("new ".utf8))
            try sink.write([5, 6])
        }
        let after = try #require(Files.lstatInfo(url.path))
        #expect(try Data(contentsOf: url) == Data("new ".utf8) + Data([5, 6]))
        #expect(after.st_mode & 0o7777 == 0o640)
        #expect(after.st_ino != before.st_ino, "a new file renamed into place, not the old one rewritten")
        #expect(try Files.listing(folder) == ["out.bin"])
    }

    @Test func aFailingProducerLeavesTheOldFileIntactAndNoTemporary() throws {
        let folder = try Files.folder()
        let url = folder.appendingPathComponent("model.safetensors")
        try Data("the old checkpoint".utf8).write(to: url)
        #expect(throws: Files.Stop.self) {
            try OutputFile.write(to: url) { sink in
                try sink.write([UInt8](repeating: 7, count: 100_000))
                throw Files.Stop()
            }
        }
        #expect(try Data(contentsOf: url) == Data("the old checkpoint".utf8))
        #expect(try Files.listing(folder) == ["model.safetensors"])
    }

    @Test func aSymlinkIsWrittenThroughToItsTargetAndStays() throws {
        let folder = try Files.folder()
        let target = folder.appendingPathComponent("real.npy")
        try Data("old".utf8).write(to: target)
        #expect(chmod(target.path, 0o600) == 0)
        // Two hops, one relative, one absolute.
        #expect(symlink(target.path, folder.appendingPathComponent("hop.npy").path) == 0)
        #expect(symlink("hop.npy", folder.appendingPathComponent("link.npy").path) == 0)
        try OutputFile.write(Data("new".utf8), to: folder.appendingPathComponent("link.npy"))
        #expect(Files.type(folder.appendingPathComponent("link.npy").path) == S_IFLNK)
        #expect(Files.type(folder.appendingPathComponent("hop.npy").path) == S_IFLNK)
        #expect(try Data(contentsOf: target) == Data("new".utf8))
        #expect(Files.lstatInfo(target.path)!.st_mode & 0o7777 == 0o600)
        #expect(try Files.listing(folder) == ["hop.npy", "link.npy", "real.npy"])
    }

    @Test func aDanglingSymlinkCreatesItsTarget() throws {
        let folder = try Files.folder()
        #expect(symlink("later.bin", folder.appendingPathComponent("link.bin").path) == 0)
        try OutputFile.write([9], to: folder.appendingPathComponent("link.bin"))
        #expect(Files.type(folder.appendingPathComponent("link.bin").path) == S_IFLNK)
        #expect(try Data(contentsOf: folder.appendingPathComponent("later.bin")) == Data([9]))
    }

    @Test func aFIFOIsWrittenStraightThrough() throws {
        let folder = try Files.folder()
        let fifo = folder.appendingPathComponent("pipe.npy").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = LockedBytes()
        let reader = Thread {
            let descriptor = open(fifo, O_RDONLY)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while descriptor >= 0 {
                let n = read(descriptor, &buffer, buffer.count)
                if n <= 0 { break }
                received.append(buffer[0..<n])
            }
            close(descriptor)
            received.finish()
        }
        reader.start()
        let payload = (0..<50_000).map { UInt8($0 % 251) }
        try OutputFile.write(payload, to: URL(fileURLWithPath: fifo))
        #expect(received.waitForEnd(seconds: 10))
        #expect(received.bytes == payload)
        #expect(Files.type(fifo) == S_IFIFO)
        #expect(try Files.listing(folder) == ["pipe.npy"])
    }

    @Test func aCharacterDeviceIsWrittenStraightThroughAndStaysADevice() throws {
        let folder = try Files.folder()
        var device = folder.appendingPathComponent("null").path
        #if os(Linux)
        // A private null device (major 1, minor 3) when we may make one; else /dev/null.
        if mknod(device, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) != 0 { device = "/dev/null" }
        #else
        device = "/dev/null"
        #endif
        let before = try #require(Files.lstatInfo(device))
        try OutputFile.write([UInt8](repeating: 1, count: 10_000), to: URL(fileURLWithPath: device))
        let after = try #require(Files.lstatInfo(device))
        #expect(after.st_mode & S_IFMT == S_IFCHR)
        #expect(after.st_ino == before.st_ino && after.st_rdev == before.st_rdev)
        #expect(OutputFile.writesThrough(device))
    }

    /// `/dev/fd/N` (what `/dev/stdout` is) writes into the open descriptor, appending,
    /// whatever it is: here a pipe and a regular file.
    @Test func descriptorLinksAreWrittenThrough() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        #expect(OutputFile.writesThrough("/dev/fd/\(ends[1])"))
        try OutputFile.write([1, 2, 3], to: URL(fileURLWithPath: "/dev/fd/\(ends[1])"))
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(read(ends[0], &buffer, 16) == 3 && buffer.prefix(3) == [1, 2, 3])

        let folder = try Files.folder()
        let log = folder.appendingPathComponent("log.bin")
        try Data([9]).write(to: log)
        let descriptor = open(log.path, O_WRONLY | O_APPEND)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        #if os(Linux)
        let link = "/proc/self/fd/\(descriptor)"
        #else
        let link = "/dev/fd/\(descriptor)"
        #endif
        #expect(OutputFile.writesThrough(link))
        try OutputFile.write([7, 8], to: URL(fileURLWithPath: link))
        #expect(try Data(contentsOf: log) == Data([9, 7, 8]), "appended, as a >> redirection would")
        #expect(try Files.listing(folder) == ["log.bin"])
    }

    @Test func aDirectoryIsRefusedWithAPlainMessage() throws {
        let folder = try Files.folder()
        let error = try #require(throws: FileError.self) { try OutputFile.write([1], to: folder) }
        #expect(error.kind == .notRegularFile)
        #expect(error.description == "\(folder.path): cannot write: it is a directory")
        #expect(try Files.listing(folder).isEmpty)
    }

    @Test func aMissingFolderIsNamedInTheError() throws {
        let folder = try Files.folder()
        let url = folder.appendingPathComponent("no/such/out.npy")
        let error = try #require(throws: FileError.self) { try OutputFile.write([1], to: url) }
        #expect(error.kind == .notFound)
        #expect(error.description.hasPrefix(url.path + ": "))
        #expect(error.description.hasSuffix("no such file or directory"))
    }

    /// Several threads replace one file again and again while another keeps looking at
    /// it: the path never goes missing, every file seen is one complete version, and the
    /// last one written wins.
    @Test func concurrentWritersNeverLeaveAMissingOrMixedFile() throws {
        let folder = try Files.folder()
        let url = folder.appendingPathComponent("shared.bin")
        let size = 64 * 1024
        try OutputFile.write([UInt8](repeating: 255, count: size), to: url)
        let writers = 6, rounds = 20
        let problems = LockedStrings()
        let done = LockedFlag()
        let watcher = Thread {
            var looks = 0
            while !done.value || looks < 10 {
                looks += 1
                guard let data = FileManager.default.contents(atPath: url.path) else {
                    problems.append("missing after \(looks) looks"); continue
                }
                if data.count != size || Set(data).count != 1 { problems.append("a mixed or partial file of \(data.count) bytes") }
            }
            done.finishWatching()
        }
        watcher.start()
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            for _ in 0..<rounds {
                do { try OutputFile.write([UInt8](repeating: UInt8(writer), count: size), to: url) } catch {
                    problems.append("\(error)")
                }
            }
        }
        try OutputFile.write([UInt8](repeating: 200, count: size), to: url)   // the last writer
        done.set()
        #expect(done.waitForWatcher(seconds: 30))
        #expect(problems.values.isEmpty, "\(problems.values.prefix(5))")
        #expect(try Data(contentsOf: url) == Data(repeating: 200, count: size))
        #expect(try Files.listing(folder) == ["shared.bin"])
    }

    /// The defect of issue #12: writing a .safetensors over an existing file lost both.
    @Test func safeTensorsWriterReplacesAnExistingFile() throws {
        let folder = try Files.folder()
        let url = folder.appendingPathComponent("model.safetensors")
        try SafeTensorsWriter.write([("a", AnyTensor(Tensor<Float>([1, 2])))], to: url)
        try SafeTensorsWriter.write([("b", AnyTensor(Tensor<Float>([3, 4, 5])))], to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.tensorNames == ["b"])
        #expect(try file.floatTensor(named: "b").scalars == [3, 4, 5])
        #expect(try Files.listing(folder) == ["model.safetensors"])
    }

    @Test func npyWriterReplacesAnExistingFile() throws {
        let folder = try Files.folder()
        let url = folder.appendingPathComponent("x.npy")
        try NPY.write(Tensor<Float>([1, 2]), to: url)
        try NPY.write(Tensor<Int32>([7]), to: url)
        #expect(try NPY.read(contentsOf: url).dtype == .int32)
        #expect(try Files.listing(folder) == ["x.npy"])
    }
}

/// Bytes appended by one thread and read by another.
final class LockedBytes: @unchecked Sendable {
    // @unchecked: all state is guarded by `condition`.
    private let condition = NSCondition()
    private var stored: [UInt8] = []
    private var ended = false
    var bytes: [UInt8] { condition.withLock { stored } }
    func append(_ more: ArraySlice<UInt8>) { condition.withLock { stored += more } }
    func finish() { condition.withLock { ended = true; condition.broadcast() } }
    func waitForEnd(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !ended { if !condition.wait(until: deadline) { return ended } }
        return true
    }
}

/// Messages collected from several threads.
final class LockedStrings: @unchecked Sendable {
    // @unchecked: all state is guarded by `lock`.
    private let lock = NSLock()
    private var stored: [String] = []
    var values: [String] { lock.withLock { stored } }
    func append(_ value: String) { lock.withLock { stored.append(value) } }
}

/// A stop flag for a watcher thread, and the watcher's "I have stopped".
final class LockedFlag: @unchecked Sendable {
    // @unchecked: all state is guarded by `condition`.
    private let condition = NSCondition()
    private var flag = false
    private var watcherDone = false
    var value: Bool { condition.withLock { flag } }
    func set() { condition.withLock { flag = true } }
    func finishWatching() { condition.withLock { watcherDone = true; condition.broadcast() } }
    func waitForWatcher(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !watcherDone { if !condition.wait(until: deadline) { return watcherDone } }
        return true
    }
}
