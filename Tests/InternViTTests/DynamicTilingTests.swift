import Foundation
import Imaging
import InternViT
import Tensor
import Testing

/// InternVL dynamic tiling against the reference `dynamic_preprocess` + `build_transform`.
@Suite struct DynamicTilingTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ImagingTests/Fixtures/tiling").standardized

    /// The reference order of candidate grids for max_num 12 (a CPython set sorted by area).
    @Test func candidateOrderMatchesTheReference() {
        let order = DynamicTiling(maxTiles: 12).candidateGrids.map { "(\($0.columns),\($0.rows))" }.joined(separator: " ")
        #expect(order == "(1,1) (1,2) (2,1) (3,1) (1,3) (2,2) (4,1) (1,4) (5,1) (1,5) (1,6) (6,1) (3,2) (2,3) (7,1) (1,7) "
                + "(4,2) (2,4) (1,8) (8,1) (1,9) (3,3) (9,1) (2,5) (5,2) (10,1) (1,10) (11,1) (1,11) (12,1) (3,4) (4,3) (1,12) (6,2) (2,6)")
    }

    /// The grid for ~2000 (width, height, max_num) combinations, including exact ties.
    @Test func gridsMatchTheReference() throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("grids.json"))
        let cases = try #require(try JSONSerialization.jsonObject(with: data) as? [[Any]])
        var mismatches: [String] = []
        for entry in cases {
            let w = entry[0] as! Int, h = entry[1] as! Int, maxNum = entry[2] as! Int, grid = entry[3] as! [Int]
            let ours = DynamicTiling(maxTiles: maxNum).grid(width: w, height: h)
            if ours.columns != grid[0] || ours.rows != grid[1] {
                mismatches.append("\(w)x\(h) max \(maxNum): \(ours) vs \(grid)")
            }
        }
        #expect(cases.count > 1000)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(DynamicTiling().grid(width: 5, height: 4) == (4, 3), "a 5x4 image becomes 13 tiles")
    }

    @Test(arguments: ["square448_tile448_max12", "wide_tile56_max12", "tall_tile56_max6", "tiny_tile56_max12", "many_tile56_max40"])
    func tilesMatchTheReference(_ name: String) throws {
        let parts = name.split(separator: "_")
        let tile = Int(parts[1].dropFirst(4))!, maxNum = Int(parts[2].dropFirst(3))!
        let image = try ImageDecoder.decode(contentsOf: Self.folder.appendingPathComponent("\(parts[0]).png")).image
        let expected = try #require(try NPY.read(contentsOf: Self.folder.appendingPathComponent("\(name)_u8.npy")).tensor(as: UInt8.self))
        let tiling = DynamicTiling(tileSize: tile, maxTiles: maxNum)
        let tiles = try tiling.tiles(image)
        #expect(tiles.count == expected.shape[0])
        let ours = tiles.flatMap(\.pixels)
        #expect(ours == expected.scalars, "8-bit tiles equal PIL's bit for bit")
        // Pixel values: (u8/255 − mean)/std in float32, [tiles, 3, T, T].
        let values = try tiling(image)
        #expect(values.shape == [tiles.count, 3, tile, tile])
        let first = Float(Double(expected.scalars[0]) / 255)
        #expect(values[0, 0, 0, 0] == (first - 0.485) / 0.229)
    }
}
