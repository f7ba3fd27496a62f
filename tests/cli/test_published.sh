#!/bin/bash
# CLI tests of the published results: `ceval leaderboard --published` (the
# original C-MTEB table from --suite cmteb-v1, CSV, rows beside the user's),
# results folders in the MTEB results repository's layout, and
# `ceval check --baseline published:NAME` end to end on a results folder
# built from the published files with injected drops.
set -u
. "$(dirname "$0")/lib/common.sh"
PUB=published/results
BASE=$PUB/BAAI__bge-base-zh-v1.5/no_revision_available

# the original C-MTEB table (FlagEmbedding C_MTEB/README.md @ 1dc9bee), rows as published
expect_rc 0 "leaderboard --published --suite cmteb-v1" "$BIN" leaderboard --published --suite cmteb-v1
expect_grep "# Leaderboard: cmteb-v1 (31 tasks)" "$T/out" "31 tasks"
expect_grep "| BAAI/bge-large-zh (published) | 1024 | 64.20 | 71.53 | 53.23 | 78.94 | 72.26 | 65.11 | 48.39 |" "$T/out" "bge-large-zh row"
expect_grep "| BAAI/bge-base-zh (published) | 768 | 62.96 | 69.53 | 52.05 | 77.50 | 70.98 | 64.91 | 47.63 |" "$T/out" "bge-base-zh row"
expect_grep "| openai/text-embedding-ada-002 (published) | 1536 | 53.02 | 52.00 | 40.61 | 69.56 | 67.38 | 54.28 | 45.68 |" "$T/out" "ada-002 row"
expect_grep "| GanymedeNil/text2vec-large-chinese (published) | 1024 | 47.36 | 41.94 | 41.98 | 70.86 | 63.42 | 49.16 | 30.02 |" "$T/out" "text2vec-large row"
# 35 tasks: the v1.5 rows of the current README
expect_rc 0 "leaderboard --published" "$BIN" leaderboard --published
expect_grep "| BAAI/bge-base-zh-v1.5 (published) | 768 | 63.13 | 69.49 | 53.72 | 79.75 | 68.07 | 65.39 | 47.53 |" "$T/out" "bge-base-zh-v1.5 35 tasks"

# CSV: a header and one line per model
expect_rc 0 "csv" "$BIN" leaderboard --published --suite cmteb-v1 --format csv
head -1 "$T/out" | grep -q '^model,published,dim,tasks,avg,Retrieval,STS,PairClassification,Classification,Reranking,Clustering,T2Retrieval,' && ok || bad "csv header: $(head -1 "$T/out")"
expect_grep "BAAI/bge-large-zh,1,1024,31,64.20,71.53,53.23,78.94,72.26,65.11,48.39,84.82," "$T/out" "csv row"
[ "$(wc -l <"$T/out")" = 14 ] && ok || bad "csv: $(wc -l <"$T/out") lines, expected 14"
expect_rc 2 "bad format" "$BIN" leaderboard --published --format pdf

