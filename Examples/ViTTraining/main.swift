// vit-train: trains a toy ViT on scikit-learn's digits with the Autograd target, or
// predicts with a saved one (Docs/Training.md).
//
//   vit-train --data PATH --seed S --output DIR [--epochs N]
//   vit-train --predict DIR --data PATH --output FILE
import Autograd
import Foundation
import Imaging
import Tensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `text` to a descriptor with write(2): a closed pipe or a full disk returns false
/// instead of trapping as `FileHandle.write` does. SIGPIPE is ignored at start-up.
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
signal(SIGPIPE, SIG_IGN)

let usage = """
    usage: vit-train --data PATH --seed S --output DIR [--epochs N]
           vit-train --predict DIR --data PATH --output FILE
    """

func parseOptions(_ arguments: [String]) throws -> [String: String] {
    var options: [String: String] = [:]
    var rest = arguments[...]
    while let flag = rest.popFirst() {
        guard ["--data", "--seed", "--output", "--epochs", "--predict"].contains(flag) else {
            throw TrainingError("unknown argument '\(flag)'\n\(usage)")
        }
        guard let value = rest.popFirst() else { throw TrainingError("\(flag) needs a value\n\(usage)") }
        options[flag] = value
    }
    return options
}

/// Predicted classes of `data` in batches.
func predict(_ model: DigitsViT, _ data: DigitsData) -> [Int] {
    var predictions: [Int] = []
    for start in stride(from: 0, to: data.count, by: 256) {
        let end = min(start + 256, data.count)
        let logits = model.logits(Tensor(Array(data.pixels[(start * 64)..<(end * 64)]), shape: [end - start, 64])).value // [b, 10]
        predictions += logits.argmax(axis: -1).scalars.map { Int($0) }
    }
    return predictions
}

/// Writes `data` to `url` (a new file or replacing one), with a clear error.
func writeFile(_ data: Data, to url: URL) throws {
    do { try data.write(to: url, options: .atomic) } catch {
        throw TrainingError("cannot write \(url.path): \(error.localizedDescription)")
    }
}

