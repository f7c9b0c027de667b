import Foundation
import Tensor

/// Writes 8-bit RGB PNG files (deflate "stored" blocks: valid, uncompressed, simple).
public enum PNGWriter {
    /// The PNG bytes of `image`.
    public static func encode(_ image: RGBImage) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity(image.height * (1 + image.width * 3))
        for y in 0..<image.height {
            raw.append(0)   // filter: none
            raw.append(contentsOf: image.pixels[(y * image.width * 3)..<((y + 1) * image.width * 3)])
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = Swift.min(65535, raw.count - offset)
            zlib.append(offset + length == raw.count ? 1 : 0)
            zlib += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + length)]
            offset += length
        } while offset < raw.count
        let adler = Inflate.adler32(raw)
        zlib += [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
        var out = PNGDecoder.signature
        func chunk(_ type: String, _ data: [UInt8]) {
            let typeBytes = Array(type.utf8)
            out += [UInt8(data.count >> 24), UInt8((data.count >> 16) & 0xFF), UInt8((data.count >> 8) & 0xFF), UInt8(data.count & 0xFF)]
            out += typeBytes + data
            let crc = CRC32.checksum(typeBytes + data)
            out += [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]
        }
        func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        chunk("IHDR", be32(image.width) + be32(image.height) + [8, 2, 0, 0, 0])
        chunk("IDAT", zlib)
        chunk("IEND", [])
        return out
    }

    /// Writes `image` to `url` through `OutputFile` (a temporary file renamed into place;
    /// symlinks and devices as `OutputFile` says).
    /// - Throws: `FileError` when the file cannot be written.
    public static func write(_ image: RGBImage, to url: URL) throws {
        try OutputFile.write(encode(image), to: url)
    }
}
