import Autograd
import Tensor
import Testing

/// Every case's analytic gradient equals central finite differences of its loss.
@Suite struct FiniteDifferenceTests {
    /// Compares d loss/d inputs from `backward()` with (L(x + h) − L(x − h))/2h per element.
    ///
    /// Tensor's kernels are float32, so with h = 1e-2 the quotient carries a round-off of
    /// about 6e-8·|L|/h ≈ 1e-5·|L| and a truncation error of h²·|f'''|/6 ≈ 2e-5·|f'''|;
    /// the bound 2e-3 + 1e-2·|g| is above both for |L| ≲ 50 and well below the size of
    /// any real gradient mistake (a wrong factor or sign moves g by ~|g|).
    static func check(_ inputs: [Tensor<Float>], _ loss: ([Variable]) -> Variable) -> [String] {
        let variables = inputs.map { Variable($0, requiresGradient: true) }
        loss(variables).backward()
        let h: Float = 1e-2
        var failures: [String] = []
        for (index, input) in inputs.enumerated() {
            let analytic = variables[index].gradient?.contiguous().scalars ?? []
            guard analytic.count == input.count else { failures.append("input \(index): no gradient"); continue }
            var scalars = input.contiguous().scalars
            for element in 0..<scalars.count {
                let saved = scalars[element]
                func evaluate(_ x: Float) -> Float {
                    scalars[element] = x
                    var perturbed = inputs.map { Variable($0) }
                    perturbed[index] = Variable(Tensor(scalars, shape: input.shape))
                    return loss(perturbed).value.item
                }
                let numeric = (evaluate(saved + h) - evaluate(saved - h)) / (2 * h)
                scalars[element] = saved
                if Swift.abs(numeric - analytic[element]) > 2e-3 + 1e-2 * Swift.abs(numeric) {
                    failures.append("input \(index)[\(element)]: analytic \(analytic[element]), numeric \(numeric)")
                }
            }
        }
        return failures
    }

    @Test(arguments: GradientCases.all.keys.sorted())
    func matchesFiniteDifferences(_ name: String) throws {
        let fixture = try PyTorchGradientTests.load(name)
        let failures = Self.check(fixture.inputs) { GradientCases.loss(name, $0, projection: fixture.projection) }
        #expect(failures.isEmpty, "\(name): \(failures.prefix(5))")
    }

    @Test func dropoutGradientUsesTheSameMask() {
        let x = Tensor<Float>.randomNormal([3, 7], seed: 5) // [3, 7]
        let projection = Tensor<Float>.randomNormal([3, 7], seed: 6) // [3, 7]
        let failures = Self.check([x]) { v in
            var generator = SeededGenerator(seed: 9)
            return (v[0].dropout(0.3, training: true, generator: &generator) * Variable(projection)).sum()
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        var generator = SeededGenerator(seed: 9)
        let dropped = Variable(x).dropout(0.3, training: true, generator: &generator).value.scalars
        #expect(dropped.contains(0) && dropped.contains { $0 != 0 }, "dropout should zero some elements and keep others")
        #expect(Variable(x).dropout(0.3, training: false, generator: &generator).value.scalars == x.scalars)
    }

    @Test func inferenceInputsRecordNoTape() {
        let a = Variable(.randomNormal([2, 3], seed: 1)), b = Variable(.randomNormal([3, 2], seed: 2))
        let product = a.matmul(b).gelu()
        #expect(!product.requiresGradient)
        let trained = Variable(.randomNormal([3, 2], seed: 2), requiresGradient: true)
        #expect(a.matmul(trained).requiresGradient)
    }
}
