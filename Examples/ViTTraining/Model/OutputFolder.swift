import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks, before hours of work, that a model can be saved in `path`: creates the folder
/// if missing and refuses a path that is a file or a folder that cannot be written.
/// - Throws: `TrainingError` naming the path and the reason.
public func prepareOutputFolder(_ path: String) throws -> URL {
    let url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw TrainingError("--output \(path): exists and is not a directory") }
    } else {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw TrainingError("--output \(path): cannot create the folder (\(error.localizedDescription))")
        }
    }
    guard access(path, W_OK | X_OK) == 0 else {
        throw TrainingError("--output \(path): the folder is not writable (\(String(cString: strerror(errno))))")
    }
    return url
}
