import Foundation
import NN
import Tensor

/// One layer fixture: a folder of PyTorch/numpy reference data for a layer test.
///
/// ```
/// Fixtures/<name>/
///   weights.safetensors        the layer's parameters by checkpoint key, float32
///   weights_bf16.safetensors   the same rounded to bfloat16 (optional)
///   input0.npy, input1.npy …   inputs
///   output0.npy, output1.npy … reference outputs (output0_bf16.npy … from the bf16 weights)
/// ```
/// `Scripts/make_nn_fixtures.py` (PyTorch) and `Scripts/layer_fixture.py` (numpy only)
/// write this layout. By default the folder is looked up in `Fixtures/` beside the test
/// file that creates the fixture, so a test target in any package finds its own data.
public struct LayerFixture: Sendable {
    /// The fixture's folder.
    public let folder: URL

    /// The fixture `name` in the `Fixtures` folder beside `filePath` (the calling file).
    public init(_ name: String, fixturesBeside filePath: String = #filePath) {
        folder = URL(fileURLWithPath: filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    /// The fixture in an explicit folder.
    public init(folder: URL) { self.folder = folder }

    /// The parameters, float32 or the bfloat16 copy.
    public func weights(bf16: Bool = false) throws -> SafeTensorsFile {
        try SafeTensorsFile(contentsOf: folder.appendingPathComponent(bf16 ? "weights_bf16.safetensors" : "weights.safetensors"))
    }

    /// Input `i` with its stored dtype (e.g. int32 token ids).
    public func input(_ i: Int = 0) throws -> AnyTensor {
        try NPY.read(contentsOf: folder.appendingPathComponent("input\(i).npy"))
    }

    /// Input `i` as float32.
    public func floatInput(_ i: Int = 0) throws -> Tensor<Float> { try input(i).toFloat() }

    /// Reference output `j` (from the bf16 weights when `bf16`), as float32.
    public func output(_ j: Int = 0, bf16: Bool = false) throws -> Tensor<Float> {
        try NPY.readFloat(contentsOf: folder.appendingPathComponent("output\(j)\(bf16 ? "_bf16" : "").npy"))
    }
}
