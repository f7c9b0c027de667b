import Foundation
import Imaging
import Tensor
import Testing

/// GIF, BMP, TIFF, CMYK/YCCK JPEG and PBM/PGM/PPM decoding equals Pillow 12.3.0's
/// `Image.open(f).convert("RGB")` bit for bit on every fixture of
/// Scripts/make_format_fixtures.py (crops of a real photo re-encoded by Pillow, crafted
/// variants Pillow cannot write, and odd files from Pillow's own test corpus).
@Suite struct FormatDecoderTests {
    /// The fixture folders and how many files each must hold (a missing or emptied folder fails).
    static let folders: [(folder: String, minimum: Int)] = [("gif", 14), ("bmp", 19), ("tiff", 28), ("jpeg-cmyk", 4), ("netpbm", 9)]

    static var allFixtures: [String] {
        folders.flatMap { entry -> [String] in
            let path = ImageFixtures.root.appendingPathComponent("formats/\(entry.folder)").path
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                return ["\(entry.folder)/(folder missing or unreadable)"]   // a case that fails, never zero cases
            }
            return names.filter { $0 != "expected" }.sorted().map { "\(entry.folder)/\($0)" }
        }
    }

    @Test func everyFolderHasItsFixtures() {
        for (folder, minimum) in Self.folders {
            let count = Self.allFixtures.filter { $0.hasPrefix(folder + "/") }.count
            #expect(count >= minimum, "formats/\(folder) holds \(count) fixtures, expected at least \(minimum)")
        }
    }

    @Test(arguments: allFixtures)
    func decodesLikePillow(_ file: String) throws {
        let url = ImageFixtures.root.appendingPathComponent("formats/\(file)")
        let decoded = try ImageDecoder.decode(contentsOf: url)
        let name = String(file.split(separator: "/").last!.split(separator: ".").dropLast().joined(separator: "."))
        let folder = "formats/" + file.split(separator: "/").first!
        let expectedURL = ImageFixtures.root.appendingPathComponent(folder).appendingPathComponent("expected/\(name).npy")
        let expected = try #require(try NPY.read(contentsOf: expectedURL).tensor(as: UInt8.self))
        #expect(decoded.image.height == expected.shape[0] && decoded.image.width == expected.shape[1], "\(file): size")
        guard decoded.image.pixels.count == expected.scalars.count else { return }
        let differing = zip(decoded.image.pixels, expected.scalars).filter { $0 != $1 }.count
        let worst = zip(decoded.image.pixels, expected.scalars).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(differing == 0, "\(file): \(differing) bytes differ, worst by \(worst)")
    }

    @Test func formatsAreRecognised() throws {
        let cases: [(String, DecodedImage.Format)] = [("gif/photo_adaptive.gif", .gif), ("bmp/photo_24.bmp", .bmp),
                                                      ("tiff/photo_rgb_raw.tif", .tiff), ("netpbm/photo.pbm", .netpbm),
                                                      ("jpeg-cmyk/photo_cmyk.jpg", .jpeg)]
        for (file, format) in cases {
            #expect(try ImageDecoder.decode(contentsOf: ImageFixtures.root.appendingPathComponent("formats/\(file)")).format == format)
        }
    }

    @Test func unknownFormatErrorNamesTheSupportedFormats() {
        #expect { try ImageDecoder.decode(Data("RIFF....XXXX".utf8)) } throws: {
            let text = "\($0)"
            return ["PNG", "JPEG", "GIF", "BMP", "TIFF", "PBM"].allSatisfy { text.contains($0) }
        }
    }

    /// The 16-bit gray rule is the same for PNG, PGM and TIFF: clamp to 255 (Pillow's I;16 → RGB).
    @Test func sixteenBitGrayClampsLikePillowEverywhere() throws {
        let values: [UInt16] = [0, 7, 255, 256, 40000]
        let pgm = Data("P5\n5 1\n65535\n".utf8) + Data(values.flatMap { [UInt8($0 >> 8), UInt8($0 & 255)] })
        #expect(try ImageDecoder.decode(pgm).image.pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [0, 7, 255, 255, 255])
        // maxval 1000: Pillow scales to 0...65535 first (round(v / 1000 * 65535)), then clamps.
        let scaled = Data("P2\n4 1\n1000\n0 1 3 1000\n".utf8)
        #expect(try ImageDecoder.decode(scaled).image.pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [0, 66, 197, 255])
    }
}
