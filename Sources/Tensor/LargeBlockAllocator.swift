import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tensor memory of 1 MiB and more: anonymous pages mapped for it alone, and kept for
/// reuse by the next tensor of the same size.
///
/// Why not `malloc`: a forward pass frees and re-allocates the same few activation sizes
/// in every layer (`[1025, 1024]`, `[1025, 3072]`, `[1025, 4096]` floats: 4–17 MB). glibc
/// raises its mmap threshold to the size of the first such block that is freed, so every
/// later one comes from the `brk` heap, where freed memory stays resident and fragments:
/// measured on one InternViT-300M tile, 120–145 MB of heap for about 40 MB of live
/// activations, which pushed the peak past 800 MB (issue 16). Here a block is its own
/// mapping, so giving one back really returns its pages, and a block that is reused is
/// already faulted in (no page zeroing per layer).
///
/// At most `maximumRetainedBytes` of free blocks are kept; beyond that the oldest are
/// unmapped. Blocks are matched by exact size class (`granularity`), which is what a
/// layer loop asks for. The memory is uninitialised on reuse as on first use: callers
/// fill a storage before reading it, so results do not depend on which block they get.
enum LargeBlockAllocator {
    /// Requests from this size up are served here; smaller ones go to `malloc`.
    static let minimumBytes = 1 << 20
    /// Block sizes are rounded up to a multiple of this (a multiple of every page size).
    static let granularity = 1 << 16
    /// Free blocks kept for reuse at most, in bytes.
    static let maximumRetainedBytes = 64 << 20

    private static let lock = NSLock()
    /// Free blocks, oldest first.
    nonisolated(unsafe) private static var retained: [(address: UnsafeMutableRawPointer, bytes: Int)] = []
    nonisolated(unsafe) private static var retainedBytes = 0

    /// The size class of a request of `bytes`.
    static func blockBytes(for bytes: Int) -> Int {
        (bytes + granularity - 1) / granularity * granularity
    }

    /// A page-aligned block of at least `bytes` (≥ `minimumBytes`), or nil if the system
    /// refuses the mapping (the caller then falls back to `malloc`, which reports the
    /// failure its own way).
    static func allocate(bytes: Int) -> UnsafeMutableRawPointer? {
        let size = blockBytes(for: bytes)
        let reused: UnsafeMutableRawPointer? = lock.withLock {
            guard let index = retained.firstIndex(where: { $0.bytes == size }) else { return nil }
            retainedBytes -= size
            return retained.remove(at: index).address
        }
        if let reused { return reused }
        #if canImport(Glibc)
        let flags = MAP_PRIVATE | MAP_ANONYMOUS
        #else
        let flags = MAP_PRIVATE | MAP_ANON
        #endif
        guard let address = mmap(nil, size, PROT_READ | PROT_WRITE, flags, -1, 0), address != MAP_FAILED else {
            return nil
        }
        return address
    }

    /// Gives back a block from `allocate(bytes:)` (the same `bytes`): kept for reuse, or
    /// unmapped if keeping it would pass `maximumRetainedBytes`.
    static func release(_ address: UnsafeMutableRawPointer, bytes: Int) {
        let size = blockBytes(for: bytes)
        var unmapped: [(address: UnsafeMutableRawPointer, bytes: Int)] = []
        lock.withLock {
            guard size <= maximumRetainedBytes else {
                unmapped.append((address, size))
                return
            }
            while retainedBytes + size > maximumRetainedBytes, !retained.isEmpty {
                let oldest = retained.removeFirst()
                retainedBytes -= oldest.bytes
                unmapped.append(oldest)
            }
            retained.append((address, size))
            retainedBytes += size
        }
        for block in unmapped { munmap(block.address, block.bytes) }
    }

    /// Bytes of free blocks kept now (for tests and diagnostics).
    static var retainedByteCount: Int { lock.withLock { retainedBytes } }
}
