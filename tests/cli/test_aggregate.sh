#!/bin/bash
# Aggregate tasks (task.h `aggregate:`; MTEB's CQADupstackRetrieval, the mean of 12 sub-forum
# tasks): `ceval run` runs every part as a task of its own (own results file, own resume) and
# writes the aggregate's file as the mean of every score over the parts.  Two real retrieval
# parts from cmteb-mini (MedDialog, and Cmrc with its dev qrels served as `test`), scored with
# the shipped tiny Chinese model:
#   - the aggregate's every score equals (part A + part B) / 2 as Python computes it, exactly;
#   - the parts' files equal those of running the parts alone;
#   - a second run keeps everything and leaves the aggregate file byte-identical;
#   - editing a part's task file recomputes that part and the aggregate (new task hash);
#   - a part without data leaves the aggregate without a result, exit 3, the other part kept;
#   - the suite average counts the aggregate once, not its parts;
#   - malformed aggregates are refused with one line naming the file and the part.
set -u
. "$(dirname "$0")/lib/common.sh"
SHARED=${CEVAL_SHARED:-../shared}
MODEL=models/ceval-tiny-zh
for p in "$SHARED/data/cmteb-mini/MedDialogRetrieval-mini" "$SHARED/data/cmteb-mini/CmrcRetrieval-mini" "$MODEL"; do
	[ -e "$p" ] || { bad "missing $p"; finish; exit; }
done

# data: MedDialog as is; Cmrc with qrels/dev.tsv as qrels/test.tsv (both parts evaluate `test`)
D=$T/data
mkdir -p "$D/agg/Cmrc/qrels"
ln -s "$(cd "$SHARED/data/cmteb-mini/MedDialogRetrieval-mini" && pwd)" "$D/agg/MedDialog"
cp "$SHARED/data/cmteb-mini/CmrcRetrieval-mini/corpus.jsonl" "$SHARED/data/cmteb-mini/CmrcRetrieval-mini/queries.jsonl" "$D/agg/Cmrc/"
cp "$SHARED/data/cmteb-mini/CmrcRetrieval-mini/qrels/dev.tsv" "$D/agg/Cmrc/qrels/test.tsv"
TD=$T/tasks
mkdir -p "$TD/agg" "$TD/suites"
part() { # NAME DATA-PATH
	printf 'name: %s\ntype: retrieval\ndataset:\n  path: %s\neval_splits: [test]\nmain_score: ndcg_at_10\n' "$1" "$2" >"$TD/agg/$1.yaml"
}
part PartMed agg/MedDialog
part PartCmrc agg/Cmrc
cat >"$TD/agg/AggRetrieval.yaml" <<'EOF'
name: AggRetrieval
type: retrieval
description: "two cmteb-mini retrieval tasks, averaged"
aggregate: [PartMed, PartCmrc]
eval_splits: [test]
main_score: ndcg_at_10
EOF
cp tasks/cmteb-mini/STSB-mini.yaml "$TD/agg/"
printf 'suite: agg\ntasks:\n  - AggRetrieval\n  - STSB-mini\n' >"$TD/suites/agg.yaml"
ln -s "$(cd "$SHARED/data/cmteb-mini" && pwd)" "$D/cmteb-mini"
RUN=("$BIN" run --model "$MODEL" --tasks-dir "$TD" --data-dir "$D" --threads 1 --quiet)
R=$T/res/ceval-tiny-zh

# list: the aggregate, its parts' data
expect_rc 0 "list" "$BIN" list --suite agg --tasks-dir "$TD" --data-dir "$D"
expect_grep "(mean of 2 part tasks)" "$T/out" "list shows the parts"
expect_grep "yes (all 2 parts)" "$T/out" "list sees the parts' data"

expect_rc 0 "run the suite" "${RUN[@]}" --suite agg -o "$T/res"
cp "$T/out" "$T/run1.txt"
for f in AggRetrieval PartMed PartCmrc STSB-mini; do
	[ -f "$R/$f.json" ] && ok || bad "no results file $f.json"
