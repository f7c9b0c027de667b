import Tensor

/// Per-feature standardisation `x̂ = (x − mean) / std`, fitted on the training rows only
/// (so held-out rows are scaled by statistics they did not influence).
///
/// Why: pooled ViT features have a few channels with magnitudes far above the rest;
/// unscaled, one L2 penalty would regularise channels very unequally and L-BFGS would
/// face a badly conditioned problem. `std` is the population standard deviation; a
/// constant feature gets std 1 (it is then 0 everywhere and carries no weight).
public struct FeatureStandardization: Equatable, Sendable {
    /// Mean of each feature over the training rows, `[D]`.
    public var mean: [Float]
    /// Standard deviation of each feature (1 where it is 0), `[D]`.
    public var std: [Float]

    /// Statistics given directly (from a saved probe).
    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count, "mean and std widths differ")
        self.mean = mean
        self.std = std
    }

    /// Fits the statistics of `features` `[N, D]` (N ≥ 1), accumulated in `Double`.
    public init(fitting features: Tensor<Float>) {
        precondition(features.rank == 2 && features.shape[0] > 0, "standardisation needs features [N, D], N ≥ 1")
        let rows = features.shape[0], width = features.shape[1]
        let values = features.contiguous().scalars
        var sums = [Double](repeating: 0, count: width)
        for r in 0..<rows { for j in 0..<width { sums[j] += Double(values[r * width + j]) } }
        let means = sums.map { $0 / Double(rows) }
        var squares = [Double](repeating: 0, count: width)
        for r in 0..<rows {
            for j in 0..<width {
                let d = Double(values[r * width + j]) - means[j]
                squares[j] += d * d
            }
        }
        mean = means.map { Float($0) }
        std = squares.map { s in
            let deviation = (s / Double(rows)).squareRoot()
            return deviation < 1e-12 ? 1 : Float(deviation)
        }
    }

    /// Number of features.
    public var width: Int { mean.count }

    /// `features` `[N, D]` standardised, `[N, D]`.
    public func apply(_ features: Tensor<Float>) -> Tensor<Float> {
        precondition(features.rank == 2 && features.shape[1] == width, "features \(features.shape) for width \(width)")
        let meanRow = Tensor(mean, shape: [1, width])              // [1, D]
        let scaleRow = Tensor(std.map { 1 / $0 }, shape: [1, width]) // [1, D]
        return (features - meanRow) * scaleRow                     // [N, D]
    }
}
