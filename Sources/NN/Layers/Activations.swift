import Tensor

/// GELU, exact (erf) by default or tanh-approximate, as `torch.nn.GELU(approximate=)`.
public final class GELU: Layer {
    public enum Approximation: Sendable { case none, tanh }
    public let approximation: Approximation

    public init(approximate: Approximation = .none) { approximation = approximate }

    public func visitParameters(_ visitor: inout ParameterVisitor) {}

    public var summary: String { approximation == .none ? "approximate='none'" : "approximate='tanh'" }

    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        approximation == .none ? x.gelu() : x.geluTanh()
    }
}

/// SiLU (swish), x·sigmoid(x).
public final class SiLU: Layer {
    public init() {}
    public func visitParameters(_ visitor: inout ParameterVisitor) {}
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> { x.silu() }
}

/// Returns its input unchanged.
public final class Identity: Layer {
    public init() {}
    public func visitParameters(_ visitor: inout ParameterVisitor) {}
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> { x }
}

/// Dropout: identity at inference (this library runs inference only); kept so module
/// trees and printed summaries match the PyTorch ones.
public final class Dropout: Layer {
    public let probability: Float
    public init(_ probability: Float = 0.5) { self.probability = probability }
    public func visitParameters(_ visitor: inout ParameterVisitor) {}
    public var summary: String { "p=\(probability), inplace=False" }
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> { x }
}

/// Stochastic depth (DropPath): identity at inference.
public final class DropPath: Layer {
    public let probability: Float
    public init(_ probability: Float = 0) { self.probability = probability }
    public func visitParameters(_ visitor: inout ParameterVisitor) {}
    public var summary: String { "drop_prob=\(probability)" }
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> { x }
}
