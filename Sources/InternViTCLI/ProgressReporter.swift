import Foundation
import InternViT

/// Progress of a batch embedding on stderr: a progress bar with rate and ETA on a
/// terminal; otherwise (cluster logs) one plain line every `interval` seconds.
struct ProgressReporter {
    let console: Console
    let label: String
    let interval: Double
    private var lastReport = -Double.infinity

    init(console: Console, label: String, interval: Double) {
        self.console = console
        self.label = label
        self.interval = interval
    }

    mutating func report(_ progress: BatchEmbeddingProgress, final: Bool = false) {
        let finished = progress.done == progress.total
        guard final || finished || progress.elapsed - lastReport >= (console.errIsTerminal ? Swift.min(1, interval) : interval) else { return }
        lastReport = progress.elapsed
        let rate = Double(progress.done) / Swift.max(progress.elapsed, 1e-9)
        let left = progress.total - progress.done
        let eta = rate > 0 ? Self.duration(Double(left) / rate) : "?"
        let counts = "\(progress.done)/\(progress.total) images" + (progress.failed > 0 ? ", \(progress.failed) failed" : "")
            + (progress.resumed > 0 ? ", \(progress.resumed) done before" : "")
        let speed = String(format: "%.2f images/s", rate)
        if console.errIsTerminal {
            let width = 30
            let filled = progress.total == 0 ? width : width * progress.done / progress.total
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            console.err("\r\u{1B}[2K\(label) [\(bar)] \(counts), \(speed), ETA \(eta)")
        } else {
            console.err("internvit: \(label): \(counts), \(progress.partsWritten) parts, \(speed), "
                        + "elapsed \(Self.duration(progress.elapsed)), ETA \(eta)")
        }
    }

    /// `1h02m`, `3m04s`, `12s`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
