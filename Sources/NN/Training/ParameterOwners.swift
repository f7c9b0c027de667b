import Tensor

/// One parameter of a module tree as the walk meets it: its checkpoint path, the module
/// that declares it, and its name inside that module.
///
/// Training code looks parameters up by (module, name) — `context.parameter(self, "weight")`
/// inside a layer's differentiable forward — and saves them by `path`; this record ties the
/// two together without any string building at call sites.
public struct OwnedParameter {
    /// Full checkpoint key, e.g. `encoder.layers.0.attn.qkv.weight`.
    public let path: String
    /// The module whose `visitParameters` named the parameter.
    public let owner: any Module
    /// The name the owner gave it (`weight`, `bias`, or "" for InternViT's `ls1`).
    public let name: String
    /// The value at the time of the walk.
    public let weight: Weight
}

extension Module {
    /// Every parameter with its owner module and local name, in visiting order.
    ///
    /// The owner is the module visited (as the root or with `visit(child:)` /
    /// `visit(list:)`) at the parameter's parent path, or at the parameter's own path for
    /// an empty name. A module that forwards its walk to another module's
    /// `visitParameters` (InternAttention to its MultiHeadAttention) is the owner of that
    /// module's *direct* parameters; children of the inner module are still visited as
    /// children and own their own.
    public func ownedParameters(prefix: String = "") -> [OwnedParameter] {
        var modules: [String: any Module] = [:]
        var found: [(path: String, weight: Weight)] = []
        var visitor = ParameterVisitor(prefix: prefix, action: { path, weight, _ in
            found.append((path, weight))
        }, moduleAction: { path, _, _, module in
            if !(module is ModuleList) { modules[path] = module }
        })
        visitor.walk(self)
        return found.map { path, weight in
            if let own = modules[path] {
                return OwnedParameter(path: path, owner: own, name: "", weight: weight)
            }
            let cut = path.lastIndex(of: ".")
            let parent = cut.map { String(path[..<$0]) } ?? ""
            let name = cut.map { String(path[path.index(after: $0)...]) } ?? path
            return OwnedParameter(path: path, owner: modules[parent] ?? self, name: name, weight: weight)
        }
    }
}
