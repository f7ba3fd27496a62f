#!/bin/bash
# Issue 21: every input that can change a score is part of a result's
# identity, and `ceval run` keeps an existing result only when all of it
# matches - otherwise it recomputes and says why in one line.  Each case
# here was silently kept (or scored as a normal number) before.
set -u
. "$(dirname "$0")/lib/common.sh"

# a writable copy of the tiny model, the demo tasks and their data
M="$T/m/tiny"
mkdir -p "$T/m" "$T/tasks" "$T/data"
cp -rL models/ceval-tiny-zh "$M" && chmod -R u+w "$M"
cp -rL tasks/demo tasks/suites "$T/tasks/" && chmod -R u+w "$T/tasks"
cp -rL datasets/demo "$T/data/" && chmod -R u+w "$T/data"
cp "$M/config.json" "$T/config.orig"
STS="$T/data/demo/STS-demo/test.jsonl"
cp "$STS" "$T/sts.orig"
R="$T/r"
RUN=("$BIN" run --model "$M" --tasks-dir "$T/tasks" --data-dir "$T/data" --threads 1 --output "$R" --cache-dir "$T/cache")

main_of() { "$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['scores']['test'][0]['main_score'])" "$1"; }
# run TASK [extra options...]: stdout to $T/out, stderr to $T/err
run() { local task=$1; shift; expect_rc 0 "run $task $*" "${RUN[@]}" --task "$task" "$@"; }
# expect a recompute with this reason, a fresh result, and (optionally) another score
recomputed() { # TASK REASON WHAT
	expect_grep "recomputing $1: $2" "$T/err" "$3: reason"
	[ "$(grep -c "recomputing" "$T/err")" = 1 ] && ok || bad "$3: one recompute line expected"
	grep -q "kept (already computed)" "$T/out" && bad "$3: old result kept" || ok
	expect_grep "$1" "$T/out" "$3: summary"
}
kept() { # WHAT
	expect_grep "kept (already computed)" "$T/out" "$1: kept"
	grep -q "recomputing" "$T/err" && bad "$1: recomputed without a change" || ok
}
differs() { # BASE_SCORE WHAT
	local now; now=$(main_of "$R/tiny/STS-demo.json")
	[ "$now" != "$1" ] && ok || bad "$2: score unchanged ($now)"
}

# baseline, and an unchanged rerun keeps it
run STS-demo
BASE=$(main_of "$R/tiny/STS-demo.json")
run STS-demo
kept "unchanged rerun"
expect_grep "Texts: 0 encoded, 0 from cache" "$T/out" "kept result encodes nothing"

# config.json edits: new fingerprint, new vectors (not served from the cache), new score
for edit in '"num_hidden_layers": 4/"num_hidden_layers": 3' '"hidden_act": "gelu"/"hidden_act": "relu"' \
	'"layer_norm_eps": 1e-12/"layer_norm_eps": 0.5' '"initializer_range": 0.02/"initializer_range": 0.03'; do
	sed "s/$edit/" "$T/config.orig" >"$M/config.json"
	cmp -s "$M/config.json" "$T/config.orig" && bad "sed '$edit' changed nothing"
	run STS-demo
	recomputed STS-demo "model files changed" "config $edit"
	expect_grep "Texts: 160 encoded, 0 from cache" "$T/out" "config $edit: no cached vectors"
	case $edit in *initializer_range*) ;; *) differs "$BASE" "config $edit" ;; esac
	cp "$T/config.orig" "$M/config.json"
	run STS-demo
	recomputed STS-demo "model files changed" "config restored after $edit"
	expect_grep "Texts: 0 encoded, 160 from cache" "$T/out" "config restored: cached vectors again"
	[ "$(main_of "$R/tiny/STS-demo.json")" = "$BASE" ] && ok || bad "config restored: score back"
done

# data edits: fewer rows, one gold score, one text
head -n 60 "$T/sts.orig" >"$STS"
run STS-demo
recomputed STS-demo "data changed" "rows cut"
differs "$BASE" "rows cut"
"$PY" - "$T/sts.orig" "$STS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
rows[0]["score"] = 0 if rows[0]["score"] != 0 else 5
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
PY
run STS-demo
recomputed STS-demo "data changed" "one score changed"
differs "$BASE" "one score changed"
"$PY" - "$T/sts.orig" "$STS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
rows[3]["sentence2"] = "完全无关的一句话：火车明天早上八点出发"
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
PY
run STS-demo
recomputed STS-demo "data changed" "one text changed"
cp "$T/sts.orig" "$STS"
run STS-demo
recomputed STS-demo "data changed" "data restored"
[ "$(main_of "$R/tiny/STS-demo.json")" = "$BASE" ] && ok || bad "data restored: score back"
run STS-demo
kept "data unchanged"

