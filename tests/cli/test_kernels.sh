#!/bin/bash
# Issue 20: the kernel family is chosen at run time and CEVAL_KERNELS caps it.
# For every family this CPU has, forced with CEVAL_KERNELS:
#  - `ceval --version` names it on its Kernels line;
#  - the encoder goldens pass on it (tests/engine/test_encoder beside the binary,
#    CEVAL_TEST_QUICK=1: the four small models' 231 texts against
#    SentenceTransformer's vectors in ../shared/golden/embeddings);
#  - `ceval run` records a kernel id that names the path (the embedding-cache and
#    result identity key), and paths with different bits have different ids.
# Then: an unknown family, and one this CPU lacks, stop ceval with a one-line error.
# Under sanitizers (CEVAL_SANITIZED=1) only the portable family runs the goldens (the
# others run in the sanitized unit tests already).  ~30 s in release (portable: ~18 s).
set -u
. "$(dirname "$0")/lib/common.sh"

ENC=$(dirname "$BIN")/tests/engine/test_encoder
if [ ! -x "$ENC" ]; then
	bad "missing $ENC (build the unit tests first: make $(dirname "$BIN")/tests/engine/test_encoder)"
	finish
	exit
fi

expect_rc 0 "--version" "$BIN" --version
line=$(grep '^Kernels: ' "$T/out")
[ -n "$line" ] && ok || bad "--version has no Kernels line"
# "Kernels: avx512bf16 (CPU: portable, avx2, avx512, avx512bf16)"
families=$(sed -n 's/^Kernels: [a-z0-9]* (CPU: \([^;)]*\).*/\1/p' "$T/out" | tr -d ',')
default=$(sed -n 's/^Kernels: \([a-z0-9]*\) .*/\1/p' "$T/out")
echo "kernel families of this CPU: $families (default $default)"
case " $families " in *" portable "*) ok ;; *) bad "portable missing from '$families'" ;; esac
case " $families " in *" $default "*) ok ;; *) bad "default '$default' not among '$families'" ;; esac

# a copy of the demo tasks: one STS task, for the kernel id in the result
R="$T/r"
ids=""
for f in $families; do
	if [ "${CEVAL_SANITIZED:-0}" = 1 ] && [ "$f" != portable ]; then
		continue
	fi
	expect_rc 0 "CEVAL_KERNELS=$f --version" env CEVAL_KERNELS="$f" "$BIN" --version
	expect_grep "Kernels: $f (CPU: " "$T/out" "CEVAL_KERNELS=$f"
	expect_grep "capped by CEVAL_KERNELS" "$T/out" "CEVAL_KERNELS=$f"
	s=$(date +%s)
	expect_rc 0 "CEVAL_KERNELS=$f encoder goldens" env CEVAL_KERNELS="$f" CEVAL_TEST_QUICK=1 "$ENC"
	grep -c ' 231 texts, max |delta|' "$T/out" | grep -qx 4 && ok || bad "CEVAL_KERNELS=$f: 4 golden models expected"
	echo "CEVAL_KERNELS=$f: encoder goldens passed in $(( $(date +%s) - s )) s"
	expect_rc 0 "CEVAL_KERNELS=$f run" env CEVAL_KERNELS="$f" "$BIN" run --model models/ceval-tiny-zh \
		--task STS-demo --data-dir datasets --output "$R/$f" --threads 1 --cache-dir "$T/cache"
	id=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['ceval']['identity']['kernels'])" \
		"$R/$f/ceval-tiny-zh/STS-demo.json" 2>/dev/null)
	echo "CEVAL_KERNELS=$f: kernel id $id"
	case "$f:$id" in
	portable:*-f32-openblas-scalar | avx2:*-f32-openblas | avx512:*-f32-avx512 | avx512bf16:*-f32-avx512 | \
		amx:*-f32-avx512 | neon:*-f32-neon | neonbf16:*-f32-neon) ok ;;
	*) bad "CEVAL_KERNELS=$f: unexpected kernel id '$id'" ;;
	esac
	ids="$ids $id"
done
# fp32 paths with different bits never share an id (the cache would mix them)
n_ids=$(echo $ids | tr ' ' '\n' | sort -u | wc -l)
n_paths=$(echo $ids | tr ' ' '\n' | sed 's/.*-f32-//' | sort -u | wc -l)
[ "$n_ids" = "$n_paths" ] && ok || bad "kernel ids: $ids"

# errors: one line, non-zero exit, nothing on stdout
expect_rc 2 "unknown family" env CEVAL_KERNELS=sse9 "$BIN" --version
expect_grep "CEVAL_KERNELS='sse9': unknown kernel family; this CPU has: " "$T/err" "unknown family"
[ "$(wc -l <"$T/err")" = 1 ] && [ ! -s "$T/out" ] && ok || bad "unknown family: one line on stderr only"
case "$(uname -m)" in x86_64) other=neon ;; *) other=avx2 ;; esac
expect_rc 3 "CEVAL_KERNELS=$other" env CEVAL_KERNELS=$other "$BIN" run --model models/ceval-tiny-zh --task STS-demo \
	--data-dir datasets --output "$R/x"
expect_grep "CEVAL_KERNELS=$other: not a kernel family of this architecture" "$T/err" "foreign family"
[ "$(wc -l <"$T/err")" = 1 ] && ok || bad "foreign family: one line expected"
# the encoder refuses it too (library callers)
env CEVAL_KERNELS=$other CEVAL_TEST_QUICK=1 "$ENC" >"$T/out" 2>&1 && bad "encoder goldens ran with a foreign family" || ok
expect_grep "ERROR: CEVAL_KERNELS=$other: not a kernel family" "$T/out" "encoder_open error"
finish
