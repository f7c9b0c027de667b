import Foundation
import Testing
import Tensor

/// Locates and reads the committed fixtures written by `Scripts/make_tensor_fixtures.py`.
enum Fixtures {
    /// `Tests/TensorTests/Fixtures`, found from this source file's path so tests run
    /// from any working directory.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A fixture that is missing, unreadable or has no cases: the test that needs it fails.
    struct MissingFixture: Error, CustomStringConvertible {
        let description: String
    }

    /// One recorded case: an operation, its inputs, parameters and expected output.
    /// A case standing for a missing manifest (`missing` set) throws from every accessor,
    /// so its test fails instead of running zero cases.
    struct Case: CustomStringConvertible, Sendable {
        let index: Int
        let op: String
        let inputs: [String]
        let expected: String
        let params: [String: String]
        var missing: String? = nil

        var description: String {
            if let missing { return "MISSING \(op): \(missing)" }
            return "case \(index) \(op) \(params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
        }

        func checkPresent() throws {
            if let missing { throw MissingFixture(description: "fixture cases for \(op): \(missing)") }
        }
        func input(_ k: Int) throws -> AnyTensor {
            try checkPresent()
            guard k < inputs.count else { throw MissingFixture(description: "\(self) has no input \(k)") }
            return try NPY.read(contentsOf: Fixtures.core.appendingPathComponent(inputs[k]))
        }
        func floatInput(_ k: Int) throws -> Tensor<Float> { try input(k).toFloat() }
        func expectedTensor() throws -> AnyTensor {
            try checkPresent()
            return try NPY.read(contentsOf: Fixtures.core.appendingPathComponent(expected))
        }
        func string(_ key: String) -> String { params[key] ?? "" }
        func int(_ key: String) -> Int { Int(params[key] ?? "") ?? 0 }
        func float(_ key: String) -> Float { Float(params[key] ?? "") ?? 0 }
        func bool(_ key: String) -> Bool { params[key] == "true" || params[key] == "1" }
    }

    static let core = root.appendingPathComponent("core")

    /// Every case of the core manifest, or why it could not be read.
    static let loaded: Result<[Case], MissingFixture> = {
        let url = core.appendingPathComponent("manifest.json")
        do {
            let json = try JSONValue.parse(try Data(contentsOf: url))
            guard let entries = json["cases"]?.arrayValue else { return .failure(MissingFixture(description: "\(url.path): no \"cases\" list")) }
            var cases: [Case] = []
            for (index, entry) in entries.enumerated() {
                guard let op = entry["op"]?.stringValue, let expected = entry["expected"]?.stringValue,
                      let inputs = entry["inputs"]?.arrayValue?.map({ $0.stringValue }), !inputs.contains(nil) else {
                    return .failure(MissingFixture(description: "\(url.path): case \(index) is malformed"))
                }
                var params: [String: String] = [:]
                for (key, value) in entry["params"]?.objectPairs ?? [] {
                    guard let text = value.stringValue else {
                        return .failure(MissingFixture(description: "\(url.path): case \(index) param \(key) is not a string"))
                    }
                    params[key] = text
                }
                cases.append(Case(index: index, op: op, inputs: inputs.map { $0! }, expected: expected, params: params))
            }
            return .success(cases)
        } catch {
            return .failure(MissingFixture(description: "\(url.path): \(error)"))
        }
    }()

    /// The core cases of one operation; a single failing placeholder when the manifest is
    /// missing or has none, so a parameterized test never runs zero cases silently.
    static func cases(_ op: String) -> [Case] {
        return nonEmpty(op, (try? loaded.get())?.filter { $0.op == op })
    }

    /// `cases`, or the failing placeholder when it is nil (unreadable) or empty.
    static func nonEmpty(_ op: String, _ cases: [Case]?) -> [Case] {
        guard let cases else {
            let reason: String
            if case .failure(let error) = loaded { reason = error.description } else { reason = "unreadable" }
            return [Case(index: -1, op: op, inputs: [], expected: "", params: [:], missing: reason)]
        }
        if cases.isEmpty { return [Case(index: -1, op: op, inputs: [], expected: "", params: [:], missing: "no cases in the manifest")] }
        return cases
    }
}

/// The distance between `x` and the next larger float in magnitude: one unit in the
/// last place, the natural unit for comparing correctly rounded results.
func ulp(_ x: Float) -> Float { x.isFinite ? Swift.max(x.magnitude.ulp, Float.leastNonzeroMagnitude) : 0 }

/// Describes the first element where `actual` and `expected` differ by more than
/// `tolerance(expected, index)`, or returns nil when all agree (NaN must match NaN,
/// infinities must match exactly).
func firstMismatch(_ actual: Tensor<Float>, _ expected: Tensor<Float>,
                   tolerance: (Float, Int) -> Float) -> String? {
    if actual.shape != expected.shape { return "shape \(actual.shape) != expected \(expected.shape)" }
    let a = actual.scalars, e = expected.scalars
    for i in 0..<a.count {
        if a[i].isNaN || e[i].isNaN {
            if a[i].isNaN != e[i].isNaN { return "element \(i): \(a[i]) vs expected \(e[i])" }
            continue
        }
        if a[i].isInfinite || e[i].isInfinite {
            if a[i] != e[i] { return "element \(i): \(a[i]) vs expected \(e[i])" }
            continue
        }
        let tol = tolerance(e[i], i)
        if Swift.abs(a[i] - e[i]) > tol {
            return "element \(i): \(a[i]) vs expected \(e[i]) (diff \(Swift.abs(a[i] - e[i])) > tolerance \(tol))"
        }
    }
    return nil
}

/// Records a test issue naming the first element outside `tolerance` (see `firstMismatch`).
func expectMatch(_ actual: Tensor<Float>, _ expected: Tensor<Float>, _ context: Any = "",
                 sourceLocation: SourceLocation = #_sourceLocation,
                 tolerance: (Float, Int) -> Float) {
    if let mismatch = firstMismatch(actual, expected, tolerance: tolerance) {
        Issue.record("\(context): \(mismatch)", sourceLocation: sourceLocation)
    }
}