# --max-length and --precision
run STS-demo --max-length 8
recomputed STS-demo "max length changed" "--max-length 8"
differs "$BASE" "--max-length 8"
run STS-demo
recomputed STS-demo "max length changed" "--max-length back"
if grep -q avx512_bf16 /proc/cpuinfo; then
	run STS-demo --precision bf16
	recomputed STS-demo "precision changed" "bf16 after f32"
	"$PY" -c "import json,sys; assert json.load(open(sys.argv[1]))['ceval']['identity']['precision'] == 'bf16'" \
		"$R/tiny/STS-demo.json" && ok || bad "precision recorded"
	run STS-demo
	recomputed STS-demo "precision changed" "f32 after bf16"
	[ "$(main_of "$R/tiny/STS-demo.json")" = "$BASE" ] && ok || bad "f32 score back"
else
	echo "note: no AVX512_BF16 on this CPU; --precision case not run"
fi

# the task definition: main_score, a parameter, the dataset revision
Y="$T/tasks/demo/STS-demo.yaml"
cp "$Y" "$T/yaml.orig"
sed 's/main_score: cosine_spearman/main_score: cosine_pearson/' "$T/yaml.orig" >"$Y"
run STS-demo
recomputed STS-demo "task definition changed" "main_score edited"
"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['ceval']['main_score']=='cosine_pearson'" \
	"$R/tiny/STS-demo.json" && ok || bad "new main score recorded"
sed 's/score_max: 5/score_max: 10/' "$T/yaml.orig" >"$Y"
run STS-demo
recomputed STS-demo "task definition changed" "score_max edited"
printf '  revision: abc123\n' | sed -e '/^  path:/r /dev/stdin' "$T/yaml.orig" >"$Y"
run STS-demo
recomputed STS-demo "task definition changed" "revision added"
"$PY" -c "import json,sys; assert json.load(open(sys.argv[1]))['dataset_revision']=='abc123'" \
	"$R/tiny/STS-demo.json" && ok || bad "dataset_revision recorded"
cp "$T/yaml.orig" "$Y"
run STS-demo
recomputed STS-demo "task definition changed" "task restored"

# subset
run STS-demo --subset 50
recomputed STS-demo "subset changed" "--subset 50"
run STS-demo --subset 60
recomputed STS-demo "subset changed" "--subset 60"
run STS-demo --subset 60
kept "same subset"
run STS-demo
recomputed STS-demo "subset changed" "whole data again"

# query instruction (retrieval): another instruction, none, and the same again
run Retrieval-demo --query-instruction "查询："
Q1=$(main_of "$R/tiny/Retrieval-demo.json")
run Retrieval-demo --query-instruction "请找出回答这个问题的段落："
recomputed Retrieval-demo "query instruction changed" "another instruction"
[ "$(main_of "$R/tiny/Retrieval-demo.json")" != "$Q1" ] && ok || bad "another instruction: same score"
run Retrieval-demo --no-instruction
recomputed Retrieval-demo "query instruction changed" "no instruction"
run Retrieval-demo --no-instruction
kept "same instruction"
# ... which does not concern STS: the instruction is not part of an STS identity
run STS-demo --query-instruction "查询："
kept "STS ignores the query instruction"

# a result written before identity recording is recomputed, not trusted
"$PY" - "$R/tiny/STS-demo.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); del d["ceval"]["identity"]; json.dump(d, open(sys.argv[1], "w"), indent=2)
PY
run STS-demo
recomputed STS-demo "results predate identity recording" "old results file"

# a task that fails leaves no old file that looks current: data gone and the
# model changed -> the old result is renamed .stale; with an unchanged
# identity the old result stays (it is still the result of these inputs)
mv "$STS" "$T/sts.away"
sed 's/"num_hidden_layers": 4/"num_hidden_layers": 2/' "$T/config.orig" >"$M/config.json"
expect_rc 3 "data missing, model changed" "${RUN[@]}" --task STS-demo
expect_grep "recomputing STS-demo: model files changed" "$T/err" "missing data: reason"
[ ! -e "$R/tiny/STS-demo.json" ] && [ -e "$R/tiny/STS-demo.json.stale" ] && ok || bad "old result not retired"
cp "$T/config.orig" "$M/config.json"
mv "$T/sts.away" "$STS"
run STS-demo
[ "$(main_of "$R/tiny/STS-demo.json")" = "$BASE" ] && ok || bad "recomputed after retire"
mv "$STS" "$T/sts.away"
expect_rc 0 "data missing, same identity" "${RUN[@]}" --task STS-demo
expect_grep "kept (already computed)" "$T/out" "missing data, same model: kept"
expect_grep "without checking its data" "$T/err" "missing data: warned"
mv "$T/sts.away" "$STS"
# --overwrite writes only a complete result (no temp file, old one kept on failure)
mv "$STS" "$T/sts.away"
expect_rc 3 "--overwrite, data missing" "${RUN[@]}" --task STS-demo --overwrite
[ "$(main_of "$R/tiny/STS-demo.json")" = "$BASE" ] && ok || bad "--overwrite failure kept the old result"
mv "$T/sts.away" "$STS"
ls -a "$R/tiny" | grep -q tmp && bad "temp file left" || ok

