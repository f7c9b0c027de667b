/// The validated header of a safetensors file: every field checked before use.
///
/// Layout: 8-byte little-endian header length N, N bytes of JSON, then the data section.
/// The JSON maps tensor names to `{"dtype", "shape", "data_offsets": [begin, end]}`
/// (offsets relative to the data section) plus an optional `"__metadata__"` map of
/// strings. The checks mirror the Python `safetensors` loader's: known dtypes,
/// begin ≤ end, byte size = element count × dtype size (overflow-checked), tensors
/// tiling the data section exactly (no overlap, no hole, nothing past the end), unique
/// names.
struct SafeTensorsHeader {
    struct Entry {
        let info: TensorInfo
        /// Byte range inside the data section.
        let begin: Int
        let end: Int
    }

    /// Largest header accepted (the Python loader's limit).
    static let maximumHeaderLength = 100_000_000

    let entries: [Entry]
    let metadata: [String: String]?
    /// Offset of the data section from the start of the file.
    let dataStart: Int

    init(bytes: UnsafeRawBufferPointer, file: String) throws {
        func fail(_ kind: TensorIOError.Kind, _ message: String) -> TensorIOError {
            TensorIOError(kind, file: file, message)
        }
        func fail(_ kind: TensorIOError.Kind, _ tensor: String, _ message: String) -> TensorIOError {
            TensorIOError(kind, file: file, tensor: tensor, message)
        }
        guard bytes.count >= 8 else {
            throw fail(.truncated, "file is \(bytes.count) bytes, too short for a safetensors header")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(Self.maximumHeaderLength) else {
            throw fail(.malformedHeader, "header length \(length) exceeds the \(Self.maximumHeaderLength)-byte limit")
        }
        guard Int(length) <= bytes.count - 8 else {
            throw fail(.truncated, "header of \(length) bytes runs past the end of the \(bytes.count)-byte file")
        }
        let headerLength = Int(length)
        guard headerLength >= 2, bytes[8] == UInt8(ascii: "{") else {
            throw fail(.malformedHeader, "header does not start with '{'")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)]))
        } catch let error as JSONValue.ParseError {
            if error.message.hasPrefix("duplicate key") {
                throw fail(.inconsistent, "header: \(error.message.replacingOccurrences(of: "key", with: "tensor name"))")
            }
            throw fail(.malformedHeader, "header: \(error)")
        }
        guard let pairs = json.objectPairs else { throw fail(.malformedHeader, "header is not a JSON object") }
        dataStart = 8 + headerLength
        let dataSize = bytes.count - dataStart

        var metadata: [String: String]?
        var entries: [Entry] = []
        for (name, value) in pairs {
            if name == "__metadata__" {
                guard let fields = value.objectPairs else {
                    throw fail(.malformedHeader, "__metadata__ is not an object")
                }
                var map: [String: String] = [:]
                for (key, field) in fields {
                    guard let text = field.stringValue else {
                        throw fail(.malformedHeader, "__metadata__ value for '\(key)' is not a string")
                    }
                    map[key] = text
                }
                metadata = map
                continue
            }
            guard value.objectPairs != nil else { throw fail(.malformedHeader, name, "entry is not an object") }
            guard let dtypeName = value["dtype"]?.stringValue else {
                throw fail(.malformedHeader, name, "missing or non-string 'dtype'")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw fail(.unsupported, name, "unsupported dtype '\(dtypeName)'")
            }
            guard let shapeValues = value["shape"]?.arrayValue else {
                throw fail(.malformedHeader, name, "missing or non-array 'shape'")
            }
            var shape: [Int] = []
            for extent in shapeValues {
                guard case .integer(let e) = extent, e >= 0 else {
                    throw fail(.malformedHeader, name, "shape \(shapeValues) holds a non-integer or negative extent")
                }
                shape.append(e)
            }
            guard let offsets = value["data_offsets"]?.arrayValue, offsets.count == 2,
                  case .integer(let begin) = offsets[0], case .integer(let end) = offsets[1] else {
                throw fail(.malformedHeader, name, "'data_offsets' must be two integers")
            }
            guard begin >= 0, begin <= end else {
                throw fail(.inconsistent, name, "data_offsets [\(begin), \(end)] are out of order")
            }
            guard end <= dataSize else {
                throw fail(.truncated, name, "data_offsets end \(end) lies past the \(dataSize)-byte data section")
            }
            var elements = 1
            for extent in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
                guard !overflow else { throw fail(.inconsistent, name, "shape \(shape) is too large") }
                elements = product
            }
            let (byteCount, overflow) = elements.multipliedReportingOverflow(by: dtype.byteCount)
            guard !overflow, byteCount == end - begin else {
                throw fail(.inconsistent, name,
                           "shape \(shape) of \(dtypeName) needs \(overflow ? "too many" : String(byteCount)) bytes, "
                           + "data_offsets [\(begin), \(end)] hold \(end - begin)")
            }
            entries.append(Entry(info: TensorInfo(name: name, dtype: dtype, shape: shape), begin: begin, end: end))
        }
        // The tensors must tile the data section: sorted by offset, each starts where the
        // previous ended, and the last ends at the end of the file.
        let sorted = entries.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expected = 0
        for entry in sorted {
            if entry.begin < expected {
                throw fail(.inconsistent, entry.info.name,
                           "data_offsets [\(entry.begin), \(entry.end)] overlap another tensor's bytes")
            }
            if entry.begin > expected {
                throw fail(.inconsistent, entry.info.name,
                           "data_offsets [\(entry.begin), \(entry.end)] leave a gap after byte \(expected)")
            }
            expected = entry.end
        }
        guard expected == dataSize else {
            throw fail(.inconsistent, "data section is \(dataSize) bytes but the tensors cover \(expected)")
        }
        self.entries = entries
        self.metadata = metadata
    }
}
