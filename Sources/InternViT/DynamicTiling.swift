import Imaging
import Tensor

/// InternVL's dynamic high-resolution tiling (`dynamic_preprocess` + `build_transform`
/// from the InternVL README), what InternVL chat models feed the vision model.
///
/// 1. Among all grids (cols, rows) with `minTiles ≤ cols·rows ≤ maxTiles`, pick the
///    aspect ratio closest to the image's. Candidates are visited in the reference's
///    order (a Python set sorted stably by cols·rows); an exactly equal difference
///    switches to the later grid when the image has more than half the later grid's
///    pixels (so 1×1 upgrades to 2×2 for large square images).
/// 2. Resize the whole image to (cols·T, rows·T) with PIL's bicubic; cut T×T tiles
///    row-major; add a T×T thumbnail of the whole image when there is more than one tile.
/// 3. Each tile: u8/255 in float32, then ImageNet mean/std → `[tiles, 3, T, T]`.
public struct DynamicTiling: Sendable {
    public var tileSize = 448
    public var minTiles = 1
    public var maxTiles = 12
    public var useThumbnail = true
    public var mean: [Float] = [0.485, 0.456, 0.406]
    public var std: [Float] = [0.229, 0.224, 0.225]

    public init(tileSize: Int = 448, minTiles: Int = 1, maxTiles: Int = 12, useThumbnail: Bool = true) {
        precondition(tileSize > 0 && minTiles >= 1 && maxTiles >= minTiles, "invalid tiling settings")
        self.tileSize = tileSize
        self.minTiles = minTiles
        self.maxTiles = maxTiles
        self.useThumbnail = useThumbnail
    }

    /// The candidate grids in the reference's order.
    public var candidateGrids: [(columns: Int, rows: Int)] {
        // Python builds a set and sorts it by area; the set's iteration order for these
        // small tuples is CPython's hash order, which this reproduces: tuples hash
        // deterministically, so we emulate that hash to order grids of equal area.
        var grids: [(Int, Int)] = []
        for n in minTiles...maxTiles {
            for i in 1...n {
                for j in 1...n where i * j <= maxTiles && i * j >= minTiles && !grids.contains(where: { $0 == (i, j) }) {
                    grids.append((i, j))
                }
            }
        }
        let ordered = PythonSetOrder.order(grids)
        return ordered.enumerated().sorted { a, b in
            let areaA = a.element.0 * a.element.1, areaB = b.element.0 * b.element.1
            return areaA != areaB ? areaA < areaB : a.offset < b.offset
        }.map { ($0.element.0, $0.element.1) }
    }

    /// The grid chosen for an image of `width` × `height` pixels.
    public func grid(width: Int, height: Int) -> (columns: Int, rows: Int) {
        let aspect = Double(width) / Double(height)
        var best = (columns: 1, rows: 1)
        var bestDifference = Double.infinity
        let area = Double(width * height)
        for candidate in candidateGrids {
            let difference = Swift.abs(aspect - Double(candidate.columns) / Double(candidate.rows))
            if difference < bestDifference {
                bestDifference = difference
                best = candidate
            } else if difference == bestDifference,
                      area > 0.5 * Double(tileSize * tileSize) * Double(candidate.columns * candidate.rows) {
                best = candidate
            }
        }
        return best
    }

    /// Throws `ImageError.Kind.tooLarge` unless the largest grid (`maxTiles` tiles of
    /// `tileSize`², resized as one image) passes `limits`: a tile size of 2²⁰ from a
    /// hostile `image_size` is refused before any image is touched.
    public func validate(limits: DecodeLimits = DecodeLimits()) throws {
        let (tilePixels, overflow) = tileSize.multipliedReportingOverflow(by: tileSize)
        let (total, overflow2) = tilePixels.multipliedReportingOverflow(by: maxTiles)
        let (widest, overflow3) = tileSize.multipliedReportingOverflow(by: maxTiles)     // a maxTiles x 1 grid
        guard !overflow, !overflow2, !overflow3, total <= limits.maximumPixels, widest <= limits.maximumSide else {
            throw ImageError(.tooLarge, "dynamic tiling: \(maxTiles) tiles of \(tileSize) x \(tileSize) pixels exceed the limit of \(limits.maximumPixels) pixels")
        }
    }

