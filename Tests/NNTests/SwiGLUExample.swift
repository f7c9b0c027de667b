import NN
import Tensor

// The worked example of Docs/Extending.md, compiled and tested against PyTorch here (the
// page itself builds it as a public type in a package of its own, checked by
// Scripts/check_extending_guide.sh).

/// The gated feed-forward block of LLaMA-style models: w2(silu(w1·x) ⊙ w3·x).
/// Checkpoint keys: w1.weight [hidden, dim], w2.weight [dim, hidden], w3.weight [hidden, dim].
final class SwiGLU: Layer {
    let w1: Linear, w2: Linear, w3: Linear

    init(dim: Int, hidden: Int) {
        w1 = Linear(dim, hidden, bias: false)
        w2 = Linear(hidden, dim, bias: false)
        w3 = Linear(dim, hidden, bias: false)
    }

    // Name the children exactly as the checkpoint does: the paths become the keys.
    func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(child: "w1", w1)
        visitor.visit(child: "w2", w2)
        visitor.visit(child: "w3", w3)
    }

    // [..., dim] → [..., dim]
    func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        let gate = w1(x).silu()   // [..., hidden]
        let up = w3(x)            // [..., hidden]
        return w2(gate * up)      // [..., dim]
    }
}
