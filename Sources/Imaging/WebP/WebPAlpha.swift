/// The `ALPH` chunk of an extended lossy WebP (container spec §"Alpha"): a one-byte
/// header (compression, filter, pre-processing, reserved bits) and the alpha plane, raw
/// or as a lossless image stream whose green channel holds the values.
///
/// The model card's pipeline converts to RGB and drops alpha, so the plane itself is not
/// needed; it is still decoded to its end because libwebp (and so Pillow) refuses a file
/// whose alpha does not decode.
enum WebPAlpha {
    /// Checks that `chunk` is a well-formed alpha plane for a `width × height` frame.
    static func validate(_ chunk: UnsafeBufferPointer<UInt8>, width: Int, height: Int) throws {
        guard chunk.count >= 1 else { throw ImageError(.truncated, "WebP ALPH chunk is empty") }
        let header = chunk[0]
        let method = Int(header & 3), filter = Int(header >> 2 & 3)
        let preprocessing = Int(header >> 4 & 3), reserved = Int(header >> 6)
        guard method <= 1, filter <= 3, preprocessing <= 1, reserved == 0 else {
            throw ImageError(.corrupt, "WebP ALPH chunk has an invalid header")
        }
        let data = UnsafeBufferPointer(rebasing: chunk[1...])
        if method == 0 {
            guard data.count >= width * height else { throw ImageError(.truncated, "WebP ALPH plane is cut off") }
        } else {
            guard data.count > 0 else { throw ImageError(.truncated, "WebP ALPH stream is empty") }
            _ = try VP8LDecoder.decodeStream(data, width: width, height: height)
        }
    }
}
