/// A failure of the linear probe (bad folder layout, mismatched features, unreadable or
/// unwritable files), printed by `linear-probe` as one line naming what is wrong.
public struct LinearProbeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What is wrong, naming the file, folder or class.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
