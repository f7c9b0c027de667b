// Release-mode benchmarks of the Tensor kernels. Timings are minima over repeated runs
// (the machine is shared); each table compares against a peer measured in the same run.
//
//   swift run -c release tensor-bench gemm      GEMM GFLOP/s vs numpy (OpenBLAS)
//   swift run -c release tensor-bench int8 [qkv|proj|fc1|fc2]  int8 linear layers vs float32 on InternViT's shapes
//   swift run -c release tensor-bench int8 kernel   the AVX512-VNNI micro-kernel alone, operands in L1
//   swift run -c release tensor-bench core      softmax / layerNorm throughput, 1 vs all threads
//   swift run -c release tensor-bench attention fused attention of an InternViT layer vs its products alone
//   swift run -c release tensor-bench image PHOTO.jpg   JPEG decode + CLIP preprocessing vs Pillow
//   swift run -c release tensor-bench io [PATH] [--keep]
//                                               open + touch a 600 MB bf16 safetensors file, RSS
//   swift run -c release tensor-bench gzip FILE.gz   gzip decompression MB/s vs Python's zlib
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "gemm": GEMMBenchmark.run(arguments: Array(arguments.dropFirst()))
case "core": CoreBenchmark.run()
case "attention": AttentionBenchmark.run()
case "int8" where arguments.dropFirst().first == "kernel": Int8KernelBenchmark.run()
case "int8": Int8LinearBenchmark.run(only: arguments.dropFirst().first)
case "io": IOBenchmark.run(arguments: Array(arguments.dropFirst()))
case "image": ImageBenchmark.run(arguments: Array(arguments.dropFirst()))
case "gzip": GzipBenchmark.run(arguments: Array(arguments.dropFirst()))
default:
    print("usage: tensor-bench gemm [--no-numpy] | int8 [qkv|proj|fc1|fc2|kernel] | core | attention | io [PATH] [--keep] | image PHOTO.jpg | gzip FILE.gz")
    exit(arguments.isEmpty ? 0 : 2)
}
