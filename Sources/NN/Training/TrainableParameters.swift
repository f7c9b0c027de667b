import Autograd
import Tensor

/// The trainable parameters of a module tree: one `TrainedParameter` (checkpoint path and
/// leaf `Variable`) per parameter, and a table from (module, local name) to it.
///
/// ```swift
/// let parameters = model.trainableParameters()          // values copied as Float leaves
/// let context = TrainingContext(parameters: parameters, seed: 0)
/// let loss = head(model(Variable(x), context), context).crossEntropy(labels: y)
/// loss.backward()
/// optimizer.step(&parameters.parameters, learningRate: 1e-3)
/// model.update(from: parameters)                        // trained values back into the tree
/// try model.save(to: url)                               // saved under the checkpoint keys
/// ```
/// The optimiser replaces the `Variable`s in `parameters`; lookups go through the index,
/// so a forward after a step sees the new values.
public final class TrainableParameters {
    /// Parameters in the module walk's order (the order `Module.save` writes them).
    public var parameters: [TrainedParameter]
    private var index: [Key: Int] = [:]
    private var pathIndex: [String: Int] = [:]

    private struct Key: Hashable {
        let module: ObjectIdentifier
        let name: String
    }

    /// The parameters of `module` (every one must be loaded or initialised).
    public init(_ module: any Module, prefix: String = "") {
        parameters = []
        for owned in module.ownedParameters(prefix: prefix) {
            precondition(owned.weight.isLoaded, "\(owned.path) has no value: initialise or load the model before training")
            index[Key(module: ObjectIdentifier(owned.owner), name: owned.name)] = parameters.count
            pathIndex[owned.path] = parameters.count
            parameters.append(TrainedParameter(path: owned.path, value: owned.weight.float))
        }
    }

    /// The current leaf of the parameter `name` declared by `module`. Traps if the module
    /// has no such parameter in this tree (a programming error, like a wrong key).
    public func variable(_ module: any Module, _ name: String) -> Variable {
        guard let position = index[Key(module: ObjectIdentifier(module), name: name)] else {
            preconditionFailure("no trainable parameter '\(name)' of \(type(of: module)) in this module tree")
        }
        return parameters[position].variable
    }

    /// The current leaf at checkpoint key `path`, or nil.
    public func variable(path: String) -> Variable? { pathIndex[path].map { parameters[$0].variable } }

    /// The number of trained scalars.
    public var scalarCount: Int { parameters.reduce(0) { $0 + $1.variable.value.count } }

    /// Drops every gradient (call before the next backward pass when leaves are reused).
    public func zeroGradients() { for parameter in parameters { parameter.variable.gradient = nil } }
}

extension Module {
    /// The module's parameters as trainable `Float` leaves, with their checkpoint paths.
    public func trainableParameters(prefix: String = "") -> TrainableParameters {
        TrainableParameters(self, prefix: prefix)
    }

    /// Writes trained values back into the module tree, by checkpoint path, as `Float`
    /// weights, so that `save`, the inference forward and `namedParameters` see them.
    /// Parameters absent from `trained` are left as they are.
    public func update(from trained: TrainableParameters, prefix: String = "") {
        var visitor = ParameterVisitor(prefix: prefix) { path, weight, _ in
            guard let variable = trained.variable(path: path) else { return }
            precondition(variable.shape == weight.shape, "trained \(path) has shape \(variable.shape), expected \(weight.shape)")
            weight = .float32(variable.value)
        }
        visitor.walk(self)
    }
}
