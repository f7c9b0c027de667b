import Foundation

/// A safetensors file, memory-mapped and validated when opened.
///
/// Opening maps the file and checks the header (see `SafeTensorsHeader`); no tensor data
/// is read or copied until a tensor is asked for. Then the tensor borrows the mapped
/// bytes directly (zero copy) when they are suitably aligned, which they are in files
/// written by the Python library or by `SafeTensorsWriter`; otherwise its bytes are copied.
public final class SafeTensorsFile: TensorSource, Sendable {
    /// The file's path (or the name given for in-memory bytes).
    public let path: String
    /// The `__metadata__` strings, if the file has them (e.g. `{"format": "pt"}`).
    public let metadata: [String: String]?
    /// Tensor names in header order.
    public let tensorNames: [String]

    private let buffer: ByteBuffer
    private let entries: [String: SafeTensorsHeader.Entry]
    private let dataStart: Int

    /// Maps and validates the file at `url`.
    /// - Throws: `TensorIOError` naming the file, the tensor and the problem.
    ///
    /// - Parameter memoryMapped: true (the default) maps the file, so opening costs no
    ///   memory, but truncating the file while it is in use ends the process with SIGBUS;
    ///   false reads it into memory (see `ByteBuffer.reading(path:)`).
    public convenience init(contentsOf url: URL, memoryMapped: Bool = true) throws {
        let buffer = try TensorIOError.reading {
            try memoryMapped ? ByteBuffer.mapping(path: url.path) : ByteBuffer.reading(path: url.path)
        }
        try self.init(buffer: buffer, name: url.path)
    }

    /// Validates safetensors bytes held in memory (copied once into an aligned buffer).
    public convenience init(data: Data, name: String = "<memory>") throws {
        try self.init(buffer: ByteBuffer.copying(data), name: name)
    }

    init(buffer: ByteBuffer, name: String) throws {
        let header = try SafeTensorsHeader(bytes: buffer.bytes, file: name)
        self.buffer = buffer
        path = name
        metadata = header.metadata
        tensorNames = header.entries.map(\.info.name)
        entries = Dictionary(header.entries.map { ($0.info.name, $0) }, uniquingKeysWith: { first, _ in first })
        dataStart = header.dataStart
    }

    public var sourceDescription: String { path }

    public func info(named name: String) -> TensorInfo? { entries[name]?.info }

    /// The tensor `name` with its stored element type.
    public func tensor(named name: String) throws -> AnyTensor {
        guard let entry = entries[name] else {
            throw TensorIOError(.missingTensor, file: path, tensor: name, "no such tensor in the file")
        }
        let start = buffer.base + dataStart + entry.begin
        let byteCount = entry.end - entry.begin
        let shape = entry.info.shape
        func make<Scalar: TensorScalar>(_: Scalar.Type) -> Tensor<Scalar> {
            let count = byteCount / MemoryLayout<Scalar>.stride
            if Int(bitPattern: start) % MemoryLayout<Scalar>.alignment == 0 && count > 0 {
                let pointer = UnsafeMutablePointer(mutating: start.assumingMemoryBound(to: Scalar.self))
                return Tensor(storage: TensorStorage(borrowing: pointer, count: count, owner: buffer), shape: shape)
            }
            return Tensor(shape: shape, copyingBytes: UnsafeRawBufferPointer(start: start, count: byteCount))
        }
        switch entry.info.dtype {
        case .float32: return .float32(make(Float.self))
        case .float64: return .float64(make(Double.self))
        case .bfloat16: return .bfloat16(make(BFloat16.self))
        case .float16:
            return .float16(make(Half.self))
        case .int64: return .int64(make(Int64.self))
        case .int32: return .int32(make(Int32.self))
        case .int16: return .int16(make(Int16.self))
        case .int8: return .int8(make(Int8.self))
        case .uint8: return .uint8(make(UInt8.self))
        case .bool:
            // A byte other than 0 or 1 is not a valid Bool: reject it instead of borrowing.
            let raw = UnsafeRawBufferPointer(start: start, count: byteCount)
            if let bad = raw.first(where: { $0 > 1 }) {
                throw TensorIOError(.inconsistent, file: path, tensor: name, "bool tensor holds the byte \(bad)")
            }
            return .bool(make(Bool.self))
        }
    }
}
