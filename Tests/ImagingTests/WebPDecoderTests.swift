import Foundation
import Imaging
import Tensor
import Testing

/// WebP decoding against Pillow 12.3.0 (libwebp 1.6.0) through `Image.open(f).convert("RGB")`:
/// lossy (fancy upsampling, libwebp's fixed-point YUV → RGB), lossless, with alpha
/// (dropped, not composited) and animated (first frame), bit for bit. Fixtures from
/// Scripts/make_webp_fixtures.py.
@Suite struct WebPDecoderTests {
    static let files = ImageFixtures.files("webp", "webp")

    static func decode(_ file: String) throws -> DecodedImage {
        try ImageDecoder.decode(contentsOf: ImageFixtures.root.appendingPathComponent("webp/\(file)"))
    }

    @Test func fixturesArePresent() {
        #expect(Self.files.count >= 30, "expected the WebP fixtures from Scripts/make_webp_fixtures.py")
    }

    @Test(arguments: files)
    func decodesLikePillow(_ file: String) throws {
        let decoded = try Self.decode(file)
        let expected = try ImageFixtures.expected("webp", String(file.dropLast(5)))
        #expect(decoded.format == .webp)
        #expect(decoded.image.pixels.count == expected.count, "\(file): size")
        guard decoded.image.pixels.count == expected.count else { return }
        let differing = zip(decoded.image.pixels, expected).filter { $0 != $1 }.count
        let worst = zip(decoded.image.pixels, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(differing == 0, "\(file): \(differing) samples differ, worst by \(worst)")
    }
}
