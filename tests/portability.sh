#!/usr/bin/env bash
# Issue 20: what CI cannot run natively, under qemu user-mode emulation
# (`make portability`; needs `make deps`: qemu-user, gcc-aarch64-linux-gnu and the
# arm64 multiarch -dev packages).
#
#  1. x86-64 without AVX: the release build (baseline x86-64, kernels chosen at run
#     time) under `qemu-x86_64 -cpu Nehalem` (SSE4.2, no AVX): --version must say
#     the portable kernels run, then the vector-maths unit test and the encoder
#     goldens (CEVAL_TEST_QUICK=1: the four small models, 231 texts each).
#  2. arm64: a cross build (CC=aarch64-linux-gnu-gcc, build/arm64) of ceval and the
#     unit tests; under `qemu-aarch64 -cpu max` (which has FEAT_BF16): --version
#     (neonbf16 kernels, and each family named when CEVAL_KERNELS caps it), the
#     engine / common / scoring unit tests listed below (test_gemm_f32 runs the
#     NEON fp32 gemm, test_gemm_bf16 the BFDOT one) and the encoder goldens once
#     per arm64 family, the three runs side by side: portable (OpenBLAS) and neon
#     (ceval's NEON gemm) on the fp32 goldens (quick, as above), neonbf16 on the
#     bf16 goldens (CEVAL_TEST_QUICK=bf16: its fp32 path is neon's code).  Unit
#     tests that start the ceval binary or a server are left out (qemu-user
#     cannot exec a foreign binary without binfmt).
#
# Emulation runs 20-100x slower than native: only these, not the end-to-end suite.
# With both parts (the default) the x86 one runs beside the arm64 one; ~7 min on
# a 2-CPU machine.
# Usage: bash tests/portability.sh [x86|arm64]   (default both; BUILD=build/release)
set -u
cd "$(dirname "$0")/.." || exit 1
only=${1:-all}
BUILD=${BUILD:-build/release}
ARM=${ARM_BUILD:-build/arm64}
export CEVAL_FIXTURES=${CEVAL_FIXTURES:-$PWD/build/fixtures}
export CEVAL_SHARED=${CEVAL_SHARED:-$(cd .. && pwd)/shared}
# the emulated CPU is slow: one BLAS thread, no spinning sibling
export OPENBLAS_NUM_THREADS=1
fail=0
say() { echo "== portability: $* ($(date -u +%H:%M:%S))"; }
bad() { echo "FAIL: portability: $*"; fail=1; }
# run DESCRIPTION COMMAND...: prints the seconds it took, fails on a non-zero exit
run() {
	local what=$1; shift
	local s; s=$(date +%s)
	if "$@" >"$log" 2>&1; then
		echo "ok   $what ($(( $(date +%s) - s )) s)"
	else
		bad "$what (exit $?, $(( $(date +%s) - s )) s)"
		tail -40 "$log"
	fi
}
log=$(mktemp) || exit 1
trap 'rm -f "$log" "${xlog:-}"' EXIT
for tool in qemu-x86_64 qemu-aarch64 aarch64-linux-gnu-gcc; do
	command -v "$tool" >/dev/null || { echo "FAIL: portability: $tool is missing (make deps installs it)"; exit 1; }
done

# the x86 part; with both parts it runs beside the arm64 one (its own log,
# its report printed at the end), so that both CPUs of a small runner stay busy
x86_part() {
	local log fail=0
	log=$(mktemp) || return 1
	say "x86-64 baseline build under qemu-x86_64 -cpu Nehalem"
	# OpenBLAS must pick its kernels from the emulated CPU: an OPENBLAS_CORETYPE=Haswell
	# from the environment (CI sets it for the goldens) would run AVX2 code on "Nehalem"
	Q=(env -u OPENBLAS_CORETYPE qemu-x86_64 -cpu Nehalem)
	"${Q[@]}" "$BUILD/ceval" --version >"$log" 2>&1
	grep -qx 'Kernels: portable (CPU: portable)' "$log" && echo "ok   --version: $(grep Kernels "$log")" ||
		{ bad "--version under Nehalem"; cat "$log"; }
	run "test_vmath" "${Q[@]}" "$BUILD/tests/engine/test_vmath"
	run "encoder goldens (quick)" env CEVAL_TEST_QUICK=1 "${Q[@]}" "$BUILD/tests/engine/test_encoder"
	grep -c ' 231 texts, max |delta|' "$log" | grep -qx 4 || bad "x86 goldens: 4 models expected"
	rm -f "$log"
	return $fail
}
xlog=
if [ "$only" = x86 ]; then
	x86_part || fail=1
