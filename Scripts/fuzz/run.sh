#!/usr/bin/env bash
# Builds and runs the libFuzzer targets for the safetensors and .npy parsers.
#
#   Scripts/fuzz/run.sh safetensors|npy|png|jpeg|webp [SECONDS]     (default 600 s)
#
# png, jpeg and webp share the image entry point and differ in their seed corpus.
# The Tensor (and, for images, Imaging) sources and FuzzEntry.swift are compiled as one module with
# -sanitize=fuzzer,address (Linux). Seeds come from the committed IO fixtures; the corpus
# and any crash reproducers go to .build-fuzz/<target>/. Not part of CI.
set -euo pipefail
target=${1:?usage: run.sh safetensors|npy [seconds]}
seconds=${2:-600}
root=$(cd "$(dirname "$0")/../.." && pwd)
work="$root/.build-fuzz/$target"
mkdir -p "$work/corpus" "$work/crashes"

defines=()
sources=$(find "$root/Sources/Tensor" -name '*.swift')
case "$target" in
    npy) defines=(-D FUZZ_NPY) ;;
    png|jpeg|webp) defines=(-D FUZZ_IMAGE); sources="$sources $(find "$root/Sources/Imaging" -name '*.swift')" ;;
esac
# Imaging's `import Tensor` names the module being compiled; swiftc only warns about that.
swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name Tensor \
    -Xcc -march=x86-64-v3 "${defines[@]}" $sources "$root/Scripts/fuzz/FuzzEntry.swift" \
    -o "$work/fuzz-$target" 2> "$work/build.log" || { cat "$work/build.log"; exit 1; }

if [ "$target" = npy ]; then
    cp "$root"/Tests/TensorTests/Fixtures/io/*.npy "$work/corpus/" 2>/dev/null || true
elif [ "$target" = png ]; then
    cp "$root"/Tests/ImagingTests/Fixtures/png/*.png "$work/corpus/"
elif [ "$target" = jpeg ]; then
    cp "$root"/Tests/ImagingTests/Fixtures/jpeg/*.jpg "$work/corpus/"
elif [ "$target" = webp ]; then
    cp "$root"/Tests/ImagingTests/Fixtures/webp/*.webp "$work/corpus/"
else
    cp "$root"/Tests/TensorTests/Fixtures/io/*.safetensors "$root"/Tests/TensorTests/Fixtures/io/sharded/*.safetensors \
        "$work/corpus/" 2>/dev/null || true
fi
cd "$work"
"./fuzz-$target" corpus -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$work/crashes/" -print_final_stats=1