done
expect_grep "  part PartMed" "$T/run1.txt" "summary shows part rows"
# every score of the aggregate = (A + B) / 2, the average counts the aggregate once
"$PY" - "$R" "$T/run1.txt" >"$T/mean.txt" 2>&1 <<'PY'
import json, sys
d = sys.argv[1]
agg = json.load(open(d + "/AggRetrieval.json"))
a = json.load(open(d + "/PartMed.json"))["scores"]["test"][0]
b = json.load(open(d + "/PartCmrc.json"))["scores"]["test"][0]
g = agg["scores"]["test"][0]
n = bad = 0
for k, v in a.items():
    if isinstance(v, float):
        n += 1
        if g[k] != (v + b[k]) / 2:
            bad += 1; print("differs", k, g[k], (v + b[k]) / 2)
assert g["main_score"] == g["ndcg_at_10"] == (a["ndcg_at_10"] + b["ndcg_at_10"]) / 2
assert a["main_score"] != b["main_score"], "the parts should score differently"
assert agg["ceval"]["identity"]["task_hash"] and agg["ceval"]["identity"]["data_hash"]
sts = json.load(open(d + "/STSB-mini.json"))["scores"]["test"][0]["main_score"]
want = "%.2f" % ((g["main_score"] * 100 + sts * 100) / 2)
line = [l for l in open(sys.argv[2]) if l.startswith("Average")][0]
if line.split()[-1] != want:
    bad += 1; print("average", line.strip(), "expected", want)
print("scores", n, "bad", bad)
PY
if grep -q "bad 0" "$T/mean.txt" && ! grep -q "scores 0 " "$T/mean.txt"; then ok; else bad "aggregate is not the mean of its parts"; cat "$T/mean.txt"; fi

# the parts alone give the same scores
expect_rc 0 "parts alone" "${RUN[@]}" --task PartMed,PartCmrc -o "$T/alone"
for f in PartMed PartCmrc; do
	"$PY" -c 'import json,sys; a,b=(json.load(open(p))["scores"] for p in sys.argv[1:]); sys.exit(a!=b)' \
		"$R/$f.json" "$T/alone/ceval-tiny-zh/$f.json" && ok || bad "$f alone differs"
done

# a second run keeps every part and the aggregate, byte for byte
sha=$(sha256sum "$R/AggRetrieval.json")
expect_rc 0 "rerun" "${RUN[@]}" --suite agg -o "$T/res"
grep -q "^AggRetrieval .*kept (already computed)" "$T/out" && ok || { bad "aggregate not kept"; cat "$T/out"; }
[ "$(sha256sum "$R/AggRetrieval.json")" = "$sha" ] && ok || bad "kept aggregate file changed"
expect_grep "Texts: 0 encoded" "$T/out" "rerun encodes nothing"

# editing a part's task file: that part and the aggregate are recomputed
old_hash=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["ceval"]["identity"]["task_hash"])' "$R/AggRetrieval.json")
echo "# edited" >>"$TD/agg/PartCmrc.yaml"
"$BIN" run --model "$MODEL" --tasks-dir "$TD" --data-dir "$D" --threads 1 --suite agg -o "$T/res" >"$T/out" 2>"$T/err"
expect_grep "recomputing PartCmrc: task definition changed" "$T/err" "edited part recomputed"
new_hash=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["ceval"]["identity"]["task_hash"])' "$R/AggRetrieval.json")
[ "$old_hash" != "$new_hash" ] && ok || bad "aggregate task hash did not change with its part"
grep -q "part PartMed .*kept (already computed)" "$T/out" && ok || { bad "unchanged part not kept"; cat "$T/out"; }
grep -q "part PartCmrc .* done" "$T/out" && grep -q "^AggRetrieval .* done" "$T/out" && ok || bad "part and aggregate not recomputed"

