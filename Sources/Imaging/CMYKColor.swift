/// CMYK → RGB as Pillow converts it (`cmyk2rgb` in Convert.c):
/// `R = 255 − K − C·(255 − K)/255` with the division rounded the libImaging way
/// (`MULDIV255(a, b) = ((a·b + 128) >> 8 + a·b + 128) >> 8`), likewise G from M and B from Y.
/// Shared by CMYK JPEG (after the Adobe inversion and YCCK → CMYK) and CMYK TIFF.
enum CMYKColor {
    @inline(__always)
    static func mulDiv255(_ a: Int, _ b: Int) -> Int {
        let t = a * b + 128
        return ((t >> 8) + t) >> 8
    }

    @inline(__always)
    static func rgb(_ c: UInt8, _ m: UInt8, _ y: UInt8, _ k: UInt8, into out: inout [UInt8], at i: Int) {
        let nk = 255 - Int(k)
        out[i] = UInt8(clamping: nk - mulDiv255(Int(c), nk))
        out[i + 1] = UInt8(clamping: nk - mulDiv255(Int(m), nk))
        out[i + 2] = UInt8(clamping: nk - mulDiv255(Int(y), nk))
    }
}