elif [ "$only" = all ]; then
	xlog=$(mktemp) || exit 1
	x86_part >"$xlog" 2>&1 &
	xpid=$!
fi

if [ "$only" = all ] || [ "$only" = arm64 ]; then
	say "arm64 cross build ($ARM)"
	UNIT="common/test_common common/test_sorted_i64 engine/test_vmath engine/test_gemm_f32 engine/test_gemm_bf16
	      engine/test_tokenizer engine/test_model_arch eval/test_knn eval/test_metrics eval/test_np_sum
	      eval/test_ranking eval/test_learn eval/test_classif eval/test_evaluators eval/test_identity"
	targets=("$ARM/ceval" "$ARM/tests/engine/test_encoder")
	for t in $UNIT; do targets+=("$ARM/tests/$t"); done
	run "cross build" make --no-print-directory CC=aarch64-linux-gnu-gcc BUILD="$ARM" \
		PKG_CONFIG="env PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config" \
		"${targets[@]}"
	file "$ARM/ceval" | grep -q 'ARM aarch64' || bad "$ARM/ceval is not an arm64 binary"
	say "arm64 under qemu-aarch64 -cpu max"
	Q=(qemu-aarch64 -cpu max)
	"${Q[@]}" "$ARM/ceval" --version >"$log" 2>&1
	grep -qx 'Kernels: neonbf16 (CPU: portable, neon, neonbf16)' "$log" && echo "ok   --version: $(grep Kernels "$log")" ||
		{ bad "--version under qemu-aarch64"; cat "$log"; }
	for f in portable neon; do
		env CEVAL_KERNELS=$f "${Q[@]}" "$ARM/ceval" --version >"$log" 2>&1
		grep -qx "Kernels: $f (CPU: portable, neon, neonbf16; capped by CEVAL_KERNELS)" "$log" ||
			{ bad "CEVAL_KERNELS=$f --version under qemu-aarch64"; cat "$log"; }
	done
	for t in $UNIT; do
		run "$t" "${Q[@]}" "$ARM/tests/$t"
	done
	# the goldens once per family, side by side (each run is single-threaded)
	declare -A quick=([portable]=1 [neon]=1 [neonbf16]=bf16) glog pid
	for f in portable neon neonbf16; do
		glog[$f]=$(mktemp) || exit 1
		(
			s=$(date +%s)
			env CEVAL_KERNELS=$f CEVAL_TEST_QUICK="${quick[$f]}" "${Q[@]}" "$ARM/tests/engine/test_encoder" \
				>"${glog[$f]}" 2>&1
			rc=$?
			echo "$(( $(date +%s) - s ))" >"${glog[$f]}.s"
			exit $rc
		) &
		pid[$f]=$!
	done
	for f in portable neon neonbf16; do
		if wait "${pid[$f]}"; then
			echo "ok   encoder goldens, CEVAL_KERNELS=$f (quick: ${quick[$f]}; $(cat "${glog[$f]}.s") s)"
		else
			bad "encoder goldens, CEVAL_KERNELS=$f (exit $?, $(cat "${glog[$f]}.s") s)"
			tail -40 "${glog[$f]}"
		fi
		grep -E ' 231 texts, max \|delta\||bf16 vs fp32 reference' "${glog[$f]}" | sed 's/^ */       /'
	done
	for f in portable neon; do
		grep -c ' 231 texts, max |delta|' "${glog[$f]}" | grep -qx 4 || bad "arm64 goldens ($f): 4 models expected"
	done
	grep -c 'bf16 vs fp32 reference' "${glog[neonbf16]}" | grep -qx 2 || bad "arm64 goldens (neonbf16): 2 bf16 models expected"
	for f in portable neon neonbf16; do rm -f "${glog[$f]}" "${glog[$f]}.s"; done
fi
if [ -n "$xlog" ]; then
	wait "$xpid" || fail=1
	cat "$xlog"
	rm -f "$xlog"
fi
[ $fail = 0 ] && echo "portability: all passed" || echo "portability: FAILURES"
exit $fail
