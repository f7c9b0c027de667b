import Autograd
import Tensor

/// What a differentiable forward needs besides its input: the trainable parameters,
/// whether the model is training (dropout and drop path active) or evaluating (they are
/// the identity), and the seeded generator that draws their masks.
///
/// The same forward with `isTraining = false` computes what the inference forward
/// computes on the same weights (the tests check this for every layer and model).
public final class TrainingContext {
    /// The leaves the forward reads.
    public let parameters: TrainableParameters
    /// Training mode (`true`) or evaluation mode (`false`).
    public var isTraining: Bool
    /// Draws dropout and drop-path masks, in forward order (same seed → same masks).
    public var generator: SeededGenerator

    /// A context over `parameters`, training by default, masks drawn from `seed`.
    public init(parameters: TrainableParameters, isTraining: Bool = true, seed: UInt64 = 0) {
        self.parameters = parameters
        self.isTraining = isTraining
        self.generator = SeededGenerator(seed: seed)
    }

    /// The leaf of `module`'s parameter `name`.
    public func parameter(_ module: any Module, _ name: String) -> Variable { parameters.variable(module, name) }
}

/// A layer with a differentiable forward beside its inference forward: `Variable` in,
/// `Variable` out, the same maths (kept equal by tests).
public protocol TrainableLayer: Layer {
    /// `[..., in] → [..., out]` on the tape, parameters from `context`.
    func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable
}