# killed inside the second part (SIGKILL after 80 of ~96 batches): the rerun keeps the first
# part, finishes the second and writes the same aggregate scores as the uninterrupted run
(CEVAL_TEST_KILL_AFTER_BATCHES=80 "${RUN[@]}" --task AggRetrieval -o "$T/kill" --no-cache >"$T/out" 2>&1
	echo $? >"$T/rc") 2>/dev/null
[ "$(cat "$T/rc")" = 137 ] && ok || bad "the kill hook did not fire"
[ -f "$T/kill/ceval-tiny-zh/PartMed.json" ] && [ ! -e "$T/kill/ceval-tiny-zh/PartCmrc.json" ] && ok ||
	bad "after the kill: expected PartMed done, PartCmrc not"
expect_rc 0 "resume after the kill" "${RUN[@]}" --task AggRetrieval -o "$T/kill" --no-cache
grep -q "part PartMed .*kept (already computed)" "$T/out" && ok || { bad "resume did not keep the first part"; cat "$T/out"; }
"$PY" -c 'import json,sys; a,b=(json.load(open(p))["scores"] for p in sys.argv[1:]); sys.exit(a!=b)' \
	"$R/AggRetrieval.json" "$T/kill/ceval-tiny-zh/AggRetrieval.json" && ok || bad "resumed aggregate differs"

# a part without data: no aggregate result, the other part computed, exit 3
mv "$D/agg/Cmrc" "$D/agg/Cmrc.away"
expect_rc 3 "part without data" "${RUN[@]}" --task AggRetrieval -o "$T/res2"
expect_grep "1 of 2 parts have no result (first: PartCmrc" "$T/out" "names the missing part"
[ -f "$T/res2/ceval-tiny-zh/PartMed.json" ] && ok || bad "the part with data was not kept"
[ ! -e "$T/res2/ceval-tiny-zh/AggRetrieval.json" ] && ok || bad "aggregate written without all parts"
mv "$D/agg/Cmrc.away" "$D/agg/Cmrc"

# malformed aggregates: one line naming the file and what is wrong
bad_agg() { # DESCRIPTION EXPECTED-TEXT YAML-BODY
	printf '%s\n' "$3" >"$TD/agg/BadAgg.yaml"
	expect_rc 3 "$1" "$BIN" run --model "$MODEL" --tasks-dir "$TD" --data-dir "$D" --task BadAgg -q
	expect_grep "$2" "$T/err" "$1"
	[ "$(wc -l <"$T/err")" = 1 ] && ok || { bad "$1: not one line"; cat "$T/err"; }
	rm -f "$TD/agg/BadAgg.yaml"
}
bad_agg "missing part" "aggregate: part 'NoSuch'" \
	"$(printf 'name: BadAgg\ntype: retrieval\naggregate: [PartMed, NoSuch]\neval_splits: [test]')"
bad_agg "part of another type" "part 'STSB-mini' is a sts task, the aggregate is retrieval" \
	"$(printf 'name: BadAgg\ntype: retrieval\naggregate: [PartMed, STSB-mini]\neval_splits: [test]')"
bad_agg "dataset on an aggregate" "dataset: not allowed in an aggregate task" \
	"$(printf 'name: BadAgg\ntype: retrieval\ndataset:\n  path: x\naggregate: [PartMed]\neval_splits: [test]')"
bad_agg "split a part lacks" "part 'PartMed' does not evaluate split 'dev'" \
	"$(printf 'name: BadAgg\ntype: retrieval\naggregate: [PartMed]\neval_splits: [dev]')"
bad_agg "nested aggregate" "aggregates do not nest" \
	"$(printf 'name: BadAgg\ntype: retrieval\naggregate: [AggRetrieval]\neval_splits: [test]')"
bad_agg "itself" "names the aggregate itself" \
	"$(printf 'name: BadAgg\ntype: retrieval\naggregate: [BadAgg]\neval_splits: [test]')"
finish
