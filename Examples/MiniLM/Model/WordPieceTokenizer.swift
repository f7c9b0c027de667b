import Foundation

/// BERT's tokenizer (`BertTokenizer`): basic tokenisation (clean-up, CJK splitting,
/// lower-casing with accent stripping, punctuation splitting), then greedy longest-match
/// WordPiece against `vocab.txt`, `[CLS] … [SEP]`, truncation, and batch padding.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: [String: Int32]
    public var lowercase = true
    /// `nil` follows `lowercase`, as in BertTokenizer.
    public var stripAccents: Bool?
    public var maxLength = 512
    public let unknown: Int32, classification: Int32, separator: Int32, padding: Int32
    static let maxCharactersPerWord = 100

    /// Reads `vocab.txt` (one token per line, id = line number).
    public init(vocabulary url: URL, lowercase: Bool = true, maxLength: Int = 512) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var vocabulary: [String: Int32] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if !token.isEmpty && vocabulary[token] == nil { vocabulary[token] = Int32(index) }
        }
        try self.init(vocabulary: vocabulary, lowercase: lowercase, maxLength: maxLength)
    }

    public init(vocabulary: [String: Int32], lowercase: Bool = true, maxLength: Int = 512) throws {
        self.vocabulary = vocabulary
        self.lowercase = lowercase
        self.maxLength = maxLength
        func id(_ token: String) throws -> Int32 {
            guard let id = vocabulary[token] else { throw MiniLMError("the vocabulary has no \(token) token") }
            return id
        }
        unknown = try id("[UNK]"); classification = try id("[CLS]"); separator = try id("[SEP]"); padding = try id("[PAD]")
    }

    /// `[CLS] pieces… [SEP]`, truncated to `maxLength` tokens.
    public func encode(_ text: String) -> [Int32] {
        var ids = basicTokens(text).flatMap(wordPieces)
        if ids.count > maxLength - 2 { ids = Array(ids.prefix(Swift.max(maxLength - 2, 0))) }
        return [classification] + ids + [separator]
    }

    /// A padded batch: ids `[B, N]` and attention mask `[B, N]` (N = longest sequence).
    public func encodeBatch(_ texts: [String]) -> (ids: [[Int32]], mask: [[Int32]]) {
        let sequences = texts.map(encode)
        let length = sequences.map(\.count).max() ?? 0
        return (sequences.map { $0 + [Int32](repeating: padding, count: length - $0.count) },
                sequences.map { [Int32](repeating: 1, count: $0.count) + [Int32](repeating: 0, count: length - $0.count) })
    }

    // MARK: Basic tokenisation

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r" || s.properties.generalCategory == .spaceSeparator
    }
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        let category = s.properties.generalCategory
        return category == .control || category == .format
    }
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }
    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }

    func basicTokens(_ text: String) -> [String] {
        // Clean: drop NUL, U+FFFD and control characters; whitespace becomes a space; space out CJK.
        var cleaned = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if s.value == 0 || s.value == 0xFFFD || Self.isControl(s) { continue }
            if Self.isWhitespace(s) { cleaned.append(" "); continue }
            if Self.isCJK(s) { cleaned.append(" "); cleaned.append(s); cleaned.append(" "); continue }
            cleaned.append(s)
        }
        var tokens: [String] = []
        for word in String(cleaned).split(separator: " ") {
            var token = String(word)
            if lowercase {
                token = token.lowercased()
            }
            if stripAccents ?? lowercase {
                token = String(String.UnicodeScalarView(token.decomposedStringWithCanonicalMapping.unicodeScalars
                    .filter { $0.properties.generalCategory != .nonspacingMark }))
            }
            // Split on punctuation: each punctuation character is its own token.
            var current = String.UnicodeScalarView()
            for s in token.unicodeScalars {
                if Self.isPunctuation(s) {
                    if !current.isEmpty { tokens.append(String(current)); current = String.UnicodeScalarView() }
                    tokens.append(String(s))
                } else {
                    current.append(s)
                }
            }
            if !current.isEmpty { tokens.append(String(current)) }
        }
        return tokens
    }

    /// Greedy longest-match-first WordPiece; a word that cannot be covered is `[UNK]`.
    func wordPieces(_ word: String) -> [Int32] {
        let scalars = Array(word.unicodeScalars)
        if scalars.count > Self.maxCharactersPerWord { return [unknown] }
        var pieces: [Int32] = []
        var start = 0
        while start < scalars.count {
            var end = scalars.count
            var found: Int32?
            while start < end {
                var piece = String(String.UnicodeScalarView(scalars[start..<end]))
                if start > 0 { piece = "##" + piece }
                if let id = vocabulary[piece] { found = id; break }
                end -= 1
            }
            guard let id = found else { return [unknown] }
            pieces.append(id)
            start = end
        }
        return pieces
    }
}
