/// A problem with a model's configuration file: names the file, the key and what is
/// wrong, in one line (`config.json: "hidden_size": expected an integer, got "1024"`).
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The file (or other source) the configuration came from.
    public let file: String
    /// The offending key, when one key is to blame.
    public let key: String?
    /// What is wrong.
    public let message: String

    public init(file: String, key: String? = nil, _ message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        key.map { "\(file): \"\($0)\": \(message)" } ?? "\(file): \(message)"
    }
}
