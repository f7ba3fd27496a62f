#!/bin/bash
# CLI tests of `ceval run --compat r1|r3` (spec evaluation.md §0): R3 files,
# their main scores and keys; R1 and R3 agree where they compute the same
# number from the same embeddings (STS, classification, clustering,
# retrieval nDCG@10); leaderboard keeps the levels apart; check refuses to
# compare across levels (exit 3) unless --allow-mismatch; published mteb files
# are classified by mteb_version.  Run by `make cli` with $CEVAL_BIN set.
set -u
. "$(dirname "$0")/lib/common.sh"
# Six tasks at two levels take minutes in a release build and far too long under the
# sanitizers; there the R3 evaluators are covered by test_ev_r3 (tests/eval/test_evaluators.c)
# and test_reference_run_r3.sh's short task list, and this script runs in the release pass.
case "$BIN" in */build/asan/*|*/build/fuzz/*|*/build/debug/*)
	echo "SKIP: test_compat.sh runs in the release pass only (sanitizer build)"; finish; exit ;;
esac
MODEL=${CEVAL_MODEL:-../shared/models/ceval-tiny-zh}
DATA=${CEVAL_DATA:-../shared/data}
TASKS=STSB-mini,Cmnli-mini,Waimai-mini,ThuNewsClusteringS2S-mini,MedDialogReranking-mini,CmrcRetrieval-mini
R="$T/res"
run() { "$BIN" run --model "$MODEL" --data-dir "$DATA" --suite cmteb-mini --task "$TASKS" -o "$R" -q --threads 2 "$@"; }

expect_rc 2 "bad --compat" run --compat r2
expect_grep "--compat must be r1 or r3" "$T/err" "bad --compat message"
expect_rc 0 "run r1" run
expect_rc 0 "run r3" run --compat r3
for t in ${TASKS//,/ }; do
	[ -f "$R/ceval-tiny-zh/$t.json" ] && ok || bad "no R1 file for $t"
	[ -f "$R/ceval-tiny-zh@R3/$t.json" ] && ok || bad "no R3 file (under <model>@R3) for $t"
done
# a second R3 run keeps the R3 files (resume), it does not take the R1 ones
expect_rc 0 "run r3 again" run --compat r3
expect_grep "kept (already computed)" "$T/out" "R3 resume"

"$PY" - "$R/ceval-tiny-zh" "$R/ceval-tiny-zh@R3" >"$T/py" 2>&1 <<'PYEOF'
import json, sys
r1, r3 = sys.argv[1], sys.argv[2]
def load(d, t):
    j = json.load(open(f"{d}/{t}.json"))
    return j, j["scores"][list(j["scores"])[0]][0]
bad = []
def want(c, msg):
    if not c: bad.append(msg)
for t in ["STSB-mini", "Cmnli-mini", "Waimai-mini", "ThuNewsClusteringS2S-mini", "MedDialogReranking-mini", "CmrcRetrieval-mini"]:
    j1, e1 = load(r1, t); j3, e3 = load(r3, t)
    want(j1["ceval"]["compat"] == "R1", f"{t}: R1 compat {j1['ceval']['compat']}")
    want(j3["ceval"]["compat"] == "R3", f"{t}: R3 compat {j3['ceval']['compat']}")
    want(e3["main_score"] == e3[j3["ceval"]["main_score"]], f"{t}: R3 main_score is not its metric")
# main scores per level (spec §3, §5)
want(load(r3, "Cmnli-mini")[0]["ceval"]["main_score"] == "max_accuracy", "Cmnli R3 main score")
want(load(r1, "Cmnli-mini")[0]["ceval"]["main_score"] == "cosine_ap", "Cmnli R1 main score")
j, e = load(r3, "MedDialogReranking-mini")
want(j["ceval"]["main_score"] == "map_at_1000", "reranking R3 main score")
want("map" not in e and "mrr" not in e, "reranking R3 has R1's sklearn map/mrr")
want("map" in load(r1, "MedDialogReranking-mini")[1], "reranking R1 has map")
# R3 retrieval k list has 20; R1's does not
want("ndcg_at_20" in load(r3, "CmrcRetrieval-mini")[1], "R3 retrieval ndcg_at_20")
want("ndcg_at_20" not in load(r1, "CmrcRetrieval-mini")[1], "R1 retrieval has no ndcg_at_20")
# same number from the same embeddings (spec §0 table: these do not move)
for t, k in [("STSB-mini", "cosine_spearman"), ("STSB-mini", "cosine_pearson"), ("Waimai-mini", "accuracy"),
             ("Waimai-mini", "f1"), ("ThuNewsClusteringS2S-mini", "v_measure"), ("CmrcRetrieval-mini", "ndcg_at_10"),
             ("CmrcRetrieval-mini", "map_at_10"), ("CmrcRetrieval-mini", "recall_at_100"),
             ("Cmnli-mini", "cosine_ap"), ("Cmnli-mini", "max_accuracy")]:
    a, b = load(r1, t)[1][k], load(r3, t)[1][k]
    want(a == b, f"{t} {k}: R1 {a} != R3 {b}")
    print(t, k, a, b)
print("\n".join("BAD " + m for m in bad) or "all good")
PYEOF
expect_grep "all good" "$T/py" "R1/R3 files"
grep BAD "$T/py"

# leaderboard: one row per level, marked, never averaged together
expect_rc 0 "leaderboard" "$BIN" leaderboard --suite cmteb-mini --results "$R"
expect_grep "| ceval-tiny-zh [R1] |" "$T/out" "R1 row"
expect_grep "| ceval-tiny-zh [R3] |" "$T/out" "R3 row"
# R3 and R1 files in one folder still make two rows
mkdir -p "$T/mixed/m" && cp "$R/ceval-tiny-zh/"*.json "$T/mixed/m/" && mv "$T/mixed/m/STSB-mini.json" "$T/mixed/m/x" &&
	cp "$R/ceval-tiny-zh@R3/STSB-mini.json" "$T/mixed/m/"
expect_rc 0 "leaderboard mixed folder" "$BIN" leaderboard --suite cmteb-mini --results "$T/mixed"
expect_grep "| ceval-tiny-zh [R1] | 128 | " "$T/out" "mixed folder: R1 row without the R3 file"
expect_grep "| ceval-tiny-zh [R3] | 128 | 66.77* |" "$T/out" "mixed folder: R3 row of the R3 file only"
# one level only: no mark (output as before)
expect_rc 0 "leaderboard r1 only" "$BIN" leaderboard --suite cmteb-mini --results "$R/ceval-tiny-zh"
if grep -qF "[R1]" "$T/out"; then bad "a single-level leaderboard is marked"; else ok; fi

# check: across levels refused (exit 3) unless --allow-mismatch
expect_rc 3 "check r3 vs r1" "$BIN" check --results "$R/ceval-tiny-zh@R3" --baseline "$R/ceval-tiny-zh"
expect_grep "compatibility level differs (--allow-mismatch to compare anyway): baseline R1, results R3" "$T/out" "check reason"
# allowed: compared (Cmnli's R3 main score max_accuracy is below R1's cosine_ap: a "regression", exit 1)
expect_rc 1 "check r3 vs r1 allowed" "$BIN" check --results "$R/ceval-tiny-zh@R3" --baseline "$R/ceval-tiny-zh" --allow-mismatch
expect_grep "compatibility level differs, allowed" "$T/out" "allowed note"
expect_rc 0 "check r3 vs r3" "$BIN" check --results "$R/ceval-tiny-zh@R3" --baseline "$R/ceval-tiny-zh@R3"

# published mteb files: the level comes from mteb_version (<1.12 R1, 1.12-1.x R2, >= 2 R3)
mkfile() { # DIR VERSION
	mkdir -p "$1"
	"$PY" - "$1/STSB-mini.json" "$2" "$R/ceval-tiny-zh/STSB-mini.json" <<'PYEOF'
import json, sys
p, v, src = sys.argv[1], sys.argv[2], sys.argv[3]
j = json.load(open(src)); del j["ceval"]; j["mteb_version"] = v
json.dump(j, open(p, "w"))
PYEOF
}
mkfile "$T/v2" 2.1.0; mkfile "$T/v112" 1.12.3; mkfile "$T/v111" 1.1.1
expect_rc 3 "mteb 2.x vs ceval R1" "$BIN" check --results "$T/v2" --baseline "$R/ceval-tiny-zh/STSB-mini.json"
expect_grep "baseline R1, results R3" "$T/out" "mteb 2.x is R3"
expect_rc 3 "mteb 1.12 vs ceval R1" "$BIN" check --results "$T/v112" --baseline "$R/ceval-tiny-zh/STSB-mini.json"
expect_grep "baseline R1, results R2" "$T/out" "mteb 1.12 is R2"
expect_rc 0 "mteb 1.1.1 vs ceval R1" "$BIN" check --results "$T/v111" --baseline "$R/ceval-tiny-zh/STSB-mini.json"
expect_rc 0 "mteb 2.x vs ceval R3" "$BIN" check --results "$T/v2" --baseline "$R/ceval-tiny-zh@R3/STSB-mini.json"
finish
