import Foundation
import InternViT
import Tensor

/// Labels of feature rows: from their paths (`CLASS/…`, as the batch embedding records an
/// ImageFolder) for training, or from a labels file for scoring predictions.
public enum ProbeLabels {
    /// Labels from row paths `CLASS/…` (the class is the first folder); classes in
    /// bytewise order. `file` names the features file in errors.
    /// - Throws: `LinearProbeError` for a path without a class folder or a single class.
    public static func fromPaths(_ paths: [String], file: String) throws -> (labels: [Int], classes: [String]) {
        var classOfRow: [String] = []
        for (row, path) in paths.enumerated() {
            let parts = path.split(separator: "/", maxSplits: 1)
            guard parts.count == 2 else {
                throw LinearProbeError("\(file): row \(row) ('\(path)') has no class folder; "
                    + "embed a DATA_DIR laid out as DATA_DIR/CLASS/IMAGE")
            }
            classOfRow.append(String(parts[0]))
        }
        let classes = Set(classOfRow).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard classes.count >= 2 else {
            throw LinearProbeError("\(file): every row is in class '\(classes.first ?? "")'; a classifier needs at least two classes")
        }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        return (classOfRow.map { index[$0]! }, classes)
    }

    /// The true label of each of `paths` from a labels file: lines `PATH,CLASS` (split at
    /// the last comma; empty lines skipped), every path labelled exactly once.
    /// - Throws: `LinearProbeError` naming the line for a class the probe does not know, a
    ///   path that is not among `paths`, a path given twice, or a path left unlabelled.
    public static func read(_ file: URL, paths: [String], classes: [String]) throws -> [Int] {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(file.path, maximumBytes: 256 << 20, what: "labels file limit") } catch {
            throw LinearProbeError("\(file.path): cannot read the labels: \(error)")
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw LinearProbeError("\(file.path): not UTF-8 text") }
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let rowOfPath = Dictionary(paths.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var labels = [Int?](repeating: nil, count: paths.count)
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            guard !line.isEmpty else { continue }
            guard let comma = line.lastIndex(of: ",") else {
                throw LinearProbeError("\(file.path) line \(number + 1): expected PATH,CLASS")
            }
            let path = String(line[..<comma]), name = String(line[line.index(after: comma)...])
            guard let label = classIndex[name] else {
                throw LinearProbeError("\(file.path) line \(number + 1): class '\(name)' is not one of the probe's classes "
                    + "(\(classes.joined(separator: ", ")))")
            }
            guard let row = rowOfPath[path] else {
                throw LinearProbeError("\(file.path) line \(number + 1): '\(path)' is not one of the images given")
            }
            guard labels[row] == nil else { throw LinearProbeError("\(file.path) line \(number + 1): '\(path)' is labelled twice") }
            labels[row] = label
        }
        if let missing = labels.firstIndex(where: { $0 == nil }) {
            throw LinearProbeError("\(file.path): no label for '\(paths[missing])'")
        }
        return labels.map { $0! }
    }
}