/// A 600×300 loss curve: one dark dot per step, scaled to the largest loss.
func lossCurve(_ losses: [Float]) -> RGBImage {
    let width = 600, height = 300
    var pixels = [UInt8](repeating: 255, count: width * height * 3)
    let top = max(losses.max() ?? 1, 1e-6)
    for (step, loss) in losses.enumerated() {
        let x = losses.count > 1 ? step * (width - 1) / (losses.count - 1) : 0
        let y = height - 1 - min(height - 1, Int(Float(height - 1) * max(loss, 0) / top))
        for dy in -1...1 where (0..<height).contains(y + dy) {
            let offset = ((y + dy) * width + x) * 3
            pixels[offset] = 20; pixels[offset + 1] = 60; pixels[offset + 2] = 160
        }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

func train(_ options: [String: String]) throws {
    guard let dataPath = options["--data"], let seedText = options["--seed"], let output = options["--output"] else {
        throw TrainingError("training needs --data, --seed and --output\n\(usage)")
    }
    guard let seed = UInt64(seedText) else { throw TrainingError("--seed '\(seedText)' is not a non-negative integer") }
    let epochs = try options["--epochs"].map { text -> Int in
        guard let n = Int(text), (1...1000).contains(n) else { throw TrainingError("--epochs '\(text)' is not in 1…1000") }
        return n
    } ?? 40
    let all = try DigitsData.load(dataPath, requireLabels: true)
    guard all.count >= 1797 else { throw TrainingError("\(dataPath): \(all.count) rows, expected 1797") }
    let trainSet = all.rows(0..<1437), heldOut = all.rows(1437..<1797)
    let outputURL = URL(fileURLWithPath: output)
    do { try FileManager.default.createDirectory(at: outputURL, withIntermediateDirectories: true) } catch {
        throw TrainingError("cannot create output directory \(output): \(error.localizedDescription)")
    }

    var model = DigitsViT(seed: seed)
    var optimizer = AdamW(weightDecay: 0.05)
    let batchSize = 64
    let stepsPerEpoch = (trainSet.count + batchSize - 1) / batchSize
    let schedule = WarmupCosineSchedule(peak: 3e-3, minimum: 1e-5, warmupSteps: stepsPerEpoch * 2, totalSteps: stepsPerEpoch * epochs)
    var generator = SeededGenerator(seed: seed)
    var losses: [Float] = []
    var step = 0
    let isTTY = isatty(STDERR_FILENO) != 0
    for epoch in 1...epochs {
        let started = Date()
        var order = Array(0..<trainSet.count)
        order.shuffle(using: &generator)
        var epochLoss = 0.0, correct = 0
        for batchStart in stride(from: 0, to: order.count, by: batchSize) {
            let rows = order[batchStart..<min(batchStart + batchSize, order.count)]
            let images = Tensor(rows.flatMap { trainSet.pixels[($0 * 64)..<($0 * 64 + 64)] }, shape: [rows.count, 64]) // [B, 64]
            let labels = rows.map { trainSet.labels[$0] }
            let logits = model.logits(images) // [B, 10]
            let loss = logits.crossEntropy(labels: labels)
            loss.backward()
            GradientClipping.clipByGlobalNorm(model.parameters, maxNorm: 1)
            optimizer.step(&model.parameters, learningRate: schedule.learningRate(at: step))
            step += 1
            losses.append(loss.value.item)
            epochLoss += Double(loss.value.item) * Double(rows.count)
            correct += zip(logits.value.argmax(axis: -1).scalars, labels).filter { Int($0) == $1 }.count
            if isTTY {
                let done = (batchStart / batchSize + 1) * 30 / stepsPerEpoch
                emit("\r  [\(String(repeating: "#", count: done))\(String(repeating: ".", count: 30 - done))]", to: 2)
            }
        }
        if isTTY { emit("\r", to: 2) }
        let predictions = predict(model, heldOut)
        let heldOutAccuracy = Double(zip(predictions, heldOut.labels).filter { $0 == $1 }.count) / Double(heldOut.count)
        let line = String(format: "epoch %3d  loss %.4f  train acc %.2f%%  held-out acc %.2f%%  %.2f s", epoch,
                     epochLoss / Double(trainSet.count), 100 * Double(correct) / Double(trainSet.count),
                     100 * heldOutAccuracy, Date().timeIntervalSince(started))
        guard emit(line + "\n", to: 1) else { throw TrainingError("cannot write to standard output") }   // unbuffered: one line per epoch
    }
    let tensors = model.parameters.map { (name: $0.path, tensor: AnyTensor.float32($0.variable.value.contiguous())) }
    do { try writeFile(try SafeTensorsWriter.encode(tensors), to: outputURL.appendingPathComponent("model.safetensors")) }
    let config = """
        {"model_type": "digits_vit", "image_size": 8, "patch_size": \(DigitsViT.patch), "hidden_size": \(DigitsViT.width), \
        "num_attention_heads": \(DigitsViT.heads), "num_hidden_layers": \(DigitsViT.depth), \
        "intermediate_size": \(DigitsViT.hidden), "num_labels": \(DigitsViT.classes), "seed": \(seed), "epochs": \(epochs)}

        """
    try writeFile(Data(config.utf8), to: outputURL.appendingPathComponent("config.json"))
    try writeFile(Data(PNGWriter.encode(lossCurve(losses))), to: outputURL.appendingPathComponent("loss.png"))
    print("wrote \(output)/model.safetensors, config.json, loss.png")
}

func predictCommand(_ options: [String: String]) throws {
    guard let modelPath = options["--predict"], let dataPath = options["--data"], let output = options["--output"] else {
        throw TrainingError("prediction needs --predict, --data and --output\n\(usage)")
    }
    let file: SafeTensorsFile
    do { file = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: modelPath).appendingPathComponent("model.safetensors")) } catch {
        throw TrainingError("cannot read \(modelPath)/model.safetensors: \(error)")
    }
    var model = DigitsViT(seed: 0)
    for index in model.parameters.indices {
        let path = model.parameters[index].path
        guard file.info(named: path) != nil else { throw TrainingError("\(modelPath)/model.safetensors has no tensor \(path)") }
        let value = try file.tensor(named: path).toFloat()
        guard value.shape == model.parameters[index].variable.shape else {
            throw TrainingError("\(path) has shape \(value.shape), expected \(model.parameters[index].variable.shape)")
        }
        model.parameters[index] = TrainedParameter(path: path, value: value)
    }
    let data = try DigitsData.load(dataPath, requireLabels: false)
    let lines = predict(model, data).map(String.init).joined(separator: "\n") + "\n"
    try writeFile(Data(lines.utf8), to: URL(fileURLWithPath: output))
}

do {
    let options = try parseOptions(Array(CommandLine.arguments.dropFirst()))
    if options["--predict"] != nil { try predictCommand(options) } else { try train(options) }
} catch {
    emit("vit-train: \(error)\n", to: 2)
    exit(1)
}