# NaN / infinite weights, in two different layers and both kinds: refused
# when the model is opened, naming the tensor (the fast softmax would clamp a
# NaN in the attention into finite, wrong vectors)
poke() { # MODEL_DIR TENSOR BYTES(hex, little-endian)
	"$PY" - "$1/model.safetensors" "$2" "$3" <<'PY'
import json, struct, sys
path, name, val = sys.argv[1:4]
b = bytearray(open(path, "rb").read())
n = struct.unpack("<Q", b[:8])[0]
t = json.loads(b[8:8 + n])[name]
assert t["dtype"] == "F16", t["dtype"]
off = 8 + n + t["data_offsets"][0] + 2 * 5  # element 5
b[off:off + 2] = bytes.fromhex(val)
open(path, "wb").write(b)
PY
}
for case in "encoder.layer.0.attention.self.query.weight 007e NaN" "encoder.layer.3.output.dense.bias 007c infinity"; do
	set -- $case
	rm -rf "$T/nan" && cp -r "$M" "$T/nan" && poke "$T/nan" "$1" "$2"
	expect_rc 3 "$3 in $1" "$BIN" run --model "$T/nan" --tasks-dir "$T/tasks" --data-dir "$T/data" --threads 1 \
		--output "$T/rn" --no-cache --task STS-demo
	expect_grep "tensor $1 holds" "$T/err" "$3 in $1: names the tensor"
	expect_grep "$3 at element 5" "$T/err" "$3 in $1: names the element"
	[ ! -e "$T/rn/nan/STS-demo.json" ] && ok || bad "$3 in $1: a result was written"
done

# an undefined metric is an error when the task is scored, not a null score
# that breaks `check` and `leaderboard` later: a model whose last LayerNorm
# is zero embeds every text as the zero vector, so every cosine is equal
rm -rf "$T/zero" && cp -r "$M" "$T/zero"
"$PY" - "$T/zero/model.safetensors" <<'PY'
import json, struct, sys
path = sys.argv[1]
b = bytearray(open(path, "rb").read())
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
for name in ("encoder.layer.3.output.LayerNorm.weight", "encoder.layer.3.output.LayerNorm.bias"):
    t = h[name]
    off = 8 + n + t["data_offsets"][0]
    b[off:off + 2 * 128] = bytes(2 * 128)
open(path, "wb").write(b)
PY
expect_rc 3 "constant similarities" "$BIN" run --model "$T/zero" --tasks-dir "$T/tasks" --data-dir "$T/data" --threads 1 \
	--output "$T/rz" --no-cache --task STS-demo --task NLI-demo
expect_grep "STS-demo: correlation undefined: every pair has the same cosine similarity" "$T/err" "undefined correlation"
expect_grep "NLI-demo" "$T/out" "the other task still runs"
[ ! -e "$T/rz/zero/STS-demo.json" ] && ok || bad "undefined correlation: a result was written"
# ... and constant gold scores
"$PY" - "$T/sts.orig" "$STS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.writelines(json.dumps(dict(r, score=3), ensure_ascii=False) + "\n" for r in rows)
PY
expect_rc 3 "constant gold" "${RUN[@]}" --task STS-demo
expect_grep "STS-demo: correlation undefined: gold scores are constant" "$T/err" "constant gold"
cp "$T/sts.orig" "$STS"

# no fixed task limit (was 256 names / 768 tasks, cut silently)
names=$("$PY" -c "print(','.join(['STS-demo'] * 300))")
expect_rc 0 "300 tasks" "$BIN" run --model "$M" --tasks-dir "$T/tasks" --data-dir "$T/data" --threads 1 --output "$T/r300" \
	--no-cache --task "$names"
[ "$(grep -c '^STS-demo ' "$T/out")" = 300 ] && ok || bad "300 tasks: $(grep -c '^STS-demo ' "$T/out") summary rows"

finish
