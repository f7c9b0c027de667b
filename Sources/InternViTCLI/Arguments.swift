/// Hand-written argument parsing: positionals, `--flag`, `--option value` and
/// `--option=value`. Unknown options and missing values are usage errors.
struct Arguments {
    var positionals: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    init(_ arguments: [String], valueOptions: Set<String>, flagOptions: Set<String>, help: String) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") && argument.count > 2 else {
                if argument.hasPrefix("-") && argument.count > 1 && argument != "-h" && Double(argument) == nil {
                    throw UsageError(message: "unknown option '\(argument)'", help: help)
                }
                positionals.append(argument)
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if flagOptions.contains(name) {
                guard inlineValue == nil else { throw UsageError(message: "option --\(name) takes no value", help: help) }
                flags.insert(name)
            } else if valueOptions.contains(name) {
                if let inlineValue {
                    values[name] = inlineValue
                } else {
                    guard index < arguments.count else { throw UsageError(message: "option --\(name) needs a value", help: help) }
                    values[name] = arguments[index]
                    index += 1
                }
            } else {
                throw UsageError(message: "unknown option '--\(name)'", help: help)
            }
        }
    }

    func integer(_ name: String, default value: Int, range: ClosedRange<Int>, help: String) throws -> Int {
        guard let text = values[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(message: "--\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'", help: help)
        }
        return number
    }

    func choice(_ name: String, _ options: [String], default value: String, help: String) throws -> String {
        guard let text = values[name] else { return value }
        guard options.contains(text) else {
            throw UsageError(message: "--\(name) must be one of \(options.joined(separator: ", ")), got '\(text)'", help: help)
        }
        return text
    }
}
