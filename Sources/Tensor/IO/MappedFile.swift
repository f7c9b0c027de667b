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
    private let release: () -> Void

    private init(base: UnsafeRawPointer, count: Int, release: @escaping () -> Void) {
        self.base = base
        self.count = count
        self.release = release
    }

    deinit { release() }

    /// Maps the file at `path` read-only.
    public static func mapping(path: String) throws -> ByteBuffer {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw TensorIOError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw TensorIOError(.unreadable, file: path, "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw TensorIOError(.unreadable, file: path, "not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 {
            // mmap cannot map zero bytes; an empty buffer is still a valid (if useless) input.
            return ByteBuffer(base: UnsafeRawPointer(bitPattern: 0x40)!, count: 0, release: {})
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0),
              address != MAP_FAILED else {
            throw TensorIOError(.unreadable, file: path, "cannot map: \(String(cString: strerror(errno)))")
        }
        return ByteBuffer(base: UnsafeRawPointer(address), count: size, release: { munmap(address, size) })
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
