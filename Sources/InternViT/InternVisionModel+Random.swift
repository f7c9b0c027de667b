import NN
import Tensor

extension InternVisionModel {
    /// A model of `config` with seeded random weights (see `initializeRandomly`): the full
    /// architecture without a download, for trying the API, tests and benchmarks. The
    /// features mean nothing; load a checkpoint with `InternViTCheckpoint.load` for real ones.
    ///
    /// ```swift
    /// let model = InternVisionModel.random(config: .internViT300M, seed: 0)  // 304M parameters, bf16
    /// ```
    public static func random(config: InternVisionConfig = .internViT300M, seed: UInt64 = 0,
                              dtype: DType = .bfloat16) -> InternVisionModel {
        let model = InternVisionModel(config: config)
        model.initializeRandomly(seed: seed, dtype: dtype)
        return model
    }

    /// Fills every parameter with seeded random values (the same on every machine), for
    /// running the full architecture without a download. Values follow the reference's
    /// initialisation in scale: weights and embeddings uniform with standard deviation
    /// `initializer_range`, biases 0, norm weights 1, layer scales `initializer_factor`.
    /// Kept as bfloat16, like the released checkpoints.
    public func initializeRandomly(seed: UInt64, dtype: DType = .bfloat16) {
        let parameters = namedParameters()
        var values = [Weight?](repeating: nil, count: parameters.count)
        let range = config.initializerRange, factor = config.initializerFactor
        values.withUnsafeMutableBufferPointer { out in
            parallelFor(parameters.count, grain: 1) { indices in
                for i in indices {
                    let (path, weight) = parameters[i]
                    let shape = weight.shape
                    let value: Tensor<Float>
                    if path.hasSuffix(".bias") {
                        value = .zeros(shape)
                    } else if path.hasSuffix("norm1.weight") || path.hasSuffix("norm2.weight") || path.hasSuffix("_norm.weight") {
                        value = .ones(shape)
                    } else if path.hasSuffix(".ls1") || path.hasSuffix(".ls2") {
                        value = .full(shape, factor)
                    } else {
                        // Uniform(−a, a) has standard deviation a/√3.
                        let a = range * Float(3).squareRoot()
                        value = .randomUniform(shape, low: -a, high: a, seed: seed &+ UInt64(i) &* 0x9E37_79B9)
                    }
                    out[i] = Weight.float32(value).converted(to: dtype)
                }
            }
        }
        var index = 0
        initializeParameters { _, _ in
            defer { index += 1 }
            return values[index]!
        }
    }
}
