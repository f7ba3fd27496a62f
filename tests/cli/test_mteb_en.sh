#!/bin/bash
# CLI tests of the MTEB English suite (tasks/suites/mteb-en.yaml, tasks/mteb-en/) and the
# published English bge rows (published/results/BAAI__bge-*-en*/external/).  Expected values:
# the MTEB table of the FlagEmbedding README / the bge-en model cards (Avg over 56 tasks, then
# Retrieval 15, Clustering 11, PairClassification 3, Reranking 4, STS 10, Summarization 1,
# Classification 12), not computed here.  Seconds; no data, no model.
#
# The six other type columns are also checked on the suite without SummEval (55 tasks, no
# Summarization column).
set -u
. "$(dirname "$0")/lib/common.sh"
TD=$PWD/tasks/mteb-en

# model | dim | Avg | Retrieval | Clustering | PairClassification | Reranking | STS | Summarization | Classification
PUBLISHED="bge-large-en-v1.5|1024|64.23|54.29|46.08|87.12|60.03|83.11|31.61|75.97
bge-base-en-v1.5|768|63.55|53.25|45.77|86.55|58.86|82.40|31.07|75.53
bge-small-en-v1.5|384|62.17|51.68|43.82|84.92|58.36|81.59|30.12|74.14
bge-large-en|1024|63.98|53.90|46.98|85.80|59.48|81.56|32.06|76.21
bge-base-en|768|63.36|53.00|46.32|85.86|58.70|81.84|29.27|75.27
bge-small-en|384|62.11|51.82|44.31|83.78|57.97|80.72|30.53|74.37"

# the task files: 56 suite entries, 12 CQADupstack parts, every task of the suite present
n=$(grep -c '^  - \.\./mteb-en/.*\.yaml$' tasks/suites/mteb-en.yaml)
[ "$n" = 56 ] && ok || bad "mteb-en suite: $n entries, expected 56"
expect_rc 0 "list --suite mteb-en" "$BIN" list --suite mteb-en
n=$(awk '$2 ~ /^(classification|clustering|pair_classification|reranking|retrieval|sts|summarization)$/' "$T/out" | wc -l)
[ "$n" = 56 ] && ok || bad "list --suite mteb-en: $n tasks, expected 56"
[ "$(awk '$1 == "SummEval" {print $2, $3, $4}' "$T/out")" = "summarization test cosine_spearman" ] && ok || bad "SummEval not listed as summarization/test/cosine_spearman"
n=$(ls "$TD"/CQADupstack*Retrieval.yaml | grep -vc '/CQADupstackRetrieval.yaml$')
[ "$n" = 12 ] && ok || bad "CQADupstack parts: $n, expected 12"
# the query instruction goes to exactly the retrieval tasks of FlagEmbedding's eval_MTEB.py
# (spec encoder.md 3.6): not ArguAna, not QuoraRetrieval, no reranking task
got=$(awk '$5 == "yes" {print $1}' "$T/out" | LC_ALL=C sort | tr '\n' ' ')
want="CQADupstackRetrieval ClimateFEVER DBPedia FEVER FiQA2018 HotpotQA MSMARCO NFCorpus NQ SCIDOCS SciFact TRECCOVID Touche2020 "
[ "$got" = "$want" ] && ok || bad "query instruction on: $got; expected $want"
# CQADupstackRetrieval is an aggregate task of those 12 (tests/cli/test_aggregate.sh runs one)
awk '$1 == "CQADupstackRetrieval"' "$T/out" | grep -qF "(mean of 12 part tasks)" && ok ||
	bad "CQADupstackRetrieval is not listed as the mean of 12 parts"
