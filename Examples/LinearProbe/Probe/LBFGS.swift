import Foundation

/// Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4 and 7.5) with a backtracking
/// Armijo line search: minimises a smooth function of a parameter vector given its value
/// and gradient.
///
/// Why L-BFGS for the probe: softmax regression with an L2 penalty is strictly convex
/// and full-batch (a few thousand rows of at most 1,024 features fit in memory), so a
/// quasi-Newton method reaches the unique minimiser in tens of iterations with no
/// learning rate or schedule to tune, and the result can be checked against any other
/// solver of the same objective (the reference is PyTorch's L-BFGS in float64). The
/// vector algebra here is in `Double`; the objective itself may be computed in `Float`.
public struct LBFGS: Sendable {
    /// Number of (s, y) pairs kept for the inverse-Hessian approximation.
    public var memory = 10
    /// Stop when every gradient component is at most this in magnitude.
    public var gradientTolerance = 1e-6
    /// Stop when the last `valueWindow` iterations together lowered the objective by at
    /// most this times |f| (progress has stopped at the objective's precision).
    public var valueTolerance = 1e-10
    /// Iterations over which `valueTolerance` is judged.
    public var valueWindow = 10
    /// Most iterations.
    public var maximumIterations = 500
    /// Armijo sufficient-decrease constant.
    public var sufficientDecrease = 1e-4

    /// Why a minimisation stopped.
    public enum Stop: String, Sendable {
        /// Every gradient component is within `gradientTolerance`.
        case gradientTolerance = "gradient below tolerance"
        /// No step along the search direction lowers the objective (the limit of the
        /// objective's floating-point precision).
        case noDecrease = "no further decrease (objective precision reached)"
        /// The last `valueWindow` iterations lowered the objective by less than
        /// `valueTolerance` allows (the float precision of the objective is reached).
        case valueTolerance = "objective change below tolerance"
        /// `maximumIterations` were used.
        case iterationLimit = "iteration limit"
    }

    /// The outcome of `minimize`.
    public struct Result: Sendable {
        /// The parameters at the end.
        public var parameters: [Double]
        /// The objective there.
        public var value: Double
        /// Largest gradient component there.
        public var gradientMaximum: Double
        /// Iterations done.
        public var iterations: Int
        /// Objective evaluations done (line search included).
        public var evaluations: Int
        /// Why it stopped.
        public var stop: Stop
    }

    /// Settings with the defaults above.
    public init() {}

    /// Minimises `objective` (value and gradient of a parameter vector, gradient the same
    /// length) from `start`.
    public func minimize(from start: [Double], objective: ([Double]) -> (value: Double, gradient: [Double])) -> Result {
        var x = start
        var (f, g) = objective(x)
        var evaluations = 1
        var history = [f]
        var steps: [[Double]] = [], changes: [[Double]] = [], rhos: [Double] = []
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { Swift.max($0, Swift.abs($1)) } }

        for iteration in 0..<maximumIterations {
            if maxAbs(g) <= gradientTolerance {
                return Result(parameters: x, value: f, gradientMaximum: maxAbs(g), iterations: iteration,
                              evaluations: evaluations, stop: .gradientTolerance)
            }
            // Two-loop recursion: direction = −H·g.
            var q = g
            var alphas = [Double](repeating: 0, count: steps.count)
            for k in steps.indices.reversed() {
                alphas[k] = rhos[k] * dot(steps[k], q)
                for i in q.indices { q[i] -= alphas[k] * changes[k][i] }
            }
            let gamma = steps.isEmpty ? 1 / Swift.max(1, maxAbs(g)) : dot(steps.last!, changes.last!) / dot(changes.last!, changes.last!)
            var direction = q.map { $0 * gamma }
            for k in steps.indices {
                let beta = rhos[k] * dot(changes[k], direction)
                for i in direction.indices { direction[i] += steps[k][i] * (alphas[k] - beta) }
            }
            for i in direction.indices { direction[i] = -direction[i] }
            var slope = dot(g, direction)
            if slope >= 0 {             // not a descent direction: restart from steepest descent
                steps = []; changes = []; rhos = []
                direction = g.map { -$0 / Swift.max(1, maxAbs(g)) }
                slope = dot(g, direction)
            }
            // Backtracking line search from the unit step.
            var step = 1.0
            var accepted: (x: [Double], f: Double, g: [Double])?
            for _ in 0..<40 {
                let candidate = zip(x, direction).map { $0 + step * $1 }
                let (value, gradient) = objective(candidate)
                evaluations += 1
                if value.isFinite && value <= f + sufficientDecrease * step * slope {
                    accepted = (candidate, value, gradient)
                    break
                }
                step *= 0.5
            }
            guard let (newX, newF, newG) = accepted else {
                return Result(parameters: x, value: f, gradientMaximum: maxAbs(g), iterations: iteration,
                              evaluations: evaluations, stop: .noDecrease)
            }
            let s = zip(newX, x).map { $0 - $1 }
            let y = zip(newG, g).map { $0 - $1 }
            let curvature = dot(s, y)
            if curvature > 1e-12 * dot(y, y) && curvature > 0 {   // keep only pairs that keep H positive definite
                steps.append(s); changes.append(y); rhos.append(1 / curvature)
                if steps.count > memory { steps.removeFirst(); changes.removeFirst(); rhos.removeFirst() }
            }
            x = newX; f = newF; g = newG
            history.append(f)
            if history.count > valueWindow, history[history.count - 1 - valueWindow] - f <= valueTolerance * Swift.abs(f) {
                return Result(parameters: x, value: f, gradientMaximum: maxAbs(g), iterations: iteration + 1,
                              evaluations: evaluations, stop: maxAbs(g) <= gradientTolerance ? .gradientTolerance : .valueTolerance)
            }
        }
        return Result(parameters: x, value: f, gradientMaximum: maxAbs(g), iterations: maximumIterations,
                      evaluations: evaluations, stop: maxAbs(g) <= gradientTolerance ? .gradientTolerance : .iterationLimit)
    }
}
