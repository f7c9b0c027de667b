import Dispatch
import Foundation

/// How many threads the kernels may use, and the parallel loop they share.
///
/// Two levels, so concurrent callers never disturb each other:
/// - the **process default**: every core the process may run on
///   (`ProcessInfo.activeProcessorCount`), or `TENSOR_NUM_THREADS` from the environment
///   at start-up (as `OMP_NUM_THREADS` does for PyTorch and numpy); assigning
///   `ComputeThreads.count = n` changes it for everyone (meant for start-up, e.g. a
///   command-line `--threads`);
/// - a **per-call count**: `ComputeThreads.withCount(n) { … }` binds `n` in a task-local
///   value for the duration of `body` only. It is seen by the calling thread and by child
///   tasks of the calling task, not by other tasks or threads, and nothing is restored
///   afterwards, so two tasks asking for different counts at the same time each get theirs.
///
/// Reading `count` gives the per-call count if one is bound, else the process default.
public enum ComputeThreads {
    private static let lock = NSLock()
    /// The process default. `nonisolated(unsafe)` is safe: it is read and written only under `lock`.
    nonisolated(unsafe) private static var storedCount: Int = defaultCount()
    /// The count bound by `withCount` for the current task (or thread, outside tasks).
    /// `TaskLocal` is `Sendable` and a bound value is immutable, so this static holds no
    /// shared mutable state.
    @TaskLocal private static var boundCount: Int?

    /// The environment variable read at start-up.
    public static let environmentVariable = "TENSOR_NUM_THREADS"

    /// The number of threads a parallel loop started here splits its work over (at
    /// least 1): the count bound by `withCount` if any, else the process default.
    /// Assigning sets the process default (it does not override an enclosing `withCount`).
    public static var count: Int {
        get { boundCount ?? processDefault }
        set { lock.withLock { storedCount = Swift.max(1, newValue) } }
    }

    /// Thread counts accepted from `TENSOR_NUM_THREADS`.
    public static let environmentRange = 1...1024

    /// The thread count from the environment, or all active cores.
    ///
    /// An invalid `TENSOR_NUM_THREADS` (not a whole number in `environmentRange`: `0`,
    /// `-5`, `abc`) is not silently ignored: a one-line warning goes to stderr and all
    /// cores are used. Programs that prefer to stop (the `internvit` CLI exits with 2)
    /// check `environmentProblem()` first.
    public static func defaultCount() -> Int {
        if let problem = environmentProblem() {
            let cores = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
            let line = "warning: \(problem); using all \(cores) cores\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
            return cores
        }
        if let text = ProcessInfo.processInfo.environment[environmentVariable], let value = parseCount(text) {
            return value
        }
        return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// A thread count as `TENSOR_NUM_THREADS` spells it (surrounding spaces allowed), or
    /// nil if `text` is not a whole number in `environmentRange`.
    public static func parseCount(_ text: String) -> Int? {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), environmentRange.contains(value) else { return nil }
        return value
    }

    /// What is wrong with `TENSOR_NUM_THREADS` in `environment`, or nil when it is unset
    /// or valid.
    public static func environmentProblem(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let text = environment[environmentVariable], parseCount(text) == nil else { return nil }
        return "\(environmentVariable) must be a whole number from \(environmentRange.lowerBound) to "
            + "\(environmentRange.upperBound), got '\(text.prefix(40))'"
    }

    /// Runs `body` with the thread count temporarily set to `threads`.
    /// The count is bound in a task-local for this call only: concurrent callers with
    /// different counts do not see each other's, and the process default is never written.
    public static func withCount<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        try $boundCount.withValue(Swift.max(1, threads), operation: body)
    }

    /// `withCount` for asynchronous work: child tasks created inside `body` inherit the count.
    public static func withCount<R>(_ threads: Int, isolation: isolated (any Actor)? = #isolation,
                                    _ body: () async throws -> R) async rethrows -> R {
        try await $boundCount.withValue(Swift.max(1, threads), operation: body, isolation: isolation)
    }

    /// The process-wide default, ignoring any `withCount` binding.
    public static var processDefault: Int { lock.withLock { storedCount } }
}

/// Runs `body` over `0..<count` split into contiguous ranges, on up to
/// `ComputeThreads.count` threads.
///
/// `grain` is the smallest number of indices worth a thread of their own: waking a
/// worker costs several microseconds on this class of machine, so work below about
/// 50 µs per piece runs on the calling thread. With `count <= grain` or one thread,
/// `body(0..<count)` runs inline. Ranges never overlap and cover `0..<count` exactly;
/// `body` must only write memory that belongs to its range.
@inlinable
public func parallelFor(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    parallelFor(count, grain: grain, threads: ComputeThreads.count, body)
}

/// `parallelFor` with an explicit thread budget (used by kernels that are themselves
/// called from parallel code, to avoid oversubscribing the cores).
@inlinable
public func parallelFor(_ count: Int, grain: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let pieces = Swift.min(threads, count / Swift.max(grain, 1))
    if pieces <= 1 {
        body(0..<count)
        return
    }
    ParallelLoopStatistics.recordSplit()
    withoutActuallyEscaping(body) { body in
        // Dispatch wants a @Sendable closure. The pieces write disjoint ranges (the
        // documented contract of `body`), so sharing the closure across threads is safe.
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: pieces) { piece in
            let start = count * piece / pieces
            let end = count * (piece + 1) / pieces
            if start < end { shared.value(start..<end) }
        }
    }
}

/// Carries a value the compiler cannot prove thread-safe into a `@Sendable` closure.
/// Used only where the code around it guarantees that threads touch disjoint data.
@usableFromInline
struct UncheckedSendable<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}

/// Grain sizes (in elements) for the element-wise kernels: about 50 µs of work.
@usableFromInline
enum Grain {
    /// Cheap element-wise work (add, multiply, copy): ~1 ns per element or less.
    @usableFromInline static let cheap = 1 << 16
    /// Transcendental work (exp, erf, tanh): several ns per element.
    @usableFromInline static let transcendental = 1 << 13
}
