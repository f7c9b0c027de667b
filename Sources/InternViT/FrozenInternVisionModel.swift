import NN
import Tensor

/// A loaded InternViT that cannot change: `Sendable`, so one instance is shared by any
/// number of tasks and threads, each running its own forward at the same time (the
/// counterpart of mlx-swift-lm's `ModelContainer`, without an actor: a forward only
/// reads, so concurrent forwards need no queue).
///
/// `InternVisionModel` stays a mutable module tree (loading, converting, random
/// initialisation, and later training write its parameters through the visitor); freeze
/// it once it is ready:
/// ```swift
/// let model = try InternViTCheckpoint.load(directory).frozen()   // FrozenInternVisionModel
/// let features = model.forward(pixels, threads: 2).poolerOutput  // [B, D]
/// ```
/// Freezing copies the parameter *values* into a private module tree of the same
/// architecture. Tensors are copy-on-write, so this shares the weight memory and copies
/// nothing; later changes to the original model do not reach the frozen one.
public final class FrozenInternVisionModel: @unchecked Sendable {
    // Why `@unchecked Sendable` is safe (the compiler cannot see it because the module
    // tree is made of classes with `var` parameters):
    // 1. `model` is built in `init` and never handed out: no accessor returns it and no
    //    other object refers to it, so nothing outside this class can write to it.
    // 2. This class only ever calls `model.forward` and reads `config`/parameters. The
    //    forwards of `InternVisionModel` and of every layer it contains are plain reads
    //    of `let` children and `Weight` values; parameters are assigned only through
    //    `ParameterVisitor` walks (loading, initialisation, conversion), which never run
    //    on this tree after `init`. Concurrent reads without writes cannot race.
    // 3. The `Weight`s hold `Tensor`s, which are `Sendable` (see `TensorStorage`): their
    //    storage may also be referenced by the original model, and any write through a
    //    tensor that shares storage copies it first, so the memory read here never changes.
    // 4. A forward keeps its scratch memory in locals (fresh tensors, per-call buffers;
    //    GEMM packing buffers come from a locked pool, one owner at a time), so two
    //    forwards share no mutable state. The thread count is per call (a task-local).
    private let model: InternVisionModel

    /// The architecture.
    public let config: InternVisionConfig

    /// Freezes the parameter values of `model` (which must all be loaded).
    /// - Throws: `ModuleLoadError` listing the parameters that were declared but never
    ///   loaded or initialised.
    public init(_ model: InternVisionModel) throws {
        try model.requireLoadedParameters(source: "FrozenInternVisionModel")
        let parameters = model.namedParameters()                   // visiting order
        let copy = InternVisionModel(config: model.config)
        var index = 0
        copy.initializeParameters { path, _ in
            defer { index += 1 }
            precondition(parameters[index].path == path, "parameter order differs at \(path)")
            return parameters[index].weight
        }
        self.model = copy
        config = model.config
    }

    /// Runs the model (see `InternVisionModel.forward`); safe to call from many tasks at once.
    /// - Parameters:
    ///   - pixels: `[B, 3, H, W]` normalised pixels.
    ///   - outputHiddenStates: also return the embeddings and every layer's output.
    ///   - attentionLayer: also return this layer's attention probabilities `[B, H, N, N]`.
    ///   - stopAfterLayer: run only layers `0...k` (negative counts from the end).
    ///   - threads: the threads this call may use (default: `ComputeThreads.count`). It
    ///     applies to this call only and changes nothing global. The result is the same
    ///     bits for every thread count.
    /// - Returns: `lastHiddenState` `[B, N, D]` with `N = 1 + (H/P)(W/P)`, and the extras asked for.
    public func forward(_ pixels: Tensor<Float>, outputHiddenStates: Bool = false, attentionLayer: Int? = nil,
                        stopAfterLayer: Int? = nil, threads: Int? = nil) -> InternVisionOutput {
        let run = {
            self.model.forward(pixels, outputHiddenStates: outputHiddenStates, attentionLayer: attentionLayer,
                               stopAfterLayer: stopAfterLayer)
        }
        guard let threads else { return run() }
        return ComputeThreads.withCount(threads, run)
    }

    /// `[B, 3, H, W] → last_hidden_state [B, N, D]`.
    public func callAsFunction(_ pixels: Tensor<Float>, threads: Int? = nil) -> Tensor<Float> {
        forward(pixels, threads: threads).lastHiddenState
    }

    /// Every parameter with its checkpoint path (the values are immutable copies).
    public func namedParameters() -> [(path: String, weight: Weight)] { model.namedParameters() }

    /// The number of scalar parameters.
    public var parameterCount: Int { model.parameterCount }

    /// The module tree printed like PyTorch's `print(model)`.
    public var treeDescription: String { model.treeDescription }
}

extension InternVisionModel {
    /// An immutable, `Sendable` copy of this model for sharing between tasks (no weight
    /// memory is copied). See `FrozenInternVisionModel`.
    /// - Throws: `ModuleLoadError` if a parameter was never loaded.
    public func frozen() throws -> FrozenInternVisionModel { try FrozenInternVisionModel(self) }
}
