import Foundation
import Tensor
import Testing

/// The fixture manifest and the tests agree: every case the manifest lists is loaded and
/// is an argument of a parameterized test, so a green run covered all of them.
@Suite struct FixtureCoverageTests {
    /// The manifest's case count per op, read independently of `Fixtures`.
    static func manifestCounts() throws -> [String: Int] {
        let raw = try JSONValue.parse(try Data(contentsOf: Fixtures.core.appendingPathComponent("manifest.json")))
        let entries = try #require(raw["cases"]?.arrayValue)
        var counts: [String: Int] = [:]
        for entry in entries { counts[try #require(entry["op"]?.stringValue), default: 0] += 1 }
        return counts
    }

    /// The ops the test sources pass to `Fixtures.cases("…")`, found by reading them.
    static func opsUsedByTests() throws -> Set<String> {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        var ops = Set<String>()
        let marker = "Fixtures.cases(\""
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix("Tests.swift") && name != "FixtureCoverageTests.swift" {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            var rest = text[...]
            while let range = rest.range(of: marker) {
                rest = rest[range.upperBound...]
                guard let end = rest.firstIndex(of: "\"") else { break }
                ops.insert(String(rest[..<end]))
                rest = rest[end...]
            }
        }
        return ops
    }

    @Test func everyManifestCaseIsLoadedAndTested() throws {
        let counts = try Self.manifestCounts()
        #expect(counts.values.reduce(0, +) == (try Fixtures.loaded.get()).count)
        #expect(counts.values.reduce(0, +) >= 300, "the core manifest lost cases")
        let used = try Self.opsUsedByTests()
        for (op, count) in counts.sorted(by: { $0.key < $1.key }) {
            #expect(used.contains(op), "\(count) \(op) cases are not an argument of any test")
            let cases = Fixtures.cases(op)
            #expect(cases.count == count && cases.allSatisfy { $0.missing == nil }, "\(op): \(cases.count) loaded, \(count) in the manifest")
        }
        for op in used { #expect(counts[op] != nil, "tests ask for \(op), which the manifest lacks") }
        for c in try Fixtures.loaded.get() {
            for file in c.inputs + [c.expected] {
                #expect(FileManager.default.isReadableFile(atPath: Fixtures.core.appendingPathComponent(file).path), "\(c): \(file)")
            }
        }
    }

    /// The placeholder for a missing manifest fails its test instead of vanishing.
    @Test func aMissingFixtureFails() {
        let placeholder = Fixtures.nonEmpty("nothing", [])
        #expect(placeholder.count == 1)
        #expect(throws: Fixtures.MissingFixture.self) { try placeholder[0].floatInput(0) }
        #expect(throws: Fixtures.MissingFixture.self) { try placeholder[0].expectedTensor() }
        #expect(Fixtures.cases("no-such-op").count == 1)
    }

    /// Every in-place case asserts (it skipped 50 of 86 before).
    @Test func inPlaceCasesAreAllInPlace() throws {
        let cases = ElementwiseTests.inPlaceCases
        #expect(cases.count >= 20 && cases.allSatisfy { $0.missing == nil })
        for c in cases {
            let a = try c.input(0).shape, b = try c.input(1).shape
            #expect(Broadcasting.shape(a, b) == a && ["add", "sub", "mul", "div"].contains(c.string("name")), "\(c)")
        }
    }
}
