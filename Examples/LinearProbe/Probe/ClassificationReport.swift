import Foundation

/// Accuracy, per-class accuracy (recall) and the confusion matrix of predictions.
public struct ClassificationReport: Equatable, Sendable {
    /// Class names, in label order.
    public var classes: [String]
    /// `confusion[t][p]`: rows whose true class is t and predicted class is p.
    public var confusion: [[Int]]

    /// The report of `predicted` against `truth` (labels in 0..<classes.count).
    public init(classes: [String], truth: [Int], predicted: [Int]) {
        precondition(truth.count == predicted.count, "\(truth.count) labels, \(predicted.count) predictions")
        self.classes = classes
        confusion = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        for (t, p) in zip(truth, predicted) { confusion[t][p] += 1 }
    }

    /// Number of rows.
    public var total: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
    /// Rows predicted right.
    public var correct: Int { classes.indices.reduce(0) { $0 + confusion[$1][$1] } }
    /// Fraction predicted right (0 when there are no rows).
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    /// Fraction of class `c`'s rows predicted as `c` (nil when the class has no rows).
    public func accuracy(ofClass c: Int) -> Double? {
        let rows = confusion[c].reduce(0, +)
        return rows == 0 ? nil : Double(confusion[c][c]) / Double(rows)
    }

    /// The report as text: overall accuracy, one line per class, the confusion matrix
    /// (rows: true class, columns: predicted class, in class order).
    public var text: String {
        var lines = [String(format: "accuracy %.2f %% (%d/%d)", accuracy * 100, correct, total)]
        let nameWidth = Swift.min(Swift.max(classes.map(\.count).max() ?? 1, 5), 24)
        func pad(_ s: String, _ width: Int) -> String {
            let cut = String(s.prefix(width))
            return String(repeating: " ", count: Swift.max(0, width - cut.count)) + cut
        }
        for (c, name) in classes.enumerated() {
            let rows = confusion[c].reduce(0, +)
            let share = accuracy(ofClass: c).map { String(format: "%6.2f %%", $0 * 100) } ?? "     –  "
            lines.append("  \(pad(name, nameWidth))  \(share)  (\(confusion[c][c])/\(rows))")
        }
        let cellWidth = Swift.max(String(total).count, 3)
        lines.append("confusion matrix (rows: true class, columns: predicted, in the order above):")
        for (c, name) in classes.enumerated() {
            lines.append("  \(pad(name, nameWidth)) " + confusion[c].map { pad(String($0), cellWidth) }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
