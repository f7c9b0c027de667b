import Autograd
import Foundation
import Tensor
import Testing

/// AdamW, SGD and clipping follow torch.optim step by step; the schedule its definition.
@Suite struct OptimizerTests {
    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/optimizers.safetensors")

    func run(_ name: String, _ optimizer: inout some Optimizer) throws {
        let file = try SafeTensorsFile(contentsOf: Self.fixtureURL)
        var parameters = [TrainedParameter(path: "w", value: try file.tensor(named: "initial").toFloat())]
        for index in 0..<3 {
            parameters[0].variable.gradient = try file.tensor(named: "gradient\(index)").toFloat()
            GradientClipping.clipByGlobalNorm(parameters, maxNorm: 1)
            optimizer.step(&parameters, learningRate: 0.1)
            let expected = try file.tensor(named: "\(name).after\(index)").toFloat().scalars
            let got = parameters[0].variable.value.contiguous().scalars
            let worst = zip(got, expected).map { Swift.abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-6, "\(name) step \(index): max difference \(worst)")
        }
    }

    @Test func adamWMatchesPyTorch() throws {
        var optimizer = AdamW(weightDecay: 0.01)
        try run("adamw", &optimizer)
    }

    @Test func sgdWithMomentumMatchesPyTorch() throws {
        var optimizer = SGD(momentum: 0.9, weightDecay: 0.01)
        try run("sgd", &optimizer)
    }

    @Test func warmupThenCosine() {
        let schedule = WarmupCosineSchedule(peak: 1e-3, minimum: 1e-5, warmupSteps: 10, totalSteps: 110)
        #expect(Swift.abs(schedule.learningRate(at: 0) - 1e-4) < 1e-9)
        #expect(Swift.abs(schedule.learningRate(at: 9) - 1e-3) < 1e-9)
        #expect(Swift.abs(schedule.learningRate(at: 60) - (1e-5 + (1e-3 - 1e-5) * 0.5)) < 1e-9)
        #expect(Swift.abs(schedule.learningRate(at: 110) - 1e-5) < 1e-9)
        let rates = (10...110).map(schedule.learningRate(at:))
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 }, "cosine part must not rise")
    }
}
