import Foundation
import Imaging
import Tensor
import Testing

enum ImageFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// The `.ext` files of a fixture folder. A missing, unreadable or empty folder gives
    /// one placeholder name that no file has, so the parameterized test fails on it
    /// instead of running zero cases.
    static func files(_ folder: String, _ ext: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path))?
            .filter { $0.hasSuffix("." + ext) }.sorted() ?? []
        return names.isEmpty ? ["MISSING-\(folder)-fixtures.\(ext)"] : names
    }

    /// The reference outputs of a folder (`expected/*.npy`, one per input file).
    static func expectedNames(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).appendingPathComponent("expected").path)
            .filter { $0.hasSuffix(".npy") }.map { String($0.dropLast(4)) }.sorted()
    }
    static func expected(_ folder: String, _ name: String) throws -> [UInt8] {
        let url = root.appendingPathComponent(folder).appendingPathComponent("expected").appendingPathComponent(name + ".npy")
        return try #require(try NPY.read(contentsOf: url).tensor(as: UInt8.self)).scalars
    }
}

/// PNG decoding is bit-exact with Pillow's `convert("RGB")` for every colour type, bit
/// depth, interlacing and tRNS.
@Suite struct PNGDecoderTests {
    @Test(arguments: ImageFixtures.files("png", "png"))
    func decodesLikePillow(_ file: String) throws {
        let decoded = try ImageDecoder.decode(contentsOf: ImageFixtures.root.appendingPathComponent("png/\(file)"))
        #expect(decoded.format == .png)
        #expect(decoded.image.pixels == (try ImageFixtures.expected("png", String(file.dropLast(4)))), "\(file)")
    }

    @Test func writerRoundTrips() throws {
        let image = try ImageDecoder.decode(contentsOf: ImageFixtures.root.appendingPathComponent("png/rgb8.png")).image
        let again = try ImageDecoder.decode(Data(PNGWriter.encode(image))).image
        #expect(again == image)
        let large = RGBImage(width: 300, height: 100, pixels: (0..<(300 * 100 * 3)).map { UInt8($0 % 251) })
        #expect(try ImageDecoder.decode(Data(PNGWriter.encode(large))).image == large, "more than one stored block")
    }
}

/// JPEG decoding against Pillow (libjpeg-turbo): within 1 level per channel, and in
/// practice exact (the max difference is reported by `maxDifferenceOverAllFixtures`).
@Suite struct JPEGDecoderTests {
    static func maxDifference(_ file: String) throws -> Int {
        let decoded = try ImageDecoder.decode(contentsOf: ImageFixtures.root.appendingPathComponent("jpeg/\(file)"))
        let expected = try ImageFixtures.expected("jpeg", String(file.dropLast(4)))
        guard decoded.image.pixels.count == expected.count else { return Int.max }
        return zip(decoded.image.pixels, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }

    @Test(arguments: ImageFixtures.files("jpeg", "jpg"))
    func decodesLikePillow(_ file: String) throws {
        let worst = try Self.maxDifference(file)
        #expect(worst <= 1, "\(file): max difference \(worst)")
        if ProcessInfo.processInfo.environment["INTERNVIT_TEST_VERBOSE"] != nil { print("jpeg \(file): max difference \(worst)") }
    }

    @Test func exifOrientationIsReportedNotApplied() throws {
        let decoded = try ImageDecoder.decode(contentsOf: ImageFixtures.root.appendingPathComponent("jpeg/orientation6.jpg"))
        #expect(decoded.orientation == 6)
        #expect(decoded.image.width == 50 && decoded.image.height == 40)
        let upright = decoded.applyingOrientation()
        #expect(upright.width == 40 && upright.height == 50)
        #expect(upright[0, 0] == decoded.image[0, 39], "orientation 6: rotate 90° clockwise")
    }
}

/// Resizing equals Pillow's `Image.resize` bit for bit.
@Suite struct ResamplingTests {
    @Test func matchesPillow() throws {
        let folder = ImageFixtures.root.appendingPathComponent("resize")
        let input = try #require(try NPY.read(contentsOf: folder.appendingPathComponent("input.npy")).tensor(as: UInt8.self))
        let image = RGBImage(width: input.shape[1], height: input.shape[0], pixels: input.scalars)
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("cases.json"))) as? [[String: Any]])
        for c in cases {
            let name = c["filter"] as! String, w = c["width"] as! Int, h = c["height"] as! Int
            let expected = try #require(try NPY.read(contentsOf: folder.appendingPathComponent("\(name)_\(w)x\(h).npy")).tensor(as: UInt8.self))
            let ours = image.resized(width: w, height: h, filter: name == "bicubic" ? .bicubic : .bilinear)
            let diff = zip(ours.pixels, expected.scalars).filter { $0 != $1 }.count
            #expect(diff == 0, "\(name) \(w)x\(h): \(diff) bytes differ")
        }
    }
}

