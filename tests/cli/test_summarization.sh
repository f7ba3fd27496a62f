#!/bin/bash
# CLI tests of the summarization task type (SummEval) against tools/summ_reference.py: `ceval run`
# on the fixture task tests/fixtures/summ (8 Chinese texts, one skipped for constant relevance)
# with models/ceval-tiny-zh, at R1 and R3; the reference recomputes the four scores from
# `ceval embed`'s vectors of the same summaries (scipy's pearsonr/spearmanr with their p-values:
# mteb 1.x's tuple mean, which mteb 2.x keeps for SummEval).  Tolerance 1e-6.  Then bad rows.
# Seconds, also under the sanitizers (65 short texts).
set -u
. "$(dirname "$0")/lib/common.sh"
MODEL=models/ceval-tiny-zh
FIX=$PWD/tests/fixtures/summ
printf 'suite: summ-test\ndescription: "summarization fixture"\ntasks:\n  - %s\n' "$FIX/tasks/SummEval-mini.yaml" >"$T/suite.yaml"

expect_rc 0 "run R1" "$BIN" run --model "$MODEL" --suite "$T/suite.yaml" --data-dir "$FIX" -o "$T/r1" -q --no-cache
expect_rc 0 "run R3" "$BIN" run --model "$MODEL" --suite "$T/suite.yaml" --data-dir "$FIX" -o "$T/r3" -q --no-cache --compat r3
# the summaries in the order the rows give them, one file per kind
"$PY" - "$FIX/SummEval-mini/test.jsonl" "$T" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
for kind in ("human_summaries", "machine_summaries"):
    with open("%s/%s.jsonl" % (sys.argv[2], kind), "w", encoding="utf-8") as f:
        for r in rows:
            for s in r[kind]:
                f.write(json.dumps({"text": s}, ensure_ascii=False) + "\n")
PYEOF
expect_rc 0 "embed human" "$BIN" embed --model "$MODEL" --input "$T/human_summaries.jsonl" --output "$T/human.npy"
expect_rc 0 "embed machine" "$BIN" embed --model "$MODEL" --input "$T/machine_summaries.jsonl" --output "$T/machine.npy"
"$PY" - "$FIX/SummEval-mini/test.jsonl" "$T" "$PWD/tools" >"$T/cmp" 2>&1 <<'PYEOF'
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[3])
from summ_reference import summarization_scores
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
hum, mach = np.load(sys.argv[2] + "/human.npy"), np.load(sys.argv[2] + "/machine.npy")
texts, h, m = [], 0, 0
for r in rows:
    nh, nm = len(r["human_summaries"]), len(r["machine_summaries"])
    texts.append((hum[h:h + nh], mach[m:m + nm], r["relevance"]))
    h, m = h + nh, m + nm
assert h == len(hum) and m == len(mach), (h, m, hum.shape, mach.shape)
ref = summarization_scores(texts, "r1")
fixed = summarization_scores(texts, "r3")
print("skipped", ref["n_skipped"])
bad = 0
for level, sub in (("r1", "ceval-tiny-zh"), ("r3", "ceval-tiny-zh@R3")):
    res = json.load(open("%s/%s/%s/SummEval-mini.json" % (sys.argv[2], level, sub)))
    assert res["ceval"]["compat"] == level.upper(), res["ceval"]["compat"]
    got = res["scores"]["test"][0]
    for k in ("cosine_spearman", "cosine_pearson", "dot_spearman", "dot_pearson"):
        d = abs(got[k] - ref[k])
        print(level, k, "ceval %.12f reference %.12f diff %.2e" % (got[k], ref[k], d))
        bad += not d <= 1e-6
    bad += got["main_score"] != got["cosine_spearman"]
# the tuple mean is not the plain mean of the correlations (the comparison can tell them apart)
print("fixed-evaluator cosine_spearman %.6f" % fixed["cosine_spearman"])
bad += not abs(fixed["cosine_spearman"] - ref["cosine_spearman"]) > 1e-3
print("bad", bad)
PYEOF
grep -qx "bad 0" "$T/cmp" && grep -qx "skipped 1" "$T/cmp" && ok || { bad "scores differ from tools/summ_reference.py"; cat "$T/cmp"; }

