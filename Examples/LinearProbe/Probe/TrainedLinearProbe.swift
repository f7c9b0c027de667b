import Foundation
import Tensor

/// A trained linear probe: class names, the feature standardisation and the softmax
/// regression on top, saved as two files in a folder:
///
/// - `probe.safetensors`: `weight` float32 `[C, D]`, `bias` `[C]`;
/// - `probe.json`: `classes`, `feature_width`, `feature_mean` and `feature_std` (`[D]`
///   each, the training rows' statistics) and `training` (how it was trained and what
///   it scored, strings for people).
public struct TrainedLinearProbe: Sendable {
    /// Class names, in label order.
    public var classes: [String]
    /// Standardisation applied to features before the classifier.
    public var standardization: FeatureStandardization
    /// The classifier on standardised features.
    public var classifier: SoftmaxRegression
    /// Facts about the training (model, seed, l2, accuracies), saved for people to read.
    public var training: [String: String]

    /// Number of features the probe expects.
    public var width: Int { standardization.width }

    /// A probe from its parts (widths and class counts must agree).
    public init(classes: [String], standardization: FeatureStandardization, classifier: SoftmaxRegression,
                training: [String: String] = [:]) {
        precondition(classes.count == classifier.classCount && standardization.width == classifier.width, "probe parts disagree")
        self.classes = classes
        self.standardization = standardization
        self.classifier = classifier
        self.training = training
    }

    /// Class index and probabilities `[N, C]` for raw (unstandardised) features `[N, D]`.
    /// - Throws: `LinearProbeError` when the feature width is not the probe's.
    public func predict(_ features: Tensor<Float>) throws -> (labels: [Int], probabilities: Tensor<Float>) {
        guard features.rank == 2, features.shape[1] == width else {
            throw LinearProbeError("features are \(features.shape) but the probe was trained on \(width) features per image; "
                + "embed with the model the probe was trained with (\(training["model"] ?? "see probe.json"))")
        }
        let standardized = standardization.apply(features)                 // [N, D]
        return (classifier.predict(standardized), classifier.probabilities(standardized))
    }

    // MARK: Files

    /// File names inside a probe folder.
    public static let weightsFile = "probe.safetensors", descriptionFile = "probe.json"

    /// Makes sure `directory` is a folder this process can write (created if missing);
    /// called before any embedding work so that an unwritable output fails at once.
    /// - Throws: `LinearProbeError` when it is a file, cannot be created or is not writable.
    public static func prepareFolder(_ directory: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw LinearProbeError("\(directory.path): exists and is not a folder") }
        } else {
            do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
                throw LinearProbeError("\(directory.path): cannot create the probe folder: \(error.localizedDescription)")
            }
        }
        guard FileManager.default.isWritableFile(atPath: directory.path) else {
            throw LinearProbeError("\(directory.path): the probe folder is not writable")
        }
    }

    /// Writes the probe into `directory` (created if missing; each file written to a
    /// temporary and renamed into place, so an existing probe is never half-replaced).
    /// - Throws: `LinearProbeError` naming the path that cannot be created or written.
    public func save(to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw LinearProbeError("\(directory.path): cannot create the probe folder: \(error.localizedDescription)")
        }
        let weights: [(name: String, tensor: AnyTensor)] = [("weight", AnyTensor(classifier.weight)), ("bias", AnyTensor(classifier.bias))]
        func floats(_ values: [Float]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
        var json = "{\n  \"classes\": [" + classes.map(JSONValue.quoted).joined(separator: ", ") + "],\n"
        json += "  \"feature_width\": \(width),\n"
        json += "  \"feature_mean\": \(floats(standardization.mean)),\n"
        json += "  \"feature_std\": \(floats(standardization.std)),\n"
        json += "  \"training\": {" + training.keys.sorted().map { "\(JSONValue.quoted($0)): \(JSONValue.quoted(training[$0]!))" }
            .joined(separator: ", ") + "}\n}\n"
        do {
            try SafeTensorsWriter.write(weights, metadata: ["format": "pt", "producer": "linear-probe"],
                                        to: directory.appendingPathComponent(Self.weightsFile))
            try OutputFile.write(Data(json.utf8), to: directory.appendingPathComponent(Self.descriptionFile))
        } catch {
            throw LinearProbeError("cannot write the probe into \(directory.path): \(error)")
        }
    }

    /// Reads a probe folder written by `save(to:)`.
    /// - Throws: `LinearProbeError` naming the file and what is missing or inconsistent.
    public static func load(from directory: URL) throws -> TrainedLinearProbe {
        let jsonFile = directory.appendingPathComponent(descriptionFile)
        let json: JSONValue
        do { json = try JSONValue.parse(try InputFile.read(jsonFile.path, maximumBytes: 64 << 20, what: "probe.json limit")) } catch {
            throw LinearProbeError("\(jsonFile.path): cannot read the probe description: \(error)")
        }
        func numbers(_ key: String) throws -> [Float] {
            guard let values = json[key]?.arrayValue?.compactMap({ $0.doubleValue }), values.count == json[key]?.arrayValue?.count else {
                throw LinearProbeError("\(jsonFile.path): '\(key)' must be an array of numbers")
            }
            return values.map { Float($0) }
        }
        guard let classes = json["classes"]?.arrayValue?.compactMap(\.stringValue), classes.count == json["classes"]?.arrayValue?.count,
              classes.count >= 2 else {
            throw LinearProbeError("\(jsonFile.path): 'classes' must be an array of at least two names")
        }
        let mean = try numbers("feature_mean"), std = try numbers("feature_std")
        guard let width = json["feature_width"]?.intValue, width == mean.count, width == std.count,
              std.allSatisfy({ $0 > 0 && $0.isFinite }), mean.allSatisfy(\.isFinite) else {
            throw LinearProbeError("\(jsonFile.path): feature_width, feature_mean and feature_std disagree or are not valid")
        }
        let weightsURL = directory.appendingPathComponent(weightsFile)
        let weight: Tensor<Float>, bias: Tensor<Float>
        do {
            let file = try SafeTensorsFile(contentsOf: weightsURL, memoryMapped: false)
            weight = try file.tensor(named: "weight").toFloat()
            bias = try file.tensor(named: "bias").toFloat()
        } catch {
            throw LinearProbeError("\(weightsURL.path): cannot read the probe weights: \(error)")
        }
        guard weight.shape == [classes.count, width], bias.shape == [classes.count] else {
            throw LinearProbeError("\(weightsURL.path): weight \(weight.shape) and bias \(bias.shape) do not match "
                + "\(classes.count) classes of \(width) features in \(descriptionFile)")
        }
        var training: [String: String] = [:]
        for (key, value) in json["training"]?.objectPairs ?? [] { training[key] = value.stringValue }
        return TrainedLinearProbe(classes: classes, standardization: FeatureStandardization(mean: mean, std: std),
                                  classifier: SoftmaxRegression(weight: weight, bias: bias), training: training)
    }
}

