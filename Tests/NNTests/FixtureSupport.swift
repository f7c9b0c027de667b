import Foundation
import NN
import Tensor
import Testing

/// One layer fixture written by `Scripts/make_nn_fixtures.py`.
struct LayerFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    let folder: URL
    init(_ name: String) { folder = Self.root.appendingPathComponent(name) }

    func weights(bf16: Bool = false) throws -> SafeTensorsFile {
        try SafeTensorsFile(contentsOf: folder.appendingPathComponent(bf16 ? "weights_bf16.safetensors" : "weights.safetensors"))
    }
    func input(_ i: Int = 0) throws -> AnyTensor { try NPY.read(contentsOf: folder.appendingPathComponent("input\(i).npy")) }
    func floatInput(_ i: Int = 0) throws -> Tensor<Float> { try input(i).toFloat() }
    func output(_ j: Int = 0, bf16: Bool = false) throws -> Tensor<Float> {
        try NPY.readFloat(contentsOf: folder.appendingPathComponent("output\(j)\(bf16 ? "_bf16" : "").npy"))
    }
}

/// Compares a float32 result with a float64 reference rounded to float32.
///
/// The layers here do dot products of at most a few hundred terms in float32, whose
/// rounding error is about √K·ε ≈ 1e-6 of the operands' scale; 1e-5 of the output's
/// largest magnitude leaves a margin of ten while still catching any real bug (a wrong
/// eps, a missing bias or a swapped head moves outputs by 1e-4 of scale or far more).
func expectClose(_ actual: Tensor<Float>, _ expected: Tensor<Float>, _ context: String,
                 relative: Double = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.shape == expected.shape else {
        Issue.record("\(context): shape \(actual.shape) != expected \(expected.shape)", sourceLocation: sourceLocation)
        return
    }
    let scale = max(Double(expected.abs().max()), 1e-3)
    let worst = actual.maxAbsDifference(expected)
    if !(worst <= relative * scale) {
        Issue.record("\(context): max |diff| \(worst) > \(relative) × scale \(scale)", sourceLocation: sourceLocation)
    }
}
