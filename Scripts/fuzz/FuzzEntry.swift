// libFuzzer entry point for the file parsers, compiled together with the Tensor sources
// by Scripts/fuzz/run.sh. Every input must either parse or throw; a trap, a sanitizer
// report or a hang is a bug.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let data = Data(bytes: bytes, count: size)
    #if FUZZ_NPY
    if let array = try? NPY.read(data) {
        _ = array.toFloat().scalars.reduce(0, +)
    }
    #elseif FUZZ_IMAGE
    // Every image format shares the entry point (the format comes from the signature);
    // a 4-megapixel cap keeps each run fast while still exercising the size checks.
    if let decoded = try? ImageDecoder.decode(data, limits: DecodeLimits(maximumPixels: 1 << 22)) {
        _ = decoded.image.pixels.reduce(0) { $0 &+ Int($1) }
    }
    #else
    if let file = try? SafeTensorsFile(data: data) {
        for name in file.tensorNames {
            if let tensor = try? file.tensor(named: name) {
                _ = tensor.toFloat().scalars.reduce(0, +)
            }
        }
    }
    #endif
    return 0
}
