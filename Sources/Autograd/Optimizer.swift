import Foundation
import Tensor

/// A trained parameter: its checkpoint path (the key it is saved and loaded under) and
/// its `Variable`, whose `value` the optimiser replaces after each step.
public struct TrainedParameter {
    /// Checkpoint key, e.g. `blocks.0.attn.qkv.weight`.
    public let path: String
    /// The leaf variable (requires a gradient).
    public var variable: Variable

    /// A parameter named `path` with initial value `value`.
    public init(path: String, value: Tensor<Float>) {
        self.path = path
        self.variable = Variable(value, requiresGradient: true)
    }
}

/// Updates parameters from their gradients. Each step replaces every parameter's
/// `Variable` with a fresh leaf holding the new value (the old graph is dropped).
public protocol Optimizer {
    /// One update of `parameters` with learning rate `learningRate`, using each
    /// parameter's `variable.gradient` (parameters without one are left unchanged).
    mutating func step(_ parameters: inout [TrainedParameter], learningRate: Float)
}

/// AdamW (Loshchilov & Hutter), as `torch.optim.AdamW`: decoupled weight decay
/// `θ ← θ − lr·λ·θ`, then the bias-corrected Adam step.
public struct AdamW: Optimizer {
    public var beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    var firstMoments: [String: Tensor<Float>] = [:]
    var secondMoments: [String: Tensor<Float>] = [:]
    var stepCount = 0

    /// The optimiser with PyTorch's defaults.
    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: inout [TrainedParameter], learningRate: Float) {
        stepCount += 1
        let correction1 = 1 - Float(Foundation.pow(Double(beta1), Double(stepCount)))
        let correction2 = 1 - Float(Foundation.pow(Double(beta2), Double(stepCount)))
        for index in parameters.indices {
            let parameter = parameters[index]
            guard let g = parameter.variable.gradient else { continue }
            let m = (firstMoments[parameter.path] ?? .zeros(g.shape)) * beta1 + g * (1 - beta1) // [...]
            let v = (secondMoments[parameter.path] ?? .zeros(g.shape)) * beta2 + g.squared() * (1 - beta2) // [...]
            firstMoments[parameter.path] = m
            secondMoments[parameter.path] = v
            let decayed = parameter.variable.value * (1 - learningRate * weightDecay) // [...]
            let update = (m * (learningRate / correction1)) / ((v * (1 / correction2)).sqrt() + epsilon) // [...]
            parameters[index].variable = Variable(decayed - update, requiresGradient: true)
        }
    }
}

/// SGD with momentum, as `torch.optim.SGD`: `b ← μ·b + g` (b = g on the first step),
/// `θ ← θ − lr·b`, with L2 weight decay added to g.
public struct SGD: Optimizer {
    public var momentum: Float, weightDecay: Float
    var buffers: [String: Tensor<Float>] = [:]

    /// SGD with `momentum` (0 for plain SGD) and L2 `weightDecay`.
    public init(momentum: Float = 0.9, weightDecay: Float = 0) {
        self.momentum = momentum; self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: inout [TrainedParameter], learningRate: Float) {
        for index in parameters.indices {
            let parameter = parameters[index]
            guard var g = parameter.variable.gradient else { continue }
            if weightDecay != 0 { g = g + parameter.variable.value * weightDecay }
            let buffer = buffers[parameter.path].map { $0 * momentum + g } ?? g // [...]
            buffers[parameter.path] = buffer
            parameters[index].variable = Variable(parameter.variable.value - buffer * learningRate, requiresGradient: true)
        }
    }
}

/// Learning rate with linear warmup then cosine decay to `minimum`.
public struct WarmupCosineSchedule: Sendable {
    public let peak: Float, minimum: Float, warmupSteps: Int, totalSteps: Int

    /// Rises linearly from peak/warmupSteps to `peak` over `warmupSteps`, then follows
    /// half a cosine down to `minimum` at `totalSteps`.
    public init(peak: Float, minimum: Float = 0, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak; self.minimum = minimum; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
    }

    /// The rate for 0-based `step`.
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let span = Swift.max(totalSteps - warmupSteps, 1)
        let progress = Swift.min(Double(step - warmupSteps) / Double(span), 1)
        return minimum + (peak - minimum) * Float(0.5 * (1 + Foundation.cos(Double.pi * progress)))
    }
}

/// Gradient clipping by global norm, as `torch.nn.utils.clip_grad_norm_`.
public enum GradientClipping {
    /// Scales every gradient by min(1, maxNorm/(‖g‖₂ + 1e-6)) where ‖g‖₂ is the norm of all
    /// gradients together; returns that total norm (before clipping).
    @discardableResult
    public static func clipByGlobalNorm(_ parameters: [TrainedParameter], maxNorm: Float) -> Float {
        let gradients = parameters.compactMap { $0.variable.gradient }
        let total = Float(gradients.reduce(0.0) { $0 + Double($1.squared().sum()) }.squareRoot())
        let scale = maxNorm / (total + 1e-6)
        if scale < 1 {
            for parameter in parameters { parameter.variable.gradient = parameter.variable.gradient.map { $0 * scale } }
        }
        return total
    }
}
