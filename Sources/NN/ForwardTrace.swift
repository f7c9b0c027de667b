import Tensor

/// The one hook point of a forward pass: a callback that sees every named intermediate
/// tensor, under its module path, and may replace it.
///
/// Modules that support tracing take an optional `trace` argument and report each step
/// by name; `child(_:)` extends the path as the call goes down the tree, so the names
/// are the modules' checkpoint paths:
///
/// ```swift
/// let trace = ForwardTrace { path, tensor in
///     print(path, tensor.shape)                         // "encoder.layers.3.mlp.act [1, 1025, 4096]"
///     if path == "encoder.layers.3.mlp.act" {
///         tensor = tensor * 0                           // ablate that MLP: the forward goes on with this
///     }
/// }
/// let output = model.forward(pixels, trace: trace)
/// ```
/// With no trace (`nil`, the default) a forward builds no names and copies nothing:
/// every report is an optional-chained call that is skipped.
///
/// Set `includesAttentionProbabilities` to also receive each attention block's softmax
/// probabilities `[B, H, N, N]` as `<path>.attn_probs` (materialising them costs
/// B·H·N² floats per layer, so they are off by default).
public struct ForwardTrace {
    /// Receives a step's full module path and its tensor, which it may replace.
    public typealias Hook = (_ path: String, _ tensor: inout Tensor<Float>) -> Void

    /// The path of the module this trace reports for (empty at the root).
    public let path: String
    /// Whether attention blocks report their probabilities.
    public let includesAttentionProbabilities: Bool
    private let hook: Hook

    /// A trace calling `hook` for every step.
    public init(includesAttentionProbabilities: Bool = false, _ hook: @escaping Hook) {
        self.init(path: "", includesAttentionProbabilities: includesAttentionProbabilities, hook: hook)
    }

    private init(path: String, includesAttentionProbabilities: Bool, hook: @escaping Hook) {
        self.path = path
        self.includesAttentionProbabilities = includesAttentionProbabilities
        self.hook = hook
    }

    /// The trace for a child module: its steps are reported under `path.name`.
    public func child(_ name: String) -> ForwardTrace {
        ForwardTrace(path: fullPath(name), includesAttentionProbabilities: includesAttentionProbabilities, hook: hook)
    }

    /// Reports the step `name` (an empty name reports the module's own output under its
    /// path). The hook may replace `tensor`; the forward continues with the new value.
    public func callAsFunction(_ name: String, _ tensor: inout Tensor<Float>) {
        hook(fullPath(name), &tensor)
    }

    private func fullPath(_ name: String) -> String {
        path.isEmpty ? name : name.isEmpty ? path : path + "." + name
    }
}
