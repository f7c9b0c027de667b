import Tensor

/// The transformer feed-forward block `fc2(act(fc1(x)))`, as `InternMLP` / timm's `Mlp`.
///
/// Children are named as in the checkpoint (`fc1`, `fc2` by default). With exact GELU the
/// activation runs inside fc1's GEMM epilogue (no extra pass over the `[N, hidden]` tensor).
public final class MLP: Layer {
    /// The activation between the two projections (the shared `NN.Activation`).
    public typealias Activation = NN.Activation
    public let fc1: Linear
    public let fc2: Linear
    public let activation: Activation
    public let names: (String, String)

    public init(_ dim: Int, hidden: Int, activation: Activation = .gelu, bias: Bool = true,
                names: (String, String) = ("fc1", "fc2")) {
        fc1 = Linear(dim, hidden, bias: bias)
        fc2 = Linear(hidden, dim, bias: bias)
        self.activation = activation
        self.names = names
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(child: names.0, fc1)
        visitor.visit(child: names.1, fc2)
    }

    /// `[..., dim] → [..., dim]` through `[..., hidden]`.
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        callAsFunction(x, trace: nil)
    }

    /// `[..., dim] → [..., dim]`, reporting `fc1` (before the activation), `act` and `fc2`
    /// (names as given at init) to `trace`. With a trace the GELU runs as its own pass
    /// after fc1 (so fc1's output can be seen); without one it is fused into fc1.
    public func callAsFunction(_ x: Tensor<Float>, trace: ForwardTrace?) -> Tensor<Float> {
        if let trace {
            var before = fc1(x)                                    // [..., hidden]
            trace(names.0, &before)
            var hidden: Tensor<Float>                              // [..., hidden]
            switch activation {
            case .gelu: hidden = before.gelu()
            case .geluTanh: hidden = before.geluTanh()
            case .silu: hidden = before.silu()
            }
            trace("act", &hidden)
            var output = fc2(hidden)                               // [..., dim]
            trace(names.1, &output)
            return output
        }
        return fc2(hidden(x))
    }

    /// `act(fc1(x))`, `[..., dim] → [..., hidden]` (exact GELU fused into fc1's product):
    /// the first half of the block, for callers that fuse fc2 with what follows it (a
    /// layer-scaled residual: `fc2(mlp.hidden(x), scaledResidual: …)`).
    public func hidden(_ x: Tensor<Float>) -> Tensor<Float> {
        switch activation {
        case .gelu: return fc1(x, activation: .gelu)
        case .geluTanh, .silu: return activation(fc1(x))
        }
    }
}
