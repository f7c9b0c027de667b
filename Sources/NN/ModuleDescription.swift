import Tensor

extension Module {
    /// The module tree as PyTorch prints it:
    /// ```
    /// InternVisionModel(
    ///   (embeddings): InternVisionEmbeddings(...)
    ///   (encoder): InternVisionEncoder(
    ///     (layers): ModuleList(
    ///       (0): InternVisionEncoderLayer(
    /// ```
    /// Modules with a `summary` show it in parentheses; leaves print on one line.
    public var treeDescription: String {
        var entries: [(depth: Int, name: String, module: any Module)] = []
        var visitor = ParameterVisitor(action: { _, _, _ in }, moduleAction: { _, depth, name, module in
            entries.append((depth, name, module))
        })
        visitor.walk(self)
        var lines: [String] = []
        for (index, entry) in entries.enumerated() {
            let indent = String(repeating: "  ", count: entry.depth)
            let label = entry.depth == 0 ? "" : "(\(entry.name)): "
            let typeName = String(describing: type(of: entry.module))
            let hasChildren = index + 1 < entries.count && entries[index + 1].depth > entry.depth
            if hasChildren {
                lines.append(indent + label + typeName + "(" + (entry.module.summary.isEmpty ? "" : entry.module.summary))
            } else {
                lines.append(indent + label + typeName + "(" + entry.module.summary + ")")
            }
            // Close the parentheses of every module this entry was the last descendant of.
            let nextDepth = index + 1 < entries.count ? entries[index + 1].depth : 0
            if nextDepth <= entry.depth {
                var depth = entry.depth - 1
                while depth >= nextDepth && depth >= 0 {
                    lines.append(String(repeating: "  ", count: depth) + ")")
                    depth -= 1
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}
