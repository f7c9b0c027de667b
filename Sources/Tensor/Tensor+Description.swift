import Foundation

extension Tensor: CustomStringConvertible {
    /// The shape and element type, then the values in numpy's nested-bracket style.
    /// Past 1000 elements each axis shows its first and last three entries around `...`.
    /// Floats print with four decimals (scientific notation when magnitudes are
    /// very large or very small), as numpy does by default.
    public var description: String {
        "Tensor<\(dtype)> shape \(shape)\n" + formattedValues()
    }

    /// The values alone, formatted as in `description`.
    public func formattedValues() -> String {
        let dense = contiguous()
        let values = dense.scalars
        let summarise = values.count > 1000
        let format = ScalarFormat(values.map { $0.floatValue }, isFloatingPoint: dtype.isFloatingPoint)
        if rank == 0 { return format.string(values.isEmpty ? 0 : values[0].floatValue) }
        var out = ""
        func emit(_ axis: Int, _ base: Int, _ indent: Int) {
            let extent = shape[axis]
            let stride = dense.strides[axis]
            let indices: [Int?] = summarise && extent > 6
                ? [0, 1, 2, nil, extent - 3, extent - 2, extent - 1]
                : (0..<extent).map { $0 }
            out += "["
            for (position, index) in indices.enumerated() {
                if position > 0 {
                    out += axis == rank - 1 ? ", " : "," + String(repeating: "\n", count: rank - 1 - axis)
                        + String(repeating: " ", count: indent + 1)
                }
                guard let index else { out += "..."; continue }
                if axis == rank - 1 {
                    out += format.string(values[base + index * stride].floatValue)
                } else {
                    emit(axis + 1, base + index * stride, indent + 1)
                }
            }
            out += "]"
        }
        emit(0, 0, 0)
        return out
    }
}

/// How to print the numbers of one tensor consistently.
private struct ScalarFormat {
    let isFloatingPoint: Bool
    let scientific: Bool

    init(_ values: [Float], isFloatingPoint: Bool) {
        self.isFloatingPoint = isFloatingPoint
        let finite = values.filter { $0.isFinite && $0 != 0 }.map { Swift.abs($0) }
        if let largest = finite.max(), let smallest = finite.min() {
            scientific = largest >= 1e8 || smallest < 1e-4 || largest / smallest > 1e3 && smallest < 1e-3
        } else {
            scientific = false
        }
    }

    func string(_ value: Float) -> String {
        if !isFloatingPoint { return String(Int64(value)) }
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if scientific { return String(format: "%.4e", Double(value)) }
        var text = String(format: "%.4f", Double(value))
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
