import NN
import Tensor

/// The stack of encoder layers (reference: `InternVisionEncoder`); keys `layers.{i}.*`.
public final class InternVisionEncoder: Module {
    public let layers: [InternVisionEncoderLayer]

    public init(config: InternVisionConfig) {
        layers = (0..<config.numHiddenLayers).map { _ in InternVisionEncoderLayer(config: config) }
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(list: "layers", layers)
    }
}
