import Foundation

/// Reusable, 64-byte aligned scratch buffers for packed GEMM panels.
///
/// A large GEMM packs megabytes of B; allocating that afresh on every call would pay
/// for zero-filling new pages each time. Buffers are taken from and returned to a small
/// lock-protected pool instead, outside the hot loops.
enum PackingBufferPool {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var free: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    /// Buffers kept for reuse at most (more than the threads that may pack at once).
    private static let capacity = 16

    /// A buffer of at least `count` floats. Give it back with `release`.
    static func acquire(floats count: Int) -> (pointer: UnsafeMutablePointer<Float>, bytes: Int) {
        let bytes = Swift.max(count, 1) * MemoryLayout<Float>.stride
        let reused: (pointer: UnsafeMutableRawPointer, bytes: Int)? = lock.withLock {
            guard let index = free.firstIndex(where: { $0.bytes >= bytes }) else { return nil }
            return free.remove(at: index)
        }
        if let reused {
            return (reused.pointer.assumingMemoryBound(to: Float.self), reused.bytes)
        }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        return (raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1)), bytes)
    }

    /// Returns a buffer from `acquire`.
    static func release(_ buffer: (pointer: UnsafeMutablePointer<Float>, bytes: Int)) {
        let raw = UnsafeMutableRawPointer(buffer.pointer)
        let evicted: UnsafeMutableRawPointer? = lock.withLock {
            free.append((raw, buffer.bytes))
            if free.count > capacity {
                // Drop the smallest buffer: large ones are the expensive ones to remake.
                let smallest = free.indices.min { free[$0].bytes < free[$1].bytes }!
                return free.remove(at: smallest).pointer
            }
            return nil
        }
        evicted?.deallocate()
    }
}
