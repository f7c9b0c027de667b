#!/usr/bin/env bash
# Checks the AVX-VNNI int8 micro-kernel (Sources/TensorKernelsAVXVNNI) on a machine that may
# not have AVX-VNNI. Dev only, not in CI (needs objdump; qemu-x86_64 optional).
#
#   Scripts/check_avxvnni.sh
#
# 1. Builds a harness (Scripts/avxvnni_check/main.swift + the kernel source) with the
#    kernel target's flags (x86-64-v3 + avxvnni): it must contain VEX `vpdpbusd` and no
#    AVX-512 instruction (zmm, mask registers, EVEX-only registers, embedded broadcasts).
# 2. Builds the same source with -D TENSOR_AVXVNNI_EVEX_CHECK (x86-64-v3 + avx512vl +
#    avx512vnni), where the one intrinsic call becomes the AVX512-VL form of the same
#    instruction, and runs it where the CPU has AVX512-VNNI: every int32 sum against a
#    naive Int64 reference (random and extreme operands, K blocks, K = 65,536).
# 3. Compares the two kernels' instructions (modulo ymm numbering, `{vex}` and alignment
#    nops): the shipped VEX kernel is the checked one with a different encoding.
# 4. Runs the VEX harness natively where the CPU has AVX-VNNI, and under
#    `qemu-x86_64 -cpu max` where qemu is installed (QEMU 7.2 and 10.0 do not emulate
#    AVX-VNNI: SIGILL, reported, not a failure of this script).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sources=(Sources/TensorKernelsAVXVNNI/AVXVNNIInt8MicroKernel.swift Scripts/avxvnni_check/main.swift)
status=0

echo "== build: VEX (x86-64-v3 + avxvnni, the kernel target's flags)"
swiftc -O -Xcc -march=x86-64-v3 -Xcc -mavxvnni -D TENSOR_KERNELS_AVXVNNI "${sources[@]}" -o "$work/vex"
echo "== build: EVEX check (x86-64-v3 + avx512vl + avx512vnni, TENSOR_AVXVNNI_EVEX_CHECK)"
swiftc -O -Xcc -march=x86-64-v3 -Xcc -mavx512vl -Xcc -mavx512vnni -D TENSOR_KERNELS_AVXVNNI -D TENSOR_AVXVNNI_EVEX_CHECK \
    "${sources[@]}" -o "$work/evex"

kernel() {  # the micro-kernel's instructions, normalised
    objdump -d --no-show-raw-insn "$1" | awk '/AVXVNNIKernels.*int8MicroKernel.*>:$/{p=1;next} p&&/^$/{exit} p' \
        | sed -E 's/^ *[0-9a-f]+:\t//; s/\{vex\} //; s/[0-9a-f]+ <[^>]*>/ADDR/; s/%ymm[0-9]+/%ymm/g' \
        | grep -vE '^(nop|xchg +%ax,%ax|cs nop|data16)' | sort
}
vexCount=$(objdump -d --no-show-raw-insn "$work/vex" | grep -c '{vex} vpdpbusd' || true)
avx512=$(kernel "$work/vex" | grep -cE '%zmm|%k[0-7]|%[xy]mm(1[6-9]|2[0-9]|3[01])\b|\{1to[0-9]+\}' || true)
echo "VEX kernel: $vexCount {vex} vpdpbusd, $avx512 AVX-512 instructions"
if [ "$vexCount" -eq 0 ] || [ "$avx512" -ne 0 ]; then echo "FAIL: expected VEX vpdpbusd only" >&2; status=1; fi
if diff <(kernel "$work/evex") <(kernel "$work/vex") >"$work/diff"; then
    echo "instructions: the VEX and EVEX-check kernels are the same $(kernel "$work/vex" | wc -l) instructions (modulo ymm numbering and encoding)"
else
    echo "FAIL: the VEX and EVEX-check kernels differ:" >&2; head -20 "$work/diff" >&2; status=1
fi

flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
if [[ " $flags " == *" avx512_vnni "* && " $flags " == *" avx512vl "* ]]; then
    echo "== run: EVEX check build, natively (this CPU has AVX512-VNNI)"
    "$work/evex" || status=1
else
    echo "== skip: EVEX check build (this CPU has no AVX512-VNNI)"
fi
if [[ " $flags " == *" avx_vnni "* ]]; then
    echo "== run: VEX build, natively (this CPU has AVX-VNNI)"
    "$work/vex" || status=1
else
    echo "== skip: VEX build natively (this CPU has no AVX-VNNI)"
fi
if command -v qemu-x86_64 >/dev/null; then
    echo "== run: VEX build under $(qemu-x86_64 --version | head -1), -cpu max"
    if qemu-x86_64 -cpu max "$work/vex" 2>"$work/qemu.err"; then
        echo "qemu: VEX kernel ran and matched"
    else
        echo "qemu: could not run the VEX kernel (exit $?): $(grep -m1 -iE 'signal|illegal' "$work/qemu.err" || true)"
        qemu-x86_64 -cpu max,+avx-vnni /bin/true 2>&1 | grep -i 'avx-vnni' | sed 's/^/qemu: /' || true
    fi
fi
[ $status = 0 ] && echo "AVX-VNNI micro-kernel: checked"
exit $status
