#!/usr/bin/env bash
# Builds and runs the libFuzzer targets for the safetensors and .npy parsers.
#
#   Scripts/fuzz/run.sh safetensors|npy|png|jpeg|gif|bmp|tiff|netpbm|cmyk|webp [SECONDS]   (default 600 s)
#
# The image targets share the image entry point (ImageDecoder picks the decoder from the
# signature) and differ in their seed corpus; they share one binary, rebuilt only when a
# source is newer than it.
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
    png|jpeg|gif|bmp|tiff|netpbm|cmyk|webp)
        defines=(-D FUZZ_IMAGE); sources="$sources $(find "$root/Sources/Imaging" -name '*.swift')"
        binary="$root/.build-fuzz/fuzz-image" ;;
esac
binary=${binary:-$work/fuzz-$target}
# Imaging's `import Tensor` names the module being compiled; swiftc only warns about that.
stale=1
if [ -x "$binary" ] && [ -z "$(find $sources "$root/Scripts/fuzz/FuzzEntry.swift" -newer "$binary")" ]; then stale=0; fi
if [ "$stale" = 1 ]; then
    swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name Tensor \
        -Xcc -march=x86-64-v3 "${defines[@]}" $sources "$root/Scripts/fuzz/FuzzEntry.swift" \
        -o "$binary" 2> "$work/build.log" || { cat "$work/build.log"; exit 1; }
fi

if [ "$target" = npy ]; then
    cp "$root"/Tests/TensorTests/Fixtures/io/*.npy "$work/corpus/" 2>/dev/null || true
elif [ "$target" = png ]; then
    cp "$root"/Tests/ImagingTests/Fixtures/png/*.png "$work/corpus/"
elif [ "$target" = jpeg ]; then
    cp "$root"/Tests/ImagingTests/Fixtures/jpeg/*.jpg "$work/corpus/"
elif [ "$target" = webp ]; then
    cp "$root"/Tests/ImagingTests/Fixtures/webp/*.webp "$work/corpus/"
elif [ "$target" = cmyk ]; then
    cp "$root"/Tests/ImagingTests/Fixtures/formats/jpeg-cmyk/*.jpg "$work/corpus/"
elif [ "$target" = gif ] || [ "$target" = bmp ] || [ "$target" = tiff ] || [ "$target" = netpbm ]; then
    find "$root/Tests/ImagingTests/Fixtures/formats/$target" -maxdepth 1 -type f -exec cp {} "$work/corpus/" \;
else
    cp "$root"/Tests/TensorTests/Fixtures/io/*.safetensors "$root"/Tests/TensorTests/Fixtures/io/sharded/*.safetensors \
        "$work/corpus/" 2>/dev/null || true
fi
cd "$work"
"$binary" corpus -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$work/crashes/" -print_final_stats=1
