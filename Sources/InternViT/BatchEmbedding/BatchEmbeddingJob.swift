import Foundation
import Imaging
import Tensor

/// What a batch embedding writes for each input.
public enum BatchEmbeddingOutput: Sendable, Equatable {
    /// `pooler_output`, the class token of the last layer: rows `[D]`.
    case pooled
    /// `last_hidden_state`: rows `[tokens, D]`.
    case lastHiddenState
    /// Layer `k`'s output (negative counts from the end): rows `[tokens, D]`.
    case layer(Int)

    /// The name recorded in manifests and merged files.
    public var name: String {
        switch self {
        case .pooled: return "pooler_output"
        case .lastHiddenState: return "last_hidden_state"
        case .layer(let k): return "hidden_state_layer_\(k)"
        }
    }
}

/// Settings of a batch embedding.
public struct BatchEmbeddingOptions: Sendable {
    public var output: BatchEmbeddingOutput = .pooled
    /// The share of the inputs this process embeds.
    public var shard: EmbeddingShard = .whole
    /// Continue the shard's manifest in the output directory instead of refusing to touch it.
    public var resume = false
    /// Most rows in one part file.
    public var rowsPerPart = 4096
    /// Most bytes of embeddings in one part file (and so in memory at once); a part has at
    /// least one row.
    public var bytesPerPart = 256 << 20
    /// Most decoded, preprocessed images waiting for the model.
    public var queueDepth = 4

    public init() {}
}

/// Where a batch embedding stands, reported after every input.
public struct BatchEmbeddingProgress: Sendable {
    /// Inputs of this shard finished in this run (embedded or failed).
    public var done: Int
    /// Inputs of this shard left to do when this run started.
    public var total: Int
    /// Inputs of this shard that failed in this run.
    public var failed: Int
    /// Inputs of this shard already recorded by an earlier run (`--resume`).
    public var resumed: Int
    /// Part files committed in this run.
    public var partsWritten: Int
    /// Seconds since the run started.
    public var elapsed: Double
}

/// How a batch embedding ended.
public struct BatchEmbeddingSummary: Sendable {
    /// Inputs embedded in this run.
    public var embedded: Int
    /// Inputs that failed in this run.
    public var failed: Int
    /// The first `BatchEmbeddingSummary.keptFailures` of them, with their messages (path, error);
    /// the manifest has them all.
    public var failures: [(path: String, error: String)]
    /// How many failure messages a summary keeps in memory.
    public static let keptFailures = 100
    /// Inputs of this shard recorded by an earlier run and skipped.
    public var resumed: Int
    /// Whether the run stopped early (`shouldStop`) after committing its current part.
    public var interrupted: Bool
    /// Inputs of this shard that failed in any run (recorded in the manifest).
    public var failedInManifest: Int
}

/// Embeds a list of images into part files plus a manifest in an output directory, with
/// memory bounded whatever the number of images:
///
/// ```
/// inputs (ordered) ─▶ producer thread: decode + preprocess ─▶ bounded queue (queueDepth)
///                  ─▶ model forward, one image at a time ─▶ rows of the current part
///                  ─▶ part-…safetensors written and renamed ─▶ manifest group appended
/// ```
///
/// One image per forward keeps every row's bits independent of which other images a
/// process sees, so sharded and unsharded runs give identical bytes. The on-disk layout
/// is the contract in `Docs/Scaling.md`; `EmbeddingMerge` joins the shards.
public final class BatchEmbeddingJob {
    public let model: InternVisionModel
    public let preprocessing: InternViTPreprocessing
    public let inputs: EmbeddingInputs
    public let outputDirectory: URL
    public let options: BatchEmbeddingOptions

    /// - Throws: for dynamic tiling (a batch output has one row per image) or bad options.
    public init(model: InternVisionModel, preprocessing: InternViTPreprocessing, inputs: EmbeddingInputs,
                outputDirectory: URL, options: BatchEmbeddingOptions) throws {
        if case .dynamic = preprocessing {
            throw BatchEmbeddingError("batch embedding writes one row per image: dynamic tiling is not supported")
        }
        guard options.rowsPerPart >= 1, options.bytesPerPart >= 1, options.queueDepth >= 1 else {
            throw BatchEmbeddingError("rows per part, bytes per part and queue depth must be at least 1")
        }
        if case .layer(let k) = options.output {
            let count = model.config.numHiddenLayers
            guard k < count && k >= -count else { throw BatchEmbeddingError("layer \(k) is out of range for \(count) layers") }
        }
        self.model = model
        self.preprocessing = preprocessing
        self.inputs = inputs
        self.outputDirectory = outputDirectory
        self.options = options
    }

