import Foundation
import NN
import NNTesting
import Tensor
import Testing

/// `Activation` against PyTorch (`Scripts/make_activation_fixtures.py`: float64 results
/// on float32 inputs, rounded to float32), element by element.
@Suite struct ActivationTests {
    static let fixture = LayerFixture("activations")

    /// Each activation within `tolerance(x, expected)` of the exact value. The bounds are
    /// the float32 error analysis of each formula (ε = 2⁻²³ ≈ 1.2e-7, a few ulp for the
    /// vector exp/erf), not fitted slack:
    /// - exact GELU x·½(1 + erf(x/√2)): 1 + erf cancels for x < 0, leaving an absolute
    ///   error of about ε·|x|;
    /// - tanh GELU x / (1 + e^(−2u)): the rounding of u (a few ε relative) is amplified
    ///   by e^(−2u) to about 2|u|·ε relative;
    /// - SiLU x / (1 + e^(−x)): likewise |x|·ε relative.
    /// Two absolute terms cover the reference and the subnormal range: the float64
    /// reference cancels too (PyTorch's 1 + tanh(u) is 0 in float64 below x ≈ −10, where
    /// the true value is −3e-38), so it is only good to |x|·2⁻⁵³; and our vector exp
    /// returns +∞ past 88.7, so results below the smallest normal float (1.2e-38) flush
    /// to zero.
    @Test(arguments: [(Activation.gelu, 0), (.geluTanh, 1), (.silu, 2)])
    func matchesPyTorch(_ activation: Activation, _ output: Int) throws {
        let x = try Self.fixture.floatInput()
        let expected = try Self.fixture.output(output)
        let actual = activation(x)
        #expect(actual.shape == expected.shape)
        let xs = x.scalars, a = actual.scalars, e = expected.scalars
        let epsilon = Float.ulpOfOne
        var failures = 0
        for i in xs.indices {
            if e[i].isNaN || a[i].isNaN || e[i].isInfinite || a[i].isInfinite {
                if !(a[i] == e[i] || (a[i].isNaN && e[i].isNaN)) { failures += 1; Issue.record("\(activation) x=\(xs[i]): \(a[i]) vs \(e[i])") }
                continue
            }
            let ulp = Swift.max(e[i].magnitude.ulp, Float.leastNonzeroMagnitude)
            let u = 0.7978846 * (xs[i] + 0.044715 * xs[i] * xs[i] * xs[i])
            let absolute = Float(Double(xs[i].magnitude) * 0x1p-53) + Float.leastNormalMagnitude
            let tolerance: Float
            switch activation {
            case .gelu: tolerance = absolute + 4 * ulp + 2 * epsilon * xs[i].magnitude
            case .geluTanh: tolerance = absolute + 4 * ulp + (2 * u.magnitude + 4) * epsilon * e[i].magnitude
            case .silu: tolerance = absolute + 4 * ulp + (xs[i].magnitude + 4) * epsilon * e[i].magnitude
            }
            if !((a[i] - e[i]).magnitude <= tolerance) {
                failures += 1
                if failures <= 5 { Issue.record("\(activation) x=\(xs[i]): \(a[i]) vs \(e[i]), diff \((a[i] - e[i]).magnitude) > \(tolerance)") }
            }
        }
        #expect(failures == 0)
        #expect(xs.count == 5411, "the fixture covers the sweep, wide values and edges")
    }

