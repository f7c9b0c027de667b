import Tensor

/// A building block of a network: it names its parameters and child modules, in
/// checkpoint spelling, in one method.
///
/// ```swift
/// public func visitParameters(_ visitor: inout ParameterVisitor) {
///     visitor.visit("weight", &weight)      // → "<path>.weight"
///     visitor.visit("bias", &bias)          // optional parameter: visited only if present
///     visitor.visit(child: "norm", norm)    // → "<path>.norm.*"
/// }
/// ```
/// The visitor builds the dotted path while it walks (`encoder.layers.3.attn.qkv.weight`),
/// so the path of every parameter equals its key in the Hugging Face / PyTorch checkpoint
/// and loading needs no hand-written map. Loading, saving, counting and printing are all
/// walks of this one method. Modules are classes: a walk can replace parameter values.
public protocol Module: AnyObject {
    /// Names every parameter and child module.
    func visitParameters(_ visitor: inout ParameterVisitor)
    /// What PyTorch's `extra_repr` shows, e.g. `in_features=1024, out_features=3072, bias=True`.
    var summary: String { get }
}

extension Module {
    public var summary: String { "" }
}

/// A module that maps one tensor to one tensor, so it can be chained in `Sequential`.
public protocol Layer: Module {
    /// Runs the layer.
    func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float>
}

/// Walks a module tree, keeping the dotted path, and hands each parameter to an action.
public struct ParameterVisitor {
    /// What happens at each parameter: its full path and its value, which may be replaced.
    public typealias Action = (_ path: String, _ weight: inout Weight, _ isOptional: Bool) -> Void
    /// What happens at each module: its full path (empty for the root), its depth, its
    /// name under its parent, and the module itself (before its parameters are visited).
    public typealias ModuleAction = (_ path: String, _ depth: Int, _ name: String, _ module: any Module) -> Void

    private var path: [String]
    private let action: Action
    private let moduleAction: ModuleAction?

    /// A visitor starting at `prefix` (e.g. `vision_model` for an InternVL checkpoint).
    public init(prefix: String = "", action: @escaping Action, moduleAction: ModuleAction? = nil) {
        path = prefix.isEmpty ? [] : prefix.split(separator: ".").map(String.init)
        self.action = action
        self.moduleAction = moduleAction
    }

    private func fullPath(_ name: String) -> String {
        (name.isEmpty ? path : path + [name]).joined(separator: ".")
    }

    /// A parameter named `name` under the current path. An empty name means the
    /// parameter *is* the current module's path (how `ls1` is a tensor, not a module).
    public mutating func visit(_ name: String, _ weight: inout Weight) {
        action(fullPath(name), &weight, false)
    }

    /// An optional parameter (e.g. a bias that a configuration may leave out): visited
    /// only when present.
    public mutating func visit(_ name: String, _ weight: inout Weight?) {
        guard var value = weight else { return }
        action(fullPath(name), &value, true)
        weight = value
    }

    /// A child module under `name`.
    public mutating func visit(child name: String, _ module: any Module) {
        path.append(name)
        moduleAction?(path.joined(separator: "."), path.count, name, module)
        module.visitParameters(&self)
        path.removeLast()
    }

    /// An optional child module: visited only when present.
    public mutating func visit(child name: String, _ module: (any Module)?) {
        if let module { visit(child: name, module) }
    }

    /// Children numbered `name.0`, `name.1`, … (PyTorch's `ModuleList`).
    public mutating func visit(list name: String, _ modules: [any Module]) {
        path.append(name)
        moduleAction?(path.joined(separator: "."), path.count, name, ModuleList(modules))
        for (index, module) in modules.enumerated() { visit(child: String(index), module) }
        path.removeLast()
    }

    /// Starts a walk at `root`.
    public mutating func walk(_ root: any Module) {
        moduleAction?(path.joined(separator: "."), path.count, "", root)
        root.visitParameters(&self)
    }
}
