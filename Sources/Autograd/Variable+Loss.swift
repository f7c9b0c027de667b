import Foundation
import Tensor

/// Training losses.
extension Variable {
    /// Mean cross-entropy of logits `[N, C]` against class indices `labels` (N of them,
    /// each in 0..<C): mean_i(log Σ_c e^z_ic − z_i,label_i). dz = (softmax(z) − onehot)/N.
    public func crossEntropy(labels: [Int]) -> Variable {
        precondition(rank == 2 && labels.count == shape[0], "crossEntropy needs logits [N, C] and N labels")
        let rows = shape[0], classes = shape[1]
        precondition(labels.allSatisfy { (0..<classes).contains($0) }, "a label is outside 0..<\(classes)")
        let probabilities = value.softmax(axis: -1) // [N, C]
        let logits = value.contiguous().scalars
        var total = 0.0
        for i in 0..<rows {
            let row = logits[(i * classes)..<((i + 1) * classes)]
            let m = Double(row.max() ?? 0)
            let logSum = m + Foundation.log(row.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) })
            total += logSum - Double(row[i * classes + labels[i]])
        }
        let loss = Float(total / Double(Swift.max(rows, 1)))
        return Variable(Tensor(scalar: loss), inputs: [self]) { g in
            var gradient = probabilities.contiguous().scalars
            for i in 0..<rows { gradient[i * classes + labels[i]] -= 1 }
            let scale = g.item / Float(Swift.max(rows, 1))
            return [Tensor(gradient.map { $0 * scale }, shape: [rows, classes])]
        }
    }
}
