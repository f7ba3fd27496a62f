#!/usr/bin/env bash
# End-to-end parity on the real-English mteb-mini suite (datasets/mteb-mini, SOURCES.md there):
# `ceval run --suite mteb-mini` with the fixture model tiny-en-mean-bf16 must reproduce the
# independent MTEB-R1 reference scores of tests/golden/mteb-mini-reference.json, made by
# tools/mteb_reference.py (numpy/scipy/sklearn) from the same model's `ceval embed` vectors:
#   /usr/bin/python3 tools/mteb_reference.py --ceval build/release/ceval \
#       --model $CEVAL_FIXTURES/models/tiny-en-mean-bf16 --data-dir datasets --tasks-dir tasks \
#       --suite mteb-mini --out tests/golden/mteb-mini-reference.json
# Tolerance on main_score x 100: 0.01 for STS, pair classification, reranking, retrieval and
# summarization, 1 for classification, 3 for clustering.  Every task of the suite must be in
# the golden and in the run, and all seven task types compared.  ~4000 short texts: well under a second in release, seconds under
# the sanitizers, so it runs whole there too.  Needs /usr/bin/python3's standard library only.
set -u
. "$(dirname "$0")/lib/common.sh"
FIX=${CEVAL_FIXTURES:-/work/fixtures}
MODEL=$FIX/models/tiny-en-mean-bf16
REF=tests/golden/mteb-mini-reference.json
for p in "$BIN" "$MODEL" datasets/mteb-mini "$REF"; do
	[ -e "$p" ] || { bad "missing $p"; finish; exit; }
done

expect_rc 0 "run mteb-mini" "$BIN" run --suite mteb-mini --data-dir datasets --model "$MODEL" -o "$T/res" -q --no-cache
"$PY" - "$REF" "$T/res/tiny-en-mean-bf16" tasks/suites/mteb-mini.yaml >"$T/cmp" 2>&1 <<'PYEOF'
import json, os, sys
ref = json.load(open(sys.argv[1]))
names = [l.strip()[2:] for l in open(sys.argv[3]) if l.startswith("  - ")]
tol = {"classification": 1.0, "clustering": 3.0}
bad = 0
types = set()
for n in names:
    if n not in ref:
        print("%s: not in the golden" % n); bad += 1; continue
    p = os.path.join(sys.argv[2], n + ".json")
    if not os.path.exists(p):
        print("%s: no results file" % n); bad += 1; continue
    got = json.load(open(p))["scores"]["test"][0]["main_score"] * 100
    want = ref[n]["main_score"] * 100
    t = tol.get(ref[n]["type"], 0.01)
    types.add(ref[n]["type"])
    ok = abs(got - want) <= t
    bad += not ok
    print("%-26s %-20s ceval %8.4f reference %8.4f diff %.4f tol %.2f %s"
          % (n, ref[n]["type"], got, want, got - want, t, "ok" if ok else "FAIL"))
print("types", len(types))
print("bad", bad)
PYEOF
cat "$T/cmp"
# all seven MTEB task types (summarization included) must have been compared
if grep -qx "bad 0" "$T/cmp" && grep -qx "types 7" "$T/cmp"; then ok; else bad "mteb-mini scores differ from $REF"; fi

# list-valued queries (Banking77HistoryReranking-mini, the MindSmallReranking shape): R1 only;
# R3 (mteb 2.x rescored MindSmall as max_over_subqueries retrieval) is refused, naming the task
expect_rc 3 "history reranking at R3" "$BIN" run --suite mteb-mini --task Banking77HistoryReranking-mini \
	--data-dir datasets --model "$MODEL" -o "$T/r3" -q --no-cache --compat r3
expect_grep "Banking77HistoryReranking-mini: list-valued queries are scored at R1 only" "$T/err" "R3 refusal"
# a usable sample with an empty list of queries: mteb fails there, so does ceval, naming the sample
mkdir -p "$T/d/mteb-mini/Banking77HistoryReranking-mini"
"$PY" - datasets/mteb-mini/Banking77HistoryReranking-mini/test.jsonl "$T/d/mteb-mini/Banking77HistoryReranking-mini/test.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
rows[6]["query"] = []
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
PY
expect_rc 3 "empty query list" "$BIN" run --suite mteb-mini --task Banking77HistoryReranking-mini \
	--data-dir "$T/d" --model "$MODEL" -o "$T/empty" -q --no-cache
expect_grep "sample 7 has an empty list of queries" "$T/err" "empty list named"
finish
