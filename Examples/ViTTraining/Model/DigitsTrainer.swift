import Autograd
import Foundation
import InternViT
import NN
import Tensor

/// Everything that decides a training run besides the data and the seed. The defaults
/// are vit-train's recipe (the PyTorch twin, Scripts/bench_vit_train_torch.py, uses the
/// same numbers).
public struct TrainingRecipe: Sendable {
    public var epochs = 200
    public var batchSize = 64
    public var peakLearningRate: Float = 2e-3
    public var minimumLearningRate: Float = 1e-5
    /// Linear warmup length; then half a cosine down to `minimumLearningRate`.
    public var warmupEpochs = 5
    /// AdamW's decoupled weight decay (on every parameter, as `torch.optim.AdamW` with one group).
    public var weightDecay: Float = 0.05
    /// Global gradient-norm clip.
    public var gradientClip: Float = 1
    /// Cross-entropy label smoothing ε.
    public var labelSmoothing: Float = 0.1
    /// Random affine distortion of each training image.
    public var augmentation = DigitsAugmentation(rotation: 10, scale: 0.1, shift: 1)
    /// The toy InternViT (see `DigitsClassifier.config`).
    public var width = 96, depth = 4, heads = 6, mlpRatio = 4
    public var layerScale: Float = 1, dropPath: Float = 0.1
    /// Decay of the exponential moving average of the weights (0: none). With an average,
    /// the held-out accuracy is measured on, and the model saved with, the averaged weights;
    /// the decay used at step t is min(decay, (1 + t)/(10 + t)) so early averages are not
    /// dominated by the random initialisation.
    public var averageDecay: Float = 0.998

    /// The defaults.
    public init() {}

    /// The model configuration this recipe trains.
    public var config: InternVisionConfig {
        DigitsClassifier.config(width: width, depth: depth, heads: heads, mlpRatio: mlpRatio,
                                layerScale: layerScale, dropPath: dropPath)
    }
}

/// One epoch's figures.
public struct EpochReport: Sendable {
    public let epoch: Int
    /// Mean training loss (with label smoothing) over the epoch's samples.
    public let loss: Double
    /// Accuracy on the (augmented) training batches, in training mode.
    public let trainAccuracy: Double
    /// Accuracy on the held-out rows (inference path) of the weights training keeps (the
    /// moving average when the recipe has one), if held-out rows were given.
    public let heldOutAccuracy: Double?
    /// Accuracy on the held-out rows of the raw (not averaged) weights, when the recipe
    /// keeps a moving average.
    public let rawHeldOutAccuracy: Double?
    /// Wall time of the epoch, seconds.
    public let seconds: Double
}

/// Trains a `DigitsClassifier` from scratch: AdamW, warmup + cosine, gradient clipping,
/// label smoothing, augmentation, drop path — all from one seed, so the same seed gives
/// the same bytes.
public enum DigitsTrainer {
    /// Trains on `train` by `recipe`; after each epoch writes the trained values into the
    /// model and measures `heldOut` through the inference forward.
    /// - Parameters:
    ///   - progress: called after each step with (step in epoch, steps per epoch).
    ///   - epochDone: called after each epoch; a thrown error stops training.
    /// - Returns: the trained model (holding the averaged weights when the recipe keeps a
    ///   moving average) and the loss of every step.
    public static func train(_ train: DigitsData, heldOut: DigitsData?, seed: UInt64, recipe: TrainingRecipe,
                             progress: (Int, Int) -> Void = { _, _ in },
                             epochDone: (EpochReport) throws -> Void = { _ in }) rethrows -> (model: DigitsClassifier, losses: [Float]) {
        precondition(train.labels.allSatisfy { (0..<DigitsClassifier.classes).contains($0) }, "training rows need labels")
        let model = DigitsClassifier(config: recipe.config)
        model.initialize(seed: seed)
        let parameters = model.trainableParameters()
        let context = TrainingContext(parameters: parameters, isTraining: true, seed: seed &+ 1)
        var optimizer = AdamW(weightDecay: recipe.weightDecay)
        let stepsPerEpoch = (train.count + recipe.batchSize - 1) / recipe.batchSize
        let schedule = WarmupCosineSchedule(peak: recipe.peakLearningRate, minimum: recipe.minimumLearningRate,
                                            warmupSteps: stepsPerEpoch * recipe.warmupEpochs,
                                            totalSteps: stepsPerEpoch * recipe.epochs)
        var shuffler = SeededGenerator(seed: seed &+ 2)
        var distorter = SeededGenerator(seed: seed &+ 3)
        let average = recipe.averageDecay > 0 ? model.trainableParameters() : nil
        var losses: [Float] = []
        var step = 0
        for epoch in 1...recipe.epochs {
            let started = Date()
            var order = Array(0..<train.count)
            order.shuffle(using: &shuffler)
            var lossSum = 0.0, correct = 0
            for (batchIndex, batchStart) in stride(from: 0, to: order.count, by: recipe.batchSize).enumerated() {
                let rows = order[batchStart..<Swift.min(batchStart + recipe.batchSize, order.count)]
                var values: [Float] = []
                values.reserveCapacity(rows.count * 192)
                for row in rows {
                    let image = recipe.augmentation.apply(train.pixels[(row * 64)..<(row * 64 + 64)], generator: &distorter)
                    for _ in 0..<3 { values += image }
                }
                let pixels = Variable(Tensor(values, shape: [rows.count, 3, 8, 8]))          // [B, 3, 8, 8]
                let labels = rows.map { train.labels[$0] }
                let logits = model(pixels, context)                                          // [B, 10]
                let loss = logits.crossEntropy(labels: labels, labelSmoothing: recipe.labelSmoothing)
                loss.backward()
                GradientClipping.clipByGlobalNorm(parameters.parameters, maxNorm: recipe.gradientClip)
                optimizer.step(&parameters.parameters, learningRate: schedule.learningRate(at: step))
                if let average {
                    let decay = Swift.min(recipe.averageDecay, Float(1 + step) / Float(10 + step))
                    for (index, parameter) in parameters.parameters.enumerated() {
                        let averaged = average.parameters[index].variable.value * decay + parameter.variable.value * (1 - decay)
                        average.parameters[index].variable = Variable(averaged)              // same shape
                    }
                }
                step += 1
                losses.append(loss.value.item)
                lossSum += Double(loss.value.item) * Double(rows.count)
                correct += zip(logits.value.argmax(axis: -1).scalars, labels).filter { Int($0) == $1 }.count
                progress(batchIndex + 1, stepsPerEpoch)
            }
            model.update(from: parameters)
            var rawHeldOutAccuracy: Double?
            if let average {
                rawHeldOutAccuracy = heldOut.map { accuracy(model.predict($0), $0.labels) }
                model.update(from: average)
            }
            let heldOutAccuracy = heldOut.map { accuracy(model.predict($0), $0.labels) }
            try epochDone(EpochReport(epoch: epoch, loss: lossSum / Double(train.count),
                                      trainAccuracy: Double(correct) / Double(train.count),
                                      heldOutAccuracy: heldOutAccuracy, rawHeldOutAccuracy: rawHeldOutAccuracy,
                                      seconds: Date().timeIntervalSince(started)))
        }
        return (model, losses)
    }

    /// The fraction of `predictions` equal to `labels`.
    public static func accuracy(_ predictions: [Int], _ labels: [Int]) -> Double {
        Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(Swift.max(labels.count, 1))
    }
}
