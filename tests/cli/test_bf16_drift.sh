#!/bin/bash
# `--precision bf16` drift against fp32 (issue: cosine >= 0.9995 on every
# golden text, every cmteb-mini main score within 0.3 points), measured with
# ceval's own regression gate on ../shared/models/ceval-tiny-zh.  On a CPU
# without AVX512_BF16 it checks that bf16 is refused instead.
# A sanitizer build (minutes per task) checks the golden texts only: the
# scores are the release build's job, memory safety of the bf16 path is
# covered there by the embeddings and by tests/engine/test_encoder.c.
set -u
. "$(dirname "$0")/lib/common.sh"
model=../shared/models/ceval-tiny-zh

if ! grep -qw avx512_bf16 /proc/cpuinfo; then
	expect_rc 3 "bf16 refused without AVX512_BF16" "$BIN" embed -m "$model" -i ../shared/golden/texts.jsonl \
		-o "$T/b.npy" --precision bf16
	expect_grep "AVX512_BF16" "$T/err" "refusal names the instruction set"
	echo "(no AVX512_BF16 here: drift not measured)"
	finish
	exit
fi

# embeddings: every golden text, bf16 against fp32
expect_rc 0 "f32 embed" "$BIN" embed -m "$model" -i ../shared/golden/texts.jsonl -o "$T/f.npy" -q
expect_rc 0 "bf16 embed" "$BIN" embed -m "$model" -i ../shared/golden/texts.jsonl -o "$T/b.npy" -q --precision bf16
expect_rc 0 "cosine >= 0.9995 on every golden text" "$BIN" check --embeddings "$T/b.npy" --reference "$T/f.npy" \
	--min-cosine 0.9995
expect_grep "0 row(s) below" "$T/out" "no row below 0.9995"

# cmteb-mini: every main score within 0.3 points, in both directions
case "$BIN" in
*/build/asan/*|*/build/fuzz/*|*/build/debug/*)
	echo "(sanitizer build: cmteb-mini drift left to the release run)"
	finish
	exit ;;
esac
for p in f32 bf16; do
	expect_rc 0 "cmteb-mini $p" "$BIN" run --model "$model" --suite cmteb-mini --data-dir ../shared/data \
		--output "$T/$p" --precision "$p" -q
done
expect_rc 0 "bf16 within 0.3 points of f32" "$BIN" check --results "$T/bf16/ceval-tiny-zh" \
	--baseline "$T/f32/ceval-tiny-zh" --tolerance 0.3
expect_grep " ok, 0 improved, 0 regressed, 0 missing, 0 data mismatch" "$T/out" "no score moved by more than 0.3"
sed -n '/^Task /,$p' "$T/out"
finish
