#!/usr/bin/env bash
# End-to-end parity at level R3: `ceval run --compat r3` on cmteb-mini with
# ../shared/models/ceval-tiny-zh must reproduce the independent mteb 2.x reference
# scores in tests/golden/cmteb-mini-reference-r3.json (made by
# tools/mteb_reference_r3.py from the same model's `ceval embed` vectors), and so must
# the two mini `.v2` tasks (mteb 2.x fast clustering; not in the cmteb-mini suite, run
# by name here).
#
# Tolerance on main_score x 100: 0.01 for retrieval, reranking, STS and pair
# classification; 1e-9 ("exact", float noise of the averaging only) for
# classification and clustering.
#
# Needs only bash and python3's standard library.  Under a sanitizer / debug build
# one task per type runs (CEVAL_REF_TASKS overrides; "all" forces the suite).
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo" || exit 1

CEVAL_BIN=${CEVAL_BIN:-$repo/build/release/ceval}
shared=${CEVAL_SHARED:-$repo/../shared}
model=$shared/models/ceval-tiny-zh
data=$shared/data
ref=${CEVAL_REFERENCE_R3:-$repo/tests/golden/cmteb-mini-reference-r3.json}
py=/usr/bin/python3
[ -x "$py" ] || py=python3

for p in "$CEVAL_BIN" "$model" "$data/cmteb-mini" "$ref"; do
	if [ ! -e "$p" ]; then
		echo "test_reference_run_r3: FAIL: missing $p" >&2
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ceval_refrun3.XXXXXX") || exit 1
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
		subset=LCQMC-mini,Ocnli-mini,EPRSTMT-mini,CLSClusteringS2S-mini,MedDialogReranking-mini,CmrcRetrieval-mini,CLSClusteringS2S-mini.v2 ;;
	esac
fi
[ "$subset" = all ] && subset=
task_args=()
# the suite run gets the subset's suite tasks; the .v2 tasks (outside the suite) run below
suite_subset=$(printf '%s' "$subset" | tr ',' '\n' | grep -v '\.v2$' | paste -sd, -)
[ -n "$subset" ] && task_args=(--task "$suite_subset") && echo "test_reference_run_r3: tasks $subset"

"$CEVAL_BIN" run --model "$model" --suite cmteb-mini --data-dir "$data" --compat r3 \
	--output "$tmp" --quiet "${task_args[@]}"
rc=$?
echo "ceval run --compat r3 cmteb-mini: exit status $rc"

# the mini .v2 tasks (outside the suite), those of them the subset names
v2=
for t in CLSClusteringS2S-mini.v2 ThuNewsClusteringS2S-mini.v2; do
	case ",$subset," in ,,|*",$t,"*) v2=${v2:+$v2,}$t ;; esac
done
if [ -n "$v2" ]; then
	"$CEVAL_BIN" run --model "$model" --task "$v2" --data-dir "$data" --compat r3 --output "$tmp" --quiet
	rc2=$?
	echo "ceval run --compat r3 $v2: exit status $rc2"
	[ "$rc" -eq 0 ] && rc=$rc2
fi

"$py" - "$ref" "$tmp/ceval-tiny-zh@R3" "$subset" <<'PYEOF'
import json, os, sys
ref_path, res_dir, subset = sys.argv[1:4]
ref = json.load(open(ref_path, encoding="utf-8"))
want = set(subset.split(",")) if subset else None
tol = {"retrieval": 0.01, "reranking": 0.01, "sts": 0.01, "pair_classification": 0.01,
       "classification": 1e-9, "clustering": 1e-9}
fails = n = 0
for task, r in ref.items():
    if task == "_meta" or (want and task not in want):
        continue
    n += 1
    p = os.path.join(res_dir, task + ".json")
    if not os.path.exists(p):
        print(f"FAIL {task}: no results file {p}")
        fails += 1
        continue
    j = json.load(open(p, encoding="utf-8"))
    e = next(iter(j["scores"].values()))[0]
    name = j["ceval"]["main_score"]
    ok = j["ceval"]["compat"] == "R3" and name == r["main_score_name"]
    d = 100 * (e["main_score"] - r["main_score"])
    ok = ok and abs(d) <= tol[r["type"]]
    fails += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {task:<28} {name:<16} ceval {100 * e['main_score']:9.4f}"
          f"  reference {100 * r['main_score']:9.4f}  diff {d:+.2e} (tol {tol[r['type']]:g})")
print(f"{n} task(s), {fails} failed")
sys.exit(1 if fails or n == 0 else 0)
PYEOF
st=$?
[ "$rc" = 0 ] && [ "$st" = 0 ]