# the user's port beside the published rows; the results repository's layout is read too
mkdir -p "$T/runs/my-port" "$T/repo/results/acme__zh-model/abc123"
cp "$BASE"/*.json "$T/runs/my-port/"
cp "$BASE"/*.json "$T/repo/results/acme__zh-model/abc123/"
rm "$T/runs/my-port/model_meta.json" "$T/repo/results/acme__zh-model/abc123/model_meta.json"
expect_rc 0 "own + repo + published" "$BIN" leaderboard -r "$T/runs" -r "$T/repo" --published
expect_grep "| my-port | - | 63.13 | 69.49 |" "$T/out" "own row, not marked"
expect_grep "| acme/zh-model | - | 63.13 |" "$T/out" "results-repo layout row"
# two revisions of one model: one row each, nothing guessed
mkdir -p "$T/repo/results/acme__zh-model/def456"
cp "$BASE/ATEC.json" "$T/repo/results/acme__zh-model/def456/"
expect_rc 0 "two revisions" "$BIN" leaderboard -r "$T/repo"
expect_grep "| acme/zh-model@abc123 |" "$T/out" "revision row 1"
expect_grep "| acme/zh-model@def456 |" "$T/out" "revision row 2"
# old and new task name in one folder: ambiguous, named
cp "$BASE/CMedQAv1.json" "$T/runs/my-port/CMedQAv1-reranking.json"
expect_rc 3 "ambiguous names" "$BIN" leaderboard -r "$T/runs"
expect_grep "two results files for task CMedQAv1-reranking (ambiguous)" "$T/err" "ambiguous message"
[ "$(wc -l <"$T/err")" = 1 ] && ok || bad "one-line error"
rm "$T/runs/my-port/CMedQAv1-reranking.json"

# check against published numbers: identical files pass with the measured per-type tolerances
expect_rc 0 "check identical" "$BIN" check -r "$T/runs/my-port" -b published:bge-base-zh-v1.5
expect_grep "35 task(s): 35 ok, 0 improved, 0 regressed, 0 missing, 0 data mismatch" "$T/out" "all ok"
grep -E '^T2Retrieval +retrieval +83.71 +83.71 +\+0.00 +0.15  ok$' "$T/out" >/dev/null && ok || bad "retrieval tolerance 0.15"
grep -E '^TNews +classification .* 1.10  ok$' "$T/out" >/dev/null && ok || bad "classification tolerance 1.10"
grep -E '^ATEC +sts .* 0.05  ok$' "$T/out" >/dev/null && ok || bad "sts tolerance 0.05"

# inject drops: T2Retrieval -0.60 (past 0.15), TNews -2.00 (past 1.1), Waimai -0.50 (inside 1.1),
# ATEC -0.04 (inside 0.05), STS22 (zh subset) -0.30 (past 0.05)
"$PY" - "$T/runs/my-port" <<'EOF'
import json, sys, os
d = sys.argv[1]
def edit(name, fn):
    p = os.path.join(d, name)
    j = json.load(open(p))
    fn(j)
    json.dump(j, open(p, "w"), indent=2)
def t2(j): j["dev"]["ndcg_at_10"] -= 0.006
def tnews(j):
    j["validation"]["accuracy"] -= 0.02
    j["validation"]["main_score"] -= 0.02
def waimai(j):
    j["test"]["accuracy"] -= 0.005
    j["test"]["main_score"] -= 0.005
def atec(j): j["test"]["cos_sim"]["spearman"] -= 0.0004
def sts22(j): j["test"]["zh"]["cos_sim"]["spearman"] -= 0.003
edit("T2Retrieval.json", t2); edit("TNews.json", tnews); edit("Waimai.json", waimai)
edit("ATEC.json", atec); edit("STS22.json", sts22)
EOF
expect_rc 1 "check with drops" "$BIN" check -r "$T/runs/my-port" -b published:BAAI/bge-base-zh-v1.5
expect_grep "35 task(s): 32 ok, 0 improved, 3 regressed, 0 missing, 0 data mismatch" "$T/out" "three regressions"
grep -E '^T2Retrieval +retrieval +83.71 +83.11 +-0.60 +0.15  REGRESSED$' "$T/out" >/dev/null && ok || bad "T2Retrieval regressed"
grep -E '^TNews +classification +51.08 +49.08 +-2.00 +1.10  REGRESSED$' "$T/out" >/dev/null && ok || bad "TNews regressed"
grep -E '^STS22 +sts +68.01 +67.71 +-0.30 +0.05  REGRESSED$' "$T/out" >/dev/null && ok || bad "STS22 regressed"
grep -E '^Waimai +classification .* -0.50 +1.10  ok$' "$T/out" >/dev/null && ok || bad "Waimai within tolerance"
grep -E '^ATEC +sts .* -0.04 +0.05  ok$' "$T/out" >/dev/null && ok || bad "ATEC within tolerance"
expect_grep "3 task(s) regressed beyond tolerance" "$T/err" "stderr summary"
# --tolerance given: it applies to every type
expect_rc 0 "explicit --tolerance" "$BIN" check -r "$T/runs/my-port" -b published:bge-base-zh-v1.5 --tolerance 2
# --tolerance-type overrides one type only
expect_rc 1 "tolerance-type" "$BIN" check -r "$T/runs/my-port" -b published:bge-base-zh-v1.5 --tolerance-type classification=3
expect_grep "2 regressed" "$T/out" "classification relaxed, the others measured"
# CSV of the gate
expect_rc 1 "check csv" "$BIN" check -r "$T/runs/my-port" -b published:bge-base-zh-v1.5 --format csv
expect_grep "T2Retrieval,retrieval,83.71,83.11,-0.60,0.15,REGRESSED" "$T/out" "csv line"
# a missing task is named and fails with the data exit code
rm "$T/runs/my-port/Cmnli.json"
expect_rc 3 "missing task" "$BIN" check -r "$T/runs/my-port" -b published:bge-base-zh-v1.5
expect_grep "MISSING in results" "$T/out" "missing named"
# unknown published model: exit 3, the names listed
expect_rc 3 "unknown model" "$BIN" check -r "$T/runs/my-port" -b published:bge-huge-zh
expect_grep "published:bge-huge-zh: no such published model" "$T/err" "unknown named"
expect_grep "bge-base-zh-v1.5" "$T/err" "names listed"

finish
