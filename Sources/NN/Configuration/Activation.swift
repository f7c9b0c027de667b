import Tensor

/// An elementwise activation as configuration files name it (`hidden_act`), shared by
/// every model so that a spelling means the same function everywhere.
public enum Activation: Sendable, Equatable {
    /// Exact GELU, x·Φ(x) with the erf form (`"gelu"`; PyTorch `gelu(approximate='none')`).
    case gelu
    /// Tanh-approximate GELU, 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³)))
    /// (`"gelu_new"`, `"gelu_pytorch_tanh"`, `"gelu_fast"`; PyTorch `gelu(approximate='tanh')`).
    case geluTanh
    /// SiLU / swish, x·sigmoid(x) (`"silu"`, `"swish"`).
    case silu

    /// The `hidden_act` spellings of transformers' `ACT2FN` this library applies.
    public static let configNames: [String: Activation] = [
        "gelu": .gelu, "gelu_new": .geluTanh, "gelu_pytorch_tanh": .geluTanh, "gelu_fast": .geluTanh,
        "silu": .silu, "swish": .silu,
    ]

    /// The activation a configuration names, or nil for a name this library does not apply.
    public init?(configName: String) {
        guard let activation = Self.configNames[configName] else { return nil }
        self = activation
    }

    /// The canonical configuration spelling (`"gelu"`, `"gelu_pytorch_tanh"`, `"silu"`).
    public var configName: String {
        switch self {
        case .gelu: return "gelu"
        case .geluTanh: return "gelu_pytorch_tanh"
        case .silu: return "silu"
        }
    }

    /// Applies the activation elementwise (any shape).
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        switch self {
        case .gelu: return x.gelu()
        case .geluTanh: return x.geluTanh()
        case .silu: return x.silu()
        }
    }
}

/// How a transformer normalises its tokens (`norm_type` in InternViT configs).
public enum NormType: String, Sendable, CaseIterable {
    /// `LayerNorm`: subtract the mean, divide by the standard deviation, scale and shift.
    case layerNorm = "layer_norm"
    /// `RMSNorm`: divide by the root mean square, scale.
    case rmsNorm = "rms_norm"
}