    /// The 8-bit tiles (row-major, then the thumbnail).
    /// - Throws: `ImageError.Kind.tooLarge` when the grid's resize target passes `limits`.
    public func tiles(_ image: RGBImage, limits: DecodeLimits = DecodeLimits()) throws -> [RGBImage] {
        let (columns, rows) = grid(width: image.width, height: image.height)
        let (width, o1) = columns.multipliedReportingOverflow(by: tileSize), (height, o2) = rows.multipliedReportingOverflow(by: tileSize)
        guard !o1, !o2 else { throw ImageError(.tooLarge, "dynamic tiling: a \(columns) x \(rows) grid of \(tileSize)-pixel tiles overflows") }
        try limits.checkDerived(width: width, height: height, "dynamic tiling of a \(image.width) x \(image.height) image")
        let resized = image.resized(width: columns * tileSize, height: rows * tileSize, filter: .bicubic)
        var tiles: [RGBImage] = []
        for k in 0..<(columns * rows) {
            tiles.append(resized.cropped(left: (k % columns) * tileSize, top: (k / columns) * tileSize,
                                         width: tileSize, height: tileSize))
        }
        if useThumbnail && tiles.count != 1 {
            tiles.append(image.resized(width: tileSize, height: tileSize, filter: .bicubic))
        }
        return tiles
    }

    /// `[tiles, 3, T, T]` pixel values.
    public func callAsFunction(_ image: RGBImage) throws -> Tensor<Float> {
        CLIPImageProcessor.normalizedTensor(try tiles(image), rescale: 1.0 / 255.0, mean: mean, std: std)
    }
}

/// The iteration order of a CPython `set` of small `(int, int)` tuples, which the
/// reference sorts stably by area: equal-area grids keep this order.
enum PythonSetOrder {
    /// CPython's tuple hash (xxHash-based, Python ≥ 3.8) for a pair of small non-negative ints.
    static func hash(_ a: Int, _ b: Int) -> Int64 {
        let prime1: UInt64 = 11_400_714_785_074_694_791, prime2: UInt64 = 14_029_467_366_897_019_727
        let prime5: UInt64 = 2_870_177_450_012_600_261
        var acc = prime5
        for lane in [UInt64(a), UInt64(b)] {
            acc = acc &+ lane &* prime2
            acc = (acc << 31) | (acc >> 33)
            acc = acc &* prime1
        }
        acc = acc &+ (2 ^ (prime5 ^ 3_527_539))
        if acc == UInt64.max { return 1_546_275_796 }
        return Int64(bitPattern: acc)
    }

    /// Simulates insertion into a CPython set (open addressing with perturbation, table
    /// growth) and returns the elements in table order.
    static func order(_ items: [(Int, Int)]) -> [(Int, Int)] {
        var size = 8
        var table = [(Int, Int)?](repeating: nil, count: size)
        var hashes = [Int64](repeating: 0, count: size)
        var used = 0
        func insert(_ item: (Int, Int), _ h: Int64, into table: inout [(Int, Int)?], _ hashes: inout [Int64], size: Int) {
            let mask = UInt64(size - 1)
            var perturb = UInt64(bitPattern: h)
            var i = UInt64(bitPattern: h) & mask
            while true {
                // CPython also probes the next LINEAR_PROBES (9) slots when they fit.
                let probes = i + 9 <= mask ? 9 : 0
                for probe in 0...probes {
                    let index = Int(i) + probe
                    if table[index] == nil {
                        table[index] = item
                        hashes[index] = h
                        return
                    }
                }
                perturb >>= 5
                i = (i &* 5 &+ 1 &+ perturb) & mask
            }
        }
        for item in items {
            let h = hash(item.0, item.1)
            insert(item, h, into: &table, &hashes, size: size)
            used += 1
            if used * 5 >= (size - 1) * 3 {
                // Grow: CPython resizes to used*4 rounded up to a power of two (≥ 8).
                var newSize = 8
                while newSize <= used * 4 { newSize <<= 1 }
                var newTable = [(Int, Int)?](repeating: nil, count: newSize)
                var newHashes = [Int64](repeating: 0, count: newSize)
                for (index, entry) in table.enumerated() {
                    if let entry { insert(entry, hashes[index], into: &newTable, &newHashes, size: newSize) }
                }
                table = newTable
                hashes = newHashes
                size = newSize
            }
        }
        return table.compactMap { $0 }
    }
}
