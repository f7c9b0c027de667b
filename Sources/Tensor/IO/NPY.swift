import Foundation

/// numpy's `.npy` format: read and write single arrays.
///
/// Format versions 1.0, 2.0 and 3.0 are read; element types `<f4`, `<f2`, `<f8`,
/// `<i4`, `<i8`, `<i2`, `|i1`, `|u1`, `|b1` (and their `<`/`|`/`=` spellings where
/// the byte order is irrelevant or native little-endian), C order only. Fortran order
/// and big-endian data are rejected with an error; so is every inconsistency between
/// header and file size. Writing uses version 1.0 (2.0 if the header needs it), the
/// way `numpy.save` does, so numpy reads our files.
public enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Reads the array in the file at `url`.
    /// - Throws: `TensorIOError`: `.unreadable` if the file cannot be read (missing, a
    ///   FIFO, a directory…), another kind if it is not a valid .npy file.
    public static func read(contentsOf url: URL) throws -> AnyTensor {
        let buffer = try TensorIOError.reading { try ByteBuffer.reading(path: url.path) }
        return try parse(buffer.bytes, file: url.path)
    }

    /// Reads the file at `url` as `Float` (converting from any supported element type).
    public static func readFloat(contentsOf url: URL) throws -> Tensor<Float> {
        try read(contentsOf: url).toFloat()
    }

    /// Parses `.npy` bytes. `file` names the source in errors.
    public static func read(_ data: Data, file: String = "<memory>") throws -> AnyTensor {
        try data.withUnsafeBytes { bytes in try parse(bytes, file: file) }
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> AnyTensor {
        func fail(_ kind: TensorIOError.Kind, _ message: String) -> TensorIOError {
            TensorIOError(kind, file: file, message)
        }
        guard bytes.count >= 10 else { throw fail(.truncated, "file is \(bytes.count) bytes, too short for an .npy header") }
        guard Array(bytes[0..<6]) == magic else { throw fail(.malformedHeader, "not an .npy file (bad magic)") }
        let major = bytes[6], minor = bytes[7]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail(.truncated, "file ends inside the header length") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw fail(.unsupported, "unsupported .npy format version \(major).\(minor)")
        }
        guard headerLength <= bytes.count - headerStart else {
            throw fail(.truncated, "header of \(headerLength) bytes runs past the end of the \(bytes.count)-byte file")
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[headerStart..<(headerStart + headerLength)])
        guard let header = String(bytes: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw fail(.malformedHeader, "header is not text")
        }
        let fields: NPYHeader
        do {
            fields = try NPYHeader(parsing: header)
        } catch let problem as NPYHeader.Problem {
            throw fail(.malformedHeader, "bad header \(header.debugDescription.prefix(120)): \(problem.message)")
        }
        if fields.fortranOrder { throw fail(.unsupported, "Fortran-order arrays are not supported (save with C order)") }
        let dtype = try elementType(fields.descr, file: file)
        var count = 1
        for extent in fields.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw fail(.inconsistent, "shape \(fields.shape) is too large") }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteCount)
        let dataStart = headerStart + headerLength
        guard !overflow, byteCount <= bytes.count - dataStart else {
            throw fail(.truncated, "shape \(fields.shape) of \(fields.descr) needs \(count) elements, "
                       + "but only \(bytes.count - dataStart) data bytes follow the header")
        }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[dataStart..<(dataStart + byteCount)])
        return try makeTensor(dtype, shape: fields.shape, payload: payload, file: file)
    }

    private static func elementType(_ descr: String, file: String) throws -> DType {
        let order = descr.first
        let code = descr.dropFirst()
        if order == ">" && !["i1", "u1", "b1"].contains(code) {
            throw TensorIOError(.unsupported, file: file, "big-endian data ('\(descr)') is not supported")
        }
        guard let order, "<|=".contains(order) || order == ">" else {
            throw TensorIOError(.unsupported, file: file, "unsupported element type '\(descr)'")
        }
        switch code {
        case "f4": return .float32
        case "f2": return .float16
        case "f8": return .float64
        case "i8": return .int64
        case "i4": return .int32
        case "i2": return .int16
        case "i1": return .int8
        case "u1": return .uint8
        case "b1": return .bool
        default: throw TensorIOError(.unsupported, file: file, "unsupported element type '\(descr)'")
        }
    }

    static func makeTensor(_ dtype: DType, shape: [Int], payload: UnsafeRawBufferPointer, file: String) throws -> AnyTensor {
        switch dtype {
        case .float32: return .float32(Tensor(shape: shape, copyingBytes: payload))
        case .float64: return .float64(Tensor(shape: shape, copyingBytes: payload))
        case .bfloat16: return .bfloat16(Tensor(shape: shape, copyingBytes: payload))
        case .float16:
            return .float16(Tensor(shape: shape, copyingBytes: payload))
        case .int64: return .int64(Tensor(shape: shape, copyingBytes: payload))
        case .int32: return .int32(Tensor(shape: shape, copyingBytes: payload))
        case .int16: return .int16(Tensor(shape: shape, copyingBytes: payload))
        case .int8: return .int8(Tensor(shape: shape, copyingBytes: payload))
        case .uint8: return .uint8(Tensor(shape: shape, copyingBytes: payload))
        case .bool:
            // Only 0 and 1 are valid bools; anything else would be undefined behaviour.
            if let bad = payload.first(where: { $0 > 1 }) {
                throw TensorIOError(.inconsistent, file: file, "bool array holds the byte \(bad)")
            }
            return .bool(Tensor(shape: shape, copyingBytes: payload))
        }
    }

    // MARK: Writing

    /// The `.npy` encoding of `tensor` (C order, little-endian). bfloat16 has no numpy
    /// type, so it is rejected: convert to `Float` first.
    public static func encode<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>) throws -> Data {
        var data = Data(try header(tensor))
        tensor.withUnsafeRawBytes { data.append(contentsOf: $0) }
        return data
    }

    /// Magic, version, header length and the padded header dict: everything before the data.
    static func header<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>) throws -> [UInt8] {
        let descr: String
        switch Scalar.dtype {
        case .float32: descr = "<f4"
        case .float16: descr = "<f2"
        case .float64: descr = "<f8"
        case .int64: descr = "<i8"
        case .int32: descr = "<i4"
        case .int16: descr = "<i2"
        case .int8: descr = "|i1"
        case .uint8: descr = "|u1"
        case .bool: descr = "|b1"
        case .bfloat16:
            throw TensorIOError(.unsupported, file: "<npy>", "numpy has no bfloat16; convert to Float first")
        }
        let shapeText = tensor.shape.isEmpty ? "()"
            : tensor.shape.count == 1 ? "(\(tensor.shape[0]),)"
            : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad with spaces so the data starts on a 64-byte boundary, ending in a newline.
        var version: UInt8 = 1
        var prefix = 10
        if header.utf8.count + 1 + prefix > 65535 { version = 2; prefix = 12 }
        let total = prefix + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var bytes = magic + [version, 0]
        let length = header.utf8.count
        if version == 1 {
            bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        } else {
            bytes += (0..<4).map { UInt8((length >> (8 * $0)) & 0xFF) }
        }
        return bytes + Array(header.utf8)
    }

    /// Writes `tensor` to `url` through `OutputFile` (streamed to a temporary file that is
    /// renamed into place; symlinks and devices as `OutputFile` says).
    /// - Throws: `TensorIOError` for bfloat16; `FileError` when the file cannot be written.
    public static func write<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>, to url: URL) throws {
        let header = try header(tensor)
        try OutputFile.write(to: url) { sink in
            try sink.write(header)
            try tensor.withUnsafeRawBytes { try sink.write($0) }
        }
    }
}
