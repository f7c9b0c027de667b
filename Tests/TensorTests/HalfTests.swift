import Testing
import Tensor

/// `SoftFloat16` (the `Half` of platforms without `Float16`) against the standard
/// library's hardware `Float16`, bit for bit.
@Suite struct HalfTests {
    #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
    /// Every one of the 65536 half values widens to the same `Float`.
    @Test func wideningMatchesFloat16ForEveryBitPattern() {
        var mismatches = 0
        for bits in 0...UInt16.max {
            let soft = SoftFloat16(bitPattern: bits).floatValue
            let hard = Float(Float16(bitPattern: bits))
            if soft.bitPattern != hard.bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    /// Rounding from `Float` matches on every value near every half (both neighbours and
    /// the exact midpoints, where ties go to even), plus the special values.
    @Test func roundingMatchesFloat16() {
        var floats: [Float] = [0, -0, .infinity, -.infinity, .nan, -.nan, .signalingNaN,
                               .greatestFiniteMagnitude, .leastNonzeroMagnitude, 65504, 65519.99, 65520, 1e-8, -3e-8]
        for bits in 0...UInt16.max {
            let value = Float(Float16(bitPattern: bits))
            guard value.isFinite else { continue }
            floats += [value, value.nextUp, value.nextDown]
            let next = Float(Float16(bitPattern: bits).nextUp)
            if next.isFinite { floats += [(value + next) / 2, ((value + next) / 2).nextUp, ((value + next) / 2).nextDown] }
        }
        var mismatches: [Float] = []
        for value in floats where SoftFloat16(value).bitPattern != Float16(value).bitPattern {
            mismatches.append(value)
        }
        #expect(floats.count > 300_000)
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
    }
    #endif

    /// A linear layer with half weights equals the same layer with the weights widened
    /// first (widening is exact, and both run the same fp32 GEMM).
    @Test func linearWithHalfWeightsEqualsWidenedWeights() {
        let x = Tensor<Float>.randomNormal([5, 37], seed: 1)                              // [5, 37]
        let w = Tensor<Float>.randomNormal([11, 37], seed: 2).converted(to: Half.self)    // [11, 37]
        let b = Tensor<Float>.randomNormal([11], seed: 3)                                 // [11]
        let viaHalf = x.linear(weight: w, bias: b)                                        // [5, 11]
        #expect(viaHalf.scalars == x.linear(weight: w.toFloat(), bias: b).scalars)
        #expect(viaHalf.scalars != x.linear(weight: Tensor<Float>.randomNormal([11, 37], seed: 2), bias: b).scalars,
                "rounding to half changes the weights")
    }

    /// float16 tensors survive safetensors, as `F16`, bit for bit.
    @Test func safeTensorsKeepHalfTensors() throws {
        let h = Tensor<Float>.randomNormal([3, 4], seed: 4).converted(to: Half.self)      // [3, 4]
        let file = try SafeTensorsFile(data: SafeTensorsWriter.encode([("h", .float16(h))]))
        let read = try file.tensor(named: "h", as: Half.self)
        #expect(read.shape == [3, 4])
        #expect(read.toFloat().scalars == h.toFloat().scalars)
    }

    /// `Half` tensors convert both ways through the shared conversion path.
    @Test func halfTensorsRoundTrip() {
        let values: [Float] = [1.5, -0.25, 65504, 6.1035156e-05, 5.9604645e-08]
        let half = Tensor<Float>(values).converted(to: Half.self)
        #expect(half.dtype == .float16)
        #expect(half.toFloat().scalars == values)
    }
}
