import Foundation

/// Counts the parallel loops that were split over more than one piece, per calling
/// thread, so a test can prove that a computation really ran in parallel (a loop whose
/// work is below its grain runs inline, and comparing "1 thread" with "2 threads" then
/// compares one thread with one thread).
///
/// Only split loops are counted, in a POSIX thread-specific slot (a few nanoseconds,
/// next to waking the workers, which costs microseconds); the inline path is untouched.
public enum ParallelLoopStatistics {
    /// The thread-specific slot holding the count (as a pointer's bit pattern).
    static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// How many loops started from the current thread were split into several pieces.
    public static var splitLoopsOnCurrentThread: Int {
        Int(bitPattern: pthread_getspecific(key))
    }

    @usableFromInline
    static func recordSplit() {
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: splitLoopsOnCurrentThread &+ 1))
    }
}
