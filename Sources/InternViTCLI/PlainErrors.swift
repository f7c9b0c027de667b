import Foundation
import Tensor

/// Words for Foundation's file errors, which otherwise print as
/// "The operation could not be completed. (NSCocoaErrorDomain error 256.)".
enum PlainErrors {
    /// "PATH: problem" for a Foundation (Cocoa or POSIX domain) file error; nil for
    /// other errors.
    static func describe(_ error: Error) -> String? {
        guard !(error is FileError) else { return nil }
        let error = error as NSError
        let path = (error.userInfo[NSFilePathErrorKey] as? String)
            ?? (error.userInfo[NSURLErrorKey] as? URL)?.path ?? "file"
        if error.domain == NSPOSIXErrorDomain {
            return "\(path): \(FileError.reason(Int32(error.code)))"
        }
        guard error.domain == NSCocoaErrorDomain else { return nil }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return "\(path): \(error.code >= 512 ? "cannot write" : "cannot read"): \(FileError.reason(Int32(underlying.code)))"
        }
        let problem: String
        switch error.code {
        case 4, 260: problem = "no such file or directory"
        case 256: problem = "cannot read (is it a directory, a FIFO or a device?)"
        case 257: problem = "cannot read: permission denied"
        case 258, 514: problem = "invalid file name"
        case 261, 517: problem = "text is not valid in the expected encoding"
        case 512: problem = "cannot write (is it a directory, or is its folder missing?)"
        case 513: problem = "cannot write: permission denied"
        case 516: problem = "cannot write: a file with that name already exists"
        case 640: problem = "cannot write: no space left on device"
        case 642: problem = "cannot write: read-only file system"
        default: problem = "file error \(error.code)"
        }
        return "\(path): \(problem)"
    }
}
