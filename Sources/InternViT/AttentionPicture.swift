import Foundation
import Imaging

/// Draws a grid of attention values over the image the model saw: the image with the
/// heat map blended in, the heat map alone (one flat colour per patch), and a colour bar
/// labelled with the values its ends stand for.
///
/// Values are min-max scaled to 0…1 over the grid and coloured with `palette` (viridis,
/// dark purple = least, yellow = most attention): a patch's colour is
/// `palette[round(255 · (v − min) / (max − min))]`, so the map can be read back exactly.
public enum AttentionPicture {
    /// Viridis (matplotlib), 256 entries, linear between its colours at 0, 1/8, …, 1.
    public static let palette: [(UInt8, UInt8, UInt8)] = {
        let anchors: [(Double, Double, Double)] = [
            (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
            (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
        ]
        return (0..<256).map { index in
            let position = Double(index) / 255 * 8
            let i = min(Int(position), 7), t = position - Double(i)
            let (a, b) = (anchors[i], anchors[i + 1])
            func mix(_ x: Double, _ y: Double) -> UInt8 { UInt8((x + (y - x) * t).rounded()) }
            return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
        }
    }()

    /// Width of the colour-bar panel in pixels.
    public static let legendWidth = 100

    /// The palette index of each value: `round(255 · (v − min) / (max − min))` (all 0 when
    /// the values are equal).
    public static func paletteIndices(_ values: [Float]) -> [Int] {
        let low = values.min() ?? 0, high = values.max() ?? 0
        return values.map { high > low ? Int((255 * (($0 - low) / (high - low))).rounded()) : 0 }
    }

    /// The picture for `values` on an `h` × `w` patch grid over `image` (the model's input
    /// crop, at least `h·cell` × `w·cell`): three panels side by side, each `h·cell` tall.
    public static func draw(_ values: [Float], gridHeight h: Int, gridWidth w: Int, over image: RGBImage,
                            cell: Int) -> RGBImage {
        precondition(values.count == h * w, "\(values.count) values for a \(h)x\(w) grid")
        let panelWidth = w * cell, height = h * cell
        var out = RGBImage(width: 2 * panelWidth + legendWidth, height: height)
        let indices = paletteIndices(values)
        for y in 0..<height {
            for x in 0..<panelWidth {
                let colour = palette[indices[(y / cell) * w + x / cell]]
                let (r, g, b) = image[x, y]
                func blend(_ p: UInt8, _ c: UInt8) -> UInt8 { UInt8((0.45 * Double(p) + 0.55 * Double(c)).rounded()) }
                out.set(x: x, y: y, (blend(r, colour.0), blend(g, colour.1), blend(b, colour.2)))
                out.set(x: panelWidth + x, y: y, colour)
            }
        }
        drawLegend(&out, left: 2 * panelWidth, low: values.min() ?? 0, high: values.max() ?? 0)
        return out
    }

    /// A vertical bar (top = largest value) with the two end values written beside it.
    static func drawLegend(_ image: inout RGBImage, left: Int, low: Float, high: Float) {
        let top = 8, bottom = image.height - 8, barLeft = left + 8, barWidth = 20
        for y in 0..<image.height {
            for x in left..<(left + legendWidth) { image.set(x: x, y: y, (255, 255, 255)) }
        }
        guard bottom > top else { return }
        for y in top..<bottom {
            let index = Int((255 * Double(bottom - 1 - y) / Double(max(bottom - 1 - top, 1))).rounded())
            for x in barLeft..<(barLeft + barWidth) { image.set(x: x, y: y, palette[index]) }
        }
        let scale = image.height >= 200 ? 2 : 1
        let textLeft = barLeft + barWidth + 4
        BitmapDigits.draw(format(high), into: &image, left: textLeft, top: top, scale: scale)
        BitmapDigits.draw(format(low), into: &image, left: textLeft, top: bottom - 5 * scale, scale: scale)
    }

    /// Four significant digits, plain or with an exponent (`0.01234`, `1.2e-5`).
    static func format(_ value: Float) -> String {
        let v = Double(value)
        if v == 0 { return "0" }
        if abs(v) >= 1e-3 && abs(v) < 1e4 {
            let digits = max(0, 3 - Int(floor(log10(abs(v)))))
            var text = String(v.rounded(toPlaces: digits))
            if text.hasSuffix(".0") { text.removeLast(2) }
            return text
        }
        let exponent = Int(floor(log10(abs(v))))
        let mantissa = (v / pow(10, Double(exponent))).rounded(toPlaces: 1)
        return "\(mantissa)e\(exponent)"
    }
}

private extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let factor = pow(10, Double(places))
        return (self * factor).rounded() / factor
    }
}

/// A 3×5 pixel font for the digits, '.', '-' and 'e' (enough to label a colour bar).
enum BitmapDigits {
    static let glyphs: [Character: [String]] = [
        "0": ["###", "#.#", "#.#", "#.#", "###"], "1": [".#.", "##.", ".#.", ".#.", "###"],
        "2": ["###", "..#", "###", "#..", "###"], "3": ["###", "..#", "###", "..#", "###"],
        "4": ["#.#", "#.#", "###", "..#", "..#"], "5": ["###", "#..", "###", "..#", "###"],
        "6": ["###", "#..", "###", "#.#", "###"], "7": ["###", "..#", ".#.", ".#.", ".#."],
        "8": ["###", "#.#", "###", "#.#", "###"], "9": ["###", "#.#", "###", "..#", "###"],
        ".": ["...", "...", "...", "...", ".#."], "-": ["...", "...", "###", "...", "..."],
        "e": ["...", "##.", "###", "#..", ".##"],
    ]

    /// Writes `text` in black with its top-left corner at (`left`, `top`), each font pixel
    /// `scale` × `scale`; characters past the right edge are dropped.
    static func draw(_ text: String, into image: inout RGBImage, left: Int, top: Int, scale: Int) {
        var x0 = left
        for character in text {
            guard let rows = glyphs[character] else { continue }
            for (row, line) in rows.enumerated() {
                for (column, bit) in line.enumerated() where bit == "#" {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let x = x0 + column * scale + dx, y = top + row * scale + dy
                            if x >= 0 && x < image.width && y >= 0 && y < image.height { image.set(x: x, y: y, (0, 0, 0)) }
                        }
                    }
                }
            }
            x0 += 4 * scale
        }
    }
}

extension RGBImage {
    /// Sets one pixel.
    fileprivate mutating func set(x: Int, y: Int, _ colour: (UInt8, UInt8, UInt8)) {
        let i = (y * width + x) * 3
        pixels[i] = colour.0; pixels[i + 1] = colour.1; pixels[i + 2] = colour.2
    }
}
