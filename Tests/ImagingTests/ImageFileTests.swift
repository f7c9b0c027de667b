import Foundation
import Imaging
import Tensor
import Testing
import TestScratch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Image files as a hostile user would give them: FIFOs, directories, huge files,
/// symlinked outputs (issue #12, items 1 and 3).
@Suite struct ImageFileTests {
    static func folder() throws -> URL {
        try ScratchFolder.make("imaging-io")
    }

    /// A sparse file of `size` bytes starting with `prefix`: no disk, no time to make.
    static func sparse(_ url: URL, prefix: [UInt8], size: Int) throws {
        try Data(prefix).write(to: url)
        #expect(truncate(url.path, off_t(size)) == 0)
    }

    @Test func theDefaultFileCapFollowsThePixelCap() {
        #expect(DecodeLimits().maximumFileBytes == 178_956_970 * 8 + 16 * 1024 * 1024)
        #expect(DecodeLimits(maximumPixels: 1000).maximumFileBytes == 8000 + 16 * 1024 * 1024)
        #expect(DecodeLimits(maximumPixels: Int.max).maximumFileBytes == Int.max)
    }

    /// A 3 GiB file that is not an image is refused from its first bytes (it used to be
    /// read whole, twice over, before being sniffed).
    @Test func aHugeFileThatIsNotAnImageIsRefusedFromItsFirstBytes() throws {
        let url = try Self.folder().appendingPathComponent("big.png")
        try Self.sparse(url, prefix: Array("hello".utf8), size: 3 << 30)
        let error = try #require(throws: ImageError.self) { _ = try ImageDecoder.decode(contentsOf: url) }
        #expect(error.kind == .unsupported)
        #expect(error.description == "\(url.path): unknown image format (supported: \(ImageDecoder.supportedFormats))")
    }

    @Test func anImageFileLargerThanTheCapIsRefusedBeforeItIsRead() throws {
        let url = try Self.folder().appendingPathComponent("big.png")
        try Self.sparse(url, prefix: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], size: 3 << 30)
        let error = try #require(throws: ImageError.self) { _ = try ImageDecoder.decode(contentsOf: url) }
        #expect(error.kind == .tooLarge)
        #expect(error.description.contains("file is 3221225472 bytes, more than the 1448432976-byte limit"))
    }

    @Test func aFIFOOrDirectoryIsRefusedWithoutBlocking() throws {
        let folder = try Self.folder()
        let fifo = folder.appendingPathComponent("cat.jpg")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let fifoError = try #require(throws: ImageError.self) { _ = try ImageDecoder.decode(contentsOf: fifo) }
        #expect(fifoError.kind == .unreadable && fifoError.description == "\(fifo.path): is a FIFO (named pipe), not a regular file")
        let configError = try #require(throws: ImageError.self) { _ = try CLIPImageProcessorConfig(contentsOf: fifo) }
        #expect(configError.description == "\(fifo.path): is a FIFO (named pipe), not a regular file")
        let directoryError = try #require(throws: ImageError.self) { _ = try ImageDecoder.decode(contentsOf: folder) }
        #expect(directoryError.description == "\(folder.path): is a directory, not a regular file")
        let empty = folder.appendingPathComponent("empty.png")
        try Data().write(to: empty)
        let emptyError = try #require(throws: ImageError.self) { _ = try ImageDecoder.decode(contentsOf: empty) }
        #expect(emptyError.description == "\(empty.path): empty file")
    }

    /// The PNG writer goes through `OutputFile`: a symlink stays a symlink.
    @Test func pngWriterWritesThroughASymlink() throws {
        let folder = try Self.folder()
        let link = folder.appendingPathComponent("picture.png")
        #expect(symlink("target.png", link.path) == 0)
        let image = RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        try PNGWriter.write(image, to: link)
        var info = stat()
        #expect(lstat(link.path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
        #expect(try ImageDecoder.decode(contentsOf: folder.appendingPathComponent("target.png")).image.pixels == image.pixels)
    }
}
