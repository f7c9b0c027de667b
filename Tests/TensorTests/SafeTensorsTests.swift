import Foundation
import Testing
import Tensor

/// safetensors reading, writing and validation against files written by the Python
/// `safetensors` library (`Scripts/make_io_fixtures.py`).
@Suite struct SafeTensorsTests {
    static let io = Fixtures.root.appendingPathComponent("io")
    static let allDTypes = io.appendingPathComponent("all_dtypes.safetensors")

    /// Values as `Double` (exact for every stored type here).
    static func doubles(_ tensor: AnyTensor) -> [Double] {
        switch tensor {
        case .float64(let t): return t.scalars
        case .int64(let t): return t.scalars.map { Double($0) }
        case .int32(let t): return t.scalars.map { Double($0) }
        default: return tensor.toFloat().scalars.map { Double($0) }
        }
    }

    @Test func readsEveryDTypeWrittenByPython() throws {
        let file = try SafeTensorsFile(contentsOf: Self.allDTypes)
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensorNames.count == 14)
        for name in file.tensorNames {
            let stored = try file.tensor(named: name)
            let expected = try NPY.read(contentsOf: Self.io.appendingPathComponent("expected_\(name).npy"))
            #expect(stored.shape == expected.shape, "\(name)")
            #expect(Self.doubles(stored) == Self.doubles(expected), "\(name)")
            #expect(file.info(named: name)?.dtype == stored.dtype)
        }
        #expect(try file.tensor(named: "scalar_f32").shape == [])
        #expect(try file.tensor(named: "empty_bf16").shape == [2, 0])
        #expect(try file.tensor(named: "long_i64").tensor(as: Int64.self)?.scalars == [-(1 << 40), 7, 1 << 62])
    }

    /// bf16 stays bf16 (borrowed from the mapping, no copy) or widens to Float on request.
    @Test func bf16StaysResidentOrWidens() throws {
        let file = try SafeTensorsFile(contentsOf: Self.allDTypes)
        let bf16 = try file.tensor(named: "brain_bf16", as: BFloat16.self)
        #expect(bf16.storage.isBorrowed, "aligned tensors borrow the mapped bytes")
        let widened = try file.floatTensor(named: "brain_bf16")
        #expect(widened.scalars == bf16.toFloat().scalars)
        #expect(throws: TensorIOError.self) { try file.tensor(named: "brain_bf16", as: Float.self) }
        #expect { try file.tensor(named: "nope") } throws: { ($0 as? TensorIOError)?.kind == .missingTensor }
        // Writing to a borrowed tensor copies it; the mapping is never written.
        var copy = bf16
        copy[0, 0] = BFloat16(Float(42))
        #expect(!copy.storage.isBorrowed && bf16[0, 0] != copy[0, 0])
    }

    static func writerInputs() throws -> [(name: String, tensor: AnyTensor)] {
        let folder = io.appendingPathComponent("writer_input")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { file in
            let url = folder.appendingPathComponent(file)
            if file.hasSuffix(".bf16bits.npy") {
                let bits = try #require(try NPY.read(contentsOf: url).tensor(as: Int16.self))
                let values = bits.scalars.map { BFloat16(bitPattern: UInt16(bitPattern: $0)) }
                return (String(file.dropLast(".bf16bits.npy".count)), AnyTensor(Tensor(values, shape: bits.shape)))
            }
            return (String(file.dropLast(".npy".count)), try NPY.read(contentsOf: url))
        }
    }

    /// Our writer produces exactly the bytes the Python library wrote for the same
    /// tensors and metadata, so the Python loader reads our files.
    @Test func writerIsByteIdenticalToPython() throws {
        let ours = try SafeTensorsWriter.encode(Self.writerInputs(), metadata: ["format": "pt"])
        let python = try Data(contentsOf: Self.allDTypes)
        #expect(ours.count == python.count)
        #expect(ours == python)
    }

    @Test func writeThenReadRoundTrips() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrip-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let inputs = try Self.writerInputs()
        try SafeTensorsWriter.write(inputs, metadata: ["note": "x\"y\n"], to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.metadata == ["note": "x\"y\n"])
        for (name, tensor) in inputs {
            let back = try file.tensor(named: name)
            #expect(back.dtype == tensor.dtype && back.shape == tensor.shape && Self.doubles(back) == Self.doubles(tensor), "\(name)")
        }
        #expect(throws: TensorIOError.self) {
            try SafeTensorsWriter.encode([("a", AnyTensor(Tensor<Float>.zeros([1]))), ("a", AnyTensor(Tensor<Float>.zeros([1])))])
        }
    }

    @Test func shardedCheckpointReadsAsOne() throws {
        let directory = Self.io.appendingPathComponent("sharded")
        let checkpoint = try Checkpoint.open(directory)
        #expect(checkpoint is ShardedCheckpoint)
        #expect(checkpoint.tensorNames.count == 4)
        for name in checkpoint.tensorNames {
            let expected = try NPY.read(contentsOf: directory.appendingPathComponent("expected_\(name).npy"))
            #expect(Self.doubles(try checkpoint.tensor(named: name)) == Self.doubles(expected), "\(name)")
            #expect(checkpoint.info(named: name)?.dtype == .bfloat16)
        }
        #expect((checkpoint as? ShardedCheckpoint)?.metadata["total_size"] != nil)
    }

    /// Index problems name the file and the tensor.
    @Test(arguments: [
        (#"{"weight_map": {"a": "missing.safetensors"}}"#, TensorIOError.Kind.unreadable),
        (#"{"weight_map": {"a": "../escape.safetensors"}}"#, .malformedHeader),
        (#"{"weight_map": {"nope": "model-00001-of-00002.safetensors"}}"#, .missingTensor),
        (#"{"weight_map": 3}"#, .malformedHeader),
        (#"{"weight_map": {"a": "x.safetensors", "a": "y.safetensors"}}"#, .malformedHeader),
    ])
    func badIndexesThrow(_ index: String, _ kind: TensorIOError.Kind) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("index-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(
            at: Self.io.appendingPathComponent("sharded/model-00001-of-00002.safetensors"),
            to: directory.appendingPathComponent("model-00001-of-00002.safetensors"))
        try Data(index.utf8).write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        #expect { try Checkpoint.open(directory) } throws: { ($0 as? TensorIOError)?.kind == kind }
    }

    @Test func missingWeightsNameWhatWasLookedFor() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect { try Checkpoint.open(directory) } throws: { "\($0)".contains("model.safetensors") }
    }
}
