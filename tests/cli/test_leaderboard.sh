#!/bin/bash
# CLI tests of `ceval leaderboard` and `ceval list` over small fixtures.
# Expected numbers are the published rows of spec §12 (tests/golden/bge-results).
set -u
GOLD=tests/golden/bge-results
. "$(dirname "$0")/lib/common.sh"

# two models, one complete (bge-large-zh-v1.5), one missing three tasks
mkdir -p "$T/res"
cp -r "$GOLD/bge-large-zh-v1.5" "$GOLD/bge-small-zh" "$T/res/"
rm "$T/res/bge-small-zh/"{STS22,Ocnli,VideoRetrieval}.json
expect_rc 0 "leaderboard" "$BIN" leaderboard --results "$T/res" --output "$T/lb.md"
expect_grep "| Model | Embedding dimension | Avg | Retrieval | STS | PairClassification | Classification | Reranking | Clustering |" "$T/lb.md" "summary header"
expect_grep "| bge-large-zh-v1.5 | 1024 | 64.53 | 70.46 | 56.25 | 81.62 | 69.13 | 65.84 | 48.99 |" "$T/lb.md" "complete row = spec §12"
# incomplete: retrieval avg = mean of the 7 published values (62.18); Cmnli alone for pair classification (75.46), clustering complete (45.09)
expect_grep "| bge-small-zh | 512 | " "$T/lb.md" "incomplete row"
expect_grep "| 75.46* |" "$T/lb.md" "partial type average marked"
expect_grep "| 45.09 |" "$T/lb.md" "complete type of an incomplete model unmarked"
expect_grep "- bge-small-zh: 3 of 35 tasks missing (Retrieval 1, STS 1, PairClassification 1): VideoRetrieval, STS22, Ocnli" "$T/lb.md" "missing list"
expect_grep "| bge-small-zh | 77.59 | 67.56 | 77.89 | 68.95 | 35.18 | 58.17 | 49.90 | - | 62.18* |" "$T/lb.md" "retrieval table row"
# complete model ranked first
first=$(grep -m1 '^| bge' "$T/lb.md" | cut -d'|' -f2)
[ "$first" = " bge-large-zh-v1.5 " ] && ok || bad "ranking: first row is '$first'"
# stdout when no --output
expect_rc 0 "stdout" "$BIN" leaderboard --results "$T/res"
cmp -s "$T/out" "$T/lb.md" && ok || bad "stdout differs from --output file"

# malformed file: exit 3, named
printf '{"task_name": ' >"$T/res/bge-small-zh/ATEC.json"
expect_rc 3 "malformed" "$BIN" leaderboard --results "$T/res"
expect_grep "$T/res/bge-small-zh/ATEC.json" "$T/err" "malformed file named"
expect_rc 2 "no --results" "$BIN" leaderboard
expect_rc 3 "unknown suite" "$BIN" leaderboard --results "$GOLD" --suite no-such-suite
expect_rc 3 "missing results dir" "$BIN" leaderboard --results "$T/none"

# list: suite rows and data presence (a folder with a missing file names it)
mkdir -p "$T/data/C-MTEB/ATEC" "$T/data/C-MTEB/T2Retrieval/qrels" "$T/data/C-MTEB/TNews-classification"
: >"$T/data/C-MTEB/ATEC/test.jsonl"
: >"$T/data/C-MTEB/T2Retrieval/corpus.jsonl"
: >"$T/data/C-MTEB/T2Retrieval/qrels/dev.tsv.zst"
: >"$T/data/C-MTEB/TNews-classification/train.jsonl"
expect_rc 0 "list" "$BIN" list --suite cmteb --data-dir "$T/data"
expect_grep "Suite cmteb: 35 task(s)" "$T/out" "suite count"
grep -E '^ATEC +sts +test +cosine_spearman +- +- +- +C-MTEB/ATEC +yes$' "$T/out" >/dev/null && ok || { bad "ATEC row"; grep ATEC "$T/out"; }
expect_grep "no (missing queries.jsonl)" "$T/out" "retrieval missing file named"
expect_grep "no (missing validation.jsonl)" "$T/out" "classification missing eval split"
grep -E '^BQ .* no \(no folder\)$' "$T/out" >/dev/null && ok || bad "BQ without folder"
expect_rc 0 "list all suites" "$BIN" list --data-dir "$T/data"
expect_grep "Suite cmteb: 35 task(s)" "$T/out" "all suites include cmteb"
expect_rc 3 "list unknown suite" "$BIN" list --suite nope

finish
