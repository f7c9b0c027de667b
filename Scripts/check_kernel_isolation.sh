#!/usr/bin/env bash
# Checks that AVX-512 code appears only in the AVX-512 kernel targets (TensorKernelsAVX512,
# and TensorKernelsVNNI, the int8 dot-product kernel, also called only on AVX-512 CPUs).
#
#   Scripts/check_kernel_isolation.sh [build directory, default .build/release]
#
# Run-time dispatch is only safe if nothing outside TensorKernelsAVX512 uses AVX-512:
# on an AVX-512 machine a stray instruction never faults, so only the code can tell.
# Swift's cross-module inlining and generic specialisation could carry kernel code into
# its callers, so this disassembles every object file of the build (`objdump -d`) and
# fails if any module other than TensorKernelsAVX512 mentions a zmm register, an
# AVX-512 mask register (%k0-%k7), an EVEX-only vector register (xmm16-31 / ymm16-31)
# or an embedded broadcast ({1toN}); TensorKernelsAVXVNNI (x86-64-v3 + AVX-VNNI) must hold
# VEX `vpdpbusd` and no AVX-512. Run it after `swift build -c release` with no
# TENSOR_TARGET_CPU (that option compiles everything for the host on purpose).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-.build/release}
command -v objdump >/dev/null || { echo "objdump not found" >&2; exit 1; }
[ -d "$BUILD/TensorKernelsAVX512.build" ] || { echo "$BUILD has no TensorKernelsAVX512 objects: build first" >&2; exit 1; }
pattern='%zmm|%k[0-7]|%[xy]mm(1[6-9]|2[0-9]|3[01])\b|\{1to[0-9]+\}'
status=0
for dir in "$BUILD"/*.build; do
    module=$(basename "$dir" .build)
    objects=("$dir"/*.o)
    [ -e "${objects[0]}" ] || continue
    count=$(objdump -d --no-show-raw-insn "${objects[@]}" | grep -cE "$pattern" || true)
    if [ "$module" = TensorKernelsAVX512 ] || [ "$module" = TensorKernelsVNNI ]; then
        if [ "$count" -eq 0 ]; then
            echo "$module: no AVX-512 instructions (was it compiled with its flags?)" >&2
            status=1
        else
            echo "$module: $count AVX-512 instructions (expected)"
        fi
    elif [ "$count" -ne 0 ]; then
        echo "$module: $count AVX-512 instructions outside the AVX-512 target:" >&2
        objdump -d --no-show-raw-insn "${objects[@]}" | grep -E "$pattern" | head -5 >&2
        status=1
    fi
done
# The AVX-VNNI target (checked above for no AVX-512) must hold its VEX `vpdpbusd`.
if [ -d "$BUILD/TensorKernelsAVXVNNI.build" ]; then
    vex=$(objdump -d --no-show-raw-insn "$BUILD"/TensorKernelsAVXVNNI.build/*.o | grep -c '{vex} vpdpbusd' || true)
    if [ "$vex" -eq 0 ]; then
        echo "TensorKernelsAVXVNNI: no VEX vpdpbusd (was it compiled with its flags?)" >&2
        status=1
    else
        echo "TensorKernelsAVXVNNI: $vex VEX vpdpbusd, no AVX-512 (expected)"
    fi
fi
[ $status = 0 ] && echo "AVX-512 code only in TensorKernelsAVX512 and TensorKernelsVNNI"
exit $status
