import Foundation

/// Writes safetensors files byte-for-byte as the Python `safetensors` library does.
///
/// The library orders tensors by dtype (descending in its `Dtype` enum: I64, F64, F32,
/// I32, BF16, F16, I16, I8, U8, BOOL), then by name, so each tensor's data is naturally
/// aligned; writes compact JSON with `__metadata__` first; and pads the header with
/// spaces to a multiple of 8 bytes. Same inputs, same bytes (checked against the Python
/// library's own output in the tests).
public enum SafeTensorsWriter {
    /// The dtype ranks of the Python library's `Dtype` enum, used for ordering.
    static func rank(_ dtype: DType) -> Int {
        switch dtype {
        case .bool: return 0
        case .uint8: return 1
        case .int8: return 2
        case .int16: return 5
        case .float16: return 7
        case .bfloat16: return 8
        case .int32: return 9
        case .float32: return 11
        case .float64: return 12
        case .int64: return 13
        }
    }

    /// The file's bytes for `tensors` (names must be unique) and optional metadata.
    public static func encode(_ tensors: [(name: String, tensor: AnyTensor)], metadata: [String: String]? = nil) throws -> Data {
        var data = Data()
        try write(tensors, metadata: metadata) { data.append(contentsOf: $0) }
        return data
    }

    /// Writes the file through `OutputFile`: streamed to a temporary file beside `url`
    /// and renamed over it at the end, so a failure never leaves a half-written checkpoint
    /// and never loses the file that was there (symlinks and devices as `OutputFile` says).
    /// - Throws: `TensorIOError` for bad names; `FileError` when the file cannot be written.
    public static func write(_ tensors: [(name: String, tensor: AnyTensor)], metadata: [String: String]? = nil,
                             to url: URL) throws {
        try write(streamed(tensors), metadata: metadata, to: url)
    }

    /// A tensor whose bytes are produced while the file is written, so a file larger than
    /// memory (a merge of many part files) can be written chunk by chunk. `bytes` must hand
    /// the sink exactly `shape.product × dtype.byteCount` bytes, little-endian.
    public struct StreamedTensor {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        public let bytes: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void

        public init(name: String, dtype: DType, shape: [Int],
                    bytes: @escaping ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }
    }

    /// Writes streamed tensors through `OutputFile`, in the same layout as
    /// `write(_:metadata:to:)`. Throws if a tensor's producer hands over a different number
    /// of bytes than its shape says (and the file that was there stays).
    public static func write(_ tensors: [StreamedTensor], metadata: [String: String]? = nil, to url: URL) throws {
        try validateNames(tensors.map(\.name))
        try OutputFile.write(to: url) { sink in
            try write(tensors, metadata: metadata) { chunk in try sink.write(chunk) }
        }
    }

    static func streamed(_ tensors: [(name: String, tensor: AnyTensor)]) -> [StreamedTensor] {
        tensors.map { entry in
            StreamedTensor(name: entry.name, dtype: entry.tensor.dtype, shape: entry.tensor.shape) { sink in
                try entry.tensor.withTensor { try $0.withUnsafeRawBytes(sink) }
            }
        }
    }

    static func validateNames(_ names: [String]) throws {
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted || name == "__metadata__" {
            throw TensorIOError(.inconsistent, file: "<safetensors writer>", tensor: name,
                                name == "__metadata__" ? "reserved name" : "duplicate tensor name")
        }
    }

    /// Produces the file as a sequence of chunks (header, then each tensor's bytes).
    static func write(_ tensors: [(name: String, tensor: AnyTensor)], metadata: [String: String]?,
                      sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try write(streamed(tensors), metadata: metadata, sink: sink)
    }

    /// Produces the file of streamed tensors as a sequence of chunks.
    static func write(_ tensors: [StreamedTensor], metadata: [String: String]?,
                      sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try validateNames(tensors.map(\.name))
        let ordered = tensors.sorted { lhs, rhs in
            let l = rank(lhs.dtype), r = rank(rhs.dtype)
            if l != r { return l > r }
            return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
        }
        var header = "{"
        var fields: [String] = []
        if let metadata {
            let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { "\(JSONValue.quoted($0.key)):\(JSONValue.quoted($0.value))" }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for tensor in ordered {
            let name = tensor.name
            let byteCount = tensor.shape.reduce(1, *) * tensor.dtype.byteCount
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(JSONValue.quoted(name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],"
                          + "\"data_offsets\":[\(offset),\(offset + byteCount)]}")
            offset += byteCount
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes += [UInt8](repeating: 0x20, count: (8 - headerBytes.count % 8) % 8)
        var prefix = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { prefix[i] = UInt8(truncatingIfNeeded: UInt64(headerBytes.count) >> (8 * UInt64(i))) }
        try prefix.withUnsafeBytes(sink)
        try headerBytes.withUnsafeBytes(sink)
        for tensor in ordered {
            let expected = tensor.shape.reduce(1, *) * tensor.dtype.byteCount
            var written = 0
            try tensor.bytes { chunk in
                written += chunk.count
                guard written <= expected else {
                    throw TensorIOError(.inconsistent, file: "<safetensors writer>", tensor: tensor.name, "more bytes than its shape")
                }
                try sink(chunk)
            }
            guard written == expected else {
                throw TensorIOError(.inconsistent, file: "<safetensors writer>", tensor: tensor.name,
                                    "\(written) bytes written, its shape needs \(expected)")
            }
        }
    }
}
