import Foundation
import InternViT

/// A labelled image folder in the usual "ImageFolder" layout: one subfolder per class,
/// named by the class, holding that class's images (nested folders included):
///
/// ```
/// DATA/cat/001.png   DATA/cat/more/002.jpg   DATA/dog/001.png   …
/// ```
///
/// Classes are the subfolder names in bytewise order; label `k` is `classes[k]`. Images
/// are the files with an image extension (`EmbeddingInputs.imageExtensions`), in the
/// batch embedding's order (bytewise by relative path). Other files (and files directly
/// in DATA) are not inputs; they are listed in `ignored` so the caller can say so.
public struct LabelledImageFolder: Sendable {
    /// The folder.
    public let root: URL
    /// Class names, in label order.
    public let classes: [String]
    /// The images, named `class/…` relative to `root`, ordered as the batch embedding orders them.
    public let inputs: EmbeddingInputs
    /// The label of each input.
    public let labels: [Int]
    /// Files that are not images by their extension, relative to `root`.
    public let ignored: [String]

    /// Scans `root`.
    /// - Throws: `LinearProbeError` when `root` is not a folder, has fewer than two class
    ///   folders, or a class folder has no images.
    public init(scanning root: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LinearProbeError("\(root.path): no such folder")
        }
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: root.path) } catch {
            throw LinearProbeError("\(root.path): cannot list the folder: \(error.localizedDescription)")
        }
        var classes: [String] = [], ignored: [String] = []
        for entry in entries.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) where !entry.hasPrefix(".") {
            var entryIsDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root.appendingPathComponent(entry).path, isDirectory: &entryIsDirectory)
            if entryIsDirectory.boolValue { classes.append(entry) } else { ignored.append(entry) }
        }
        guard !classes.isEmpty else {
            throw LinearProbeError("\(root.path): no class folders; expected one subfolder per class (DATA/CLASS/IMAGE)")
        }
        guard classes.count >= 2 else {
            throw LinearProbeError("\(root.path): only one class folder ('\(classes[0])'); a classifier needs at least two classes")
        }
        var names: [String] = [], labels: [Int] = []
        for (label, name) in classes.enumerated() {
            let folder = root.appendingPathComponent(name)
            let images = try EmbeddingInputs.directory(folder).names
            guard !images.isEmpty else {
                throw LinearProbeError("class folder '\(name)' (\(folder.path)) has no images "
                    + "(\(EmbeddingInputs.imageExtensions.sorted().joined(separator: ", ")))")
            }
            names += images.map { "\(name)/\($0)" }
            labels += [Int](repeating: label, count: images.count)
            if let walker = FileManager.default.enumerator(atPath: folder.path) {
                while let entry = walker.nextObject() as? String {
                    let url = folder.appendingPathComponent(entry)
                    guard !EmbeddingInputs.imageExtensions.contains(url.pathExtension.lowercased()) else { continue }
                    var entryIsDirectory: ObjCBool = false
                    if FileManager.default.fileExists(atPath: url.path, isDirectory: &entryIsDirectory), !entryIsDirectory.boolValue {
                        ignored.append("\(name)/\(entry)")
                    }
                }
            }
        }
        self.root = root
        self.classes = classes
        self.inputs = try EmbeddingInputs(names: names, root: root)
        self.labels = labels
        self.ignored = ignored
    }
}
