#!/usr/bin/env bash
# Checks this package as an app developer meets it: a versioned SwiftPM dependency.
#
#   Scripts/check_consumer.sh [extra `swift build` flags...]
#
# 1. Clones the committed HEAD of this repository into a temporary directory and tags
#    it 0.999.0 there (nothing is tagged or pushed in this repository).
# 2. Writes a fresh app package in Swift 6 language mode whose Package.swift has
#    `.package(url: "file://<clone>", from: "0.1.0")`, builds it with
#    `swift build -c release` and NO TENSOR_* environment variables (SwiftPM refuses a
#    versioned dependency with unsafe flags, so this is where a manifest mistake shows),
#    and runs a tiny random InternViT forward plus a 1024^3 GEMM timing, printing
#    BuildInfo and GFLOP/s.
# 3. Compiles EVERY ```swift block of README.md as that package's main.swift, one build
#    per block (compiled, not run: the snippets load checkpoints that CI does not have).
#    Convention (stated in README.md): only blocks fenced exactly ```swift are programs;
#    a block fenced ```swift Package.swift is a manifest excerpt and is not compiled.
#
# Extra arguments go to every `swift build` (e.g. `-Xcc -march=x86-64-v3 -Xswiftc
# -DTENSOR_FMA`, the flags Docs/Performance.md documents for fast kernels in a
# dependent app). CONSUMER_KEEP=1 keeps the temporary directory.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/internvit-consumer.XXXXXX")
if [ "${CONSUMER_KEEP:-0}" != 1 ]; then trap 'rm -rf "$WORK"' EXIT; else echo "work directory: $WORK"; fi
unset TENSOR_TARGET_CPU TENSOR_KERNEL TENSOR_NUM_THREADS
start=$(date +%s)

echo "== consumer: clone and tag $(git -C "$ROOT" rev-parse --short HEAD) =="
git clone -q "$ROOT" "$WORK/InternViTSwift"
git -C "$WORK/InternViTSwift" checkout -q "$(git -C "$ROOT" rev-parse HEAD)"
git -C "$WORK/InternViTSwift" tag -f 0.999.0 >/dev/null

APP="$WORK/App"
mkdir -p "$APP/Sources/App"
cat > "$APP/Package.swift" <<MANIFEST
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "App",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "file://$WORK/InternViTSwift", from: "0.1.0"),
    ],
    targets: [
        .executableTarget(
            name: "App",
            dependencies: [
                .product(name: "InternViT", package: "InternViTSwift"),
                .product(name: "NN", package: "InternViTSwift"),
                .product(name: "Imaging", package: "InternViTSwift"),
                .product(name: "Tensor", package: "InternViTSwift"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
MANIFEST

cat > "$APP/Sources/App/main.swift" <<'SWIFT'
import Foundation
import InternViT
import Tensor

// A tiny InternViT with random weights: the whole forward path through the dependency.
var config = InternVisionConfig()
config.hiddenSize = 64
config.intermediateSize = 256
config.numAttentionHeads = 2
config.numHiddenLayers = 2
config.imageSize = 56
let model = InternVisionModel(config: config)
model.initializeRandomly(seed: 0, dtype: .float32)
let pixels = Tensor<Float>.randomUniform([1, 3, 56, 56], low: -1, high: 1, seed: 1)  // [1, 3, H, W]
let output = model(pixels)                                                            // [1, 17, 64]
guard output.shape == [1, 17, 64], output.scalars.allSatisfy(\.isFinite) else {
    fatalError("tiny forward gave \(output.shape)")
}
print("tiny forward: \(output.shape), all finite")
print(try BuildInfo.current())

// GEMM speed as this app gets it: best of 5 runs of 1024^3.
let n = 1024
let a = Tensor<Float>.randomNormal([n, n], seed: 2).scalars, b = Tensor<Float>.randomNormal([n, n], seed: 3).scalars
var c = [Float](repeating: 0, count: n * n)
var best = Double.infinity
for _ in 0..<5 {
    let start = DispatchTime.now().uptimeNanoseconds
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                GEMM.multiply(m: n, n: n, k: n, a: pa.baseAddress!, .rowMajor(columns: n),
                              b: pb.baseAddress!, .rowMajor(columns: n), c: pc.baseAddress!, ldc: n)
            }
        }
    }
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
print(String(format: "GEMM 1024^3: %.1f GFLOP/s (%d threads)", 2 * pow(Double(n), 3) / best / 1e9, ComputeThreads.count))
SWIFT

cd "$APP"
echo "== consumer: swift build -c release $* (from: dependency, no environment variables) =="
swift build -c release "$@" 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Linking|Write|Build)' || true
test -x .build/release/App || { echo "consumer build failed" >&2; exit 1; }
.build/release/App
cp .build/release/App "$WORK/forward-and-gemm"   # kept with CONSUMER_KEEP=1, for timings

echo "== consumer: README.md swift blocks, each as main.swift =="
BLOCKS="$WORK/blocks"
mkdir -p "$BLOCKS"
awk -v dir="$BLOCKS" '
    /^```swift[ \t]*$/ { inside = 1; count++; file = sprintf("%s/block%02d.swift", dir, count); next }
    /^```/ && inside { inside = 0; close(file); next }
    inside { print > file }
' "$ROOT/README.md"
shopt -s nullglob
blocks=("$BLOCKS"/block*.swift)
[ ${#blocks[@]} -gt 0 ] || { echo "README.md has no swift blocks" >&2; exit 1; }
failed=0
for block in "${blocks[@]}"; do
    name=$(basename "$block" .swift)
    cp "$block" Sources/App/main.swift
    if swift build -c release "$@" > "$WORK/$name.log" 2>&1; then
        echo "$name: compiles"
    else
        echo "$name: DOES NOT COMPILE" >&2
        grep -E 'error:' "$WORK/$name.log" | head -20 >&2
        failed=1
    fi
done
echo "consumer check: $(( $(date +%s) - start )) s"
exit $failed
