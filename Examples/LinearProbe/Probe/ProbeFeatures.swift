import Foundation
import InternViT
import Tensor

/// Pooled features of a list of images, made by the batch embedding
/// (`internvit embed --output-dir OUT --pooled`, then `internvit merge`) and read back
/// from the merged file: the probe never runs the model any other way.
public enum ProbeFeatures {
    /// Embeds `inputs` with `model` (pooler_output, one row per image) through
    /// `BatchEmbeddingJob` into a fresh temporary folder inside `directory`, merges the
    /// parts into `features` (`embeddings` `[n, D]` + the `.paths.txt` sidecar) with
    /// `EmbeddingMerge`, removes the temporary folder and returns the rows `[n, D]` in
    /// input order. Temporary folders left in `directory` by killed runs are removed first.
    /// - Throws: `LinearProbeError` listing the images that could not be embedded (none
    ///   is silently left out), or the embedding's own errors.
    public static func embed(_ inputs: EmbeddingInputs, model: InternVisionModel, preprocessing: InternViTPreprocessing,
                             features: URL, progress: (BatchEmbeddingProgress) -> Void = { _ in }) throws -> Tensor<Float> {
        let directory = features.deletingLastPathComponent()
        // A run killed while embedding leaves its temporary folder; the next run into the
        // same folder removes it (two runs into one output folder are not supported).
        for stale in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        where stale.hasPrefix(temporaryPrefix) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(stale))
        }
        let work = directory.appendingPathComponent(temporaryPrefix + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: work) }
        var options = BatchEmbeddingOptions()
        options.output = .pooled
        let job = try BatchEmbeddingJob(model: model, preprocessing: preprocessing, inputs: inputs,
                                        outputDirectory: work, options: options)
        let summary = try job.run(progress: progress)
        if summary.failed > 0 {
            let listed = summary.failures.prefix(5).map { "\($0.path): \($0.error)" }.joined(separator: "; ")
            throw LinearProbeError("\(summary.failed) of \(inputs.count) images could not be embedded (\(listed)"
                + (summary.failed > 5 ? "; …" : "") + "); fix or remove them")
        }
        _ = try EmbeddingMerge.merge(directory: work, output: features)
        return try read(features).features
    }

    /// Name prefix of the temporary embedding folder inside the output folder.
    public static let temporaryPrefix = ".linear-probe-embedding-"

    /// The rows of a merged pooled-features file and the path of each row (its sidecar).
    /// - Throws: `LinearProbeError` when the file is not a merged `--pooled` embedding
    ///   (`embeddings` `[n, D]`), has non-finite values, or its sidecar is missing or has
    ///   a different number of lines.
    public static func read(_ file: URL) throws -> (features: Tensor<Float>, paths: [String]) {
        let tensors: SafeTensorsFile
        do { tensors = try SafeTensorsFile(contentsOf: file, memoryMapped: false) } catch {
            throw LinearProbeError("\(file.path): cannot read the features: \(error)")
        }
        guard tensors.info(named: "embeddings") != nil else {
            throw LinearProbeError("\(file.path): no 'embeddings' tensor; expected the output of `internvit merge`")
        }
        let features = try tensors.tensor(named: "embeddings").toFloat()     // [n, D]
        guard features.rank == 2, features.shape[0] > 0, features.shape[1] > 0 else {
            throw LinearProbeError("\(file.path): embeddings are \(features.shape); a probe needs pooled features [n, D] "
                + "(`internvit embed --pooled`)")
        }
        if let row = firstNonFiniteRow(features) {
            throw LinearProbeError("\(file.path): row \(row) of the features is not finite (NaN or infinity)")
        }
        let pathsFile = EmbeddingMerge.pathsFile(for: file)
        let bytes: [UInt8]
        do { bytes = try InputFile.read(pathsFile.path, maximumBytes: 1 << 30, what: "paths file limit") } catch {
            throw LinearProbeError("\(pathsFile.path): cannot read the row paths beside \(file.lastPathComponent): \(error)")
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw LinearProbeError("\(pathsFile.path): not UTF-8 text") }
        let paths = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast(text.hasSuffix("\n") ? 1 : 0)
        guard paths.count == features.shape[0] else {
            throw LinearProbeError("\(pathsFile.path): \(paths.count) paths for \(features.shape[0]) feature rows")
        }
        return (features, Array(paths))
    }

    /// The first row with a NaN or infinity, if any.
    static func firstNonFiniteRow(_ features: Tensor<Float>) -> Int? {
        let width = features.shape[1]
        let values = features.contiguous().scalars
        return values.firstIndex { !$0.isFinite }.map { $0 / width }
    }
}

extension ProbeFeatures {
    /// The inputs of a prediction: image files as given, and every image in a folder
    /// (walked as the batch embedding walks it), named `folder/relative/path`.
    /// - Throws: `LinearProbeError` for a path that does not exist or a folder without images.
    public static func inputs(_ arguments: [String]) throws -> EmbeddingInputs {
        var names: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw LinearProbeError("\(argument): no such file or folder")
            }
            if isDirectory.boolValue {
                let found = try EmbeddingInputs.directory(URL(fileURLWithPath: argument)).names
                guard !found.isEmpty else { throw LinearProbeError("\(argument): no images in the folder") }
                names += found.map { (argument as NSString).appendingPathComponent($0) }
            } else {
                names.append(argument)
            }
        }
        return try EmbeddingInputs(names: names)
    }
}