    /// Every configuration spelling maps to the function it names in transformers' ACT2FN.
    @Test func configSpellings() {
        #expect(Activation(configName: "gelu") == .gelu)
        for name in ["gelu_new", "gelu_pytorch_tanh", "gelu_fast"] { #expect(Activation(configName: name) == .geluTanh) }
        for name in ["silu", "swish"] { #expect(Activation(configName: name) == .silu) }
        for name in ["quick_gelu", "relu", "GELU", ""] { #expect(Activation(configName: name) == nil) }
        #expect(Activation(configName: Activation.geluTanh.configName) == .geluTanh)
    }

    /// The MLP applies the activation it was given (the tanh form differs from erf by up
    /// to 5e-4 near |x| = 2, far above float32 noise).
    @Test func mlpAppliesItsActivation() {
        let x = Tensor<Float>.randomNormal([3, 8], seed: 2) * 3                       // [3, 8]
        #expect(Activation.geluTanh(x).maxAbsDifference(x.geluTanh()) == 0)
        #expect(Activation.gelu(x).maxAbsDifference(x.geluTanh()) > 1e-5)
    }
}

/// `ConfigReader`: wrong JSON types and out-of-range values are errors naming the key.
@Suite struct ConfigReaderTests {
    static func reader(_ json: String) throws -> ConfigReader { try ConfigReader(json: Data(json.utf8), file: "config.json") }

    @Test func typedAccessors() throws {
        let r = try Self.reader(#"{"a": 3, "b": 2.5, "c": true, "d": "x", "e": [4, 4], "f": null, "g": {"h": 1}, "act": "gelu_new", "norm": "rms_norm", "m": [1, 2, 3]}"#)
        #expect(try r.int("a", in: 1...10) == 3)
        #expect(try r.int("f") == nil && r.value("f") == nil && !r.contains("zzz"))
        #expect(try r.double("b") == 2.5 && r.float("b") == 2.5)
        #expect(try r.bool("c") == true && r.string("d") == "x")
        #expect(try r.squareInt("e") == 4 && r.squareInt("a") == 3)
        #expect(try r.child("g")?.int("h") == 1)
        #expect(try r.activation("act") == .geluTanh && r.normType("norm") == .rmsNorm)
        #expect(try r.floats("m", counts: [3]) == [1, 2, 3])
    }

    @Test(arguments: [
        (#"{"k": "3"}"#, "int"), (#"{"k": 3.5}"#, "int"), (#"{"k": 11}"#, "int"), (#"{"k": true}"#, "int"),
        (#"{"k": 1}"#, "bool"), (#"{"k": "true"}"#, "bool"), (#"{"k": 3}"#, "string"), (#"{"k": "1e-6"}"#, "float"),
        (#"{"k": 1e300}"#, "float"), (#"{"k": [4, 5]}"#, "squareInt"), (#"{"k": 4}"#, "child"),
        (#"{"k": "quick_gelu"}"#, "activation"), (#"{"k": ["gelu"]}"#, "activation"), (#"{"k": "batch_norm"}"#, "normType"),
        (#"{"k": -1}"#, "positiveFloat"), (#"{"k": [1, "x", 3]}"#, "floats"), (#"{"k": [1, 2]}"#, "floats"),
    ])
    func wrongTypesAndRangesAreErrors(_ json: String, _ accessor: String) throws {
        let r = try Self.reader(json)
        #expect { () throws -> Void in
            switch accessor {
            case "int": _ = try r.int("k", in: 0...10)
            case "bool": _ = try r.bool("k")
            case "string": _ = try r.string("k")
            case "float": _ = try r.float("k")
            case "squareInt": _ = try r.squareInt("k")
            case "child": _ = try r.child("k")
            case "activation": _ = try r.activation("k")
            case "normType": _ = try r.normType("k")
            case "positiveFloat": _ = try r.positiveFloat("k")
            default: _ = try r.floats("k", counts: [3])
            }
        } throws: { error in
            (error as? ConfigError)?.key == "k" && "\(error)".hasPrefix("config.json: \"k\": ") && !"\(error)".contains("\n")
        }
    }

    @Test func notAnObjectOrNotJSON() {
        #expect(throws: ConfigError.self) { try Self.reader("[1]") }
        #expect(throws: ConfigError.self) { try Self.reader("{") }
        #expect(throws: ConfigError.self) { try ConfigReader(contentsOf: URL(fileURLWithPath: "/nonexistent/config.json")) }
    }
}
