import Foundation
import Tensor

/// Typed, checked access to a model configuration (`config.json`,
/// `preprocessor_config.json`): every model and example reads its settings through one.
///
/// A key that is absent or `null` reads as nil (the caller's default applies); a key
/// that is present with the wrong JSON type, or outside the range the caller allows, is
/// a `ConfigError` naming the file and the key. Nothing is silently ignored.
public struct ConfigReader: Sendable {
    /// The JSON object read.
    public let object: JSONValue
    /// Where it came from, for messages.
    public let file: String

    /// A reader of `object`, which must be a JSON object.
    public init(object: JSONValue, file: String) throws {
        guard object.objectPairs != nil else { throw ConfigError(file: file, "not a JSON object") }
        self.object = object
        self.file = file
    }

    /// Parses JSON text; the top level must be an object.
    public init(json data: Data, file: String) throws {
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch { throw ConfigError(file: file, "\(error)") }
        try self.init(object: root, file: file)
    }

    /// Reads and parses the file at `url` (a regular file of at most
    /// `InputFile.maximumJSONBytes`; FIFOs, devices and directories are refused unread).
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = Data(try InputFile.read(url.path, maximumBytes: InputFile.maximumJSONBytes, what: "limit for a config")) }
        catch let error as FileError { throw ConfigError(file: url.path, error.message) }
        try self.init(json: data, file: url.path)
    }

    /// The value of `key`, nil when absent or `null`.
    public func value(_ key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    /// Whether `key` is present and not `null`.
    public func contains(_ key: String) -> Bool { value(key) != nil }

    /// The nested object under `key` as a reader, nil when absent.
    public func child(_ key: String) throws -> ConfigReader? {
        guard let v = value(key) else { return nil }
        guard v.objectPairs != nil else { throw error(key, "expected an object, got \(Self.brief(v))") }
        return try ConfigReader(object: v, file: file)
    }

    /// An integer within `range`.
    public func int(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int? {
        guard let v = value(key) else { return nil }
        guard let i = v.intValue else { throw error(key, "expected an integer, got \(Self.brief(v))") }
        try check(key, i, range)
        return i
    }

    /// An integer, or a list of two equal integers (transformers writes `[448, 448]`).
    public func squareInt(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int? {
        guard let v = value(key) else { return nil }
        let n: Int
        if let i = v.intValue {
            n = i
        } else if let list = v.arrayValue, list.count == 2, let a = list[0].intValue, let b = list[1].intValue {
            guard a == b else { throw error(key, "non-square \(a) x \(b) is not supported") }
            n = a
        } else {
            throw error(key, "expected an integer or [n, n], got \(Self.brief(v))")
        }
        try check(key, n, range)
        return n
    }

    /// A finite number within `range`.
    public func double(_ key: String, in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws -> Double? {
        guard let v = value(key) else { return nil }
        guard let d = v.doubleValue, d.isFinite else { throw error(key, "expected a number, got \(Self.brief(v))") }
        guard range.contains(d) else { throw error(key, "\(d) is outside \(range.lowerBound)...\(range.upperBound)") }
        return d
    }

    /// A finite number within `range`, as `Float` (it must also be finite as a `Float`).
    public func float(_ key: String, in range: ClosedRange<Float> = -Float.greatestFiniteMagnitude...Float.greatestFiniteMagnitude) throws -> Float? {
        guard let d = try double(key) else { return nil }
        let f = Float(d)
        guard f.isFinite, range.contains(f) else { throw error(key, "\(d) is outside \(range.lowerBound)...\(range.upperBound)") }
        return f
    }

    /// A positive finite number (epsilons, scales).
    public func positiveFloat(_ key: String) throws -> Float? {
        guard let f = try float(key) else { return nil }
        guard f > 0 else { throw error(key, "must be a positive number, got \(f)") }
        return f
    }

    /// `true` or `false` (not 0/1, not a string).
    public func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.boolValue else { throw error(key, "expected true or false, got \(Self.brief(v))") }
        return b
    }

    /// A string.
    public func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.stringValue else { throw error(key, "expected a string, got \(Self.brief(v))") }
        return s
    }

    /// A list of numbers of one of the allowed lengths; a single number is accepted when
    /// `1` is among them.
    public func floats(_ key: String, counts: Set<Int>) throws -> [Float]? {
        guard let v = value(key) else { return nil }
        let elements = v.arrayValue ?? [v]
        var values: [Float] = []
        for element in elements {
            guard let d = element.doubleValue, d.isFinite, Float(d).isFinite else {
                throw error(key, "expected numbers, got \(Self.brief(element))")
            }
            values.append(Float(d))
        }
        guard counts.contains(values.count), v.arrayValue != nil || counts.contains(1) else {
            throw error(key, "expected \(counts.sorted().map(String.init).joined(separator: " or ")) numbers, got \(values.count)")
        }
        return values
    }

    /// The activation named by `key` (`hidden_act`): see `Activation.configNames`.
    public func activation(_ key: String = "hidden_act") throws -> Activation? {
        guard let name = try string(key) else { return nil }
        guard let activation = Activation(configName: name) else {
            throw error(key, "unsupported activation \"\(name)\" (supported: \(Activation.configNames.keys.sorted().joined(separator: ", ")))")
        }
        return activation
    }

    /// The normalisation named by `key` (`norm_type`): `layer_norm` or `rms_norm`.
    public func normType(_ key: String = "norm_type") throws -> NormType? {
        guard let name = try string(key) else { return nil }
        guard let type = NormType(rawValue: name) else {
            throw error(key, "unsupported value \"\(name)\" (expected \(NormType.allCases.map(\.rawValue).joined(separator: " or ")))")
        }
        return type
    }

    /// A `ConfigError` for `key` in this file.
    public func error(_ key: String, _ message: String) -> ConfigError { ConfigError(file: file, key: key, message) }

    private func check(_ key: String, _ value: Int, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw error(key, "\(value) is outside the supported range \(range.lowerBound)...\(range.upperBound)")
        }
    }

    /// A JSON value shortened for a one-line message.
    static func brief(_ v: JSONValue) -> String {
        let text: String
        switch v {
        case .string(let s): text = JSONValue.quoted(s)
        case .array(let a): text = "a list of \(a.count)"
        case .object: text = "an object"
        case .integer(let i): text = "\(i)"
        case .double(let d): text = "\(d)"
        case .bool(let b): text = "\(b)"
        case .null: text = "null"
        }
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}
