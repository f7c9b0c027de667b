import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fresh folders for tests, all removed when the test process exits.
///
/// Each folder is made inside one root per process (`<tmp>/swift-tests-<pid>-<uuid>`),
/// and an `atexit` handler deletes that root, so `swift test` leaves nothing in the
/// temporary directory, even where a test fails before its own clean-up or hands the
/// folder to a child process. Folders a test locked (mode 000, to check "not writable"
/// errors) are unlocked on the way, and symbolic links, FIFOs and devices are unlinked,
/// never followed.
public enum ScratchFolder {
    /// The per-process root, created on first use (and its removal registered then).
    private static let root: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("swift-tests-\(getpid())-\(UUID().uuidString)")
        atexit { ScratchFolder.removeRoot() }
        return url
    }()

    /// Makes and returns a new, empty folder named `<prefix>-<uuid>` inside the root.
    public static func make(_ prefix: String) throws -> URL {
        let url = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Deletes the root and everything in it (called at exit).
    static func removeRoot() { remove(root.path) }

    /// Removes `path` without following links: directories are opened up (mode 0700)
    /// and emptied first, anything else is unlinked.
    static func remove(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            chmod(path, 0o700)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                remove(path + "/" + name)
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
