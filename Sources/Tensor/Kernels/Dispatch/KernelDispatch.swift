import Foundation

/// An unusable `TENSOR_KERNEL` request: an unknown name, a kernel this build does not
/// contain, or one this CPU cannot run. Reported instead of a crash on an illegal
/// instruction.
public struct KernelSelectionError: Error, CustomStringConvertible, Sendable {
    /// What was wrong, naming the variable, the value and what would work.
    public let description: String
}

/// Picks the kernel table once per process, at first use.
///
/// Default: the best table this build contains and this CPU supports (AVX-512, then
/// AVX2, then portable). `TENSOR_KERNEL=portable|avx2|avx512` forces one; a request this
/// machine cannot honour is a `KernelSelectionError` (`BuildInfo.current()` throws it;
/// a kernel reached without that check stops with its message, never with SIGILL).
enum KernelDispatch {
    /// The environment variable that forces a kernel.
    static let environmentVariable = "TENSOR_KERNEL"

    /// Whether `table` can run on a CPU with `features`.
    static func isSupported(_ table: KernelTable, on features: CPUFeatures) -> Bool {
        switch table.kind {
        case .portable: return true
        case .avx2: return features.hasAVX2Kernels
        case .avx512: return features.hasAVX512Kernels
        }
    }

    /// The tables of this build that run on this machine.
    static var supported: [KernelTable] {
        KernelTable.compiledIn.filter { isSupported($0, on: .host) }
    }

    /// The table for `request` (a `TENSOR_KERNEL` value, nil for the default).
    static func choose(request: String?, features: CPUFeatures) -> Result<KernelTable, KernelSelectionError> {
        let usable = KernelTable.compiledIn.filter { isSupported($0, on: features) }
        guard let request = request?.trimmingCharacters(in: .whitespaces).lowercased(), !request.isEmpty else {
            return .success(usable.last ?? .portable)
        }
        let names = KernelKind.allCases.map(\.rawValue).joined(separator: ", ")
        guard let kind = KernelKind(rawValue: request) else {
            return .failure(KernelSelectionError(
                description: "\(environmentVariable)=\(request) is not a kernel (expected one of: \(names))"))
        }
        guard let table = KernelTable.compiledIn.first(where: { $0.kind == kind }) else {
            return .failure(KernelSelectionError(
                description: "\(environmentVariable)=\(request): this build contains only "
                    + KernelTable.compiledIn.map(\.kind.rawValue).joined(separator: ", ")
                    + " kernels (instruction-set targets are compiled only where Package.swift may pass their flags)"))
        }
        guard isSupported(table, on: features) else {
            return .failure(KernelSelectionError(
                description: "\(environmentVariable)=\(request): this CPU does not support it (usable here: "
                    + usable.map(\.kind.rawValue).joined(separator: ", ") + ")"))
        }
        return .success(table)
    }

    /// The choice made from the environment, once.
    static let selection = choose(request: ProcessInfo.processInfo.environment[environmentVariable], features: .host)

    /// The selected table (stops with the selection error's message if `TENSOR_KERNEL`
    /// asks for something this machine cannot run).
    static var selected: KernelTable {
        switch selection {
        case .success(let table): return table
        case .failure(let error): fatalError(error.description)
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var forced: KernelTable?

    /// The table kernels use now: `selected`, unless a test forces another.
    static var current: KernelTable {
        lock.withLock { forced } ?? selected
    }

    /// Held for the whole of a `withTable` call (recursive, so a body may nest another).
    private static let overrideLock = NSRecursiveLock()

    /// Runs `body` with every kernel call in the process using `table` (for tests that
    /// compare tables in one process). The override is process-wide, so overrides from
    /// different threads (test suites running in parallel) take turns: without that, one
    /// caller's restore could end another's override early, or leave a table forced for
    /// the rest of the process.
    static func withTable<R>(_ table: KernelTable, _ body: () throws -> R) rethrows -> R {
        overrideLock.lock()
        defer { overrideLock.unlock() }
        let saved = lock.withLock { () -> KernelTable? in
            let saved = forced
            forced = table
            return saved
        }
        defer { lock.withLock { forced = saved } }
        return try body()
    }
}