/// CLIPImageProcessor (transformers 4.x PIL path) outputs, for InternViT's config and a
/// small one: equal at every pixel (the reference's floats are exact functions of the
/// stored 8-bit crops, which the script checks).
@Suite struct CLIPImageProcessorTests {
    static let folder = ImageFixtures.root.appendingPathComponent("clip")

    @Test(arguments: ["landscape_internvit", "square_internvit", "portrait_small", "small_small", "wide_small", "tiny_small"])
    func matchesTransformers(_ name: String) throws {
        let parts = name.split(separator: "_")
        let config = try CLIPImageProcessorConfig(contentsOf: Self.folder.appendingPathComponent("preprocessor_config_\(parts[1]).json"))
        if parts[1] == "internvit" { #expect(config == .internViT) }
        let processor = CLIPImageProcessor(config: config)
        let image = try ImageDecoder.decode(contentsOf: Self.folder.appendingPathComponent("\(parts[0]).png")).image
        let expected = try #require(try NPY.read(contentsOf: Self.folder.appendingPathComponent("\(name)_u8.npy")).tensor(as: UInt8.self))
        #expect(try processor.resizedAndCropped(image).pixels == expected.scalars, "\(name): 8-bit crop")
        let values = try processor(image)
        let reference = CLIPImageProcessor.normalizedTensor(
            [RGBImage(width: expected.shape[2], height: expected.shape[1], pixels: expected.scalars)],
            rescale: 1.0 / 255.0, mean: config.imageMean, std: config.imageStd)
        #expect(values.shape == [1, 3, config.cropHeight, config.cropWidth])
        #expect(values.scalars == reference.scalars)
        // The normalisation itself, element by element: (float32(u8 · (1/255)) − mean)/std.
        let u8 = expected.scalars[0]
        #expect(values[0, 0, 0, 0] == (Float(Double(u8) * (1.0 / 255.0)) - config.imageMean[0]) / config.imageStd[0])
    }

    @Test func configVariants() throws {
        let c = try CLIPImageProcessorConfig(json: Data(#"{"size": {"shortest_edge": 336}, "crop_size": {"height": 300, "width": 200}, "resample": 2}"#.utf8))
        #expect(c.size == .shortestEdge(336) && c.cropHeight == 300 && c.cropWidth == 200 && c.resample == .bilinear)
        #expect(throws: ImageError.self) { try CLIPImageProcessorConfig(json: Data(#"{"resample": 1}"#.utf8)) }
        #expect(throws: ImageError.self) { try CLIPImageProcessorConfig(json: Data(#"{"size": "big"}"#.utf8)) }
        // A crop larger than the image pads with zeros, centred (transformers' rule).
        let tiny = RGBImage(width: 2, height: 1, pixels: [10, 10, 10, 20, 20, 20])
        let padded = CLIPImageProcessor.centerCrop(tiny, height: 3, width: 3)
        #expect(padded.pixels == [0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 10, 10, 10, 20, 20, 20,  0, 0, 0, 0, 0, 0, 0, 0, 0])
    }
}

/// Hostile input: typed errors naming the problem, never a trap.
@Suite struct ImageRobustnessTests {
    static func corrupt(_ data: Data, seed: UInt64, rounds: Int) -> (accepted: Int, rejected: Int) {
        var generator = SeededGenerator(seed: seed)
        var accepted = 0, rejected = 0
        for round in 0..<rounds {
            var bytes = data
            if round % 5 == 0 {
                bytes = bytes.prefix(Int(generator.next() % UInt64(bytes.count)))
            } else {
                for _ in 0..<(1 + Int(generator.next() % 4)) {
                    let position = Int(generator.next() % UInt64(bytes.count))
                    bytes[position] = generator.next() % 2 == 0 ? bytes[position] ^ UInt8(1 << (generator.next() % 8))
                        : UInt8(truncatingIfNeeded: generator.next())
                }
            }
            if (try? ImageDecoder.decode(bytes, limits: DecodeLimits(maximumPixels: 1 << 22))) != nil { accepted += 1 } else { rejected += 1 }
        }
        return (accepted, rejected)
    }

    @Test(arguments: ["png/rgb8.png", "png/palette2_adam7.png", "png/rgba16.png", "jpeg/420_base_37x29.jpg",
                      "jpeg/444_prog_37x29.jpg", "jpeg/420_restart.jpg", "jpeg/gray_prog.jpg"])
    func mutatedFilesNeverCrash(_ file: String) throws {
        let data = try Data(contentsOf: ImageFixtures.root.appendingPathComponent(file))
        let (_, rejected) = Self.corrupt(data, seed: UInt64(file.utf8.count), rounds: 400)
        #expect(rejected > 0)
        for length in stride(from: 0, to: Swift.min(data.count, 300), by: 1) {
            _ = try? ImageDecoder.decode(data.prefix(length))
        }
    }

    /// Inputs that crashed the decoder under libFuzzer (Scripts/fuzz/run.sh), kept as
    /// regression tests: each must now throw.
    @Test func fuzzerFindingsThrow() throws {
        // A DHT segment whose code counts over-subscribe the code space.
        let data = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("jpeg-overflowing-huffman-table.bin"))
        #expect { try ImageDecoder.decode(data) } throws: { ($0 as? ImageError)?.kind == .corrupt }
        // A 37 x 32797 frame with corrupt entropy data (it timed out when every block
        // write copied the whole coefficient array).
        let tall = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("jpeg-tall-corrupt.bin"))
        #expect { try ImageDecoder.decode(tall) } throws: { ($0 as? ImageError)?.kind == .corrupt }
    }

    @Test func pixelLimitIsCheckedFromTheHeader() throws {
        let data = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("jpeg/420_base_64x48.jpg"))
        #expect { try ImageDecoder.decode(data, limits: DecodeLimits(maximumPixels: 1000)) } throws: {
            ($0 as? ImageError)?.kind == .tooLarge
        }
        // A PNG header claiming 100000 x 100000 pixels is refused before any allocation.
        var png = try Data(contentsOf: ImageFixtures.root.appendingPathComponent("png/rgb8.png"))
        png.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
        let crc = crc32(png[12..<29])
        png.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8((crc >> 16) & 255), UInt8((crc >> 8) & 255), UInt8(crc & 255)])
        #expect { try ImageDecoder.decode(png) } throws: { ($0 as? ImageError)?.kind == .tooLarge }
    }

    func crc32(_ bytes: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    @Test func errorsNameTheFile() {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("not-an-image-\(UUID()).png")
        try? Data("hello".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect { try ImageDecoder.decode(contentsOf: url) } throws: { "\($0)".hasPrefix(url.path + ": ") }
        #expect { try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: "/nonexistent.png")) } throws: {
            ($0 as? ImageError)?.kind == .unreadable
        }
    }

    @Test func netpbm() throws {
        let ppm = Data("P6\n2 1\n255\n".utf8) + Data([1, 2, 3, 250, 251, 252])
        #expect(try ImageDecoder.decode(ppm).image.pixels == [1, 2, 3, 250, 251, 252])
        let pgm = Data("P2\n# comment\n2 1\n15\n0 15\n".utf8)
        #expect(try ImageDecoder.decode(pgm).image.pixels == [0, 0, 0, 255, 255, 255])
        #expect(throws: ImageError.self) { try ImageDecoder.decode(Data("P6\n2 1\n255\n".utf8) + Data([1, 2])) }
    }
}
