import Foundation
import Imaging
import Tensor
import Testing

/// Crafted inputs that once trapped, hung or asked for absurd allocations (issue #12):
/// each is generated here and must now end in a short `ImageError`, or decode in time
/// proportional to its pixels.
@Suite struct HostileImageInputTests {
    /// A grayscale progressive JPEG of `width` × `height` with `scans` empty DC scans: no
    /// entropy-coded data at all, so every scan runs out of data at its first block.
    static func emptyScansJPEG(width: Int, height: Int, scans: Int) -> Data {
        var bytes: [UInt8] = [0xFF, 0xD8]
        bytes += [0xFF, 0xDB, 0x00, 0x43, 0x00] + [UInt8](repeating: 1, count: 64)                 // DQT 0
        bytes += [0xFF, 0xC2, 0x00, 0x0B, 8, UInt8(height >> 8), UInt8(height & 255),                // SOF2
                  UInt8(width >> 8), UInt8(width & 255), 1, 1, 0x11, 0]
        bytes += [0xFF, 0xC4, 0x00, 0x14, 0x00, 1] + [UInt8](repeating: 0, count: 15) + [0]          // DC table 0: one code
        for _ in 0..<scans { bytes += [0xFF, 0xDA, 0x00, 0x08, 1, 1, 0x00, 0, 0, 0] }                // SOS, DC first, no data
        bytes += [0xFF, 0xD9]
        return Data(bytes)
    }

    /// Thousands of empty scans: before, every scan decoded every block of the frame
    /// (minutes of CPU from a few-KB file); now a scan that has run out of data stops, as
    /// libjpeg's `insufficient_data` does, and the total work is capped at
    /// `DecodeLimits.maximumBlockVisitsPerBlock` visits per block, so the old behaviour
    /// would fail here with the work-limit error instead of decoding.
    @Test func emptyScansCostNothing() throws {
        var limits = DecodeLimits()
        limits.maximumScans = 10_000
        let file = Self.emptyScansJPEG(width: 1024, height: 1024, scans: 5000)     // 16,384 blocks
        #expect(file.count < 60_000)
        let decoded = try ImageDecoder.decode(file, limits: limits)
        #expect(decoded.image.width == 1024 && decoded.image.height == 1024)
        #expect(decoded.image.pixels.allSatisfy { $0 == 128 }, "no coefficient was set: mid-grey")
    }

