import Autograd
import Foundation
import Tensor

/// A linear classifier on (standardised) features: `logits = x̂ · Wᵀ + b`, trained as
/// multinomial logistic regression.
///
/// The training objective is `mean_i CE(W x̂_i + b, y_i) + (l2 / 2)·‖W‖²` (the bias is not
/// penalised), evaluated with its gradient on the `Autograd` tape (`linear`,
/// `crossEntropy`, a sum of squares) and minimised full-batch by `LBFGS`.
public struct SoftmaxRegression: Sendable {
    /// Class weights `[C, D]` (`nn.Linear` layout).
    public var weight: Tensor<Float>
    /// Class biases `[C]`.
    public var bias: Tensor<Float>

    /// A classifier with the given parameters.
    public init(weight: Tensor<Float>, bias: Tensor<Float>) {
        precondition(weight.rank == 2 && bias.shape == [weight.shape[0]], "weight [C, D] and bias [C], got \(weight.shape), \(bias.shape)")
        self.weight = weight
        self.bias = bias
    }

    /// Number of classes.
    public var classCount: Int { weight.shape[0] }
    /// Number of features.
    public var width: Int { weight.shape[1] }

    /// Logits of standardised features `[N, D]`: `[N, C]`.
    public func logits(_ features: Tensor<Float>) -> Tensor<Float> {
        features.matmul(weight.transposed()) + bias.reshaped([1, classCount])   // [N, C]
    }

    /// Class probabilities of standardised features `[N, D]`: `[N, C]`.
    public func probabilities(_ features: Tensor<Float>) -> Tensor<Float> { logits(features).softmax(axis: -1) }

    /// The most likely class of each row of standardised features `[N, D]`.
    public func predict(_ features: Tensor<Float>) -> [Int] {
        let scores = logits(features).contiguous().scalars   // [N·C]
        return (0..<features.shape[0]).map { row in
            let slice = scores[(row * classCount)..<((row + 1) * classCount)]
            return slice.indices.max { slice[$0] < slice[$1] }! - row * classCount
        }
    }

    /// The training objective on the tape: `mean CE + (l2/2)·‖W‖²`, a scalar Variable
    /// whose `backward()` fills `weight.gradient` and `bias.gradient`.
    /// - Parameters: weight `[C, D]`, bias `[C]`, features `[N, D]`, N labels in 0..<C.
    public static func objective(weight: Variable, bias: Variable, features: Variable, labels: [Int], l2: Float) -> Variable {
        let logits = features.linear(weight: weight, bias: bias)   // [N, C]
        let penalty = (weight * weight).sum() * (l2 / 2)          // []
        return logits.crossEntropy(labels: labels) + penalty
    }

    /// Mean cross-entropy of `logits` `[N, C]` against `labels`, accumulated in Double.
    static func crossEntropy(_ logits: Tensor<Float>, labels: [Int]) -> Double {
        let classes = logits.shape[1]
        let z = logits.contiguous().scalars                                   // [N·C]
        var total = 0.0
        for (row, label) in labels.enumerated() {
            let scores = z[(row * classes)..<((row + 1) * classes)].map { Double($0) }
            let top = scores.max()!
            total += top + Foundation.log(scores.reduce(0) { $0 + Foundation.exp($1 - top) }) - scores[label]
        }
        return total / Double(Swift.max(labels.count, 1))
    }

    /// What a fit did.
    public struct FitReport: Sendable {
        /// The objective at the end.
        public var loss: Double
        /// Largest gradient component at the end.
        public var gradientMaximum: Double
        /// L-BFGS iterations.
        public var iterations: Int
        /// Why L-BFGS stopped.
        public var stop: LBFGS.Stop
    }

    /// Fits the classifier to standardised `features` `[N, D]` and `labels` (N of them, in
    /// 0..<classCount) from zero weights, by L-BFGS on the objective above.
    public static func fit(features: Tensor<Float>, labels: [Int], classCount: Int, l2: Float,
                           solver: LBFGS = LBFGS()) -> (SoftmaxRegression, FitReport) {
        precondition(features.rank == 2 && features.shape[0] == labels.count, "features [N, D] and N labels")
        let width = features.shape[1]
        let input = Variable(features)                                  // [N, D], no gradient
        let weightCount = classCount * width
        let result = solver.minimize(from: [Double](repeating: 0, count: weightCount + classCount)) { parameters in
            let weight = Variable(Tensor(parameters[..<weightCount].map { Float($0) }, shape: [classCount, width]),
                                  requiresGradient: true)               // [C, D]
            let bias = Variable(Tensor(parameters[weightCount...].map { Float($0) }, shape: [classCount]),
                                requiresGradient: true)                 // [C]
            let logits = input.linear(weight: weight, bias: bias)            // [N, C]
            let loss = logits.crossEntropy(labels: labels) + (weight * weight).sum() * (l2 / 2)
            loss.backward()
            let gradient = (weight.gradient?.contiguous().scalars ?? [Float](repeating: 0, count: weightCount))
                + (bias.gradient?.contiguous().scalars ?? [Float](repeating: 0, count: classCount))
            // The value for the line search in Double from the same logits: a float32 loss
            // moves in steps of 1e-7 relative, too coarse to see the last iterations' progress.
            let value = crossEntropy(logits.value, labels: labels)
                + Double(l2) / 2 * parameters[..<weightCount].reduce(0) { $0 + $1 * $1 }
            return (value, gradient.map { Double($0) })
        }
        let model = SoftmaxRegression(
            weight: Tensor(result.parameters[..<weightCount].map { Float($0) }, shape: [classCount, width]),
            bias: Tensor(result.parameters[weightCount...].map { Float($0) }, shape: [classCount]))
        return (model, FitReport(loss: result.value, gradientMaximum: result.gradientMaximum,
                                 iterations: result.iterations, stop: result.stop))
    }
}
