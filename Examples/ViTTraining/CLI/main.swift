// vit-train: trains a toy InternViT on scikit-learn's 8×8 digits with the Autograd and NN
// training pieces, or predicts digits with a saved one through the inference path
// (Docs/Training.md).
import DigitsTraining
import Foundation
import Imaging
import Tensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let help = """
    vit-train — train a small InternViT on scikit-learn's 8×8 digits, or predict with one

    usage:
      vit-train --data PATH --seed S --output DIR [--epochs N] [recipe options]
      vit-train --predict DIR --data PATH --output FILE
      vit-train --help

    Training reads PATH (digits.csv.gz from Scripts/fetch_digits.sh, or plain CSV: 65
    comma-separated fields per line, 64 pixels 0…16 and a label 0…9), trains on rows
    0…1436 and reports held-out accuracy on rows 1437…1796 after each epoch (a progress
    bar on stderr when it is a terminal). DIR receives config.json (InternViT layout),
    model.safetensors (InternViT keys: `internvit inspect --model DIR` reads it),
    head.safetensors (the classifier) and loss.png. Default 200 epochs; the same seed gives
    the same model bytes.

    Recipe options (defaults in parentheses are the tested recipe; see Docs/Training.md):
      --width N (96)  --depth N (4)  --heads N (6)  --batch-size N (64)
      --learning-rate X (2e-3)  --weight-decay X (0.05)  --label-smoothing X (0.1)
      --drop-path X (0.1)  --rotation DEGREES (10)  --scale X (0.1)  --shift PIXELS (1)
      --average-decay X (0.998; 0 turns off the moving average of the weights, which is
        what is evaluated and saved)

    Prediction loads DIR through the inference path and writes FILE with one predicted
    digit per input line, in order. Each line needs 64 pixels; a 65th field (a label,
    blanked or not) is ignored whatever it holds, so 64- and 65-column lines, with or
    without labels, are all accepted. FILE may be /dev/stdout.
    """

/// Writes `text` with write(2): a closed pipe or a full disk gives false instead of a trap.
@discardableResult
func emit(_ text: String, to descriptor: Int32) -> Bool {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
        if written < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += written
    }
    return true
}

func parseOptions(_ arguments: [String]) throws -> [String: String] {
    var options: [String: String] = [:]
    var rest = arguments[...]
    while let flag = rest.popFirst() {
        if flag == "--help" || flag == "-h" { options["--help"] = ""; continue }
        guard ["--data", "--seed", "--output", "--epochs", "--predict"].contains(flag) || RecipeFlags.all[flag] != nil else {
            throw TrainingError("unknown argument '\(flag)' (see vit-train --help)")
        }
        guard let value = rest.popFirst() else { throw TrainingError("\(flag) needs a value (see vit-train --help)") }
        guard options[flag] == nil else { throw TrainingError("\(flag) given twice") }
        options[flag] = value
    }
    return options
}

/// Recipe options: flag → (what it sets, its range).
enum RecipeFlags {
    static let all: [String: (apply: @Sendable (inout TrainingRecipe, Double) -> Void, range: ClosedRange<Double>, integer: Bool)] = [
    "--width": ({ $0.width = Int($1) }, 4...1024, true),
    "--depth": ({ $0.depth = Int($1) }, 1...64, true),
    "--heads": ({ $0.heads = Int($1) }, 1...64, true),
    "--batch-size": ({ $0.batchSize = Int($1) }, 1...1437, true),
    "--learning-rate": ({ $0.peakLearningRate = Float($1) }, 1e-6...1, false),
    "--weight-decay": ({ $0.weightDecay = Float($1) }, 0...10, false),
    "--label-smoothing": ({ $0.labelSmoothing = Float($1) }, 0...0.99, false),
    "--drop-path": ({ $0.dropPath = Float($1) }, 0...0.9, false),
    "--rotation": ({ $0.augmentation.rotation = Float($1) }, 0...180, false),
    "--scale": ({ $0.augmentation.scale = Float($1) }, 0...0.9, false),
    "--shift": ({ $0.augmentation.shift = Float($1) }, 0...4, false),
    "--average-decay": ({ $0.averageDecay = Float($1) }, 0...0.99999, false),
    ]
}

