import Tensor

/// A lookup table of `count` vectors of width `dim`, as `torch.nn.Embedding`.
/// Parameter: `weight` `[count, dim]`.
public final class Embedding: Module {
    public let count: Int
    public let dim: Int
    public var weight: Weight

    public init(_ count: Int, _ dim: Int) {
        self.count = count
        self.dim = dim
        weight = .declared(shape: [count, dim])
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit("weight", &weight)
    }

    public var summary: String { "\(count), \(dim)" }

    /// Ids of any shape `S` → vectors `S + [dim]`. Ids must be in `0..<count`.
    public func callAsFunction(_ ids: Tensor<Int32>) -> Tensor<Float> {
        for id in ids.scalars {
            precondition(id >= 0 && Int(id) < count, "embedding id \(id) out of range 0..<\(count)")
        }
        return weight.float.gatherRows(ids)
    }
}
