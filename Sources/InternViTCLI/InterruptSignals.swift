import Dispatch
import Foundation

/// SIGINT and SIGTERM turned into a flag that a long job polls, so it can finish its
/// current part and leave a resumable output directory (a Kubernetes pod gets SIGTERM
/// before it is killed; a Slurm job gets one before its time limit with `--signal`).
/// A second signal ends the process at once (exit 128 + signal); the manifest stays
/// readable because groups are committed by their last line.
final class InterruptSignals: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "internvit.signals")
    private static let handled: [Int32] = [SIGINT, SIGTERM]

    /// Starts catching the signals (their default action is suspended until `stop`).
    init() {
        for number in Self.handled {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in self.receive(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func receive(_ number: Int32) {
        let first: Bool = lock.withLock {
            defer { received = received ?? number }
            return received == nil
        }
        if !first { _exit(128 + number) }
    }

    /// The first signal received, if any.
    var signalReceived: Int32? { lock.withLock { received } }

    /// `SIGINT` / `SIGTERM`.
    static func name(_ number: Int32) -> String { number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)" }

    /// Restores the default actions.
    func stop() {
        for source in sources { source.cancel() }
        sources = []
        for number in Self.handled { signal(number, SIG_DFL) }
    }
}
