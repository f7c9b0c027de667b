#!/usr/bin/env bash
# Fetches scikit-learn's 8x8 handwritten digits (`digits.csv.gz`: 1,797 rows of 64 pixel
# values 0-16 and a label): the scikit-learn wheel on PyPI ships the file as package data.
# pip is only a downloader here; nothing in Python runs. The gzip file is copied as is
# (vit-train decodes it with the package's own inflate) into .build-models/ (ignored by git).
#
#   Scripts/fetch_digits.sh            → prints the path of digits.csv.gz
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target="$root/.build-models/digits/digits.csv.gz"
if [ ! -f "$target" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    python3 -m pip download --isolated --no-deps --quiet --only-binary=:all: \
        --platform manylinux_2_17_x86_64 --python-version 3.12 scikit-learn==1.7.2 -d "$work" >&2
    wheel=$(ls "$work"/scikit_learn-*.whl)
    mkdir -p "$(dirname "$target")"
    python3 -m zipfile -e "$wheel" "$work/unpacked" >&2
    cp "$work/unpacked/sklearn/datasets/data/digits.csv.gz" "$target"
fi
echo "$target"
