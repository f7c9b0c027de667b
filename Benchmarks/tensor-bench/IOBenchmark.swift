import Foundation
import Tensor

/// Opening a ~600 MB bf16 safetensors checkpoint (InternViT-300M's tensor names and
/// shapes) and touching every tensor: time, and resident memory before and after.
enum IOBenchmark {
    /// Resident set size of this process in MiB (Linux: /proc/self/status), or nil.
    static func residentMiB(_ field: String = "VmRSS") -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kb / 1024
    }

    /// InternViT-300M-448px's tensors: names and shapes of the official checkpoint.
    static func internViT300MLayout() -> [(String, [Int])] {
        let d = 1024, f = 4096
        var layout: [(String, [Int])] = [
            ("embeddings.class_embedding", [1, 1, d]), ("embeddings.patch_embedding.weight", [d, 3, 14, 14]),
            ("embeddings.patch_embedding.bias", [d]), ("embeddings.position_embedding", [1, 1025, d]),
        ]
        for i in 0..<24 {
            let p = "encoder.layers.\(i)."
            layout += [
                (p + "attn.qkv.weight", [3 * d, d]), (p + "attn.qkv.bias", [3 * d]),
                (p + "attn.proj.weight", [d, d]), (p + "attn.proj.bias", [d]),
                (p + "mlp.fc1.weight", [f, d]), (p + "mlp.fc1.bias", [f]),
                (p + "mlp.fc2.weight", [d, f]), (p + "mlp.fc2.bias", [d]),
                (p + "norm1.weight", [d]), (p + "norm1.bias", [d]), (p + "norm2.weight", [d]), (p + "norm2.bias", [d]),
                (p + "ls1", [d]), (p + "ls2", [d]),
            ]
        }
        return layout
    }

    static func run(arguments: [String]) {
        let path = arguments.first ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("tensor-bench-300m-bf16.safetensors").path
        let url = URL(fileURLWithPath: path)
        let keep = arguments.contains("--keep")
        // Write the file in one go (our writer), unless it is already there.
        if !FileManager.default.fileExists(atPath: path) {
            var tensors: [(name: String, tensor: AnyTensor)] = []
            var seed: UInt64 = 1
            for (name, shape) in internViT300MLayout() {
                tensors.append((name, AnyTensor(Tensor<BFloat16>.randomUniform(shape, low: -0.05, high: 0.05, seed: seed))))
                seed += 1
            }
            let start = Date()
            do { try SafeTensorsWriter.write(tensors, metadata: ["format": "pt"], to: url) } catch {
                print("cannot write \(path): \(error)")
                return
            }
            print(String(format: "wrote %@ (%.0f MB) in %.2f s", path,
                         Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6,
                         Date().timeIntervalSince(start)))
        }
        let rssBefore = residentMiB() ?? .nan
        let openStart = DispatchTime.now().uptimeNanoseconds
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch {
            print("cannot open: \(error)")
            return
        }
        let openSeconds = Double(DispatchTime.now().uptimeNanoseconds - openStart) / 1e9
        let rssOpen = residentMiB() ?? .nan
        let touchStart = DispatchTime.now().uptimeNanoseconds
        var checksum: Float = 0
        var bytes = 0
        var borrowed = 0
        for name in file.tensorNames {
            guard let tensor = try? file.tensor(named: name, as: BFloat16.self) else { continue }
            if tensor.storage.isBorrowed { borrowed += 1 }
            bytes += tensor.count * 2
            tensor.withUnsafeBufferPointer { values in
                var sum: Float = 0
                for v in values { sum += v.floatValue }
                checksum += sum
            }
        }
        let touchSeconds = Double(DispatchTime.now().uptimeNanoseconds - touchStart) / 1e9
        let rssTouched = residentMiB() ?? .nan
        print(String(format: "open (map + validate header): %.3f ms; %d tensors", openSeconds * 1e3, file.tensorNames.count))
        print(String(format: "touch every tensor (sum all %.0f MB of bf16): %.3f s, checksum %.4f; %d of %d tensors borrowed (zero copy)",
                     Double(bytes) / 1e6, touchSeconds, checksum, borrowed, file.tensorNames.count))
        print(String(format: "RSS: before open %.0f MiB, after open %.0f MiB, after touching %.0f MiB (file %.0f MiB)",
                     rssBefore, rssOpen, rssTouched, Double(bytes) / 1048576))
        if !keep { try? FileManager.default.removeItem(at: url) }
    }
}