/// Training a probe on labelled features: split, standardise, fit, evaluate.
public enum LinearProbeTraining {
    /// How to train.
    public struct Options: Sendable {
        /// Share of each class held out for evaluation.
        public var heldOutFraction = 0.2
        /// Seed of the split.
        public var seed: UInt64 = 0
        /// L2 penalty on the weights (on standardised features; 1e-3 at 1,000 rows is
        /// scikit-learn's default C = 1).
        public var l2: Float = 1e-3
        /// The solver.
        public var solver = LBFGS()
        /// Defaults as above.
        public init() {}
    }

    /// What training gave.
    public struct Outcome: Sendable {
        /// The probe (standardisation fitted on the training rows).
        public var probe: TrainedLinearProbe
        /// The split used.
        public var split: StratifiedSplit
        /// Scores on the training rows.
        public var train: ClassificationReport
        /// Scores on the held-out rows.
        public var heldOut: ClassificationReport
        /// The solver's report.
        public var fit: SoftmaxRegression.FitReport
    }

    /// Trains a probe on `features` `[N, D]` with `labels` (N of them, in 0..<classes.count).
    /// - Throws: `LinearProbeError` for fewer than two classes, a class with fewer than two
    ///   rows, mismatched counts or non-finite features.
    public static func train(features: Tensor<Float>, labels: [Int], classes: [String], options: Options = Options(),
                             training: [String: String] = [:]) throws -> Outcome {
        guard classes.count >= 2 else { throw LinearProbeError("a classifier needs at least two classes, got \(classes)") }
        guard features.rank == 2, features.shape[0] == labels.count else {
            throw LinearProbeError("features \(features.shape) for \(labels.count) labels")
        }
        guard labels.allSatisfy({ (0..<classes.count).contains($0) }) else { throw LinearProbeError("a label is outside 0..<\(classes.count)") }
        if let row = ProbeFeatures.firstNonFiniteRow(features) { throw LinearProbeError("row \(row) of the features is not finite") }
        let split = try StratifiedSplit(labels: labels, classCount: classes.count, heldOutFraction: options.heldOutFraction,
                                        seed: options.seed, classNames: classes)
        let trainFeatures = rows(features, split.train)                      // [Ntrain, D]
        let heldOutFeatures = rows(features, split.heldOut)                  // [Nheld, D]
        let standardization = FeatureStandardization(fitting: trainFeatures)
        let trainLabels = split.train.map { labels[$0] }, heldOutLabels = split.heldOut.map { labels[$0] }
        let (classifier, fit) = SoftmaxRegression.fit(features: standardization.apply(trainFeatures), labels: trainLabels,
                                                      classCount: classes.count, l2: options.l2, solver: options.solver)
        var probe = TrainedLinearProbe(classes: classes, standardization: standardization, classifier: classifier, training: training)
        let trainReport = ClassificationReport(classes: classes, truth: trainLabels, predicted: try probe.predict(trainFeatures).labels)
        let heldOutReport = ClassificationReport(classes: classes, truth: heldOutLabels, predicted: try probe.predict(heldOutFeatures).labels)
        probe.training.merge([
            "seed": "\(options.seed)", "l2": "\(options.l2)", "held_out_fraction": "\(options.heldOutFraction)",
            "train_rows": "\(split.train.count)", "held_out_rows": "\(split.heldOut.count)",
            "train_accuracy": String(format: "%.4f", trainReport.accuracy),
            "held_out_accuracy": String(format: "%.4f", heldOutReport.accuracy),
            "solver": "L-BFGS, \(fit.iterations) iterations, \(fit.stop.rawValue), loss \(fit.loss)",
        ]) { _, new in new }
        return Outcome(probe: probe, split: split, train: trainReport, heldOut: heldOutReport, fit: fit)
    }

    /// Rows `indices` of `features` `[N, D]`: `[indices.count, D]`.
    static func rows(_ features: Tensor<Float>, _ indices: [Int]) -> Tensor<Float> {
        let width = features.shape[1]
        let values = features.contiguous().scalars
        var out = [Float](); out.reserveCapacity(indices.count * width)
        for i in indices { out += values[(i * width)..<((i + 1) * width)] }
        return Tensor(out, shape: [indices.count, width])
    }
}
