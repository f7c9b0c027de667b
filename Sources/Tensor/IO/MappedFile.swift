import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only bytes that tensors can borrow without copying: a memory-mapped file, or
/// an in-memory copy (for parsing bytes that did not come from a file).
///
/// A mapping costs no memory until pages are touched; the kernel reads them on demand
/// and may drop them again under pressure, so a 600 MB checkpoint does not cost 600 MB
/// of private memory to open.
public final class ByteBuffer: @unchecked Sendable {
    // Why `@unchecked Sendable` is safe: every stored property is a `let`; the bytes are
    // never written after `init` (a read-only mapping, or a copy filled before `init`
    // returns), so threads only read them; `release` runs once, in `deinit`, when no
    // thread can hold a reference any more. The compiler cannot see this because the
    // pointer and the closure capturing it are not `Sendable` types.
    /// The first byte.
    public let base: UnsafeRawPointer
    /// Number of bytes.
    public let count: Int
    /// Whether the bytes are a read-only file mapping (`mapping(path:)`).
    public let isMemoryMapped: Bool
    private let release: () -> Void

    private init(base: UnsafeRawPointer, count: Int, isMemoryMapped: Bool = false, release: @escaping () -> Void) {
        self.base = base
        self.count = count
        self.isMemoryMapped = isMemoryMapped
        self.release = release
    }

    /// Gives the whole pages inside `start ..< start + count` back to the kernel (resident
    /// memory goes down) when the bytes are a file mapping; a later read faults them in
    /// again from the file, with the same contents (the mapping is private and never
    /// written). Does nothing for in-memory buffers. Used once a weight has been
    /// converted (e.g. quantised) and its mapped bytes are no longer read.
    public func discardResidentPages(_ start: UnsafeRawPointer, count: Int) {
        guard isMemoryMapped, count > 0, start >= base, start + count <= base + self.count else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let end = (Int(bitPattern: start) + count) / page * page
        guard end > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(address, end - first, Int32(MADV_DONTNEED))
    }

    deinit { release() }

    /// Maps the file at `path` read-only.
    ///
    /// A mapping is only as stable as the file: if another process truncates the file
    /// while it is mapped, touching the missing pages kills this process with SIGBUS
    /// (as with llama.cpp's and PyTorch's mmap loading). `reading(path:)` avoids that
    /// at the cost of private memory for the whole file.
    /// - Throws: `FileError` for a missing, unreadable or non-regular file (FIFOs and
    ///   devices are refused without blocking); `TensorIOError` if mapping fails.
    public static func mapping(path: String) throws -> ByteBuffer {
        let file = try InputFile(path: path)
        let size = file.size
        if size == 0 {
            // mmap cannot map zero bytes; an empty buffer is still a valid (if useless) input.
            return ByteBuffer(base: UnsafeRawPointer(bitPattern: 0x40)!, count: 0, release: {})
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, file.descriptor, 0),
              address != MAP_FAILED else {
            throw TensorIOError(.unreadable, file: path, "cannot map: \(FileError.reason(errno))")
        }
        return ByteBuffer(base: UnsafeRawPointer(address), count: size, isMemoryMapped: true, release: { munmap(address, size) })
    }

    /// Reads the whole file at `path` into a 64-byte aligned buffer: private memory for
    /// every byte, but immune to the file being truncated or rewritten later (no SIGBUS).
    /// - Throws: `FileError` for a missing, unreadable or non-regular file.
    public static func reading(path: String) throws -> ByteBuffer {
        let file = try InputFile(path: path)
        let size = file.size
        let memory = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(size, 1), alignment: 64)
        do {
            try file.read(into: memory, count: size, at: 0)
        } catch {
            memory.deallocate()
            throw error
        }
        return ByteBuffer(base: UnsafeRawPointer(memory), count: size, release: { memory.deallocate() })
    }

    /// Copies `data` into a 64-byte aligned buffer.
    public static func copying(_ data: Data) -> ByteBuffer {
        let count = data.count
        let memory = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1), alignment: 64)
        data.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress { memory.copyMemory(from: source, byteCount: count) }
        }
        return ByteBuffer(base: UnsafeRawPointer(memory), count: count, release: { memory.deallocate() })
    }

    /// The bytes as a buffer pointer.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
