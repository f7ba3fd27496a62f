#!/bin/bash
# CLI behaviour every command shares: help, version, suggestions, and the
# errors a newcomer meets first (model name not found, dataset missing).
set -u
. "$(dirname "$0")/lib/common.sh"

expect_rc 0 "--help" "$BIN" --help
for c in run list leaderboard check score embed tokenize models download; do
	expect_grep "  $c " "$T/out" "command $c listed"
done
for c in run list leaderboard check score embed tokenize models download; do
	expect_rc 0 "$c --help" "$BIN" "$c" --help
	expect_grep "Usage: ceval $c" "$T/out" "$c usage line"
	expect_rc 0 "help $c" "$BIN" help "$c"
	expect_grep "Usage: ceval $c" "$T/out" "help $c usage line"
done
# every option of run is documented with its default where it has one
expect_rc 0 "run --help" "$BIN" run --help
expect_grep "(default: results)" "$T/out" "run --output default"
expect_grep "Examples:" "$T/out" "run examples"
expect_rc 0 "--version" "$BIN" --version
expect_grep "OpenBLAS" "$T/out" "version lists OpenBLAS"
expect_grep "libyaml" "$T/out" "version lists libyaml"
expect_grep "zstd" "$T/out" "version lists zstd"
expect_rc 2 "unknown command" "$BIN" rnu
expect_grep "did you mean 'run'" "$T/err" "command suggestion"
expect_rc 2 "misspelt option" "$BIN" run --modle x --suite demo
expect_grep "did you mean '--model'" "$T/err" "option suggestion"
expect_rc 2 "missing required" "$BIN" embed --input x
expect_grep "missing required option --model" "$T/err" "required option named"
expect_rc 2 "bad int" "$BIN" embed -m x -i y -o z --threads many
expect_grep "--threads expects an integer" "$T/err" "int check"

# a model name that is nowhere: says where it looked and how to download
expect_rc 3 "missing model" env HF_HUB_OFFLINE=1 CEVAL_MODELS="$T/models" HF_HUB_CACHE="$T/hub" HF_HOME="$T/hf" HOME="$T" \
	"$BIN" run --model bge-base-zh-v1.5 --suite demo --data-dir datasets --output "$T/res"
expect_grep "model 'bge-base-zh-v1.5' not found" "$T/err" "model not found"
expect_grep "$T/models/bge-base-zh-v1.5" "$T/err" "CEVAL_MODELS place listed"
expect_grep "models--BAAI--bge-base-zh-v1.5" "$T/err" "HF cache place listed"
expect_grep "huggingface-cli download BAAI/bge-base-zh-v1.5" "$T/err" "download hint"
expect_grep "ceval download --model bge-base-zh-v1.5" "$T/err" "ceval download hint"
expect_grep "offline (--offline or HF_HUB_OFFLINE=1)" "$T/err" "offline said"

# a found model in a fake HF cache layout resolves by name
mkdir -p "$T/hub/models--BAAI--bge-small-zh-v1.5/refs" "$T/hub/models--BAAI--bge-small-zh-v1.5/snapshots"
cp -r models/ceval-tiny-zh "$T/hub/models--BAAI--bge-small-zh-v1.5/snapshots/abc123"
echo abc123 >"$T/hub/models--BAAI--bge-small-zh-v1.5/refs/main"
expect_rc 0 "models lists cache" env CEVAL_MODELS= HF_HUB_CACHE="$T/hub" "$BIN" models
expect_grep "snapshots/abc123" "$T/out" "hub cache snapshot resolved"

# a dataset that is missing: task named, expected path named, other tasks still run
mkdir -p "$T/data"
cp -r datasets/demo "$T/data/demo"
rm -rf "$T/data/demo/STS-demo"
expect_rc 3 "missing dataset" "$BIN" run --model models/ceval-tiny-zh --suite demo --data-dir "$T/data" \
	--output "$T/res" --quiet
expect_grep "STS-demo" "$T/err" "missing task named"
expect_grep "$T/data/demo/STS-demo" "$T/err" "expected path named"
expect_grep "SKIPPED" "$T/out" "summary says skipped"
expect_grep "NLI-demo" "$T/out" "other tasks ran"
[ -f "$T/res/ceval-tiny-zh/NLI-demo.json" ] && ok || bad "NLI-demo result written"
# embed --profile: printed even with -q; 0 < matrix products <= forward passes
expect_rc 0 "embed --profile" "$BIN" embed -m ../shared/models/ceval-tiny-zh -i ../shared/golden/texts.jsonl \
	-o "$T/p.npy" -q --profile
expect_grep "profile: encode" "$T/err" "profile line"
if awk '/^profile:/ { f = $8; m = $14; ok = (f > 0 && m > 0 && m <= f) } END { exit !ok }' "$T/err"; then ok; else
	bad "profile numbers: $(cat "$T/err")"
fi
finish
