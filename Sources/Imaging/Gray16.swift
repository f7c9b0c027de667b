/// The one rule for 16-bit grayscale, shared by PNG, PGM and TIFF: what Pillow 12.3.0's
/// `convert("RGB")` does with its 16-bit gray modes (`I;16`, `I;16B`, and `I` for
/// PGM/PNM with maxval > 255).
///
/// Pillow does not rescale 16-bit gray to 8 bits: the `I;16 → RGB` and `I → RGB`
/// converters of `libImaging/Convert.c` (`I16_RGB`, `i2rgb`) *clamp* the value to
/// 0...255. So a 16-bit sample of 0...255 keeps its value and everything brighter is
/// white; a typical 16-bit photo comes out almost entirely white. This is a Pillow quirk,
/// not a sensible tone mapping, but it is what the reference pipeline feeds the model.
///
/// Where the sample comes from:
/// * PNG (bit depth 16) and TIFF (16 bits per sample): the stored value.
/// * PGM (P2/P5) with maxval > 255: Pillow first scales to 0...65535 as
///   `round(v / maxval · 65535)` (Python float rounding, half to even), except for
///   binary files with maxval 65535, which are read as they are (`I;16B`).
enum Gray16 {
    /// The 8-bit gray level of a 16-bit (or, for signed TIFF samples, any) value.
    @inline(__always)
    static func level(_ value: Int) -> UInt8 { UInt8(Swift.min(Swift.max(value, 0), 255)) }
}
