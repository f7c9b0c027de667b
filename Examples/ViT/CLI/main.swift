// vit-classify IMAGE --model DIR [--output logits.npy]: top-5 labels of a Hugging Face
// ViTForImageClassification checkpoint.
import Foundation
import Imaging
import Tensor
import ViTClassifier

let usage = "usage: vit-classify IMAGE --model DIR [--output logits.npy]"
var arguments = Array(CommandLine.arguments.dropFirst())
var model: String?, output: String?, image: String?
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--model" where !arguments.isEmpty: model = arguments.removeFirst()
    case "--output" where !arguments.isEmpty: output = arguments.removeFirst()
    case "-h", "--help": print(usage); exit(0)
    default:
        if argument.hasPrefix("-") || image != nil {
            try? FileHandle.standardError.write(contentsOf: Data("vit-classify: unexpected argument '\(argument)'\n\(usage)\n".utf8))
            exit(2)
        }
        image = argument
    }
}
guard let image, let model else {
    try? FileHandle.standardError.write(contentsOf: Data("\(usage)\n".utf8))
    exit(2)
}
do {
    let classifier = try ViTCheckpoint.load(URL(fileURLWithPath: model))
    let picture = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: image)).image
    let logits = classifier.model(classifier.processor(picture))            // [1, labels]
    let probabilities = logits.softmax(axis: -1).scalars
    for (index, p) in probabilities.enumerated().sorted(by: { $0.element > $1.element }).prefix(5) {
        print(String(format: "%6.2f%%  %@", Double(p) * 100, classifier.model.config.labels[index]))
    }
    if let output { try NPY.write(logits, to: URL(fileURLWithPath: output)) }
} catch {
    try? FileHandle.standardError.write(contentsOf: Data("vit-classify: \(error)\n".utf8))
    exit(1)
}