    /// More than `DecodeLimits.maximumScans` (500, libjpeg-turbo's fuzzing scan limit)
    /// scans are refused with one line.
    @Test func scanCountIsCapped() throws {
        #expect(DecodeLimits().maximumScans == 500)
        #expect(try ImageDecoder.decode(Self.emptyScansJPEG(width: 64, height: 64, scans: 500)).image.width == 64)
        #expect { try ImageDecoder.decode(Self.emptyScansJPEG(width: 64, height: 64, scans: 501)) } throws: { error in
            let e = error as? ImageError
            return e?.kind == .tooLarge && e!.message.contains("more than 500 scans") && "\(error)".split(separator: "\n").count == 1
        }
    }

    /// Scans that do visit every block stop at the work limit (a tight one here, on a
    /// valid progressive file whose ~10 scans visit each block several times).
    @Test func blockVisitsAreCapped() throws {
        let original = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("jpeg/444_prog_37x29.jpg"))
        var tight = DecodeLimits()
        tight.maximumBlockVisitsPerBlock = 2
        #expect { try ImageDecoder.decode(original, limits: tight) } throws: { error in
            (error as? ImageError)?.kind == .tooLarge && "\(error)".contains("decode-work limit")
        }
        #expect(throws: Never.self) { try ImageDecoder.decode(original) }
    }

    /// A valid progressive file followed by hundreds of empty DC refinement scans decodes
    /// to the same pixels: an empty scan changes nothing.
    @Test func emptyRefinementScansLeaveAProgressiveImageUnchanged() throws {
        let original = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("jpeg/444_prog_37x29.jpg"))
        let reference = try ImageDecoder.decode(original).image
        let frame = try #require(Self.componentIDs(original))
        var bytes = [UInt8](original)
        #expect(bytes.suffix(2) == [0xFF, 0xD9])
        bytes.removeLast(2)
        let header: [UInt8] = [0xFF, 0xDA, 0x00, UInt8(6 + 2 * frame.count), UInt8(frame.count)]
            + frame.flatMap { [$0, 0x00] } + [0, 0, 0x10]                                               // Ss 0, Se 0, Ah 1, Al 0
        for _ in 0..<400 { bytes += header }
        bytes += [0xFF, 0xD9]
        #expect(try ImageDecoder.decode(Data(bytes)).image == reference)
    }

    /// The component ids of a JPEG's SOF2 segment.
    static func componentIDs(_ data: Data) -> [UInt8]? {
        let b = [UInt8](data)
        var i = 2
        while i + 4 < b.count {
            guard b[i] == 0xFF else { return nil }
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            if b[i + 1] == 0xC2 {
                let count = Int(b[i + 9])
                return (0..<count).map { b[i + 10 + 3 * $0] }
            }
            i += 2 + length
        }
        return nil
    }

    /// A 65535 × 1 PNG (a few hundred bytes compressed) passes the decoder's pixel cap,
    /// but the shortest-edge resize to 448 would be 29,359,680 × 448 pixels (a 39 GB
    /// buffer, which aborted). With a center crop only the crop is computed
    /// (`RegionResizeTests`); without one the whole target is needed and is checked
    /// against the pixel cap.
    @Test func shortestEdgeResizeTargetIsCapped() throws {
        let strip = try ImageDecoder.decode(Data(PNGWriter.encode(RGBImage(width: 65535, height: 1)))).image
        var noCrop = CLIPImageProcessorConfig.internViT
        noCrop.doCenterCrop = false
        let processor = CLIPImageProcessor(config: noCrop)
        #expect(processor.outputSize(height: 1, width: 65535) == (448, 29_359_680))
        #expect { try processor(strip) } throws: { error in
            (error as? ImageError)?.kind == .tooLarge && "\(error)".contains("29359680 x 448")
        }
        #expect(try CLIPImageProcessor(config: .internViT)(strip).shape == [1, 3, 448, 448])
        // A merely wide image still works without a crop.
        #expect(try processor(RGBImage(width: 100, height: 20)).shape == [1, 3, 448, 2240])
    }

    /// `preprocessor_config.json` sizes are bounded by the pixel cap and typed strictly.
    @Test(arguments: [
        (#"{"crop_size": 1099511627776}"#, "crop_size"),          // 2⁴⁰: overflowed
        (#"{"crop_size": 1000000}"#, "crop_size"),                // aborted on allocation
        (#"{"size": 1000000}"#, "size"),
        (#"{"size": {"height": 100000, "width": 100000}}"#, "size"),
        (#"{"crop_size": {"height": 0, "width": 5}}"#, "crop_size"),
        (#"{"size": {"shortest_edge": "448"}}"#, "size"),          // was silently ignored
        (#"{"crop_size": {"height": 448, "width": 448.5}}"#, "crop_size"),
        (#"{"size": {"shortest_edge": 448, "longest_edge": 1000}}"#, "size"),
        (#"{"image_mean": [0.5, "x", 0.5]}"#, "image_mean"),
        (#"{"image_std": [1, 1e999, 1]}"#, "image_std"),
    ])
    func preprocessorValuesAreBounded(_ json: String, _ key: String) {
        #expect { try CLIPImageProcessorConfig(json: Data(json.utf8)) } throws: { error in
            "\(error)".contains("\"\(key)\"") && "\(error)".split(separator: "\n").count == 1
        }
    }

    @Test func derivedSizesAreOverflowSafe() {
        let limits = DecodeLimits()
        #expect(throws: ImageError.self) { try limits.checkDerived(width: Int.max, height: Int.max, "x") }
        #expect(throws: ImageError.self) { try limits.checkDerived(width: 1 << 40, height: 1, "x") }
        #expect(throws: ImageError.self) { try limits.checkDerived(width: 0, height: 5, "x") }
        #expect(throws: Never.self) { try limits.checkDerived(width: 13377, height: 13377, "x") }
    }
}

/// The decoder fixtures and their references agree one to one, so the parameterized
/// decoder tests ran every reference Pillow wrote.
@Suite struct ImagingFixtureCoverageTests {
    @Test(arguments: [("png", "png", 25), ("jpeg", "jpg", 30)])
    func everyReferenceHasItsFileAndIsTested(_ folder: String, _ ext: String, _ atLeast: Int) throws {
        let files = ImageFixtures.files(folder, ext)
        let references = try ImageFixtures.expectedNames(folder)
        #expect(files.map { String($0.dropLast(ext.count + 1)) } == references)
        #expect(files.count >= atLeast, "\(folder): \(files.count) fixtures, expected at least \(atLeast)")
    }

    @Test func aMissingFolderGivesAFailingPlaceholder() {
        let placeholder = ImageFixtures.files("no-such-folder", "png")
        #expect(placeholder.count == 1)
        #expect(throws: ImageError.self) { try ImageDecoder.decode(contentsOf: ImageFixtures.root.appendingPathComponent(placeholder[0])) }
    }
}

/// Resizing only a region is bit-identical to resizing everything and cropping (Pillow's
/// per-pixel arithmetic does not depend on the other pixels).
@Suite struct RegionResizeTests {
    static func image(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var generator = SeededGenerator(seed: seed)
        return RGBImage(width: width, height: height, pixels: (0..<(width * height * 3)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
    }

    @Test(arguments: [(37, 23, 100, 61), (37, 23, 11, 7), (64, 48, 64, 90), (64, 48, 90, 48), (5, 300, 40, 17), (300, 5, 17, 40), (20, 20, 20, 20)])
    func regionEqualsResizeThenCrop(_ w: Int, _ h: Int, _ newW: Int, _ newH: Int) {
        let source = Self.image(width: w, height: h, seed: UInt64(w * 1000 + h))
        for filter in [ResamplingFilter.bilinear, .bicubic] {
            let full = source.resized(width: newW, height: newH, filter: filter)
            for (columns, rows) in [(0..<newW, 0..<newH), ((newW / 3)..<(newW - newW / 4), (newH / 5)..<(newH / 2 + 1)),
                                    ((newW - 1)..<newW, 0..<1)] {
                let region = source.resized(width: newW, height: newH, filter: filter, columns: columns, rows: rows)
                let expected = full.cropped(left: columns.lowerBound, top: rows.lowerBound, width: columns.count, height: rows.count)
                #expect(region == expected, "\(w)x\(h) -> \(newW)x\(newH) \(filter) \(columns) \(rows)")
            }
        }
    }

    /// The 65535 × 1 strip through InternViT's preprocessing: the 448² center of a
    /// 29,359,680 × 448 resize, computed without that resize (it asked for 39 GB).
    @Test func extremeAspectRatioGetsItsCenterCrop() throws {
        var strip = RGBImage(width: 65535, height: 1)
        for x in 0..<65535 { strip.pixels[x * 3] = UInt8(x % 256); strip.pixels[x * 3 + 1] = UInt8((x / 256) % 256) }
        let processor = CLIPImageProcessor(config: .internViT)
        let crop = try processor.resizedAndCropped(strip)
        #expect(crop.width == 448 && crop.height == 448)
        // Its centre column comes from around input column 32767 (a 448x upscale).
        let middle = crop[224, 0]
        #expect(abs(Int(middle.1) - 127) <= 1, "green carries x / 256 ≈ 127 at the centre, got \(middle)")
        // Against the exact path on a strip small enough to resize whole.
        let small = Self.image(width: 900, height: 2, seed: 9)
        var config = CLIPImageProcessorConfig.internViT
        config.size = .shortestEdge(20); config.cropHeight = 20; config.cropWidth = 16
        let exact = CLIPImageProcessor.centerCrop(small.resized(width: 9000, height: 20, filter: .bicubic), height: 20, width: 16)
        #expect(try CLIPImageProcessor(config: config).resizedAndCropped(small) == exact)
    }
}
