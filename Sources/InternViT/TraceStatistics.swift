import NN
import Tensor

/// The statistics of one named intermediate of a forward pass (what `internvit trace`
/// prints): shape, mean, population standard deviation, minimum and maximum over all
/// elements, computed in double precision.
public struct TraceStep: Sendable, Equatable {
    /// The module path, e.g. `encoder.layers.3.mlp.act`.
    public let name: String
    public let shape: [Int]
    public let mean: Double
    /// Population standard deviation (ddof = 0, numpy's default).
    public let std: Double
    public let min: Double
    public let max: Double

    /// The statistics of `tensor`.
    public init(name: String, tensor: Tensor<Float>) {
        self.name = name
        shape = tensor.shape
        let dense = tensor.contiguous()                       // same shape, dense
        (mean, std, min, max) = dense.withUnsafeBufferPointer { values -> (Double, Double, Double, Double) in
            guard !values.isEmpty else { return (.nan, .nan, .nan, .nan) }
            var sum = 0.0, low = Double.infinity, high = -Double.infinity
            for v in values {
                let x = Double(v)
                sum += x
                low = Swift.min(low, x); high = Swift.max(high, x)
            }
            let mean = sum / Double(values.count)
            var squares = 0.0
            for v in values { let d = Double(v) - mean; squares += d * d }
            return (mean, (squares / Double(values.count)).squareRoot(), low, high)
        }
    }
}

extension InternVisionModel {
    /// Runs `pixels` `[B, 3, H, W]` once and returns the statistics of every traced step
    /// (see `forward(_:trace:)`): all of them, or only those of `layer` (negative counts
    /// from the end; the forward then stops after that layer).
    public func traceStatistics(_ pixels: Tensor<Float>, layer: Int? = nil) -> [TraceStep] {
        let resolved = layer.map { $0 < 0 ? encoder.layers.count + $0 : $0 }
        if let resolved {
            precondition(resolved >= 0 && resolved < encoder.layers.count,
                         "layer \(layer!) out of range for \(encoder.layers.count) layers")
        }
        let prefix = resolved.map { "encoder.layers.\($0)" }
        // The hook runs synchronously inside the forward; a local box collects the steps.
        final class Steps { var list: [TraceStep] = [] }
        let steps = Steps()
        let trace = ForwardTrace { name, tensor in
            if let prefix, name != prefix && !name.hasPrefix(prefix + ".") { return }
            steps.list.append(TraceStep(name: name, tensor: tensor))
        }
        _ = forward(pixels, stopAfterLayer: resolved, trace: trace)
        return steps.list
    }
}
