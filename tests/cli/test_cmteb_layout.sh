#!/bin/bash
# End to end over the real C-MTEB task definitions (tasks/cmteb): a tiny data
# dir in the hub layout (<data>/C-MTEB/<Dataset>/...) built from slices of
# ../shared/data/cmteb-mini, one task of each type, run with the shipped model.
set -u
. "$(dirname "$0")/lib/common.sh"
MINI=${CEVAL_SHARED:-../shared}/data/cmteb-mini
D="$T/data/C-MTEB"
"$PY" - "$MINI" "$D" <<'PYEOF'
import json, os, shutil, sys
mini, out = sys.argv[1], sys.argv[2]
def rows(p):
    with open(p, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]
def write(p, rs, rename=None):
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w", encoding="utf-8") as f:
        for r in rs:
            if rename:
                r = {rename.get(k, k): v for k, v in r.items()}
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
write(f"{out}/ATEC/test.jsonl", rows(f"{mini}/ATEC-mini/test.jsonl")[:200])
write(f"{out}/OCNLI/validation.jsonl", rows(f"{mini}/Ocnli-mini/test.jsonl")[:200],
      {"sentence1": "sent1", "sentence2": "sent2"})
write(f"{out}/T2Reranking/dev.jsonl", rows(f"{mini}/MedDialogReranking-mini/test.jsonl")[:30])
shutil.copytree(f"{mini}/CmrcRetrieval-mini", f"{out}/T2Retrieval")
write(f"{out}/TNews-classification/train.jsonl", rows(f"{mini}/TNews-mini/train.jsonl")[:400])
write(f"{out}/TNews-classification/validation.jsonl", rows(f"{mini}/TNews-mini/test.jsonl")[:200])
s = rows(f"{mini}/CLSClusteringS2S-mini/test.jsonl")[0]
write(f"{out}/CLSClusteringS2S/test.jsonl", [{"sentences": s["sentences"][:300], "labels": s["labels"][:300]}])
PYEOF
TASKS=ATEC,Ocnli,T2Reranking,T2Retrieval,TNews,CLSClusteringS2S
expect_rc 0 "list cmteb" "$BIN" list --suite cmteb --data-dir "$T/data"
[ "$(grep -c ' yes$' "$T/out")" = 6 ] && ok || { bad "list: expected 6 tasks with data"; cat "$T/out"; }
expect_grep "MMarcoRetrieval" "$T/out" "list shows tasks without data"
expect_rc 0 "run six cmteb tasks" "$BIN" run --model models/ceval-tiny-zh --suite cmteb --task "$TASKS" \
	--data-dir "$T/data" --output "$T/res" --quiet
for t in ATEC Ocnli T2Reranking T2Retrieval TNews CLSClusteringS2S; do
	f="$T/res/ceval-tiny-zh/$t.json"
	if [ -f "$f" ] && "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = next(iter(d["scores"].values()))[0]
m = e["main_score"]
assert 0.0 < m <= 1.0, m
assert e[d["ceval"]["main_score"]] == m
' "$f"; then ok; else bad "$t result file"; fi
done
# the whole suite: 29 tasks are reported missing with their expected path, the 6 are kept
expect_rc 3 "run full cmteb with missing data" env HF_HUB_OFFLINE=1 "$BIN" run --model models/ceval-tiny-zh --suite cmteb \
	--data-dir "$T/data" --output "$T/res" --quiet
[ "$(grep -c 'SKIPPED: data missing' "$T/out")" = 29 ] && ok || { bad "29 skipped tasks expected"; cat "$T/out"; }
[ "$(grep -c 'kept (already computed)' "$T/out")" = 6 ] && ok || { bad "6 kept tasks expected"; cat "$T/out"; }
expect_grep "$T/data/C-MTEB/MMarcoRetrieval" "$T/err" "missing dataset path named"
finish