    var header: EmbeddingManifest.Header {
        EmbeddingManifest.Header(shard: options.shard, inputCount: inputs.count,
                                 inputsFingerprint: inputs.fingerprint, output: options.output.name)
    }

    /// Runs the shard to the end, or until `shouldStop` returns true (checked after every
    /// image; the rows done so far are committed as a last part first).
    /// - Throws: `BatchEmbeddingError` when the output directory cannot be used or written.
    ///   A failing image is recorded and skipped, never thrown.
    public func run(shouldStop: () -> Bool = { false },
                    progress: (BatchEmbeddingProgress) -> Void = { _ in }) throws -> BatchEmbeddingSummary {
        let start = Date()
        var state = try openOutput()
        let done = Set(state.manifest.records.map(\.index))
        let pending = (0..<inputs.count).filter { options.shard.owns($0) && !done.contains($0) }
        var report = BatchEmbeddingProgress(done: 0, total: pending.count, failed: 0, resumed: done.count,
                                            partsWritten: 0, elapsed: 0)
        var summary = BatchEmbeddingSummary(embedded: 0, failed: 0, failures: [], resumed: done.count, interrupted: false,
                                            failedInManifest: state.manifest.records.filter { $0.error != nil }.count)
        state.manifest.records = []          // only `done` is needed from here on

        let queue = BoundedQueue<DecodedInput>(capacity: options.queueDepth)
        let producerDone = DispatchSemaphore(value: 0)
        let producer = Thread { [inputs, preprocessing] in
            for index in pending {
                if queue.isCancelled { break }
                let item: DecodedInput
                do {
                    item = DecodedInput(index: index, pixels: try Self.pixelValues(inputs.file(index), preprocessing), error: nil)
                } catch {
                    item = DecodedInput(index: index, pixels: nil, error: "\(error)")
                }
                if !queue.put(item) { break }
            }
            queue.finish()
            producerDone.signal()
        }
        producer.stackSize = 8 << 20
        producer.start()
        defer {
            queue.cancel()
            producerDone.wait()
        }

        var part = PartBuffer()
        while let item = queue.take() {
            let name = inputs.names[item.index]
            if let pixels = item.pixels {
                let row = forward(pixels)                                           // [D] or [tokens, D]
                if part.rowShape == nil { part.rowShape = row.shape }
                if row.shape == part.rowShape {
                    part.append(row, index: item.index, name: name)
                    summary.embedded += 1
                } else {
                    fail("\(name): features \(row.shape) differ from the other images' \(part.rowShape!)")
                }
            } else {
                fail(item.error ?? "unknown error")
            }
            func fail(_ message: String) {
                part.records.append(.init(index: item.index, path: name, error: message, part: nil, row: 0))
                summary.failed += 1
                if summary.failures.count < BatchEmbeddingSummary.keptFailures { summary.failures.append((name, message)) }
                report.failed += 1
            }
            report.done += 1
            let stopping = shouldStop()
            if part.rowCount >= rowLimit(part) || stopping {
                try commit(&part, state: &state)
                report.partsWritten += 1
            }
            report.elapsed = Date().timeIntervalSince(start)
            progress(report)
            if stopping && report.done < report.total {
                summary.interrupted = true
                break
            }
        }
        if !part.records.isEmpty { try commit(&part, state: &state) }
        summary.failedInManifest += summary.failed
        return summary
    }

    /// The row for one image: `[D]` pooled, else `[tokens, D]`.
    func forward(_ pixels: Tensor<Float>) -> Tensor<Float> {
        switch options.output {
        case .pooled:
            return model.forward(pixels).poolerOutput.reshaped([model.config.hiddenSize])      // [D]
        case .lastHiddenState:
            let states = model.forward(pixels).lastHiddenState                                    // [1, N, D]
            return states.reshaped(Array(states.shape.dropFirst()))                               // [N, D]
        case .layer(let k):
            let states = model.forward(pixels, stopAfterLayer: k).lastHiddenState                 // [1, N, D]
            return states.reshaped(Array(states.shape.dropFirst()))                               // [N, D]
        }
    }

