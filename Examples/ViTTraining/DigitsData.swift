import Foundation
import Imaging

/// scikit-learn's 8×8 digits: rows of 64 pixel values 0–16 and a label (Docs/Training.md).
struct DigitsData {
    /// Pixels scaled to 0…1, `[rows · 64]` row-major.
    var pixels: [Float]
    /// One label per row (−1 where the label column is blank or absent).
    var labels: [Int]
    var count: Int { labels.count }

    /// Reads `path` (gzip or plain CSV). `requireLabels` makes a blank label an error.
    static func load(_ path: String, requireLabels: Bool) throws -> DigitsData {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw TrainingError("\(path): no such file")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        guard attributes[.type] as? FileAttributeType == .typeRegular else { throw TrainingError("\(path): not a regular file") }
        guard (attributes[.size] as? Int ?? 0) <= 64 << 20 else { throw TrainingError("\(path): larger than 64 MiB") }
        var bytes = [UInt8](try Data(contentsOf: url))
        if bytes.starts(with: [0x1F, 0x8B]) {
            do { bytes = try Gzip.decompress(bytes, limit: 256 << 20) } catch { throw TrainingError("\(path): \(error)") }
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw TrainingError("\(path): not UTF-8 text") }
        var data = DigitsData(pixels: [], labels: [])
        for (index, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 64 || fields.count == 65 else {
                throw TrainingError("\(path) line \(index + 1): \(fields.count) columns, expected 65 (64 pixels and a label)")
            }
            for field in fields.prefix(64) {
                guard let value = Float(field.trimmingCharacters(in: .whitespaces)), value >= 0, value <= 16 else {
                    throw TrainingError("\(path) line \(index + 1): pixel '\(field)' is not a number in 0…16")
                }
                data.pixels.append(value / 16)
            }
            let labelField = fields.count == 65 ? fields[64].trimmingCharacters(in: .whitespaces) : ""
            if let label = Int(labelField), (0...9).contains(label) {
                data.labels.append(label)
            } else if requireLabels {
                throw TrainingError("\(path) line \(index + 1): label '\(labelField)' is not a digit 0–9")
            } else {
                data.labels.append(-1)
            }
        }
        guard data.count > 0 else { throw TrainingError("\(path): no rows") }
        return data
    }

    /// Rows `range` as a new data set.
    func rows(_ range: Range<Int>) -> DigitsData {
        DigitsData(pixels: Array(pixels[(range.lowerBound * 64)..<(range.upperBound * 64)]), labels: Array(labels[range]))
    }
}

/// A failure of vit-train, printed as one line.
struct TrainingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
