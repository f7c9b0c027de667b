/// The Python dict literal at the start of an `.npy` file, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
///
/// A tiny recursive-descent parser for exactly the literals numpy writes: string keys,
/// string / boolean / tuple-of-integers values. Anything else is an error, never a trap.
struct NPYHeader {
    struct Problem: Error { let message: String }

    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    init(parsing text: String) throws {
        var parser = Parser(Array(text.utf8))
        var descr: String?, fortran: Bool?, shape: [Int]?
        try parser.expect(UInt8(ascii: "{"))
        while true {
            parser.skipSpace()
            if parser.consume(UInt8(ascii: "}")) { break }
            let key = try parser.string()
            try parser.expect(UInt8(ascii: ":"))
            switch key {
            case "descr": descr = try parser.string()
            case "fortran_order": fortran = try parser.boolean()
            case "shape": shape = try parser.integerTuple()
            default: throw Problem(message: "unexpected key '\(key)'")
            }
            parser.skipSpace()
            if !parser.consume(UInt8(ascii: ",")) {
                try parser.expect(UInt8(ascii: "}"))
                break
            }
        }
        guard let descr else { throw Problem(message: "missing 'descr'") }
        guard let fortran else { throw Problem(message: "missing 'fortran_order'") }
        guard let shape else { throw Problem(message: "missing 'shape'") }
        self.descr = descr
        self.fortranOrder = fortran
        self.shape = shape
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            skipSpace()
            if position < bytes.count && bytes[position] == byte { position += 1; return true }
            return false
        }

        mutating func expect(_ byte: UInt8) throws {
            guard consume(byte) else {
                throw Problem(message: "expected '\(Character(Unicode.Scalar(byte)))' at offset \(position)")
            }
        }

        mutating func string() throws -> String {
            skipSpace()
            guard position < bytes.count, bytes[position] == 0x27 || bytes[position] == 0x22 else {
                throw Problem(message: "expected a quoted string at offset \(position)")
            }
            let quote = bytes[position]
            position += 1
            let start = position
            while position < bytes.count && bytes[position] != quote { position += 1 }
            guard position < bytes.count else { throw Problem(message: "unterminated string") }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            position += 1
            return text
        }

        mutating func boolean() throws -> Bool {
            skipSpace()
            for (word, value) in [("True", true), ("False", false)] {
                let w = Array(word.utf8)
                if position + w.count <= bytes.count && Array(bytes[position..<(position + w.count)]) == w {
                    position += w.count
                    return value
                }
            }
            throw Problem(message: "expected True or False at offset \(position)")
        }

        mutating func integerTuple() throws -> [Int] {
            try expect(UInt8(ascii: "("))
            var values: [Int] = []
            while true {
                skipSpace()
                if consume(UInt8(ascii: ")")) { break }
                let start = position
                while position < bytes.count, (0x30...0x39).contains(bytes[position]) { position += 1 }
                guard position > start, position - start <= 18,
                      let value = Int(String(decoding: bytes[start..<position], as: UTF8.self)) else {
                    throw Problem(message: "expected a non-negative integer extent at offset \(start)")
                }
                // numpy writes 3 as '3' but older writers may emit '3L'.
                if position < bytes.count && bytes[position] == UInt8(ascii: "L") { position += 1 }
                values.append(value)
                if !consume(UInt8(ascii: ",")) {
                    try expect(UInt8(ascii: ")"))
                    break
                }
            }
            return values
        }
    }
}
