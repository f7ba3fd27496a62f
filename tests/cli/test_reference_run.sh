#!/usr/bin/env bash
# End-to-end parity: `ceval run` on the cmteb-mini suite with ../shared/models/ceval-tiny-zh
# must reproduce the independent MTEB-R1 reference scores committed in
# tests/golden/cmteb-mini-reference.json (made by tools/mteb_reference.py from the same
# model's `ceval embed` vectors with numpy/scipy/sklearn).
#
# Tolerance on main_score x 100: 0.01 for retrieval, reranking, STS and pair
# classification (exact metrics; only fp noise of the embeddings is left), 1 for
# classification (L-BFGS after 100 iterations, §6.3) and 3 for clustering
# (mini-batch k-means port, §7.1).
#
# Needs only bash and /usr/bin/python3's standard library (json), no numpy.
# Usage: CEVAL_BIN=build/release/ceval bash tests/cli/test_reference_run.sh
# (CEVAL_SHARED overrides ../shared; CEVAL_REFERENCE another reference JSON;
#  CEVAL_REF_TASKS=A,B restricts the run and the comparison to those tasks.)
#
# The full suite takes minutes with a release build.  A sanitizer build (`make asan`
# runs this script with build/asan/ceval) is far slower, so there the default is one
# task per type (short texts where there is a choice) unless CEVAL_REF_TASKS says
# otherwise; set CEVAL_REF_TASKS=all to force the whole suite.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo" || exit 1        # so that `ceval run` finds ./tasks

CEVAL_BIN=${CEVAL_BIN:-$repo/build/release/ceval}
shared=${CEVAL_SHARED:-$repo/../shared}
model=$shared/models/ceval-tiny-zh
data=$shared/data
ref=${CEVAL_REFERENCE:-$repo/tests/golden/cmteb-mini-reference.json}
# the same run's results files as an earlier build wrote them (byte-identity of `scores`)
exact=$repo/tests/golden/cmteb-mini-results
py=/usr/bin/python3
[ -x "$py" ] || py=python3

for p in "$CEVAL_BIN" "$model" "$data/cmteb-mini" "$ref"; do
	if [ ! -e "$p" ]; then
		echo "test_reference_run: FAIL: missing $p" >&2
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ceval_refrun.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# a private embedding cache: vectors cached by an earlier build must not stand in for this
# one's.  `make asan` gives the R1 and R3 reference runs one cache, emptied when it starts
# (CEVAL_TEST_EMB_CACHE): the same model on the same tasks, so the second run encodes
# nothing (the sanitized encoder is minutes per task).
export XDG_CACHE_HOME="${CEVAL_TEST_EMB_CACHE:-$tmp/xdg-cache}"

subset=${CEVAL_REF_TASKS:-}
if [ -z "$subset" ]; then
	case "$CEVAL_BIN" in
	*/build/asan/*|*/build/fuzz/*|*/build/debug/*)
		subset=LCQMC-mini,Ocnli-mini,EPRSTMT-mini,CLSClusteringS2S-mini,MedDialogReranking-mini,CmrcRetrieval-mini ;;
	esac
fi
[ "$subset" = all ] && subset=
task_args=()
[ -n "$subset" ] && task_args=(--task "$subset") && echo "test_reference_run: tasks $subset"

start=$(date +%s.%N)
"$CEVAL_BIN" run --model "$model" --suite cmteb-mini --data-dir "$data" \
	--output "$tmp" --quiet "${task_args[@]}"
rc=$?
end=$(date +%s.%N)
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
echo "ceval run cmteb-mini: exit status $rc, wall time ${wall} s"

"$py" - "$exact" "$tmp/ceval-tiny-zh" "$subset" <<'EOF'
# Byte-identity with the results an earlier build wrote (tests/golden/cmteb-mini-results):
# every number of `scores` in the same text and every key in the same order.
import json, os, sys
gold_dir, res_dir, subset = sys.argv[1:4]
def load(path):
    # numbers kept as their text, objects as ordered pairs: a change of digits or order shows
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_float=str, parse_int=str, object_pairs_hook=list)
def field(doc, *keys):
    for k in keys:
        doc = dict(doc)[k]
    return doc
tasks = subset.split(",") if subset else sorted(f[:-5] for f in os.listdir(gold_dir) if f.endswith(".json"))
passed = failed = 0
for t in tasks:
    try:
        g, r = load(os.path.join(gold_dir, t + ".json")), load(os.path.join(res_dir, t + ".json"))
        for keys in (("task_name",), ("scores",), ("ceval", "main_score"), ("ceval", "dataset_hash")):
            if field(g, *keys) != field(r, *keys):
                raise ValueError(".".join(keys) + " differs from " + os.path.join(gold_dir, t + ".json"))
        passed += 1
    except (OSError, ValueError, KeyError) as e:
        print(f"FAIL: {t}: byte-identity: {e}")
        failed += 1
print(f"byte-identical scores: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
EOF
exact_rc=$?

"$py" - "$ref" "$tmp/ceval-tiny-zh" "$rc" "$subset" <<'EOF'
import json
import os
import sys

ref_path, res_dir, run_rc, subset = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
# points on the x100 scale
TOL = {"retrieval": 0.01, "reranking": 0.01, "sts": 0.01, "pair_classification": 0.01,
       "classification": 1.0, "clustering": 3.0}
with open(ref_path, encoding="utf-8") as f:
    ref = json.load(f)
if subset:
    want_tasks = subset.split(",")
    ref = {t: ref.get(t, {"type": "?", "main_score_name": "?", "main_score": float("nan")})
           for t in want_tasks}
passed = failed = 0
print(f"{'task':<28} {'type':<20} {'reference':>10} {'ceval':>10} {'delta':>8}  tol")
for task, r in ref.items():
    if task.startswith("_"):
        continue
    if r["type"] not in TOL:
        print(f"{task:<28} not in the reference  FAIL")
        failed += 1
        continue
    tol = TOL[r["type"]]
    want = 100 * r["main_score"]
    path = os.path.join(res_dir, task + ".json")
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        split = doc["scores"]
        if len(split) != 1:
            raise ValueError(f"expected one split, got {sorted(split)}")
        entry = next(iter(split.values()))[0]
        got = 100 * float(entry["main_score"])
        named = entry.get(r["main_score_name"])
        if named is not None and float(named) != float(entry["main_score"]):
            raise ValueError(f"main_score differs from {r['main_score_name']}")
    except (OSError, ValueError, KeyError, IndexError, TypeError, StopIteration) as e:
        print(f"{task:<28} {r['type']:<20} {want:10.4f} {'-':>10} {'-':>8}  FAIL ({path}: {e})")
        failed += 1
        continue
    d = got - want
    ok = abs(d) <= tol + 1e-9
    passed += ok
    failed += not ok
    print(f"{task:<28} {r['type']:<20} {want:10.4f} {got:10.4f} {d:+8.4f}  {tol:g}"
          f"{'' if ok else '  FAIL'}")
print(f"{passed} passed, {failed} failed")
if run_rc != 0:
    print(f"FAIL: ceval run exited with status {run_rc}")
sys.exit(1 if failed or run_rc != 0 else 0)
EOF
ref_rc=$?
[ "$exact_rc" = 0 ] && [ "$ref_rc" = 0 ]
