import Foundation
import Tensor

/// Activations and softmax: forward through the same Tensor kernels as inference.
extension Variable {
    /// GELU with the exact erf: dy/dx = Φ(x) + x·φ(x).
    public func gelu() -> Variable {
        let x = value
        return Variable(x.gelu(), inputs: [self]) { g in
            let cdf = ((x * Float(1 / 2.0.squareRoot())).erf() + 1) * 0.5 // [...]
            let pdf = (x.squared() * -0.5).exp() * Float(1 / (2 * Double.pi).squareRoot()) // [...]
            return [g * (cdf + x * pdf)]
        }
    }

    /// GELU with the tanh approximation: y = ½x(1 + tanh u), u = c(x + 0.044715x³).
    public func geluTanh() -> Variable {
        let x = value
        return Variable(x.geluTanh(), inputs: [self]) { g in
            let c = Float((2 / Double.pi).squareRoot())
            let x2 = x.squared() // [...]
            let t = ((x + x * x2 * 0.044715) * c).tanh() // [...]
            let du = (x2 * (3 * 0.044715) + 1) * c // [...]
            let derivative = (t + 1) * 0.5 + x * 0.5 * (1 - t.squared()) * du // [...]
            return [g * derivative]
        }
    }

    /// Softmax along the last axis: dx = y ⊙ (dy − Σ dy ⊙ y).
    public func softmax() -> Variable {
        let y = value.softmax(axis: -1) // [..., n]
        return Variable(y, inputs: [self]) { g in
            [y * (g - (g * y).sum(axis: -1, keepingDimension: true))]
        }
    }
}

extension Variable {
    /// SiLU, y = x·σ(x): dy/dx = σ(x)·(1 + x·(1 − σ(x))).
    public func silu() -> Variable {
        let x = value
        return Variable(x.silu(), inputs: [self]) { g in
            let s = x.sigmoid() // [...]
            return [g * s * ((1 - s) * x + 1)]
        }
    }
}
