// minilm-embed --model DIR [--output FILE.npy] [--similarity] "sentence" ...
// Sentence embeddings with sentence-transformers/all-MiniLM-L6-v2.
import Foundation
import MiniLM
import Tensor

let usage = """
    usage: minilm-embed --model DIR [--output FILE.npy] [--similarity] [--bench N] "sentence" ...
      --bench N   embed the sentences as one batch N times and report the best time
    """
var arguments = Array(CommandLine.arguments.dropFirst())
var model: String?, output: String?, similarity = false, sentences: [String] = [], benchRuns = 0
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--model" where !arguments.isEmpty: model = arguments.removeFirst()
    case "--output" where !arguments.isEmpty: output = arguments.removeFirst()
    case "--similarity": similarity = true
    case "--bench" where !arguments.isEmpty:
        guard let n = Int(arguments.removeFirst()), n > 0 else {
            try? FileHandle.standardError.write(contentsOf: Data("minilm-embed: --bench needs a positive count\n".utf8))
            exit(2)
        }
        benchRuns = n
    case "-h", "--help": print(usage); exit(0)
    default:
        if argument.hasPrefix("--") {
            try? FileHandle.standardError.write(contentsOf: Data("minilm-embed: unknown option '\(argument)'\n\(usage)\n".utf8))
            exit(2)
        }
        sentences.append(argument)
    }
}
guard let model, !sentences.isEmpty else {
    try? FileHandle.standardError.write(contentsOf: Data("\(usage)\n".utf8))
    exit(2)
}
do {
    let embedder = try SentenceEmbedder.load(URL(fileURLWithPath: model))
    let embeddings = embedder.embed(sentences)                            // [n, 384]
    if benchRuns > 0 {
        var best = Double.infinity
        for _ in 0..<benchRuns {
            let start = DispatchTime.now().uptimeNanoseconds
            let e = embedder.embed(sentences)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            precondition(e.count > 0)
        }
        print(String(format: "%d sentences, %d threads: best %.1f ms = %.0f sentences/s", sentences.count,
                     ComputeThreads.count, best * 1e3, Double(sentences.count) / best))
    }
    if similarity {
        let cosine = embeddings.matmul(embeddings.transposed())           // [n, n]
        for i in 0..<sentences.count {
            print((0..<sentences.count).map { String(format: "%.4f", cosine[i, $0]) }.joined(separator: " "))
        }
    } else if output == nil {
        for (i, sentence) in sentences.enumerated() {
            let row = embeddings.selecting(axis: 0, index: i).scalars.prefix(6).map { String(format: "%.4f", $0) }
            print("\(sentence.prefix(40)): [\(row.joined(separator: ", ")), …]")
        }
    }
    if let output { try NPY.write(embeddings, to: URL(fileURLWithPath: output)) }
} catch {
    try? FileHandle.standardError.write(contentsOf: Data("minilm-embed: \(error)\n".utf8))
    exit(1)
}