# --subset 4: 4 of the 8 rows, drawn uniformly; the scores must be the reference's on some 4 rows
# whose summaries number what the run encoded
expect_rc 0 "run --subset 4" "$BIN" run --model "$MODEL" --suite "$T/suite.yaml" --data-dir "$FIX" -o "$T/sub" -q --no-cache --subset 4
enc=$(sed -n 's/^Texts: \([0-9]*\) encoded.*/\1/p' "$T/out")
"$PY" - "$FIX/SummEval-mini/test.jsonl" "$T" "$PWD/tools" "$enc" >"$T/cmp" 2>&1 <<'PYEOF'
import itertools, json, sys
import numpy as np
sys.path.insert(0, sys.argv[3])
from summ_reference import summarization_scores
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
hum, mach = np.load(sys.argv[2] + "/human.npy"), np.load(sys.argv[2] + "/machine.npy")
texts, h, m = [], 0, 0
for r in rows:
    nh, nm = len(r["human_summaries"]), len(r["machine_summaries"])
    texts.append((hum[h:h + nh], mach[m:m + nm], r["relevance"], nh + nm))
    h, m = h + nh, m + nm
res = json.load(open(sys.argv[2] + "/sub/ceval-tiny-zh/SummEval-mini.json"))
got = res["scores"]["test"][0]
assert res["ceval"]["subset"]["n"] == 4, res["ceval"]["subset"]
found = 0
for combo in itertools.combinations(texts, 4):
    if sum(c[3] for c in combo) != int(sys.argv[4]) or all(len(set(c[2])) == 1 for c in combo):
        continue
    ref = summarization_scores([c[:3] for c in combo], "r1")
    found += all(abs(got[k] - ref[k]) <= 1e-6 for k in ("cosine_spearman", "cosine_pearson", "dot_spearman", "dot_pearson"))
print("matching subsets", found)
PYEOF
grep -q "^matching subsets [1-9]" "$T/cmp" && ok || { bad "--subset 4 scores match no 4-row subset of the reference"; cat "$T/cmp"; }

# bad rows: relevance of another length than machine_summaries; no human summary
mkdir -p "$T/bad/SummEval-mini"
sed '3s/"relevance": \[[^]]*\]/"relevance": [1, 2]/' "$FIX/SummEval-mini/test.jsonl" >"$T/bad/SummEval-mini/test.jsonl"
expect_rc 3 "relevance length" "$BIN" run --model "$MODEL" --suite "$T/suite.yaml" --data-dir "$T/bad" -o "$T/rb" -q --no-cache
expect_grep "test.jsonl:3: task SummEval-mini: column 'relevance' has 2 scores but 'machine_summaries' has" "$T/err" "relevance length error"
sed '2s/"human_summaries": \[[^]]*\]/"human_summaries": []/' "$FIX/SummEval-mini/test.jsonl" >"$T/bad/SummEval-mini/test.jsonl"
expect_rc 3 "no human summary" "$BIN" run --model "$MODEL" --suite "$T/suite.yaml" --data-dir "$T/bad" -o "$T/rb2" -q --no-cache
expect_grep "test.jsonl:2: task SummEval-mini: column 'human_summaries' is empty" "$T/err" "empty human summaries error"
sed '1s/"relevance": \[/"relevance": ["x", /' "$FIX/SummEval-mini/test.jsonl" >"$T/bad/SummEval-mini/test.jsonl"
expect_rc 3 "relevance not a number" "$BIN" run --model "$MODEL" --suite "$T/suite.yaml" --data-dir "$T/bad" -o "$T/rb3" -q --no-cache
expect_grep "test.jsonl:1: column 'relevance'[0]: expected a number, found a string" "$T/err" "relevance type error"

finish
