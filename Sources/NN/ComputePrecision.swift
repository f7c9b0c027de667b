/// The arithmetic a model's linear layers run in (issue 16).
///
/// - `float32`: the float32 GEMM on the stored weights (bfloat16 / float16 weights are
///   widened inside it): the reference precision.
/// - `int8`: weights quantised once per output channel to int8 and activations per token
///   to u8 with a zero point; the products run on the integer dot-product GEMM
///   (`vpdpbusd` on AVX512-VNNI, identical portable loops elsewhere). About 4× less weight
///   memory than float32 and the fastest option where VNNI exists; within the fidelity
///   bounds of issue 16 on InternViT-300M (Docs/Precision.md).
public enum ComputePrecision: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32
    case int8

    public var description: String { rawValue }
}
