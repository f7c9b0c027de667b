import Foundation
import Imaging
import Testing

/// `Gzip.decompress` against Python's `gzip.decompress` on fixtures written by
/// `Scripts/make_gzip_fixtures.py`: every valid file gives exactly Python's bytes; every
/// hostile file throws the `ImageError` kind recorded in `hostile.json`.
@Suite struct GzipTests {
    static let folder = ImageFixtures.root.appendingPathComponent("gzip")
    static let validNames = ImageFixtures.files("gzip/valid", "gz")
    static let hostileNames = ImageFixtures.files("gzip/hostile", "gz")

    /// The block types and header fields the script writes must all be here.
    @Test func everyCaseHasItsFixture() {
        for name in ["stored", "fixed", "dynamic", "empty", "fname", "fextra", "fcomment", "fhcrc", "all-header-fields",
                     "multi-member", "zero-padded", "python-gzipfile", "long-matches"] {
            #expect(Self.validNames.contains(name + ".gz"), "missing valid/\(name).gz")
        }
        #expect(Self.hostileNames.count >= 15, "hostile fixtures: \(Self.hostileNames)")
    }

    @Test(arguments: validNames)
    func decodesAsPython(_ name: String) throws {
        let input = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("valid/\(name)")))
        let expected = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("valid/\(name.dropLast(3)).out")))
        let output = try Gzip.decompress(input, limit: 1 << 20)
        #expect(output.count == expected.count)
        #expect(output == expected)
    }

    @Test(arguments: hostileNames)
    func refusesWhatItMust(_ name: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("hostile.json"))
        let verdicts = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: String]])
        let kind = try #require(verdicts[String(name.dropLast(3))]?["kind"], "\(name) has no verdict in hostile.json")
        let input = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("hostile/\(name)")))
        do {
            let output = try Gzip.decompress(input, limit: 1 << 20)
            Issue.record("\(name): decoded \(output.count) bytes, expected a \(kind) error")
        } catch let error as ImageError {
            #expect(error.kind.rawValue == kind, "\(name): \(error)")
        }
    }

    /// The output cap holds inside one member and across members (the limit is checked
    /// before every append, so nothing past it is ever allocated).
    @Test func outputIsCapped() throws {
        let input = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("valid/dynamic.gz")))
        let size = try Gzip.decompress(input, limit: 1 << 20).count
        #expect(throws: ImageError(.corrupt, "decompressed data exceeds the expected size")) {
            try Gzip.decompress(input, limit: size - 1)
        }
        #expect(try Gzip.decompress(input, limit: size).count == size)
        // Two members: the limit is on the total.
        let multi = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("valid/multi-member.gz")))
        let total = try Gzip.decompress(multi, limit: 1 << 20).count
        #expect(throws: ImageError.self) { try Gzip.decompress(multi, limit: total - 1) }
    }

    /// Every prefix of a valid file is refused with an ImageError (never a trap or a
    /// shorter output; a multi-member file cut after a member gives those members' bytes).
    @Test func everyPrefixIsRefused() throws {
        for name in ["fixed", "all-header-fields", "multi-member", "stored"] {
            let input = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("valid/\(name).gz")))
            for length in 0..<input.count {
                // A multi-member file cut right after a member's trailer is a shorter valid
                // file: its output is then the first members' bytes.
                if name == "multi-member", let output = try? Gzip.decompress(Array(input.prefix(length)), limit: 1 << 20) {
                    let expected = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("valid/multi-member.out")))
                    #expect(expected.starts(with: output), "multi-member cut at \(length)")
                    continue
                }
                #expect(throws: ImageError.self, "\(name) cut at \(length)") {
                    try Gzip.decompress(Array(input.prefix(length)), limit: 1 << 20)
                }
            }
        }
    }
}
