import Foundation
import Tensor

/// Training losses.
extension Variable {
    /// Mean cross-entropy of logits `[N, C]` against class indices `labels` (N of them,
    /// each in 0..<C), with optional label smoothing ε as `torch.nn.functional.cross_entropy`:
    /// the target of row i is q_i = (1 − ε)·onehot(label_i) + ε/C, and
    /// loss = mean_i(log Σ_c e^z_ic − Σ_c q_ic·z_ic) (Σ_c q_ic = 1). dz = (softmax(z) − q)/N.
    public func crossEntropy(labels: [Int], labelSmoothing: Float = 0) -> Variable {
        precondition(rank == 2 && labels.count == shape[0], "crossEntropy needs logits [N, C] and N labels")
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "label smoothing must be in 0...1")
        let rows = shape[0], classes = shape[1]
        precondition(labels.allSatisfy { (0..<classes).contains($0) }, "a label is outside 0..<\(classes)")
        let probabilities = value.softmax(axis: -1) // [N, C]
        let logits = value.contiguous().scalars
        let spread = Double(labelSmoothing) / Double(classes), kept = 1 - Double(labelSmoothing)
        var total = 0.0
        for i in 0..<rows {
            let row = logits[(i * classes)..<((i + 1) * classes)]
            let m = Double(row.max() ?? 0)
            let logSum = m + Foundation.log(row.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) })
            let smoothed = spread == 0 ? 0 : spread * row.reduce(0.0) { $0 + Double($1) }
            total += logSum - kept * Double(row[i * classes + labels[i]]) - smoothed
        }
        let loss = Float(total / Double(Swift.max(rows, 1)))
        return Variable(Tensor(scalar: loss), inputs: [self]) { g in
            var gradient = probabilities.contiguous().scalars
            for i in 0..<rows {
                if spread != 0 { for c in 0..<classes { gradient[i * classes + c] -= Float(spread) } }
                gradient[i * classes + labels[i]] -= Float(kept)
            }
            let scale = g.item / Float(Swift.max(rows, 1))
            return [Tensor(gradient.map { $0 * scale }, shape: [rows, classes])]
        }
    }
}
