import Tensor

/// Layers applied one after another; children are named `0`, `1`, … as in PyTorch.
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }
    public convenience init(_ layers: any Layer...) { self.init(layers) }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        for (index, layer) in layers.enumerated() { visitor.visit(child: String(index), layer) }
    }

    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        layers.reduce(x) { $1($0) }
    }
}

/// A list of modules whose children are named `0`, `1`, … (PyTorch's `ModuleList`).
/// Parents usually register their list with `visitor.visit(list:_:)`.
public final class ModuleList: Module {
    public let modules: [any Module]

    public init(_ modules: [any Module]) { self.modules = modules }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        for (index, module) in modules.enumerated() { visitor.visit(child: String(index), module) }
    }
}
