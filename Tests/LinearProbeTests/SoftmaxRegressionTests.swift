import Autograd
import Foundation
import LinearProbe
import Tensor
import Testing

/// The probe's fit against PyTorch: the same objective (mean cross-entropy + (l2/2)‖W‖²
/// on standardised features) minimised in float64 by `torch.optim.LBFGS` to a gradient
/// below 1e-8 (`Scripts/make_probe_fixtures.py`). The objective is strictly convex, so
/// both solvers must reach the same point.
@Suite struct SoftmaxRegressionTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// Synthetic features (4 classes, 12 features, l2 0.01), and the first 20 rows per
    /// digit of the digits demo's random-tiny pooled features (10 classes, 64 features,
    /// l2 0.001, badly conditioned: the float64 reference itself stops at |g| ≈ 7e-9).
    static let names = ["softmax_regression", "digits_random_tiny"]

    struct Reference {
        var features: Tensor<Float>, labels: [Int], mean: [Double], std: [Double], weight: [Double], bias: [Double]
        var loss: Double, l2: Float
        var classCount: Int { bias.count }
    }

    static func reference(_ name: String = "softmax_regression") throws -> Reference {
        let file = try SafeTensorsFile(contentsOf: fixtures.appendingPathComponent(name + ".safetensors"))
        func doubles(_ name: String) throws -> [Double] { try #require(file.tensor(named: name).tensor(as: Double.self)).scalars }
        let labels = try #require(file.tensor(named: "labels").tensor(as: Int64.self)).scalars.map { Int($0) }
        return Reference(features: try file.tensor(named: "features").toFloat(), labels: labels, mean: try doubles("mean"),
                         std: try doubles("std"), weight: try doubles("weight"), bias: try doubles("bias"),
                         loss: try doubles("loss")[0], l2: Float(try doubles("l2")[0]))
    }

    /// Standardisation statistics as torch's (population std, 1 for the constant column):
    /// float32 statistics accumulated in Double, so relative error ≤ 1e-6.
    @Test func standardizationMatchesTorch() throws {
        let r = try Self.reference()
        let fitted = FeatureStandardization(fitting: r.features)
        for j in r.mean.indices {
            #expect(Swift.abs(Double(fitted.mean[j]) - r.mean[j]) <= 1e-6 * Swift.max(1, Swift.abs(r.mean[j])), "mean \(j)")
            #expect(Swift.abs(Double(fitted.std[j]) - r.std[j]) <= 1e-6 * r.std[j], "std \(j)")
        }
        #expect(fitted.std[5] == 1, "the constant feature gets std 1")
    }

    /// Weights and biases within 1e-3 of the largest reference weight, objective within
    /// 1e-5 relative, same predictions. Tolerance: the Swift objective and gradient are
    /// float32 (logits and gradient carry ~1e-7 relative round-off), and L-BFGS stops at
    /// max |gradient| ≤ 1e-6 or when no step lowers the objective at that precision; a
    /// point whose gradient is at the float32 floor (1e-7 … 1e-6) lies within |g| / λ_min
    /// of the optimum, λ_min ≥ l2 (0.01, 0.001) for the weights: ≤ 1e-4 … 1e-3 of weights
    /// whose largest is 0.95 (synthetic) or 3.8 (digits).
    @Test(arguments: names)
    func fitMatchesTorchLBFGS(_ name: String) throws {
        let r = try Self.reference(name)
        let standardized = FeatureStandardization(fitting: r.features).apply(r.features)   // [N, D]
        let (model, report) = SoftmaxRegression.fit(features: standardized, labels: r.labels, classCount: r.classCount, l2: r.l2)
        #expect(report.stop != .iterationLimit, "\(report)")
        let scale = r.weight.map { Swift.abs($0) }.max()!
        let weight = model.weight.contiguous().scalars, bias = model.bias.contiguous().scalars
        let weightError = zip(weight, r.weight).map { Swift.abs(Double($0) - $1) }.max()!
        let biasError = zip(bias, r.bias).map { Swift.abs(Double($0) - $1) }.max()!
        #expect(weightError <= 1e-3 * scale, "max weight error \(weightError), scale \(scale)")
        #expect(biasError <= 1e-3 * scale, "max bias error \(biasError), \(report)")
        #expect(Swift.abs(report.loss - r.loss) <= 1e-5 * r.loss, "loss \(report.loss) vs \(r.loss)")

        // Same predictions as the reference parameters.
        let referenceModel = SoftmaxRegression(weight: Tensor(r.weight.map { Float($0) }, shape: model.weight.shape),
                                               bias: Tensor(r.bias.map { Float($0) }, shape: model.bias.shape))
        #expect(model.predict(standardized) == referenceModel.predict(standardized))
    }

    /// The objective's gradient on the tape against central differences in Double of the
    /// same objective written out by hand (float32 tape, so 1e-3 relative).
    @Test func objectiveGradientMatchesFiniteDifferences() throws {
        let r = try Self.reference()
        let x = FeatureStandardization(fitting: r.features).apply(r.features).sliced(axis: 0, 0..<20).contiguous() // [20, D]
        let labels = Array(r.labels.prefix(20))
        let c = r.classCount, d = x.shape[1]
        var generator = SeededGenerator(seed: 3)
        let w0 = (0..<(c * d)).map { _ in generator.nextUnitDouble() - 0.5 }, b0 = (0..<c).map { _ in generator.nextUnitDouble() - 0.5 }
        let weight = Variable(Tensor(w0.map { Float($0) }, shape: [c, d]), requiresGradient: true)
        let bias = Variable(Tensor(b0.map { Float($0) }, shape: [c]), requiresGradient: true)
        SoftmaxRegression.objective(weight: weight, bias: bias, features: Variable(x), labels: labels, l2: 0.1).backward()
        let gradient = try #require(weight.gradient).contiguous().scalars
        let xs = x.scalars.map { Double($0) }
        func objective(_ w: [Double]) -> Double {
            var total = 0.0
            for i in 0..<labels.count {
                let z = (0..<c).map { k in b0[k] + (0..<d).reduce(0.0) { $0 + w[k * d + $1] * xs[i * d + $1] } }
                let m = z.max()!
                total += m + Foundation.log(z.reduce(0.0) { $0 + Foundation.exp($1 - m) }) - z[labels[i]]
            }
            return total / Double(labels.count) + 0.05 * w.reduce(0.0) { $0 + $1 * $1 }
        }
        for index in stride(from: 0, to: c * d, by: 7) {
            var plus = w0, minus = w0
            plus[index] += 1e-5; minus[index] -= 1e-5
            let numeric = (objective(plus) - objective(minus)) / 2e-5
            #expect(Swift.abs(Double(gradient[index]) - numeric) <= 1e-3 * Swift.max(1, Swift.abs(numeric)), "weight \(index)")
        }
    }
}
