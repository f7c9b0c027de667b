import Foundation
import Imaging

/// scikit-learn's 8×8 handwritten digits (`digits.csv.gz`): one image per line, 64 pixel
/// values 0…16 (row-major) and a label 0…9, comma-separated, optionally gzip-compressed.
///
/// A line has 65 fields (pixels and label) or 64 (pixels only). When labels are not
/// required (prediction) the 65th field is ignored whatever it holds — blank, `?`, a
/// digit — so the held-out rows with their labels blanked read like any others. Blank
/// lines are skipped; a line ending may be `\n` or `\r\n`.
public struct DigitsData: Sendable {
    /// Pixels scaled to 0…1 (value/16), `[count · 64]` row-major.
    public var pixels: [Float]
    /// One label per row, or −1 where labels were not read.
    public var labels: [Int]
    /// The number of images.
    public var count: Int { labels.count }

    /// The largest file read (compressed or not) and the largest decompressed text: the
    /// real file is 24 KiB compressed, 270 KiB of text.
    public static let maximumFileBytes = 64 << 20, maximumTextBytes = 256 << 20

    /// Images and labels as given (pixels already scaled to 0…1).
    public init(pixels: [Float], labels: [Int]) {
        precondition(pixels.count == labels.count * 64, "64 pixels per label")
        self.pixels = pixels
        self.labels = labels
    }

    /// Reads `path` (gzip or plain CSV).
    /// - Parameter requireLabels: true for training: every line needs a 65th field holding
    ///   an integer 0…9. False for prediction: the 65th field, if any, is ignored.
    /// - Throws: `TrainingError` naming the file, the line and what is wrong (missing or
    ///   unreadable file, corrupt or truncated gzip, not text, wrong column count, a pixel
    ///   that is not a number in 0…16, a label that is not 0…9, no rows).
    public static func load(_ path: String, requireLabels: Bool) throws -> DigitsData {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TrainingError("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw TrainingError("\(path): is a directory, expected a CSV or CSV.gz file") }
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw TrainingError("\(path): cannot read (\(error.localizedDescription))")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else { throw TrainingError("\(path): not a regular file") }
        guard (attributes[.size] as? Int ?? 0) <= maximumFileBytes else { throw TrainingError("\(path): larger than 64 MiB") }
        var bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw TrainingError("\(path): cannot read (\(error.localizedDescription))")
        }
        if bytes.starts(with: [0x1F, 0x8B]) {
            do { bytes = try Gzip.decompress(bytes, limit: maximumTextBytes) } catch {
                throw TrainingError("\(path): not a valid gzip file (\(error))")
            }
        }
        return try parse(bytes, source: path, requireLabels: requireLabels)
    }

    /// Parses CSV text (see the type's description); `source` names it in errors.
    public static func parse(_ bytes: [UInt8], source: String, requireLabels: Bool) throws -> DigitsData {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw TrainingError("\(source): not UTF-8 text") }
        var pixels: [Float] = [], labels: [Int] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let content = line.hasSuffix("\r") ? line.dropLast() : line[...]
            if content.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = content.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 64 || fields.count == 65 else {
                throw TrainingError("\(source) line \(lineNumber): \(fields.count) columns, expected 65 (64 pixels and a label) or 64")
            }
            for (column, field) in fields.prefix(64).enumerated() {
                let trimmed = field.trimmingCharacters(in: .whitespaces)
                guard let value = Float(trimmed), value >= 0, value <= 16 else {
                    throw TrainingError("\(source) line \(lineNumber) column \(column + 1): pixel '\(trimmed.prefix(20))' is not a number in 0…16")
                }
                pixels.append(value / 16)
            }
            if requireLabels {
                let field = fields.count == 65 ? fields[64].trimmingCharacters(in: .whitespaces) : ""
                guard let label = Int(field), (0...9).contains(label) else {
                    throw TrainingError("\(source) line \(lineNumber): label '\(field.prefix(20))' is not a digit 0…9"
                                        + (fields.count == 64 ? " (the line has no label column)" : ""))
                }
                labels.append(label)
            } else {
                labels.append(-1)
            }
        }
        guard !labels.isEmpty else { throw TrainingError("\(source): no rows") }
        return DigitsData(pixels: pixels, labels: labels)
    }

    /// Rows `range` as a new data set.
    public func rows(_ range: Range<Int>) -> DigitsData {
        DigitsData(pixels: Array(pixels[(range.lowerBound * 64)..<(range.upperBound * 64)]), labels: Array(labels[range]))
    }

    /// Images `rows` as the model's input `[rows.count, 3, 8, 8]`: each grey image
    /// replicated to the three channels InternViT's patch embedding takes.
    public func pixelValues<Rows: Collection<Int>>(_ rows: Rows) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(rows.count * 192)
        for row in rows {
            let image = pixels[(row * 64)..<(row * 64 + 64)]
            for _ in 0..<3 { values += image }
        }
        return values
    }
}

/// A failure of vit-train, printed as one line.
public struct TrainingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
