import Tensor

/// Sums and means; the gradient spreads the output gradient back over the reduced axis.
extension Variable {
    /// Σ along `axis`: `[..., n, ...] → [...]` (or `[..., 1, ...]` keeping the axis).
    public func sum(axis: Int, keepingDimension: Bool = false) -> Variable {
        let a = value.normalizedAxis(axis)
        let inputShape = shape
        return Variable(value.sum(axis: a, keepingDimension: keepingDimension), inputs: [self]) { g in
            let kept = keepingDimension ? g : g.unsqueezed(axis: a) // [..., 1, ...]
            return [kept.expanded(to: inputShape).contiguous()]
        }
    }

    /// Mean along `axis`.
    public func mean(axis: Int, keepingDimension: Bool = false) -> Variable {
        let n = Float(shape[value.normalizedAxis(axis)])
        return sum(axis: axis, keepingDimension: keepingDimension) * (1 / n)
    }

    /// Σ of all elements, a scalar (shape `[]`).
    public func sum() -> Variable {
        let inputShape = shape
        return Variable(Tensor(scalar: value.sum()), inputs: [self]) { g in [Tensor.full(inputShape, g.item)] }
    }

    /// Mean of all elements, a scalar (shape `[]`).
    public func mean() -> Variable { sum() * (1 / Float(Swift.max(value.count, 1))) }
}
