import Foundation

/// Counts the parallel loops that were split over more than one piece, per calling
/// thread, so a test can prove that a computation really ran in parallel (a loop whose
/// work is below its grain runs inline, and comparing "1 thread" with "2 threads" then
/// compares one thread with one thread).
///
/// Only split loops are counted (one thread-dictionary update per split loop, next to
/// waking the workers, which costs far more), so the inline path stays untouched.
public enum ParallelLoopStatistics {
    static let key = "Tensor.ParallelLoopStatistics.splitLoops"

    /// How many loops started from the current thread were split into several pieces.
    public static var splitLoopsOnCurrentThread: Int {
        Thread.current.threadDictionary[key] as? Int ?? 0
    }

    @usableFromInline
    static func recordSplit() {
        let dictionary = Thread.current.threadDictionary
        dictionary[key] = (dictionary[key] as? Int ?? 0) + 1
    }
}
