import Testing
import Tensor

/// Element-wise arithmetic and maths against numpy / PyTorch fixtures.
@Suite struct ElementwiseTests {
    /// Applies the view named by the fixture before the operation.
    static func view(_ x: Tensor<Float>, _ kind: String) -> Tensor<Float> {
        switch kind {
        case "transpose": return x.transposed()
        case "step2": return x.sliced(axis: 1, 0..<x.shape[1], step: 2)
        default: return x
        }
    }

    /// +, −, ×, ÷, maximum and minimum are single IEEE operations, so they must match
    /// numpy bit for bit, whatever the broadcasting or layout.
    @Test(arguments: Fixtures.cases("binary"))
    func binaryMatchesNumpyExactly(_ c: Fixtures.Case) throws {
        let a = Self.view(try c.floatInput(0), c.string("view")), b = try c.floatInput(1)
        let result: Tensor<Float>
        switch c.string("name") {
        case "add": result = a + b
        case "sub": result = a - b
        case "mul": result = a * b
        case "div": result = a / b
        case "maximum": result = a.maximum(b)
        case "minimum": result = a.minimum(b)
        default: Issue.record("unknown op \(c)"); return
        }
        expectMatch(result, try c.expectedTensor().toFloat(), "\(c)") { _, _ in 0 }
    }

    /// In-place variants write the same values as the out-of-place ones, and leave other
    /// tensors sharing the storage untouched.
    /// Only cases an in-place operator can take: +, −, ×, ÷ without a view, whose
    /// broadcast result has the left operand's shape (every one of them asserts).
    static let inPlaceCases: [Fixtures.Case] = Fixtures.nonEmpty("binary (in place)", Fixtures.cases("binary").filter { c in
        guard c.missing == nil else { return true }
        guard c.string("view") == "none", ["add", "sub", "mul", "div"].contains(c.string("name")) else { return false }
        // An unreadable input keeps the case, so the test fails on it.
        guard let a = try? c.input(0).shape, let b = try? c.input(1).shape else { return true }
        return Broadcasting.shape(a, b) == a
    })

    @Test(arguments: inPlaceCases)
    func inPlaceMatchesOutOfPlace(_ c: Fixtures.Case) throws {
        let a = try c.floatInput(0), b = try c.floatInput(1)
        try #require(Broadcasting.shape(a.shape, b.shape) == a.shape, "\(c): not an in-place case")
        var x = a
        let alias = x
        switch c.string("name") {
        case "add": x += b
        case "sub": x -= b
        case "mul": x *= b
        case "div": x /= b
        default: Issue.record("\(c): not an in-place operator"); return
        }
        expectMatch(x, try c.expectedTensor().toFloat(), "\(c)") { _, _ in 0 }
        expectMatch(alias, a, "copy-on-write violated in \(c)") { _, _ in 0 }
    }

    @Test func scalarOperandsBroadcast() {
        let x = Tensor<Float>([1, 2, 3, 4], shape: [2, 2])
        #expect((x + 1).scalars == [2, 3, 4, 5])
        #expect((x - 1).scalars == [0, 1, 2, 3])
        #expect((2 * x).scalars == [2, 4, 6, 8])
        #expect((x / 2).scalars == [0.5, 1, 1.5, 2])
        #expect((1 - x).scalars == [0, -1, -2, -3])
        #expect((12 / x).scalars == [12, 6, 4, 3])
        #expect((-x).scalars == [-1, -2, -3, -4])
        var y = x
        y *= 3
        y += 1
        #expect(y.scalars == [4, 7, 10, 13])
        #expect(x.clamped(1.5, 3).scalars == [1.5, 2, 3, 3])
    }

    /// Maximum tolerated error per function, in units in the last place of the reference.
    /// Single IEEE operations are exact; our vector `exp` is within 2 ulp; libm functions
    /// (glibc here, SLEEF in PyTorch) are each within 1 ulp, so they may differ by 2;
    /// our vector erf is within 2.3 ulp of the truth (its reference), so 3; compound
    /// formulas (GELU, sigmoid, SiLU) combine a few roundings, so 4.
    static let ulpBudget: [String: Float] = [
        "abs": 0, "neg": 0, "square": 0, "sqrt": 0, "rsqrt": 1, "exp": 2, "log": 2, "tanh": 2, "erf": 3,
        "gelu": 4, "gelu_tanh": 4, "sigmoid": 4, "silu": 4,
    ]

    @Test(arguments: Fixtures.cases("unary"))
    func unaryMatchesPyTorch(_ c: Fixtures.Case) throws {
        let x = Self.view(try c.floatInput(0), c.string("view"))
        let name = c.string("name")
        let result: Tensor<Float>
        switch name {
        case "exp": result = x.exp()
        case "log": result = x.log()
        case "sqrt": result = x.sqrt()
        case "rsqrt": result = x.rsqrt()
        case "tanh": result = x.tanh()
        case "erf": result = x.erf()
        case "gelu": result = x.gelu()
        case "gelu_tanh": result = x.geluTanh()
        case "sigmoid": result = x.sigmoid()
        case "silu": result = x.silu()
        case "abs": result = x.abs()
        case "neg": result = -x
        case "square": result = x.squared()
        default: Issue.record("unknown op \(c)"); return
        }
        let budget = try #require(Self.ulpBudget[name])
        // GELU-type functions cancel for x ≪ 0: 1 + erf(x/√2) (or 1 + tanh) is a small
        // multiple of ulp(1) = ε, so one ulp of difference in erf/tanh moves the result by
        // about 0.5·|x|·ε. There an absolute |x|·ε (two such steps) applies.
        let inputs = x.contiguous().scalars
        let cancels = ["gelu", "gelu_tanh"].contains(name)
        expectMatch(result, try c.expectedTensor().toFloat(), c) { e, i in
            budget * ulp(e) + (cancels ? Swift.abs(inputs[i]) * Float.ulpOfOne : 0)
        }
    }
}