# ... and the published aggregate of every English bge model is that mean, score by score
"$PY" - "${CEVAL_SHARED:-../shared}/published/mteb-results/results" >"$T/cqa.txt" 2>&1 <<'PY'
import glob, json, os, sys
worst, models = 0.0, 0
for m in sorted(glob.glob(os.path.join(sys.argv[1], "BAAI__bge-*-en*"))):
    ext = os.path.join(m, "external")
    agg = json.load(open(os.path.join(ext, "CQADupstackRetrieval.json")))["scores"]["test"][0]
    parts = [json.load(open(f))["scores"]["test"][0] for f in sorted(glob.glob(os.path.join(ext, "CQADupstack*Retrieval.json")))
             if not f.endswith("/CQADupstackRetrieval.json")]
    assert len(parts) == 12, m
    for k, v in agg.items():
        if isinstance(v, float):
            worst = max(worst, abs(sum(p[k] for p in parts) / 12 - v))
    models += 1
print("models", models, "worst", worst)
PY
grep -q "^models 6 worst" "$T/cqa.txt" && awk '{exit !($4 < 1e-15)}' "$T/cqa.txt" && ok || { bad "published CQADupstack aggregate is not the mean of its parts"; cat "$T/cqa.txt"; }
for ty in classification:12 clustering:11 pair_classification:3 reranking:4 retrieval:15 sts:10 summarization:1; do
	want=${ty#*:} got=0
	for f in $( (sed -n 's#^  - \.\./mteb-en/##p' tasks/suites/mteb-en.yaml; echo SummEval.yaml) | sort -u); do
		grep -qx "type: ${ty%%:*}" "$TD/$f" && got=$((got + 1))
	done
	[ "$got" = "$want" ] && ok || bad "mteb-en: $got tasks of type ${ty%%:*}, expected $want"
done
grep -qx 'eval_splits: \[dev\]' "$TD/MSMARCO.yaml" && ok || bad "MSMARCO not on dev"
grep -qx 'hf_subset: en-en' "$TD/STS17.yaml" && ok || bad "STS17 not en-en"
grep -qx 'hf_subset: en' "$TD/STS22.en.yaml" && ok || bad "STS22 not en"

# the suite without SummEval (a suite file may name tasks by absolute path)
grep -v '/SummEval.yaml$' tasks/suites/mteb-en.yaml | sed "s#\.\./mteb-en/#$TD/#; s/^suite: mteb-en/suite: mteb-en-nosumm/" >"$T/nosumm.yaml"
expect_rc 0 "list 55 tasks" "$BIN" list --suite "$T/nosumm.yaml"
expect_rc 0 "leaderboard 55 tasks" "$BIN" leaderboard --published --suite "$T/nosumm.yaml"
expect_grep "(55 tasks)" "$T/out" "55 tasks"
cp "$T/out" "$T/lb55"
while IFS='|' read -r m dim avg ret clu pair rer sts summ cls; do
	# columns of this table: Avg | Retrieval | STS | PairClassification | Classification | Reranking | Clustering
	row=$(grep -F "| BAAI/$m (published) |" "$T/lb55" | head -1)
	want="| BAAI/$m (published) | $dim | "
	case "$row" in
	"$want"*" | $ret | $sts | $pair | $cls | $rer | $clu |") ok ;;
	*) bad "$m type columns: got '$row', expected Retrieval $ret STS $sts Pair $pair Class $cls Rerank $rer Clust $clu" ;;
	esac
done <<<"$PUBLISHED"

# the full 56 tasks, Summarization the last type column
expect_rc 0 "leaderboard mteb-en" "$BIN" leaderboard --published --suite mteb-en
expect_grep "(56 tasks)" "$T/out" "56 tasks"
expect_grep "| Avg | Retrieval | STS | PairClassification | Classification | Reranking | Clustering | Summarization |" "$T/out" "type columns"
! grep -q "Summarization" "$T/lb55" && ok || bad "55-task suite (no summarization task) shows a Summarization column"
while IFS='|' read -r m dim avg ret clu pair rer sts summ cls; do
	row=$(grep -F "| BAAI/$m (published) |" "$T/out" | head -1)
	want="| BAAI/$m (published) | $dim | $avg | $ret | $sts | $pair | $cls | $rer | $clu | $summ |"
	[ "$row" = "$want" ] && ok || bad "$m: got '$row', expected '$want'"
done <<<"$PUBLISHED"

finish
