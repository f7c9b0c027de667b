import Autograd
import Foundation
import Tensor
import Testing

/// Gradients of every case equal torch.autograd's on the same float32 inputs.
@Suite struct PyTorchGradientTests {
    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/autograd.safetensors")

    /// The fixture's inputs, projection and gradients of case `name`.
    static func load(_ name: String) throws -> (inputs: [Tensor<Float>], projection: Tensor<Float>, gradients: [Tensor<Float>]) {
        let file = try SafeTensorsFile(contentsOf: fixtureURL)
        var inputs: [Tensor<Float>] = [], gradients: [Tensor<Float>] = []
        var index = 0
        while file.info(named: "\(name).input\(index)") != nil {
            inputs.append(try file.tensor(named: "\(name).input\(index)").toFloat())
            gradients.append(try file.tensor(named: "\(name).grad\(index)").toFloat())
            index += 1
        }
        return (inputs, try file.tensor(named: "\(name).projection").toFloat(), gradients)
    }

    @Test func everyCaseIsInTheFixture() throws {
        #expect(GradientCases.all.count == 13)
        for name in GradientCases.all.keys {
            #expect(try !Self.load(name).inputs.isEmpty, "\(name) missing from the fixture")
        }
    }

    @Test(arguments: GradientCases.all.keys.sorted())
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Self.load(name)
        let variables = fixture.inputs.map { Variable($0, requiresGradient: true) }
        GradientCases.loss(name, variables, projection: fixture.projection).backward()
        for (index, (variable, expected)) in zip(variables, fixture.gradients).enumerated() {
            let gradient = try #require(variable.gradient, "\(name) input \(index) has no gradient")
            #expect(gradient.shape == expected.shape)
            let worst = zip(gradient.contiguous().scalars, expected.scalars)
                .map { Swift.abs($0 - $1) / (1e-5 + Swift.abs($1)) }.max() ?? 0
            // float32 with different summation orders: relative 1e-4 (absolute 1e-9 near 0).
            #expect(worst < 1e-4 || zip(gradient.contiguous().scalars, expected.scalars).allSatisfy {
                Swift.abs($0 - $1) <= 1e-5 + 1e-4 * Swift.abs($1)
            }, "\(name) input \(index): worst relative error \(worst)")
        }
    }
}
