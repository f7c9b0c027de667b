import Foundation
import Imaging
import Testing

/// Compares the WebP decoder with Pillow on a folder of files prepared by
/// `Scripts/make_webp_fixtures.py --corpus DIR` (each DIR/x.webp with Pillow's raw RGB in
/// x.rgb and its size — or Pillow's error — in x.size), e.g. Pillow's own Tests/images.
/// Runs when INTERNVIT_WEBP_CORPUS=DIR is set and prints one line per file.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["INTERNVIT_WEBP_CORPUS"] != nil))
struct WebPCorpusTests {
    @Test func corpusMatchesPillow() throws {
        let folder = URL(fileURLWithPath: ProcessInfo.processInfo.environment["INTERNVIT_WEBP_CORPUS"] ?? "")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".webp") }.sorted()
        #expect(!names.isEmpty, "no .webp files in \(folder.path)")
        var exact = 0, rejectedBoth = 0
        for name in names {
            let stem = folder.appendingPathComponent(String(name.dropLast(5)))
            let size = try String(contentsOf: stem.appendingPathExtension("size"), encoding: .utf8)
            let ours = Result { try ImageDecoder.decode(contentsOf: folder.appendingPathComponent(name)) }
            if size.hasPrefix("error") {
                if case .failure(let error) = ours { rejectedBoth += 1; print("\(name): both reject (\(error))") } else {
                    Issue.record("\(name): Pillow rejects it (\(size.dropLast())), we decode it")
                }
                continue
            }
            let expected = [UInt8](try Data(contentsOf: stem.appendingPathExtension("rgb")))
            switch ours {
            case .failure(let error):
                Issue.record("\(name): we reject it: \(error)")
            case .success(let decoded):
                guard decoded.image.pixels.count == expected.count else {
                    Issue.record("\(name): size \(decoded.image.width)x\(decoded.image.height), Pillow \(size)")
                    continue
                }
                let differing = zip(decoded.image.pixels, expected).filter { $0 != $1 }.count
                let worst = zip(decoded.image.pixels, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
                if differing == 0 { exact += 1 }
                print("\(name): \(decoded.image.width)x\(decoded.image.height) \(differing == 0 ? "bit-exact" : "\(differing) samples differ, worst \(worst)")")
                #expect(differing == 0, "\(name)")
            }
        }
        print("WebP corpus: \(names.count) files, \(exact) bit-exact, \(rejectedBoth) rejected by both")
    }
}
