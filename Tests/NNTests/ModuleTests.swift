import Foundation
import NN
import Tensor
import Testing

/// The module tree: paths, strict loading errors, saving, counting, printing.
@Suite struct ModuleTests {
    /// A two-level model with checkpoint-style names.
    final class Block: Module {
        let norm = LayerNorm(4)
        let fc = Linear(4, 3)
        var ls = LayerScale(3, parameterName: "")
        func visitParameters(_ visitor: inout ParameterVisitor) {
            visitor.visit(child: "norm1", norm)
            visitor.visit(child: "fc", fc)
            visitor.visit(child: "ls1", ls)
        }
    }
    final class Model: Module {
        let blocks = [Block(), Block()]
        func visitParameters(_ visitor: inout ParameterVisitor) { visitor.visit(list: "layers", blocks) }
    }

    static let expectedKeys = (0..<2).flatMap { i in
        ["layers.\(i).norm1.weight", "layers.\(i).norm1.bias", "layers.\(i).fc.weight", "layers.\(i).fc.bias", "layers.\(i).ls1"]
    }

    static func checkpoint(dropping dropped: Set<String> = [], extra: [(String, AnyTensor)] = [],
                           reshape: [String: [Int]] = [:]) -> InMemorySource {
        var tensors: [(String, AnyTensor)] = []
        for (index, key) in expectedKeys.enumerated() where !dropped.contains(key) {
            let shape = reshape[key] ?? (key.hasSuffix("fc.weight") ? [3, 4] : key.contains("fc") || key.hasSuffix("ls1") ? [3] : [4])
            tensors.append((key, AnyTensor(Tensor<Float>.randomNormal(shape, seed: UInt64(index)))))
        }
        return InMemorySource(tensors + extra, description: "test.safetensors")
    }

    @Test func pathsAreCheckpointKeys() {
        #expect(Model().namedParameters().map(\.path) == Self.expectedKeys)
        #expect(Model().namedParameters(prefix: "vision_model").first?.path == "vision_model.layers.0.norm1.weight")
        #expect(Model().parameterCount == 2 * (4 + 4 + 12 + 3 + 3))
    }

    @Test func loadsEveryParameterByName() throws {
        let model = Model()
        let source = Self.checkpoint()
        try model.load(from: source)
        for (path, weight) in model.namedParameters() {
            #expect(weight.float.scalars == (try source.floatTensor(named: path)).scalars, "\(path)")
        }
    }

    /// One error lists every problem: missing, unexpected, wrong shape, wrong dtype.
    @Test func strictLoadReportsAllProblemsAtOnce() {
        let source = Self.checkpoint(
            dropping: ["layers.0.fc.bias", "layers.1.ls1"],
            extra: [("layers.0.attn.qkv.weight", AnyTensor(Tensor<Float>.zeros([2]))),
                    ("layers.1.norm1.weight", AnyTensor(Tensor<Int32>.zeros([4])))],
            reshape: ["layers.1.fc.weight": [4, 3]])
        let model = Model()
        #expect {
            try model.load(from: source)
        } throws: { error in
            guard let report = error as? ModuleLoadError else { return false }
            return report.missingKeys == ["layers.0.fc.bias", "layers.1.ls1"]
                && report.unexpectedKeys == ["layers.0.attn.qkv.weight"]
                && report.shapeMismatches.map(\.key) == ["layers.1.fc.weight"]
                && report.shapeMismatches.first?.expected == [3, 4] && report.shapeMismatches.first?.stored == [4, 3]
                && report.wrongTypes.map(\.key) == ["layers.1.norm1.weight"]
                && report.description.contains("model expects [3, 4], checkpoint has [4, 3]")
        }
        #expect(!model.namedParameters().contains { $0.weight.isLoaded }, "a failed load changes nothing")
    }

    @Test func prefixAndNonStrictLoading() throws {
        let base = Self.checkpoint()
        let prefixed = KeyMappedSource(base) { "vision_model." + $0 }
        let extra = InMemorySource(prefixed.tensorNames.map { ($0, try! prefixed.tensor(named: $0)) }
                                   + [("mlp1.0.weight", AnyTensor(Tensor<Float>.zeros([1])))])
        try Model().load(from: extra, prefix: "vision_model")     // keys outside the prefix are not "unexpected"
        let withStray = InMemorySource(extra.tensorNames.map { ($0, try! extra.tensor(named: $0)) }
                                       + [("vision_model.stray", AnyTensor(Tensor<Float>.zeros([1])))])
        #expect(throws: ModuleLoadError.self) { try Model().load(from: withStray, prefix: "vision_model") }
        try Model().load(from: withStray, prefix: "vision_model", strict: false)
    }

    @Test func precisionOnLoad() throws {
        let bf16 = InMemorySource(Self.checkpoint().tensors.map { ($0.key, AnyTensor($0.value.toFloat().converted(to: BFloat16.self))) })
        let kept = Model()
        try kept.load(from: bf16)
        #expect(kept.namedParameters().allSatisfy { $0.weight.dtype == .bfloat16 })
        let widened = Model()
        try widened.load(from: bf16, precision: .float32)
        #expect(widened.namedParameters().allSatisfy { $0.weight.dtype == .float32 })
    }

    @Test func saveThenLoadRoundTrips() throws {
        let model = Model()
        try model.load(from: Self.checkpoint())
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("module-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(Set(file.tensorNames) == Set(Self.expectedKeys))
        let reloaded = Model()
        try reloaded.load(from: file)
        #expect(reloaded.namedParameters().map { $0.weight.float.scalars } == model.namedParameters().map { $0.weight.float.scalars })
        #expect(throws: ModuleLoadError.self) { try Model().save(to: url) }   // nothing loaded yet
    }

    /// `save` over an existing checkpoint replaces it (issue #12: it used to delete both
    /// the old and the new file on Linux), and through a symlink keeps the link.
    @Test func saveReplacesAnExistingFileThroughASymlink() throws {
        let model = Model()
        try model.load(from: Self.checkpoint())
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("module-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("weights.safetensors"), link = folder.appendingPathComponent("model.safetensors")
        try Data("an older checkpoint".utf8).write(to: target)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "weights.safetensors")
        try model.save(to: link)
        try model.save(to: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "weights.safetensors")
        #expect(Set(try SafeTensorsFile(contentsOf: target).tensorNames) == Set(Self.expectedKeys))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["model.safetensors", "weights.safetensors"])
    }

    @Test func treePrintsLikePyTorch() {
        let text = Model().treeDescription
        #expect(text == """
            Model(
              (layers): ModuleList(
                (0): Block(
                  (norm1): LayerNorm((4,), eps=1e-05, elementwise_affine=True)
                  (fc): Linear(in_features=4, out_features=3, bias=True)
                  (ls1): LayerScale((3,))
                )
                (1): Block(
                  (norm1): LayerNorm((4,), eps=1e-05, elementwise_affine=True)
                  (fc): Linear(in_features=4, out_features=3, bias=True)
                  (ls1): LayerScale((3,))
                )
              )
            )
            """)
    }
}
