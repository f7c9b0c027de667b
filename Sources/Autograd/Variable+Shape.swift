import Tensor

/// Shape ops: their gradients move the output gradient back to the input's layout.
extension Variable {
    /// The same elements in `newShape` (one extent may be −1).
    public func reshaped(_ newShape: [Int]) -> Variable {
        let inputShape = shape
        return Variable(value.reshaped(newShape), inputs: [self]) { g in [g.reshaped(inputShape)] }
    }

    /// Axes reordered by `order`; the gradient is permuted by the inverse order.
    public func permuted(_ order: [Int]) -> Variable {
        var inverse = [Int](repeating: 0, count: order.count)
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        return Variable(value.permuted(order).contiguous(), inputs: [self]) { g in [g.permuted(inverse).contiguous()] }
    }

    /// Positions `range` of `axis`; the gradient is zero outside the slice.
    public func sliced(axis: Int, _ range: Range<Int>) -> Variable {
        let a = value.normalizedAxis(axis)
        let inputShape = shape
        return Variable(value.sliced(axis: a, range).contiguous(), inputs: [self]) { g in
            var parts: [Tensor<Float>] = []
            var before = inputShape, after = inputShape
            before[a] = range.lowerBound
            after[a] = inputShape[a] - range.upperBound
            if before[a] > 0 { parts.append(.zeros(before)) }
            parts.append(g)
            if after[a] > 0 { parts.append(.zeros(after)) }
            return [Tensor.concatenate(parts, axis: a)]
        }
    }

    /// `variables` joined along `axis`; each gets its slice of the gradient.
    public static func concatenated(_ variables: [Variable], axis: Int) -> Variable {
        let a = variables[0].value.normalizedAxis(axis)
        let extents = variables.map { $0.shape[a] }
        return Variable(Tensor.concatenate(variables.map(\.value), axis: a), inputs: variables) { g in
            var start = 0
            return extents.map { extent in
                defer { start += extent }
                return g.sliced(axis: a, start..<(start + extent)).contiguous()
            }
        }
    }
}
