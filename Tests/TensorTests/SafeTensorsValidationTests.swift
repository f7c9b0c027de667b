import Foundation
import Testing
import Tensor

/// Every header field is checked before use; hostile bytes throw, never trap.
@Suite struct SafeTensorsValidationTests {
    /// A file from a header string and a data section.
    static func file(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
        let headerBytes = Array(header.utf8)
        let length = declaredLength ?? UInt64(headerBytes.count)
        var out = Data((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) })
        out.append(contentsOf: headerBytes)
        out.append(contentsOf: data)
        return out
    }

    static let eight = [UInt8](repeating: 0, count: 8)

    @Test(arguments: [
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, nil as TensorIOError.Kind?),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#, .malformedHeader),            // bad JSON
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, .inconsistent), // duplicate
        (#"{"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}"#, .unsupported),               // unknown dtype
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, .inconsistent),             // begin > end
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}"#, .truncated),               // past the end
        (#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, .inconsistent),             // size mismatch
        (#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, .inconsistent), // overflow
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, .inconsistent), // overlap
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, .inconsistent),             // gap
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, .inconsistent),             // bytes left over
        (#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, .malformedHeader),         // negative extent
        (#"{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, .malformedHeader),        // fractional extent
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, .malformedHeader),            // one offset
        (#"{"a":{"shape":[2],"data_offsets":[0,8]}}"#, .malformedHeader),                        // no dtype
        (#"{"__metadata__":{"k":3},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, .malformedHeader),
        (#"[1,2]"#, .malformedHeader),                                                           // not an object
    ])
    func headerFieldsAreChecked(_ header: String, _ kind: TensorIOError.Kind?) {
        let data = Self.file(header, data: Self.eight)
        if let kind {
            #expect { try SafeTensorsFile(data: data, name: "bad.safetensors") } throws: { error in
                guard let error = error as? TensorIOError else { return false }
                return error.kind == kind && error.file == "bad.safetensors"
            }
        } else {
            #expect(throws: Never.self) { try SafeTensorsFile(data: data) }
        }
    }

    @Test func errorsNameTheTensor() {
        let data = Self.file(#"{"weights.0":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Self.eight)
        #expect { try SafeTensorsFile(data: data, name: "m.safetensors") } throws: { error in
            "\(error)".hasPrefix("m.safetensors: tensor 'weights.0': ")
        }
    }

    @Test func headerLengthIsCheckedAgainstTheFile() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        for length: UInt64 in [UInt64.max, 1 << 63, 200_000_000, 10_000] {
            #expect(throws: TensorIOError.self) { try SafeTensorsFile(data: Self.file(header, data: Self.eight, declaredLength: length)) }
        }
        #expect(throws: TensorIOError.self) { try SafeTensorsFile(data: Data([1, 0, 0])) }
    }

    @Test func invalidBoolBytesAreRejectedOnAccess() throws {
        let file = try SafeTensorsFile(data: Self.file(#"{"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}"#, data: [1, 9]))
        #expect { try file.tensor(named: "m") } throws: { ($0 as? TensorIOError)?.kind == .inconsistent }
    }

    /// Loads bytes and touches every tensor: the outcome may be success or a thrown
    /// error, never a trap.
    static func loadAndTouch(_ data: Data) -> Bool {
        guard let file = try? SafeTensorsFile(data: data) else { return false }
        for name in file.tensorNames {
            guard let tensor = try? file.tensor(named: name) else { continue }
            _ = tensor.toFloat().scalars.reduce(0, +)
        }
        return true
    }

    /// Thousands of seeded corruptions of a real file: bit flips, byte overwrites,
    /// truncation at every header byte, and huge header lengths.
    @Test func mutatedFilesNeverCrash() throws {
        let original = try Data(contentsOf: SafeTensorsTests.allDTypes)
        let headerEnd = 8 + Int(original.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var generator = SeededGenerator(seed: 2026)
        var accepted = 0, rejected = 0
        func record(_ data: Data) { if Self.loadAndTouch(data) { accepted += 1 } else { rejected += 1 } }
        for length in 0..<(headerEnd + 1) { record(original.prefix(length)) }
        for _ in 0..<3000 {
            var data = original
            let mutations = 1 + Int(generator.next() % 4)
            for _ in 0..<mutations {
                // Mostly in the header, where parsing happens.
                let position = generator.next() % 4 == 0 ? Int(generator.next() % UInt64(data.count))
                    : Int(generator.next() % UInt64(headerEnd))
                switch generator.next() % 3 {
                case 0: data[position] ^= UInt8(1 << (generator.next() % 8))
                case 1: data[position] = UInt8(truncatingIfNeeded: generator.next())
                default:
                    let syntax = Array("{}[]\",:0123456789-e.".utf8)
                    data[position] = syntax[Int(generator.next() % UInt64(syntax.count))]
                }
            }
            record(data)
        }
        for value: UInt64 in [UInt64.max, UInt64(Int.max), 1 << 32, UInt64(original.count), UInt64(original.count - 7)] {
            var data = original
            for i in 0..<8 { data[i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
            record(data)
        }
        #expect(rejected > 0 && accepted > 0, "accepted \(accepted), rejected \(rejected)")
    }
}
