import Foundation
import Imaging
import Tensor
import Testing

/// Compares the decoders with Pillow over a whole corpus written by
/// Scripts/pillow_corpus_expected.py (Pillow's own `Tests/images` in practice) and prints
/// a per-format report: files, bit-exact, worst difference, files only one side decodes.
/// Runs only when INTERNVIT_FORMAT_CORPUS names that output folder (the corpus is not
/// committed); every file Pillow decodes must decode here within one level, or be
/// rejected with an `ImageError` (listed in the report).
@Suite struct FormatCorpusTests {
    @Test func corpusMatchesPillow() throws {
        guard let folder = ProcessInfo.processInfo.environment["INTERNVIT_FORMAT_CORPUS"] else { return }
        let root = URL(fileURLWithPath: folder)
        let manifest = try String(contentsOf: root.appendingPathComponent("manifest.tsv"), encoding: .utf8)
        let rows = manifest.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        try #require(!rows.isEmpty, "empty manifest")
        struct Stats { var tested = 0, exact = 0, worst = 0, rejected: [String] = [], pillowRejects = 0, bothReject = 0, onlyOurs: [String] = [] }
        var stats: [String: Stats] = [:]
        for row in rows where row.count == 4 {
            let (index, format, path, status) = (row[0], row[1], row[2], row[3])
            var s = stats[format] ?? Stats()
            let ours: Result<RGBImage, Error> = Result { try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: path)).image }
            let name = (path as NSString).lastPathComponent
            if status == "ok" {
                s.tested += 1
                switch ours {
                case .failure(let error):
                    #expect(error is ImageError, "\(name): \(error)")
                    s.rejected.append("\(name): \((error as? ImageError)?.message ?? "\(error)")")
                case .success(let image):
                    let expected = try #require(try NPY.read(contentsOf: root.appendingPathComponent("\(index).npy")).tensor(as: UInt8.self))
                    if expected.shape != [image.height, image.width, 3] {
                        s.worst = 255
                        Issue.record("\(name): size \(image.width) x \(image.height), Pillow \(expected.shape)")
                    } else {
                        let worst = zip(image.pixels, expected.scalars).map { abs(Int($0) - Int($1)) }.max() ?? 0
                        s.worst = Swift.max(s.worst, worst)
                        if worst == 0 { s.exact += 1 }
                        #expect(worst <= 1, "\(name): differs from Pillow by up to \(worst)")
                    }
                }
            } else {
                s.pillowRejects += 1
                if case .success = ours { s.onlyOurs.append("\(name) (Pillow: \(status.dropFirst(14)))") } else { s.bothReject += 1 }
            }
            stats[format] = s
        }
        for (format, s) in stats.sorted(by: { $0.key < $1.key }) {
            print("corpus \(format): \(s.tested) files Pillow decodes; \(s.exact) bit-exact, worst difference \(s.worst); "
                  + "\(s.rejected.count) rejected here; Pillow rejects \(s.pillowRejects) (\(s.bothReject) rejected here too)")
            for r in s.rejected { print("  rejected here: \(r)") }
            for r in s.onlyOurs { print("  decoded here, Pillow refuses: \(r)") }
        }
    }
}
