import Tensor

/// A seeded, stratified train / held-out split: each class keeps its share of the
/// held-out rows, so a rare class is never missing from the evaluation and the accuracy
/// per class is meaningful.
///
/// Per class, its rows are shuffled by `SeededGenerator(seed)` (Fisher–Yates, classes in
/// index order) and the first `round(fraction · n)` go to the held-out set, clamped to
/// 1…n−1 so every class is both trained on and evaluated. Same labels, fraction and seed
/// give the same split on every platform.
public struct StratifiedSplit: Equatable, Sendable {
    /// Training row indices, increasing.
    public var train: [Int]
    /// Held-out row indices, increasing.
    public var heldOut: [Int]

    /// Splits rows with `labels` (in 0..<classCount).
    /// - Throws: `LinearProbeError` when the fraction is outside (0, 1) or a class has
    ///   fewer than 2 rows (it could not be both trained on and evaluated).
    public init(labels: [Int], classCount: Int, heldOutFraction: Double, seed: UInt64, classNames: [String]? = nil) throws {
        guard heldOutFraction > 0 && heldOutFraction < 1 else {
            throw LinearProbeError("the held-out fraction must be between 0 and 1, got \(heldOutFraction)")
        }
        var rowsOfClass = [[Int]](repeating: [], count: classCount)
        for (row, label) in labels.enumerated() { rowsOfClass[label].append(row) }
        var generator = SeededGenerator(seed: seed)
        var train: [Int] = [], heldOut: [Int] = []
        for (label, rows) in rowsOfClass.enumerated() {
            guard rows.count >= 2 else {
                let name = classNames?[label] ?? "\(label)"
                throw LinearProbeError("class '\(name)' has \(rows.count) image\(rows.count == 1 ? "" : "s"); "
                    + "a train/held-out split needs at least 2 per class")
            }
            var shuffled = rows
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
                shuffled.swapAt(i, Int(generator.next() % UInt64(i + 1)))
            }
            let count = Swift.min(Swift.max(Int((heldOutFraction * Double(rows.count)).rounded()), 1), rows.count - 1)
            heldOut += shuffled[..<count]
            train += shuffled[count...]
        }
        self.train = train.sorted()
        self.heldOut = heldOut.sorted()
    }
}
