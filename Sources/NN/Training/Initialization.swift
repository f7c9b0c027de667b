import Foundation
import Tensor

/// How a fresh module tree is initialised for training (timm's ViT / InternViT scheme):
///
/// | parameter | value |
/// |---|---|
/// | `Linear`, `Conv2d`, `Embedding` weights, and parameters a module declares directly (class token, position embeddings) | truncated normal, mean 0, std `standardDeviation`, cut at ±2 std |
/// | biases | 0 |
/// | `LayerNorm` / `RMSNorm` weights | 1 |
/// | `LayerScale` γ | `layerScale` |
///
/// A layer of your own can choose its values by conforming to `CustomInitialization`.
public struct InitializationScheme: Sendable {
    /// The standard deviation of the truncated normal (timm and InternViT: 0.02).
    public var standardDeviation: Float
    /// The initial value of every layer-scale γ (InternViT's `initializer_factor`).
    public var layerScale: Float

    /// The scheme with `standardDeviation` (default 0.02) and `layerScale` (default 1).
    public init(standardDeviation: Float = 0.02, layerScale: Float = 1) {
        self.standardDeviation = standardDeviation
        self.layerScale = layerScale
    }

    /// A tensor of `shape` drawn from N(0, std²) truncated to ±2 std (rejection sampling).
    public func truncatedNormal(_ shape: [Int], generator: inout SeededGenerator) -> Tensor<Float> {
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        var i = 0
        while i < count {
            let (a, b) = generator.nextNormalPair()
            for z in [a, b] where i < count && Swift.abs(z) <= 2 {
                values[i] = Float(z) * standardDeviation
                i += 1
            }
        }
        return Tensor(values, shape: shape)
    }
}

/// A module that chooses the initial values of its own parameters.
public protocol CustomInitialization: Module {
    /// The initial value of this module's parameter `name` of `shape`, drawing any random
    /// numbers from `generator`.
    func initialValue(of name: String, shape: [Int], scheme: InitializationScheme,
                      generator: inout SeededGenerator) -> Tensor<Float>
}

extension LayerNorm: CustomInitialization {
    /// weight 1, bias 0.
    public func initialValue(of name: String, shape: [Int], scheme: InitializationScheme,
                             generator: inout SeededGenerator) -> Tensor<Float> {
        name == "weight" ? .ones(shape) : .zeros(shape)
    }
}

extension RMSNorm: CustomInitialization {
    /// weight 1.
    public func initialValue(of name: String, shape: [Int], scheme: InitializationScheme,
                             generator: inout SeededGenerator) -> Tensor<Float> { .ones(shape) }
}

extension LayerScale: CustomInitialization {
    /// γ = `scheme.layerScale`.
    public func initialValue(of name: String, shape: [Int], scheme: InitializationScheme,
                             generator: inout SeededGenerator) -> Tensor<Float> { .full(shape, scheme.layerScale) }
}

extension Module {
    /// Gives every parameter a seeded initial value by `scheme` (see `InitializationScheme`),
    /// as `Float` weights: the same seed gives the same bytes on every machine. Values are
    /// drawn in the module walk's order from one generator seeded with `seed`.
    public func initializeForTraining(seed: UInt64, scheme: InitializationScheme = InitializationScheme(),
                                      prefix: String = "") {
        var generator = SeededGenerator(seed: seed)
        var values: [String: Tensor<Float>] = [:]
        for owned in ownedParameters(prefix: prefix) {
            let shape = owned.weight.shape
            if let custom = owned.owner as? any CustomInitialization {
                values[owned.path] = custom.initialValue(of: owned.name, shape: shape, scheme: scheme, generator: &generator)
            } else if owned.name == "bias" {
                values[owned.path] = .zeros(shape)
            } else {
                values[owned.path] = scheme.truncatedNormal(shape, generator: &generator)
            }
        }
        initializeParameters(prefix: prefix) { path, _ in .float32(values[path]!) }
    }
}
