#!/usr/bin/env bash
# Builds and runs the libFuzzer targets for the safetensors and .npy parsers.
#
#   Scripts/fuzz/run.sh safetensors|npy [SECONDS]     (default 600 s)
#
# The Tensor sources and FuzzEntry.swift are compiled as one module with
# -sanitize=fuzzer,address (Linux). Seeds come from the committed IO fixtures; the corpus
# and any crash reproducers go to .build-fuzz/<target>/. Not part of CI.
set -euo pipefail
target=${1:?usage: run.sh safetensors|npy [seconds]}
seconds=${2:-600}
root=$(cd "$(dirname "$0")/../.." && pwd)
work="$root/.build-fuzz/$target"
mkdir -p "$work/corpus" "$work/crashes"

defines=()
[ "$target" = npy ] && defines=(-D FUZZ_NPY)
swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name Tensor \
    -Xcc -march=x86-64-v3 "${defines[@]}" \
    $(find "$root/Sources/Tensor" -name '*.swift') "$root/Scripts/fuzz/FuzzEntry.swift" \
    -o "$work/fuzz-$target"

if [ "$target" = npy ]; then
    cp "$root"/Tests/TensorTests/Fixtures/io/*.npy "$work/corpus/" 2>/dev/null || true
else
    cp "$root"/Tests/TensorTests/Fixtures/io/*.safetensors "$root"/Tests/TensorTests/Fixtures/io/sharded/*.safetensors \
        "$work/corpus/" 2>/dev/null || true
fi
cd "$work"
"./fuzz-$target" corpus -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$work/crashes/" -print_final_stats=1
