import Foundation
import Imaging
import LinearProbe
import Tensor

/// `linear-probe digits-folder --data digits.csv.gz --output DATA_DIR`: scikit-learn's 8×8
/// digits (`Scripts/fetch_digits.sh`) as a labelled image folder for a demo. Each digit
/// becomes a grey PNG (dark ink on white, `255 − 255·v/16`, each cell `S × S` pixels),
/// `DATA_DIR/<digit>/row-NNNNN.png`, the first N rows of each digit in file order.
enum DigitsFolder {
    static func run(_ options: CommandOptions) throws {
        guard let data = options.values["data"], let output = options.values["output"] else {
            throw UsageError("digits-folder needs --data digits.csv.gz and --output DATA_DIR")
        }
        let perClass = try options.number("per-class", default: 60, in: 1...10_000)
        let scale = try options.number("scale", default: 8, in: 1...64)
        var bytes: [UInt8]
        do { bytes = try InputFile.read(data, maximumBytes: 64 << 20, what: "64 MiB limit") } catch {
            throw LinearProbeError("\(data): cannot read: \(error)")
        }
        if bytes.starts(with: [0x1F, 0x8B]) {
            do { bytes = try Gzip.decompress(bytes, limit: 256 << 20) } catch { throw LinearProbeError("\(data): \(error)") }
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw LinearProbeError("\(data): not UTF-8 text") }
        let root = URL(fileURLWithPath: output)
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: root.path), !existing.isEmpty {
            throw LinearProbeError("\(output): exists and is not empty; give a new folder")
        }
        var written = [Int](repeating: 0, count: 10)
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 65, let label = Int(fields[64]), (0...9).contains(label),
                  let values = Optional(fields.prefix(64).compactMap { Int($0) }), values.count == 64,
                  values.allSatisfy({ (0...16).contains($0) }) else {
                throw LinearProbeError("\(data) line \(number + 1): expected 64 pixel values 0–16 and a digit label")
            }
            guard written[label] < perClass else { continue }
            let side = 8 * scale
            var pixels = [UInt8](repeating: 0, count: side * side * 3)
            for y in 0..<side {
                for x in 0..<side {
                    let grey = UInt8(255 - (255 * values[(y / scale) * 8 + x / scale]) / 16)
                    for c in 0..<3 { pixels[(y * side + x) * 3 + c] = grey }
                }
            }
            let folder = root.appendingPathComponent("\(label)")
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try PNGWriter.write(RGBImage(width: side, height: side, pixels: pixels),
                                    to: folder.appendingPathComponent(String(format: "row-%05d.png", number)))
            } catch {
                throw LinearProbeError("cannot write into \(folder.path): \(error)")
            }
            written[label] += 1
        }
        say("wrote \(written.reduce(0, +)) images (\(written.map(String.init).joined(separator: "/")) per digit) to \(output)")
    }
}
