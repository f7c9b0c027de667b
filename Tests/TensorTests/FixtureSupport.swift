import Foundation
import Testing
import Tensor

/// Locates and reads the committed fixtures written by `Scripts/make_tensor_fixtures.py`.
enum Fixtures {
    /// `Tests/TensorTests/Fixtures`, found from this source file's path so tests run
    /// from any working directory.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// One recorded case: an operation, its inputs, parameters and expected output.
    struct Case: CustomStringConvertible, Sendable {
        let index: Int
        let op: String
        let inputs: [String]
        let expected: String
        let params: [String: String]

        var description: String { "case \(index) \(op) \(params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))" }

        func input(_ k: Int) throws -> AnyTensor { try NPY.read(contentsOf: Fixtures.core.appendingPathComponent(inputs[k])) }
        func floatInput(_ k: Int) throws -> Tensor<Float> { try input(k).toFloat() }
        func expectedTensor() throws -> AnyTensor { try NPY.read(contentsOf: Fixtures.core.appendingPathComponent(expected)) }
        func string(_ key: String) -> String { params[key] ?? "" }
        func int(_ key: String) -> Int { Int(params[key] ?? "") ?? 0 }
        func float(_ key: String) -> Float { Float(params[key] ?? "") ?? 0 }
        func bool(_ key: String) -> Bool { params[key] == "true" || params[key] == "1" }
    }

    static let core = root.appendingPathComponent("core")

    /// Every case of the core manifest.
    static let coreCases: [Case] = {
        guard let data = try? Data(contentsOf: core.appendingPathComponent("manifest.json")),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = json["cases"] as? [[String: Any]] else { return [] }
        return cases.enumerated().map { index, entry in
            let params = entry["params"] as? [String: String] ?? [:]
            return Case(index: index, op: entry["op"] as? String ?? "", inputs: entry["inputs"] as? [String] ?? [],
                        expected: entry["expected"] as? String ?? "", params: params)
        }
    }()

    /// The core cases of one operation.
    static func cases(_ op: String) -> [Case] { coreCases.filter { $0.op == op } }
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
