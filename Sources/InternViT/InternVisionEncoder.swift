import NN
import Tensor

/// The stack of encoder layers (reference: `InternVisionEncoder`); keys `layers.{i}.*`.
public final class InternVisionEncoder: Module {
    public let layers: [InternVisionEncoderLayer]

    /// The layers of `config`; layer i drops its branches with rate
    /// `drop_path_rate · i/(L − 1)` in training (the reference's `torch.linspace(0, rate, L)`).
    public init(config: InternVisionConfig) {
        let count = config.numHiddenLayers
        layers = (0..<count).map { index in
            let rate = count > 1 ? config.dropPathRate * Float(index) / Float(count - 1) : 0
            return InternVisionEncoderLayer(config: config, dropPathRate: rate)
        }
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(list: "layers", layers)
    }
}
