import Imaging

/// The training chart vit-train writes as `loss.png`: the loss of every step (light blue),
/// its mean per epoch (dark blue) and the held-out accuracy per epoch (green, right axis),
/// with labelled axes, drawn with a built-in 5×7 pixel font.
public enum LossCurve {
    /// A 720×400 chart of `losses` (one per step) over `epochs` epochs, and the per-epoch
    /// `accuracies` (0…1), if any.
    public static func image(losses: [Float], epochs: Int, accuracies: [Double]) -> RGBImage {
        var canvas = Canvas(width: 720, height: 400)
        let left = 70, right = 650, top = 30, bottom = 340                  // the plot area
        let top_ = Swift.max(Double(losses.max() ?? 1), 1e-6)
        let yMax = niceCeiling(top_)
        func px(_ step: Double, of total: Double) -> Int { left + Int((Double(right - left) * step / Swift.max(total, 1)).rounded()) }
        func pyLoss(_ loss: Double) -> Int { bottom - Int((Double(bottom - top) * Swift.min(Swift.max(loss, 0), yMax) / yMax).rounded()) }
        func pyAccuracy(_ a: Double) -> Int { bottom - Int((Double(bottom - top) * a).rounded()) }
        // Grid and axes.
        for i in 0...4 {
            let y = bottom - (bottom - top) * i / 4
            canvas.line(left, y, right, y, color: (225, 225, 225))
            canvas.text(format(yMax * Double(i) / 4), rightAlignedAt: left - 6, y: y - 3, color: (40, 40, 40))
            if !accuracies.isEmpty { canvas.text("\(25 * i)", x: right + 6, y: y - 3, color: (20, 120, 40)) }
        }
        let epochTicks = Swift.max(1, epochs / 10)
        for epoch in stride(from: 0, through: epochs, by: epochTicks) {
            let x = px(Double(epoch), of: Double(epochs))
            canvas.line(x, bottom, x, bottom + 4, color: (40, 40, 40))
            let label = "\(epoch)"
            canvas.text(label, x: x - label.count * 6 / 2, y: bottom + 9, color: (40, 40, 40))
        }
        canvas.line(left, top, left, bottom, color: (40, 40, 40))
        canvas.line(left, bottom, right, bottom, color: (40, 40, 40))
        canvas.line(right, top, right, bottom, color: (40, 40, 40))
        canvas.text("EPOCH", x: (left + right) / 2 - 15, y: bottom + 26, color: (40, 40, 40))
        canvas.text("LOSS", x: 8, y: top - 20, color: (30, 60, 170))
        if !accuracies.isEmpty { canvas.text("HELD-OUT ACC %", x: right - 70, y: top - 20, color: (20, 120, 40)) }
        // Series.
        let stepsPerEpoch = Double(losses.count) / Double(Swift.max(epochs, 1))
        var previous: (Int, Int)?
        for (step, loss) in losses.enumerated() {
            let point = (px(Double(step + 1) / stepsPerEpoch, of: Double(epochs)), pyLoss(Double(loss)))
            if let previous { canvas.line(previous.0, previous.1, point.0, point.1, color: (160, 190, 235)) }
            previous = point
        }
        previous = nil
        let perEpoch = Int(stepsPerEpoch.rounded())
        for epoch in 0..<epochs where perEpoch > 0 && (epoch + 1) * perEpoch <= losses.count {
            let slice = losses[(epoch * perEpoch)..<((epoch + 1) * perEpoch)]
            let mean = Double(slice.reduce(0, +)) / Double(slice.count)
            let point = (px(Double(epoch + 1), of: Double(epochs)), pyLoss(mean))
            if let previous { canvas.thickLine(previous, point, color: (30, 60, 170)) }
            previous = point
        }
        previous = nil
        for (index, accuracy) in accuracies.enumerated() {
            let point = (px(Double(index + 1), of: Double(epochs)), pyAccuracy(accuracy))
            if let previous { canvas.thickLine(previous, point, color: (20, 140, 50)) }
            previous = point
        }
        return RGBImage(width: canvas.width, height: canvas.height, pixels: canvas.pixels)
    }

    /// 1, 2 or 5 times a power of ten at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        var unit = 1e-6
        while true {
            for m in [1.0, 2.0, 5.0] where unit * m >= value { return unit * m }
            unit *= 10
        }
    }

    static func format(_ value: Double) -> String {
        value >= 10 || value == value.rounded() ? "\(Int(value.rounded()))" : String(Int((value * 100).rounded())).withDecimalPoint()
    }
}

private extension String {
    /// "125" → "1.25", "5" → "0.05": two decimals from hundredths.
    func withDecimalPoint() -> String {
        let padded = String(repeating: "0", count: Swift.max(0, 3 - count)) + self
        var whole = String(padded.dropLast(2)), fraction = String(padded.suffix(2))
        if whole.isEmpty { whole = "0" }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? whole : whole + "." + fraction
    }
}

/// An RGB pixel buffer with lines and 5×7 text.
struct Canvas {
    let width: Int, height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int) {
        self.width = width; self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    mutating func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
        guard (0..<width).contains(x), (0..<height).contains(y) else { return }
        let o = (y * width + x) * 3
        pixels[o] = c.0; pixels[o + 1] = c.1; pixels[o + 2] = c.2
    }

    /// A one-pixel line (Bresenham).
    mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, color: (UInt8, UInt8, UInt8)) {
        var x = x0, y = y0
        let dx = Swift.abs(x1 - x0), dy = -Swift.abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        while true {
            set(x, y, color)
            if x == x1 && y == y1 { break }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }

    /// A two-pixel line.
    mutating func thickLine(_ a: (Int, Int), _ b: (Int, Int), color: (UInt8, UInt8, UInt8)) {
        line(a.0, a.1, b.0, b.1, color: color)
        line(a.0, a.1 + 1, b.0, b.1 + 1, color: color)
    }

    /// `text` with its top-left corner at (x, y), 6 pixels per character.
    mutating func text(_ text: String, x: Int, y: Int, color: (UInt8, UInt8, UInt8)) {
        for (index, character) in text.uppercased().enumerated() {
            guard let rows = Canvas.font[character] else { continue }
            for (row, bits) in rows.enumerated() {
                for (column, bit) in bits.enumerated() where bit == "#" { set(x + index * 6 + column, y + row, color) }
            }
        }
    }

    /// `text` ending at `rightAlignedAt`.
    mutating func text(_ text: String, rightAlignedAt x: Int, y: Int, color: (UInt8, UInt8, UInt8)) {
        self.text(text, x: x - text.count * 6, y: y, color: color)
    }

    /// 5×7 glyphs for the characters the chart uses.
    static let font: [Character: [String]] = [
        "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
        "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
        "3": ["####.", "....#", "....#", ".###.", "....#", "....#", "####."],
        "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
        "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
        "6": [".###.", "#....", "#....", "####.", "#...#", "#...#", ".###."],
        "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
        "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
        "9": [".###.", "#...#", "#...#", ".####", "....#", "....#", ".###."],
        ".": [".....", ".....", ".....", ".....", ".....", ".##..", ".##.."],
        "-": [".....", ".....", ".....", "#####", ".....", ".....", "....."],
        "%": ["##..#", "##..#", "...#.", "..#..", ".#...", "#..##", "#..##"],
        "A": [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
        "D": ["####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."],
        "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
        "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "L": ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
        "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
        "S": [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
        "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
        "U": ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    ]
}