    /// Decodes and preprocesses one input (on the producer thread): `[1, 3, H, W]`.
    static func pixelValues(_ file: URL, _ preprocessing: InternViTPreprocessing) throws -> Tensor<Float> {
        let resolved = file.resolvingSymlinksInPath()
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: resolved.path) } catch {
            throw BatchEmbeddingError("\(file.path): no such file")
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
            throw BatchEmbeddingError("\(file.path): not a regular file")
        }
        let image = try ImageDecoder.decode(contentsOf: file).image
        let pixels = try preprocessing.pixelValues(image)                                     // [1, 3, H, W]
        guard pixels.shape.first == 1 else { throw BatchEmbeddingError("\(file.path): preprocessing gave \(pixels.shape[0]) tiles") }
        return pixels
    }

    private func rowLimit(_ part: PartBuffer) -> Int {
        guard let shape = part.rowShape else { return options.rowsPerPart }
        let rowBytes = Swift.max(1, shape.reduce(1, *) * MemoryLayout<Float>.size)
        return Swift.max(1, Swift.min(options.rowsPerPart, options.bytesPerPart / rowBytes))
    }

    // MARK: - Output directory

    struct OutputState {
        var manifest: EmbeddingManifest
        var appender: ManifestAppender
    }

    /// Creates or (with `resume`) reopens this shard's manifest, and removes this shard's
    /// part files that no committed group names (left by a killed run).
    func openOutput() throws -> OutputState {
        do {
            try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw BatchEmbeddingError("\(outputDirectory.path): cannot create the output directory: \(error.localizedDescription)")
        }
        let url = outputDirectory.appendingPathComponent(EmbeddingManifest.fileName(options.shard))
        let state: OutputState
        if FileManager.default.fileExists(atPath: url.path) {
            guard options.resume else {
                throw BatchEmbeddingError("\(url.path) exists: pass --resume to continue shard \(options.shard), or use another output directory")
            }
            let manifest = try EmbeddingManifest.read(url)
            guard manifest.header == header else {
                throw BatchEmbeddingError("\(url.path) belongs to another job (\(manifest.header.inputCount) inputs, fingerprint "
                    + "\(manifest.header.inputsFingerprint), output \(manifest.header.output)); this one has \(inputs.count) inputs, "
                    + "fingerprint \(inputs.fingerprint), output \(options.output.name)")
            }
            state = OutputState(manifest: manifest, appender: try ManifestAppender(url: url, truncatingTo: manifest.committedLength))
        } else {
            let appender = try ManifestAppender.create(url: url, header: header)
            state = OutputState(manifest: EmbeddingManifest(header: header, records: [], commits: [], committedLength: 0),
                                appender: appender)
        }
        try removeUncommittedParts(keeping: Set(state.manifest.commits.compactMap { $0 }))
        return state
    }

    private func removeUncommittedParts(keeping committed: Set<String>) throws {
        let prefix = "part-\(options.shard.fileTag)-"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: outputDirectory.path)) ?? []
        for entry in entries where (entry.hasPrefix(prefix) || entry.hasPrefix("." + prefix)) && !committed.contains(entry) {
            try? FileManager.default.removeItem(at: outputDirectory.appendingPathComponent(entry))
        }
    }

    /// Writes the buffered rows as the next part file, then appends its manifest group.
    private func commit(_ part: inout PartBuffer, state: inout OutputState) throws {
        let sequence = state.manifest.commits.count
        var name: String?
        if part.rowCount > 0, let rowShape = part.rowShape {
            let partName = EmbeddingManifest.partName(options.shard, sequence: sequence)
            let embeddings = Tensor<Float>(part.values, shape: [part.rowCount] + rowShape)   // [rows, ...]
            let indices = Tensor<Int64>(part.indices, shape: [part.rowCount])              // [rows]
            do {
                try SafeTensorsWriter.write([("embeddings", AnyTensor(embeddings)), ("indices", AnyTensor(indices))],
                                            metadata: ["format": "pt", "producer": "internvit embed",
                                                       "shard": options.shard.description, "output": options.output.name],
                                            to: outputDirectory.appendingPathComponent(partName))
            } catch {
                throw BatchEmbeddingError("\(outputDirectory.appendingPathComponent(partName).path): cannot write: \(error)")
            }
            name = partName
        }
        var records = part.records
        for i in records.indices where records[i].error == nil { records[i].part = name }
        try state.appender.append(EmbeddingManifest.groupLines(records, sequence: sequence, part: name))
        state.manifest.commits.append(name)      // the records live in the file only: memory stays flat
        part = PartBuffer(rowShape: part.rowShape)
    }
}

/// One decoded input on its way from the producer to the model.
struct DecodedInput: @unchecked Sendable {
    let index: Int
    let pixels: Tensor<Float>?       // [1, 3, H, W]
    let error: String?
}

/// The rows of the part being filled, in memory until committed.
struct PartBuffer {
    var rowShape: [Int]?
    var values: [Float] = []         // [rows × row elements]
    var indices: [Int64] = []        // [rows]
    var records: [EmbeddingManifest.Record] = []
    var rowCount: Int { indices.count }

    init(rowShape: [Int]? = nil) { self.rowShape = rowShape }

    mutating func append(_ row: Tensor<Float>, index: Int, name: String) {
        records.append(.init(index: index, path: name, error: nil, part: nil, row: rowCount))
        values += row.contiguous().scalars
        indices.append(Int64(index))
    }
}
