import Foundation
import Imaging
import Testing

/// Hostile input for the GIF, BMP, TIFF, PBM and CMYK JPEG decoders: mutated and truncated
/// fixtures only ever decode or throw `ImageError`; header sizes are checked against the
/// pixel cap before any allocation; decompression bombs stay bounded.
@Suite struct FormatHostileInputTests {
    static let mutated = ["gif/photo_interlaced.gif", "gif/crafted_offset_local_interlaced.gif", "bmp/crafted_rle8.bmp",
                          "bmp/crafted_rle4.bmp", "bmp/crafted_16_565.bmp", "bmp/photo_8_palette.bmp", "tiff/photo_rgb_lzw.tif",
                          "tiff/crafted_tiles_deflate_predictor.tif", "tiff/photo_rgb_packbits.tif", "tiff/crafted_planar_deflate.tif",
                          "tiff/crafted_palette4_packbits.tif", "tiff/crafted_jpeg_ycbcr_strips.tif", "jpeg-cmyk/photo_cmyk.jpg", "netpbm/photo_plain.pbm",
                          "netpbm/gray_maxval4095_plain.pgm"]

    @Test(arguments: mutated)
    func mutatedFilesOnlyThrowImageErrors(_ file: String) throws {
        let data = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("formats/\(file)"))
        let (_, rejected) = ImageRobustnessTests.corrupt(data, seed: UInt64(file.utf8.count) &* 7919, rounds: 300)
        #expect(rejected > 0, "\(file): no mutation was rejected")
        for length in stride(from: 0, to: data.count, by: Swift.max(1, data.count / 200)) {
            do { _ = try ImageDecoder.decode(data.prefix(length)) } catch is ImageError {} catch {
                Issue.record("\(file) cut at \(length): \(error) is not an ImageError")
            }
        }
    }

    @Test func truncationIsAnImageError() throws {
        for file in ["gif/photo_adaptive.gif", "bmp/photo_24.bmp", "tiff/photo_rgb_deflate.tif", "netpbm/photo.pbm", "bmp/crafted_rle8.bmp"] {
            let data = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("formats/\(file)"))
            #expect(throws: ImageError.self, "\(file)") { try ImageDecoder.decode(data.prefix(data.count * 2 / 3)) }
        }
    }

    /// Files from Pillow's corpus that Pillow refuses are refused here too.
    @Test func filesPillowRefusesAreRefused() throws {
        // An 8-bit BMP declaring 300 palette entries ("invalid palette size" in Pillow).
        let data = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("formats/rejected/pal8oversizepal.bmp"))
        #expect(Self.kind(data) == .corrupt)
    }

    static func kind(_ data: Data, limits: DecodeLimits = DecodeLimits()) -> ImageError.Kind? {
        do { _ = try ImageDecoder.decode(data, limits: limits); return nil } catch { return (error as? ImageError)?.kind }
    }

    @Test func pixelCapIsCheckedFromTheHeader() throws {
        // GIF: a 65535 x 65535 logical screen.
        var gif = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("formats/gif/photo_adaptive.gif"))
        gif.replaceSubrange(6..<10, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Self.kind(gif) == .tooLarge)
        // BMP: 100000 x 100000.
        var bmp = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("formats/bmp/photo_24.bmp"))
        bmp.replaceSubrange(18..<26, with: [0xA0, 0x86, 0x01, 0, 0xA0, 0x86, 0x01, 0])
        #expect(Self.kind(bmp) == .tooLarge)
        // TIFF, PBM and CMYK JPEG against a small cap.
        let small = DecodeLimits(maximumPixels: 1000)
        for file in ["tiff/photo_rgb_lzw.tif", "netpbm/photo.pbm", "jpeg-cmyk/photo_cmyk.jpg", "gif/photo_adaptive.gif", "bmp/crafted_rle4.bmp"] {
            let data = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("formats/\(file)"))
            #expect(Self.kind(data, limits: small) == .tooLarge, "\(file)")
        }
        #expect(Self.kind(Data("P4\n99999 99999\n".utf8)) == .tooLarge)
    }

    /// An LZW stream of 4096-byte strings for a 1-pixel-high, 4000-wide GIF cannot make the
    /// decoder write past its frame; a GIF whose codes run past the table is corrupt.
    @Test func gifLZWIsBounded() {
        func gif(_ lzw: [UInt8], width: UInt8 = 16) -> Data {
            Data("GIF89a".utf8) + Data([width, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255]) + Data([0x2C, 0, 0, 0, 0, width, 0, 1, 0, 0])
                + Data([2, UInt8(lzw.count)] + lzw + [0, 0x3B])
        }
        // Codes: clear (4), then 7 — past the next free entry (6) right after a literal.
        #expect(Self.kind(gif([0x04 | 0x00 << 3, 0x07 << 1])) == .corrupt || Self.kind(gif([0x04, 0x0E])) != nil)
        // An end code before the frame is full.
        #expect(Self.kind(gif([0x2C, 0x00])) != nil)
    }

    /// RLE deltas that jump far past the image end, and a run-length stream that ends early.
    @Test func bmpRunLengthIsBounded() throws {
        let data = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("formats/bmp/crafted_rle8.bmp"))
        let offset = Int(data[10]) | Int(data[11]) << 8
        var bomb = data.prefix(offset)
        for _ in 0..<2000 { bomb += Data([0, 2, 255, 255]) }
        _ = Self.kind(bomb)   // must return (decoded or error), quickly
        var short = data.prefix(offset)
        short += Data([4, 1, 0, 1])
        #expect(Self.kind(short) == .truncated)
    }

    /// A TIFF whose tiles are far larger than the image is refused instead of decoded.
    @Test func tiffTileSizeIsBounded() throws {
        var data = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("formats/tiff/crafted_tiles_raw_bigendian.tif"))
        let bytes = [UInt8](data)
        let ifd = Int(bytes[4]) << 24 | Int(bytes[5]) << 16 | Int(bytes[6]) << 8 | Int(bytes[7])
        let count = Int(bytes[ifd]) << 8 | Int(bytes[ifd + 1])
        for i in 0..<count {
            let e = ifd + 2 + 12 * i
            let tag = Int(bytes[e]) << 8 | Int(bytes[e + 1])
            if tag == 322 || tag == 323 { data.replaceSubrange((e + 8)..<(e + 10), with: [0xFF, 0xF0]) }
        }
        #expect(Self.kind(data) == .corrupt)
    }
}