func trainCommand(_ options: [String: String]) throws {
    guard let dataPath = options["--data"], let seedText = options["--seed"], let output = options["--output"] else {
        throw TrainingError("training needs --data, --seed and --output (see vit-train --help)")
    }
    guard let seed = UInt64(seedText) else { throw TrainingError("--seed '\(seedText)' is not a non-negative integer") }
    var recipe = TrainingRecipe()
    if let text = options["--epochs"] {
        guard let n = Int(text), (1...10_000).contains(n) else { throw TrainingError("--epochs '\(text)' is not in 1…10000") }
        recipe.epochs = n
    }
    for (flag, text) in options.sorted(by: { $0.key < $1.key }) {
        guard let setting = RecipeFlags.all[flag] else { continue }
        guard let value = Double(text), setting.range.contains(value), !setting.integer || value == value.rounded() else {
            throw TrainingError("\(flag) '\(text)' is not \(setting.integer ? "an integer" : "a number") in \(setting.range)")
        }
        setting.apply(&recipe, value)
    }
    guard recipe.width % recipe.heads == 0 else {
        throw TrainingError("--width \(recipe.width) is not divisible by --heads \(recipe.heads)")
    }
    let all = try DigitsData.load(dataPath, requireLabels: true)
    guard all.count >= 1797 else {
        throw TrainingError("\(dataPath): \(all.count) rows, expected 1797 (rows 0…1436 train, 1437…1796 held out)")
    }
    let outputURL = try prepareOutputFolder(output)
    let started = Date()
    let isTerminal = isatty(STDERR_FILENO) != 0
    var accuracies: [Double] = []
    let (model, losses) = try DigitsTrainer.train(
        all.rows(0..<1437), heldOut: all.rows(1437..<1797), seed: seed, recipe: recipe,
        progress: { step, steps in
            guard isTerminal else { return }
            let done = step * 30 / steps
            emit("\r  [\(String(repeating: "#", count: done))\(String(repeating: ".", count: 30 - done))] \(step)/\(steps)", to: 2)
        },
        epochDone: { report in
            if isTerminal { emit("\r\u{1B}[K", to: 2) }
            accuracies.append(report.heldOutAccuracy ?? 0)
            var line = String(format: "epoch %3d/%d  loss %.4f  train acc %.2f%%  held-out acc %.2f%%",
                              report.epoch, recipe.epochs, report.loss, 100 * report.trainAccuracy,
                              100 * (report.heldOutAccuracy ?? 0))
            if let raw = report.rawHeldOutAccuracy { line += String(format: " (raw weights %.2f%%)", 100 * raw) }
            line += String(format: "  %.2f s", report.seconds)
            guard emit(line + "\n", to: 1) else { throw TrainingError("cannot write to standard output") }
        })
    try model.save(to: outputURL)
    let chart = LossCurve.image(losses: losses, epochs: recipe.epochs, accuracies: accuracies)
    do { try PNGWriter.write(chart, to: outputURL.appendingPathComponent("loss.png")) } catch {
        throw TrainingError("cannot write \(output)/loss.png: \(error)")
    }
    emit(String(format: "held-out accuracy %.2f%% (rows 1437…1796), %.1f s; wrote %@/config.json, model.safetensors, head.safetensors, loss.png\n",
                100 * (accuracies.last ?? 0), Date().timeIntervalSince(started), output), to: 1)
}

func predictCommand(_ options: [String: String]) throws {
    guard let modelPath = options["--predict"], let dataPath = options["--data"], let output = options["--output"] else {
        throw TrainingError("prediction needs --predict DIR, --data PATH and --output FILE (see vit-train --help)")
    }
    guard options["--seed"] == nil, options["--epochs"] == nil, !options.keys.contains(where: { RecipeFlags.all[$0] != nil }) else {
        throw TrainingError("--seed, --epochs and the recipe options are for training")
    }
    let model = try DigitsClassifier.load(URL(fileURLWithPath: modelPath))
    let data = try DigitsData.load(dataPath, requireLabels: false)
    let text = model.predict(data).map(String.init).joined(separator: "\n") + "\n"
    do { try OutputFile.write(Data(text.utf8), to: URL(fileURLWithPath: output)) } catch {
        throw TrainingError("cannot write \(output): \(error)")
    }
}

signal(SIGPIPE, SIG_IGN)
do {
    let options = try parseOptions(Array(CommandLine.arguments.dropFirst()))
    if options["--help"] != nil {
        guard emit(help + "\n", to: 1) else { throw TrainingError("cannot write the help to standard output") }
    } else if options["--predict"] != nil {
        try predictCommand(options)
    } else {
        try trainCommand(options)
    }
} catch {
    emit("vit-train: \(error)\n", to: 2)
    exit(1)
}
