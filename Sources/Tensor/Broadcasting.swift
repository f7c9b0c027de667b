/// numpy's broadcasting rule for two shapes.
public enum Broadcasting {
    /// The shape two operands broadcast to: axes aligned at the end, each pair of
    /// extents equal or one of them 1. Traps with both shapes when they do not broadcast.
    public static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        guard let result = shapeIfCompatible(a, b) else {
            preconditionFailure("shapes \(a) and \(b) cannot be broadcast together")
        }
        return result
    }

    /// The broadcast shape, or nil if the shapes are incompatible.
    public static func shapeIfCompatible(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if x == y || y == 1 {
                result[i] = x
            } else if x == 1 {
                result[i] = y
            } else {
                return nil
            }
        }
        return result
    }
}
