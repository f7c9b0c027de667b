import Foundation
import Tensor

/// How `load` treats the stored precision of parameters.
public enum WeightPrecision: Sendable {
    /// Keep bf16 / f16 tensors as stored (half the memory; widened inside the matmul).
    case asStored
    /// Convert every parameter to `Float`.
    case float32
}

/// Everything that went wrong loading a module tree, reported at once.
public struct ModuleLoadError: Error, CustomStringConvertible, Equatable {
    /// Parameters the module expects that the checkpoint lacks (full keys).
    public var missingKeys: [String] = []
    /// Checkpoint keys under the prefix that no parameter claimed.
    public var unexpectedKeys: [String] = []
    /// Keys whose stored shape differs: (key, expected shape, stored shape).
    public var shapeMismatches: [(key: String, expected: [Int], stored: [Int])] = []
    /// Keys stored with a type that cannot be a weight (integers, bool): (key, dtype).
    public var wrongTypes: [(key: String, dtype: DType)] = []
    /// Read errors for individual tensors.
    public var readErrors: [String] = []
    /// The checkpoint that was loaded.
    public var source: String = ""

    var isEmpty: Bool {
        missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty && wrongTypes.isEmpty && readErrors.isEmpty
    }

    /// Most keys or problems listed per kind: a config that disagrees with its checkpoint
    /// everywhere must still give a message of a few lines, not one per parameter.
    public static let listedLimit = 5

    public var description: String {
        func listed(_ items: [String]) -> String {
            let shown = items.prefix(Self.listedLimit).joined(separator: ", ")
            return items.count > Self.listedLimit ? shown + ", … (\(items.count - Self.listedLimit) more)" : shown
        }
        func capped(_ items: [String]) -> [String] {
            items.count > Self.listedLimit ? Array(items.prefix(Self.listedLimit)) + ["… (\(items.count - Self.listedLimit) more)"] : items
        }
        var lines = ["\(source): the checkpoint does not match the model"]
        if !missingKeys.isEmpty { lines.append("missing keys (\(missingKeys.count)): " + listed(missingKeys)) }
        if !unexpectedKeys.isEmpty {
            lines.append("unexpected keys (\(unexpectedKeys.count)): " + listed(unexpectedKeys))
        }
        lines += capped(shapeMismatches.map { "shape mismatch for \($0.key): model expects \($0.expected), checkpoint has \($0.stored)" })
        lines += capped(wrongTypes.map { "wrong dtype for \($0.key): \($0.dtype) cannot be a floating-point weight" })
        lines += capped(readErrors)
        return lines.joined(separator: "\n")
    }

    public static func == (a: ModuleLoadError, b: ModuleLoadError) -> Bool { a.description == b.description }
}

extension Module {
    /// Loads every parameter from `source`, looking up `prefix + "." + path`.
    ///
    /// Strict by default: any missing key, unexpected key under the prefix, shape
    /// mismatch or non-float dtype makes the load fail with one `ModuleLoadError` listing
    /// all of them; nothing is changed then. With `strict: false` unexpected keys are
    /// ignored (the other problems still fail).
    public func load(from source: any TensorSource, prefix: String = "", precision: WeightPrecision = .asStored,
                     strict: Bool = true) throws {
        var report = ModuleLoadError()
        report.source = source.sourceDescription
        var loaded: [String: Weight] = [:]
        var visited = Set<String>()
        var checker = ParameterVisitor(prefix: prefix) { path, weight, _ in
            visited.insert(path)
            guard let info = source.info(named: path) else {
                report.missingKeys.append(path)
                return
            }
            guard info.dtype.isFloatingPoint else {
                report.wrongTypes.append((path, info.dtype))
                return
            }
            guard info.shape == weight.shape else {
                report.shapeMismatches.append((path, weight.shape, info.shape))
                return
            }
            do {
                loaded[path] = try Self.weight(from: source.tensor(named: path), precision: precision)
            } catch {
                report.readErrors.append("\(error)")
            }
        }
        checker.walk(self)
        if strict {
            let scope = prefix.isEmpty ? "" : prefix + "."
            report.unexpectedKeys = source.tensorNames.filter { $0.hasPrefix(scope) && !visited.contains($0) }.sorted()
        }
        guard report.isEmpty else { throw report }
        var assign = ParameterVisitor(prefix: prefix) { path, weight, _ in
            if let value = loaded[path] { weight = value }
        }
        assign.walk(self)
    }

    private static func weight(from tensor: AnyTensor, precision: WeightPrecision) throws -> Weight {
        if precision == .float32 { return .float32(tensor.toFloat()) }
        switch tensor {
        case .float32(let t): return .float32(t)
        case .bfloat16(let t): return .bfloat16(t)
        case .float16(let t): return .float16(t)
        default: return .float32(tensor.toFloat())   // float64 is narrowed
        }
    }

    /// Sets every parameter with `make(path, shape)` (e.g. seeded random weights).
    public func initializeParameters(prefix: String = "", _ make: @escaping (String, [Int]) -> Weight) {
        var visitor = ParameterVisitor(prefix: prefix) { path, weight, _ in
            let shape = weight.shape
            weight = make(path, shape)
            precondition(weight.shape == shape, "initializer gave \(weight.shape) for \(path) of shape \(shape)")
        }
        visitor.walk(self)
    }

    /// Converts every loaded parameter to `dtype` (e.g. `.bfloat16` to halve memory).
    public func convertParameters(to dtype: DType) {
        var visitor = ParameterVisitor { _, weight, _ in weight = weight.converted(to: dtype) }
        visitor.walk(self)
    }

    /// Every parameter with its full path, in visiting order.
    public func namedParameters(prefix: String = "") -> [(path: String, weight: Weight)] {
        var result: [(String, Weight)] = []
        var visitor = ParameterVisitor(prefix: prefix) { path, weight, _ in result.append((path, weight)) }
        visitor.walk(self)
        return result
    }

    /// Checks that every parameter has values (none is only declared).
    /// - Throws: a `ModuleLoadError` from `source` listing the parameters never loaded.
    public func requireLoadedParameters(source: String, prefix: String = "") throws {
        let unloaded = namedParameters(prefix: prefix).filter { !$0.weight.isLoaded }.map(\.path)
        guard unloaded.isEmpty else {
            var report = ModuleLoadError()
            report.source = source
            report.missingKeys = unloaded
            throw report
        }
    }

    /// The number of scalar parameters.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.weight.count } }

    /// Writes every parameter to a safetensors file under its checkpoint key, through
    /// `OutputFile` (a temporary file renamed over `url`: the old file survives any failure).
    /// - Throws: `FileError` when the file cannot be written; a `ModuleLoadError` listing
    ///   parameters that were never loaded.
    public func save(to url: URL, prefix: String = "", metadata: [String: String]? = ["format": "pt"]) throws {
        let parameters = namedParameters(prefix: prefix)
        let unloaded = parameters.filter { !$0.weight.isLoaded }.map(\.path)
        guard unloaded.isEmpty else {
            var report = ModuleLoadError()
            report.source = url.path
            report.missingKeys = unloaded
            throw report
        }
        try SafeTensorsWriter.write(parameters.map { ($0.path, $0.weight.anyTensor!) }, metadata: metadata, to: url)
    }
}
