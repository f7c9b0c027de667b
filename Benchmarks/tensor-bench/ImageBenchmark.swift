import Foundation
import Imaging
import Tensor

/// Decoding a large JPEG and running InternViT's CLIP preprocessing, beside Pillow doing
/// the same in the same run (Scripts/bench_pil_preprocess.py).
enum ImageBenchmark {
    static func run(arguments: [String]) {
        guard let path = arguments.first else {
            print("usage: tensor-bench image IMAGE.jpg   (e.g. a 4000x3000 photo)")
            return
        }
        let url = URL(fileURLWithPath: path)
        guard let data = try? Data(contentsOf: url), let decoded = try? ImageDecoder.decode(data) else {
            print("cannot decode \(path)")
            return
        }
        let processor = CLIPImageProcessor(config: .internViT)
        let decode = bestSeconds(minRuns: 5, minSeconds: 1) { _ = try? ImageDecoder.decode(data) }
        let preprocess = bestSeconds(minRuns: 5, minSeconds: 1) { _ = try? processor(decoded.image) }
        print(String(format: "%@: %d x %d (%.1f MP), %d threads", path, decoded.image.width, decoded.image.height,
                     Double(decoded.image.width * decoded.image.height) / 1e6, ComputeThreads.count))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Scripts/bench_pil_preprocess.py").standardized.path
        var pil: [String: Double] = [:]
        if let output = runCommand("python3", [script, path], environment: ProcessInfo.processInfo.environment) {
            for line in output.split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2, let value = Double(parts[1]) { pil[String(parts[0])] = value }
            }
        }
        for (name, ours) in [("decode", decode), ("preprocess", preprocess)] {
            let theirs = pil[name]
            print(String(format: "%-10@ ours %.1f ms", name, ours * 1e3)
                  + (theirs.map { String(format: ", Pillow %.1f ms, ratio ours/Pillow %.2f", $0 * 1e3, ours / $0) } ?? ""))
        }
        let total = decode + preprocess
        if let d = pil["decode"], let p = pil["preprocess"] {
            print(String(format: "total      ours %.1f ms, Pillow %.1f ms, ratio %.2f", total * 1e3, (d + p) * 1e3, total / (d + p)))
        }
    }
}
