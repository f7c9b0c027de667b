import Tensor

/// What the class token attends to: one layer's attention row, or attention rollout
/// across layers (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers").
public enum ClassTokenAttention {
    /// The class token's attention to every patch in one layer, `[h·w]` (row-major
    /// patches), for batch item 0 of `probabilities` `[B, H, N, N]`: row 0 without its
    /// first column (the class token's attention to itself), averaged over heads, or of
    /// one `head` only.
    public static func layer(_ probabilities: Tensor<Float>, head: Int? = nil) -> [Float] {
        precondition(probabilities.rank == 4, "attention probabilities must be [B, H, N, N], got \(probabilities.shape)")
        let n = probabilities.shape[3]
        let item = probabilities.selecting(axis: 0, index: 0)                        // [H, N, N]
        let rows = item.selecting(axis: 1, index: 0)                                 // [H, N]: the class token's rows
        let row = head.map { rows.selecting(axis: 0, index: $0) } ?? rows.mean(axis: 0)   // [N]
        return row.sliced(axis: 0, 1..<n).contiguous().scalars                       // [N − 1]
    }

    /// Attention rollout, accumulated one layer at a time, first layer first:
    ///
    /// ```
    /// A_l = mean over heads of layer l's probabilities        [N, N]
    /// Â_l = rows of (A_l + I) renormalised to sum 1            (the residual connection)
    /// R   = Â_L · … · Â_2 · Â_1                                [N, N]
    /// ```
    /// and the class token's row of R without its first column is the map.
    public struct Rollout {
        /// The product so far, `[N, N]` (nil before the first layer).
        public private(set) var product: Tensor<Float>?
        /// Layers multiplied in.
        public private(set) var layerCount = 0

        public init() {}

        /// Multiplies in the next layer's probabilities `[B, H, N, N]` (batch item 0).
        public mutating func add(_ probabilities: Tensor<Float>) {
            precondition(probabilities.rank == 4, "attention probabilities must be [B, H, N, N], got \(probabilities.shape)")
            let n = probabilities.shape[3]
            let mean = probabilities.selecting(axis: 0, index: 0).mean(axis: 0)        // [N, N]
            var identity = Tensor<Float>.zeros([n, n])                                 // [N, N]
            identity.withUnsafeMutableBufferPointer { for i in 0..<n { $0[i * n + i] = 1 } }
            let withResidual = mean + identity                                         // [N, N]
            let normalised = withResidual / withResidual.sum(axis: 1, keepingDimension: true)   // [N, N]
            product = product.map { normalised.matmul($0) } ?? normalised             // [N, N]
            layerCount += 1
        }

        /// The class token's rolled-out attention to every patch, `[h·w]`.
        public var classTokenAttention: [Float] {
            guard let product else { return [] }
            let n = product.shape[1]
            return product.selecting(axis: 0, index: 0).sliced(axis: 0, 1..<n).contiguous().scalars   // [N − 1]
        }
    }
}
