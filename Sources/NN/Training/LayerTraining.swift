import Autograd
import Tensor

// Differentiable forwards of the NN layers a ViT needs. Each is the inference forward's
// maths written on `Variable` (the Autograd ops call the same Tensor kernels); the tests
// in Tests/NNTests/TrainingForwardTests.swift check that the two agree on the same weights.

extension Linear: TrainableLayer {
    /// `[..., in] → [..., out]`: x · Wᵀ + b.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable {
        x.linear(weight: context.parameter(self, "weight"), bias: bias == nil ? nil : context.parameter(self, "bias"))
    }
}

extension LayerNorm: TrainableLayer {
    /// `[..., dim] → [..., dim]`.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable {
        x.layerNorm(weight: weight == nil ? nil : context.parameter(self, "weight"),
                    bias: bias == nil ? nil : context.parameter(self, "bias"), epsilon: epsilon)
    }
}

extension RMSNorm: TrainableLayer {
    /// `[..., dim] → [..., dim]`.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable {
        x.rmsNorm(weight: context.parameter(self, "weight"), epsilon: epsilon)
    }
}

extension LayerScale: TrainableLayer {
    /// `[..., dim] → [..., dim]`: x ⊙ γ.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable {
        x * context.parameter(self, parameterName)
    }
}

extension GELU: TrainableLayer {
    /// Elementwise, any shape.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable {
        approximation == .none ? x.gelu() : x.geluTanh()
    }
}

extension SiLU: TrainableLayer {
    /// Elementwise, any shape.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable { x.silu() }
}

extension Identity: TrainableLayer {
    /// Returns `x`.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable { x }
}

extension Dropout: TrainableLayer {
    /// Training: each element zeroed with `probability`, the rest scaled by 1/(1 − p), mask
    /// from `context.generator`. Evaluation: the identity (as the inference forward).
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable {
        x.dropout(probability, training: context.isTraining, generator: &context.generator)
    }
}

extension DropPath: TrainableLayer {
    /// Stochastic depth on a residual branch `[B, ...]`: in training each sample's branch is
    /// kept with probability 1 − p and scaled by 1/(1 − p), else zeroed (timm's `drop_path`,
    /// one draw per sample from `context.generator`). Evaluation: the identity.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable {
        guard context.isTraining, probability > 0 else { return x }
        precondition(probability < 1, "drop path probability must be below 1")
        let keep = 1 - probability, batch = x.shape[0]
        let mask = (0..<batch).map { _ in context.generator.nextUnitDouble() < Double(keep) ? 1 / keep : Float(0) }
        return x * Variable(Tensor(mask, shape: [batch] + Array(repeating: 1, count: x.rank - 1))) // [B, 1, …]
    }
}

extension Sequential {
    /// The layers in order; every layer must be a `TrainableLayer`.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable {
        layers.reduce(x) { input, layer in
            guard let trainable = layer as? any TrainableLayer else {
                preconditionFailure("\(type(of: layer)) has no differentiable forward (conform it to TrainableLayer)")
            }
            return trainable(input, context)
        }
    }
}

extension MLP: TrainableLayer {
    /// `[..., dim] → [..., dim]`: fc2(act(fc1(x))).
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable {
        let before = fc1(x, context)                                   // [..., hidden]
        let hidden: Variable                                           // [..., hidden]
        switch activation {
        case .gelu: hidden = before.gelu()
        case .geluTanh: hidden = before.geluTanh()
        case .silu: hidden = before.silu()
        }
        return fc2(hidden, context)
    }
}

extension Conv2d {
    /// The patch embedding on the tape: `[B, C, H, W] → [B, (H/k)(W/k), out]`, row-major
    /// patches, for a square kernel equal to its stride without padding (what every ViT
    /// uses; the same as `patchTokens`). Computed as non-overlapping patches times the
    /// weight reshaped to `[out, C·k·k]`.
    public func patchTokens(_ x: Variable, _ context: TrainingContext) -> Variable {
        precondition(kernelSize.0 == kernelSize.1 && kernelSize == stride && padding == (0, 0),
                     "the differentiable Conv2d covers kernel == stride (square) without padding, got \(summary)")
        precondition(x.rank == 4 && x.shape[1] == inChannels, "Conv2d input must be [B, \(inChannels), H, W], got \(x.shape)")
        let k = kernelSize.0
        let cropped = x.shape[2] % k == 0 && x.shape[3] % k == 0 ? x
            : x.sliced(axis: 2, 0..<(x.shape[2] / k * k)).sliced(axis: 3, 0..<(x.shape[3] / k * k)) // [B, C, H', W']
        let weight = context.parameter(self, "weight").reshaped([outChannels, inChannels * k * k]) // [out, C·k·k]
        return cropped.patches(size: k).linear(weight: weight, bias: bias == nil ? nil : context.parameter(self, "bias"))
    }
}

extension Embedding {
    /// Ids (any shape `S`) → vectors `S + [dim]` on the tape; ids must be in `0..<count`.
    public func callAsFunction(_ ids: Tensor<Int32>, _ context: TrainingContext) -> Variable {
        let rows = Variable.embedding(context.parameter(self, "weight"), ids: ids.scalars.map { Int($0) }) // [n, dim]
        return rows.reshaped(ids.shape + [dim])
    }
}
