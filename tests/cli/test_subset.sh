#!/bin/bash
# CLI tests of `ceval run --subset` and of `ceval check` refusing results
# computed on different subsets (or a subset against a full run).  Run by
# `make cli` with $CEVAL_BIN set.  Uses models/ceval-tiny-zh and the
# cmteb-mini data of ../shared/data.
set -u
. "$(dirname "$0")/lib/common.sh"
RUN=("$BIN" run --model models/ceval-tiny-zh --data-dir ../shared/data --quiet --threads 2)
jget() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

# the whole cmteb-mini suite on subsets of 200 (a sanitizer build, far slower,
# runs one task per type plus STSB)
SEL=() N_TASKS=20
case "$BIN" in */build/asan/*|*/build/fuzz/*|*/build/debug/*)
	SEL=(--task LCQMC-mini,STSB-mini,Ocnli-mini,EPRSTMT-mini,CLSClusteringS2S-mini,MedDialogReranking-mini,CmrcRetrieval-mini)
	N_TASKS=7 ;;
esac
expect_rc 0 "cmteb-mini --subset 200" "${RUN[@]}" --suite cmteb-mini "${SEL[@]}" --subset 200 --output "$T/s200"
S=$T/s200/ceval-tiny-zh
[ "$(ls "$S"/*.json | wc -l)" = "$N_TASKS" ] && ok || bad "$N_TASKS results written"
[ "$(jget "$S/STSB-mini.json" 'd["ceval"]["subset"]["n"]')" = 200 ] && ok || bad "STSB subset n recorded"
[ "$(jget "$S/STSB-mini.json" 'd["ceval"]["subset"]["seed"]')" = 42 ] && ok || bad "seed recorded"
[ "$(jget "$S/CmrcRetrieval-mini.json" 'd["ceval"]["subset"]["corpus"]')" = 2000 ] && ok || bad "retrieval M = 10 x N"
H200=$(jget "$S/STSB-mini.json" 'd["ceval"]["subset"]["selection_hash"]')

# same N again: the same selection and the same score; check passes
expect_rc 0 "STSB again" "${RUN[@]}" --task STSB-mini --subset 200 --output "$T/again"
[ "$(jget "$T/again/ceval-tiny-zh/STSB-mini.json" 'd["ceval"]["subset"]["selection_hash"]')" = "$H200" ] && ok ||
	bad "same selection hash"
expect_rc 0 "same subset checks" "$BIN" check -r "$T/again/ceval-tiny-zh" -b "$S/STSB-mini.json" --tolerance 0
expect_grep "1 task(s): 1 ok" "$T/out" "same subset ok"

# a full run: subset vs full is refused, accepted with --allow-mismatch
expect_rc 0 "STSB full" "${RUN[@]}" --task STSB-mini --output "$T/full"
[ "$(jget "$T/full/ceval-tiny-zh/STSB-mini.json" 'd["ceval"]["subset"]')" = None ] && ok || bad "full run: subset null"
expect_rc 3 "subset vs full refused" "$BIN" check -r "$S/STSB-mini.json" -b "$T/full/ceval-tiny-zh/STSB-mini.json"
expect_grep "DATA MISMATCH" "$T/out" "mismatch verdict"
expect_grep "subset differs" "$T/out" "reason given"
expect_grep "baseline full; results ceval-subset-v1 n=200" "$T/out" "both sides described"
expect_rc 0 "allowed" "$BIN" check -r "$S/STSB-mini.json" -b "$T/full/ceval-tiny-zh/STSB-mini.json" \
	--allow-mismatch --tolerance 100
expect_grep "subset differs, allowed" "$T/out" "noted when allowed"

# another N: refused too
expect_rc 0 "STSB 100" "${RUN[@]}" --task STSB-mini --subset 100 --output "$T/s100"
expect_rc 3 "100 vs 200 refused" "$BIN" check -r "$T/s100/ceval-tiny-zh" -b "$S/STSB-mini.json"
expect_grep "n=100" "$T/out" "n=100 named"
expect_rc 0 "100 vs 200 allowed" "$BIN" check -r "$T/s100/ceval-tiny-zh" -b "$S/STSB-mini.json" \
	--allow-mismatch --tolerance 100

# resume: the kept result must be of the same subset
expect_rc 0 "resume same subset" "${RUN[@]}" --task STSB-mini --subset 100 --output "$T/s100"
expect_grep "kept" "$T/out" "same subset kept"
expect_rc 0 "other subset recomputed" "${RUN[@]}" --task STSB-mini --subset 50 --output "$T/s100"
expect_grep "done" "$T/out" "recomputed"
[ "$(jget "$T/s100/ceval-tiny-zh/STSB-mini.json" 'd["ceval"]["subset"]["n"]')" = 50 ] && ok || bad "rewritten n=50"

# suite entries with sizes; errors keep file:line:col
cat >"$T/ci.yaml" <<'YEOF'
suite: tiny-ci
tasks:
  - {task: STSB-mini, subset: 30}
  - task: CmrcRetrieval-mini
    subset: 5
    subset_corpus: 40
YEOF
expect_rc 0 "list suite sizes" "$BIN" list --suite "$T/ci.yaml" --data-dir ../shared/data
expect_grep "5/40" "$T/out" "retrieval N/M listed"
expect_rc 0 "suite sizes run" "${RUN[@]}" --suite "$T/ci.yaml" --output "$T/ci"
[ "$(jget "$T/ci/ceval-tiny-zh/STSB-mini.json" 'd["ceval"]["subset"]["n"]')" = 30 ] && ok || bad "suite N used"
[ "$(jget "$T/ci/ceval-tiny-zh/CmrcRetrieval-mini.json" 'd["ceval"]["subset"]["corpus"]')" = 40 ] && ok ||
	bad "suite M used"
printf 'suite: bad\ntasks:\n  - {task: STSB-mini, subset: 30, subset_corpus: 9}\n' >"$T/bad.yaml"
expect_rc 3 "subset_corpus on sts" "$BIN" list --suite "$T/bad.yaml"
expect_grep "bad.yaml:3:35: subset_corpus: only for retrieval tasks" "$T/err" "error with line:col"
printf 'suite: bad\ntasks:\n  - {task: STSB-mini, subset: many}\n' >"$T/bad2.yaml"
expect_rc 3 "subset not an int" "$BIN" list --suite "$T/bad2.yaml"
expect_grep "bad2.yaml:3:31: subset: expected an integer" "$T/err" "int error with line:col"
finish
