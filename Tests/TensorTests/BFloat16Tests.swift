import Testing
import Tensor

/// bfloat16 rounding against PyTorch.
@Suite struct BFloat16Tests {
    /// Halfway cases, subnormals, overflow to infinity, infinities, NaNs of every sign
    /// and payload, and random bit patterns: every result bit must match PyTorch. The
    /// scalar initialiser follows `c10::BFloat16` (NaN → 0x7FC0); tensor conversion
    /// follows PyTorch's tensor kernel (NaN → 0xFFFF). All other values agree.
    @Test(arguments: Fixtures.cases("bfloat16"))
    func roundingMatchesPyTorch(_ c: Fixtures.Case) throws {
        let bits = try #require(try c.input(0).tensor(as: Int32.self))
        let expected = try #require(try c.expectedTensor().tensor(as: Int32.self)).scalars
        let got: [UInt16]
        if c.string("path") == "tensor" {
            let floats = bits.scalars.map { Float(bitPattern: UInt32(bitPattern: $0)) }
            got = Tensor<Float>(floats).converted(to: BFloat16.self).scalars.map(\.bitPattern)
        } else {
            got = bits.scalars.map { BFloat16(Float(bitPattern: UInt32(bitPattern: $0))).bitPattern }
        }
        var mismatches: [String] = []
        for (index, (g, e)) in zip(got, expected).enumerated() where g != UInt16(truncatingIfNeeded: e) {
            let input = UInt32(bitPattern: bits.scalars[index])
            mismatches.append("0x\(String(input, radix: 16)) → 0x\(String(g, radix: 16)), torch 0x\(String(UInt16(truncatingIfNeeded: e), radix: 16))")
        }
        #expect(mismatches.isEmpty, "\(c): \(mismatches.prefix(5))")
    }

    @Test func wideningIsExactAndTensorConversionRoundTrips() {
        let values: [Float] = [0, -0.0, 1, -2.5, 3.140625, .infinity, -.infinity, 1e-40]
        let bf = Tensor<Float>(values).converted(to: BFloat16.self)
        #expect(bf.dtype == .bfloat16)
        let back = bf.toFloat()
        for (v, w) in zip(values, back.scalars) {
            #expect(BFloat16(v).floatValue == w)
        }
        // Values representable in bfloat16 survive the round trip unchanged.
        #expect(Array(back.scalars[0...4]) == [0, -0.0, 1, -2.5, 3.140625])
        #expect(BFloat16(Float.nan).isNaN)
        #expect(Tensor<Float>([.nan]).converted(to: BFloat16.self).toFloat().scalars[0].isNaN)
    }

    @Test func float16AndIntegerConversions() {
        let x = Tensor<Float>([1.5, -2.75, 70000, .nan, -3.9])
        let half = x.converted(to: Half.self).toFloat().scalars
        #expect(half[0] == 1.5 && half[1] == -2.75 && half[2] == .infinity && half[3].isNaN)
        // Integer conversion truncates toward zero and clamps; NaN becomes 0.
        #expect(x.converted(to: Int32.self).scalars == [1, -2, 70000, 0, -3])
        #expect(x.converted(to: UInt8.self).scalars == [1, 0, 255, 0, 0])
    }
}
