import Tensor

/// A `Float` tensor in a training computation: its value, and (after `backward()`) the
/// gradient of a scalar loss with respect to it.
///
/// A `Variable` made by an op remembers its inputs and a closure that maps the gradient
/// of its output to the gradients of its inputs. The graph of those variables is the
/// tape (Docs/Training.md); inference code uses `Tensor` and never builds one.
public final class Variable {
    /// The forward value, any shape.
    public let value: Tensor<Float>
    /// dLoss/dValue, same shape as `value`; nil until `backward()` reaches this variable.
    public var gradient: Tensor<Float>?
    /// True for trained leaves and for every op result that depends on one.
    public let requiresGradient: Bool
    /// The op's inputs (empty for a leaf).
    let inputs: [Variable]
    /// Maps dLoss/dOutput to one dLoss/dInput per input (nil where an input needs none).
    let backwardFunction: ((Tensor<Float>) -> [Tensor<Float>?])?

    /// A leaf: an input (`requiresGradient: false`) or a trained parameter.
    public init(_ value: Tensor<Float>, requiresGradient: Bool = false) {
        self.value = value
        self.requiresGradient = requiresGradient
        self.inputs = []
        self.backwardFunction = nil
    }

    /// An op result. Records the inputs and backward closure only if some input needs a
    /// gradient; otherwise the result is a plain leaf and nothing is kept.
    init(_ value: Tensor<Float>, inputs: [Variable], backward: @escaping (Tensor<Float>) -> [Tensor<Float>?]) {
        self.value = value
        let needed = inputs.contains { $0.requiresGradient }
        self.requiresGradient = needed
        self.inputs = needed ? inputs : []
        self.backwardFunction = needed ? backward : nil
    }

    /// The shape of `value`.
    public var shape: [Int] { value.shape }

    /// Back-propagates from this variable, which must hold one element (a loss), and
    /// accumulates dThis/dLeaf into `gradient` of every leaf that requires one. Gradients
    /// of intermediate variables are also kept (for inspection); call `zeroGradients` on
    /// parameters between steps.
    public func backward() {
        precondition(value.count == 1, "backward() needs a scalar loss, got shape \(shape)")
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative post-order depth-first walk: deep graphs must not overflow the stack.
        var stack: [(Variable, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            guard node.requiresGradient, visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for input in node.inputs { stack.append((input, false)) }
        }
        var pending: [ObjectIdentifier: Tensor<Float>] = [ObjectIdentifier(self): Tensor.ones(shape)]
        for node in order.reversed() {
            guard let outputGradient = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            node.gradient = node.gradient.map { $0 + outputGradient } ?? outputGradient
            guard let backwardFunction = node.backwardFunction else { continue }
            let inputGradients = backwardFunction(outputGradient)
            for (input, inputGradient) in zip(node.inputs, inputGradients) {
                guard input.requiresGradient, let inputGradient else { continue }
                precondition(inputGradient.shape == input.shape,
                             "gradient shape \(inputGradient.shape) for input of shape \(input.shape)")
                let key = ObjectIdentifier(input)
                pending[key] = pending[key].map { $0 + inputGradient } ?? inputGradient
            }
        }
    }

    /// Sums `gradient` (the shape of a broadcast result) over the axes along which a value
    /// of `shape` was broadcast, giving a gradient of `shape`.
    public static func reduced(_ gradient: Tensor<Float>, toShape shape: [Int]) -> Tensor<Float> {
        if gradient.shape == shape { return gradient }
        var result = gradient
        while result.rank > shape.count { result = result.sum(axis: 0) }
        for axis in 0..<shape.count where shape[axis] == 1 && result.shape[axis] != 1 {
            result = result.sum(axis: axis, keepingDimension: true)
        }
        return result
    }
}
