/// Four-component JPEG (CMYK and YCCK) to RGB, as Pillow 12.3.0 gives it:
///
/// 1. libjpeg picks the colour space from the Adobe APP14 marker: transform 2 (and any
///    value other than 0) means YCCK, transform 0 or no marker means CMYK. YCCK becomes
///    CMYK as libjpeg's `ycck_cmyk_convert` does: C, M, Y = 255 − (the YCbCr → RGB result,
///    clamped), K unchanged.
/// 2. Pillow decodes every CMYK JPEG with raw mode `CMYK;I` ("assume Adobe conventions":
///    Photoshop stores inverted CMYK), so all four channels are inverted.
/// 3. `convert("RGB")` applies `cmyk2rgb` (`CMYKColor`).
///
/// For YCCK, steps 1 and 2 cancel on C, M, Y: the inverted C is the clamped red of the
/// YCbCr conversion, and the inverted K is 255 − K.
enum JPEGCMYK {
    /// `planes`: four full-resolution planes of `width · height` samples.
    static func rgb(_ planes: [[UInt8]], width: Int, height: Int, adobeTransform: Int?) -> RGBImage {
        let ycck = adobeTransform.map { $0 != 0 } ?? false
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let p0 = planes[0], p1 = planes[1], p2 = planes[2], p3 = planes[3]
        typealias C = JPEGColor
        for i in 0..<(width * height) {
            let c, m, y: UInt8
            if ycck {
                let l = Int(p0[i]), b = Int(p1[i]), r = Int(p2[i])
                c = C.clamp(l + C.crR[r])
                m = C.clamp(l + ((C.cbG[b] + C.crG[r]) >> C.scaleBits))
                y = C.clamp(l + C.cbB[b])
            } else {
                c = 255 - p0[i]; m = 255 - p1[i]; y = 255 - p2[i]
            }
            CMYKColor.rgb(c, m, y, 255 - p3[i], into: &out, at: 3 * i)
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
