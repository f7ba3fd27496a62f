#!/bin/bash
# Hostile-input catalogue, end to end: each case builds one broken input in a
# temp folder and runs the real binary on it.  Every case must give the
# expected exit code, a single stderr line that names the file and the
# problem, no crash (no exit >= 128), and keep the results of the tasks that
# had already finished.
set -u
. "$(dirname "$0")/lib/common.sh"

MODEL=models/ceval-tiny-zh
export CEVAL_TASKS=$PWD/tasks
# one finished run to protect: every data case removes one task's result,
# breaks that task's data, and re-runs the whole suite
mkdir -p "$T/cleanroot" && cp -r datasets/demo "$T/cleanroot/demo"
CLEAN=$T/cleanroot/demo
"$BIN" run --model $MODEL --suite demo --data-dir "$T/cleanroot" --output "$T/res" --cache-dir "$T/cache" \
	--threads 1 --quiet >/dev/null 2>&1 || true
mkdir -p "$T/data" && rm -rf "$T/data/demo"
[ "$(ls "$T/res/ceval-tiny-zh" | wc -l)" = 7 ] && ok || bad "baseline run wrote 7 results"

# check_err WANT_RC WHAT NEEDLE...: last command's rc/stderr (in $T/err) checked
check_err() {
	local want=$1 what=$2; shift 2
	local rc=$(cat "$T/rc")
	if [ "$rc" -ge 128 ] && [ "$rc" != 130 ]; then bad "$what: CRASH exit $rc"; cat "$T/err"; return; fi
	[ "$rc" = "$want" ] && ok || { bad "$what: exit $rc, expected $want"; cat "$T/err"; }
	local lines=$(grep -c . "$T/err")
	[ "$lines" = 1 ] && ok || { bad "$what: $lines stderr lines, expected 1"; cat "$T/err"; }
	for needle in "$@"; do expect_grep "$needle" "$T/err" "$what"; done
	[ -n "${VERBOSE_HOSTILE:-}" ] && echo "  $what -> $rc: $(cat "$T/err")"
	return 0
}

# data_case TASK FILE WHAT NEEDLE... : FILE (relative to the task folder) was
# just broken under $T/data/demo; the rest of the suite's results must stay
data_case() {
	local task=$1 file=$2 what=$3; shift 3
	rm -f "$T/res/ceval-tiny-zh/$task.json"
	"$BIN" run --model $MODEL --suite demo --data-dir "$T/data" --output "$T/res" --cache-dir "$T/cache" \
		--threads 1 --quiet >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	check_err 3 "$what" "$T/data/demo/$task/$file" "$@"
	[ "$(ls "$T/res/ceval-tiny-zh" | wc -l)" = 6 ] && ok || bad "$what: other tasks' results lost"
	[ -f "$T/res/ceval-tiny-zh/$task.json" ] && bad "$what: a result was written for broken data" || ok
	expect_grep "FAILED" "$T/out" "$what: summary says FAILED"
	# restore
	rm -rf "$T/data/demo" && cp -r "$CLEAN" "$T/data/demo"
	"$BIN" run --model $MODEL --suite demo --data-dir "$T/data" --output "$T/res" --cache-dir "$T/cache" \
		--threads 1 --quiet >/dev/null 2>&1
}
cp -r "$CLEAN" "$T/data/demo"
D=$T/data/demo
pyw() { "$PY" -c "$1" "${@:2}"; }

# -- JSONL --------------------------------------------------------------------
printf '{"sentence1": "a\xff\xfeb", "sentence2": "x", "score": 1}\n' >>"$D/STS-demo/test.jsonl"
data_case STS-demo test.jsonl "bad UTF-8" "121:" "0xff"
printf '{"sentence1": "a\0b", "sentence2": "x", "score": 1}\n' >>"$D/STS-demo/test.jsonl"
data_case STS-demo test.jsonl "NUL byte" "121:" "control character 0x0"
# a 9 MB line of valid text is valid input: scored (the tokenizer truncates), no error
pyw 'import sys; open(sys.argv[1],"a").write("{\"sentence1\": \"" + "长"*(3<<20) + "\", \"sentence2\": \"x\", \"score\": 1}\n")' "$D/STS-demo/test.jsonl"
rm -f "$T/res/ceval-tiny-zh/STS-demo.json"
expect_rc 0 "multi-megabyte line accepted" "$BIN" run --model $MODEL --suite demo --data-dir "$T/data" --output "$T/res" \
	--cache-dir "$T/cache" --threads 1 --quiet
[ -s "$T/err" ] && bad "multi-megabyte line: stderr not empty" || ok
[ "$(ls "$T/res/ceval-tiny-zh" | wc -l)" = 7 ] && ok || bad "multi-megabyte line: results"
rm -rf "$T/data/demo" && cp -r "$CLEAN" "$T/data/demo"
rm -f "$T/res/ceval-tiny-zh/STS-demo.json"
"$BIN" run --model $MODEL --suite demo --data-dir "$T/data" --output "$T/res" --cache-dir "$T/cache" --threads 1 --quiet >/dev/null 2>&1
pyw 'import sys; open(sys.argv[1],"a").write("{\"sentence1\": " + "["*100000 + "]"*100000 + ", \"sentence2\": \"x\", \"score\": 1}\n")' "$D/STS-demo/test.jsonl"
data_case STS-demo test.jsonl "deep nesting" "121:" "depth"
printf '{"sentence1": "a", "sentence2": "x", "score": 1\n' >>"$D/STS-demo/test.jsonl"
data_case STS-demo test.jsonl "truncated JSON" "121:"
printf '{"sentence1": 12, "sentence2": "x", "score": 1}\n' >>"$D/STS-demo/test.jsonl"
data_case STS-demo test.jsonl "number where text expected" "sentence1"
printf '{"sentence1": "a", "sentence2": "x", "score": "high"}\n' >>"$D/STS-demo/test.jsonl"
data_case STS-demo test.jsonl "text where score expected" "score"
printf '{"text": "x", "label": [1]}\n' >>"$D/Topic-demo/test.jsonl"
data_case Topic-demo test.jsonl "list where label expected" "label"
head -1 "$D/Retrieval-demo/corpus.jsonl" >>"$D/Retrieval-demo/corpus.jsonl"
data_case Retrieval-demo corpus.jsonl "duplicate corpus id" "c0"
printf 'q0\tc_nowhere\t1\n' >>"$D/Retrieval-demo/qrels/test.tsv"
data_case Retrieval-demo qrels/test.tsv "qrels name an unknown doc" "c_nowhere"
printf 'q_nowhere\tc0\t1\n' >>"$D/Retrieval-demo/qrels/test.tsv"
data_case Retrieval-demo qrels/test.tsv "qrels name an unknown query" "q_nowhere"
: >"$D/STS-demo/test.jsonl"
data_case STS-demo test.jsonl "empty split" "empty split"
# a \u0000 escape: said in words, not as jansson's flag name
printf '{"sentence1": "a\\u0000b", "sentence2": "x", "score": 1}\n' >>"$D/STS-demo/test.jsonl"
data_case STS-demo test.jsonl "NUL escape" "121:" "text contains a NUL character (\u0000), which is not supported"
grep -q "JSON_ALLOW_NUL" "$T/err" && bad "NUL escape: library jargon in the message" || ok
# numbers beyond 32 bits: "out of range", naming the value
printf '{"sentence1": "a", "sentence2": "b", "label": 4294967297}\n' >>"$D/NLI-demo/test.jsonl"
data_case NLI-demo test.jsonl "pair label beyond 32 bits" "121:" "4294967297 is out of range"
printf 'q0\tc1\t4294967296\n' >>"$D/Retrieval-demo/qrels/test.tsv"
data_case Retrieval-demo qrels/test.tsv "qrels score beyond 32 bits" "4294967296 is out of range"
# a folder, a FIFO or a device where a data file should be: named as such, never read
rm "$D/STS-demo/test.jsonl" && mkdir "$D/STS-demo/test.jsonl"
data_case STS-demo test.jsonl "folder as a data file" "is a directory, not a file"
rm "$D/STS-demo/test.jsonl" && mkfifo "$D/STS-demo/test.jsonl"
data_case STS-demo test.jsonl "FIFO as a data file" "is a FIFO (named pipe), not a file"
rm "$D/STS-demo/test.jsonl" && ln -s /dev/zero "$D/STS-demo/test.jsonl"
data_case STS-demo test.jsonl "device as a data file" "is a device, not a file"
# a UTF-8 byte-order mark at the start of a data file is accepted: same score as without
printf '\xef\xbb\xbf' | cat - "$CLEAN/STS-demo/test.jsonl" >"$D/STS-demo/test.jsonl"
rm -f "$T/res/ceval-tiny-zh/STS-demo.json"
expect_rc 0 "UTF-8 BOM in a data file accepted" "$BIN" run --model $MODEL --suite demo --data-dir "$T/data" \
	--output "$T/res" --cache-dir "$T/cache" --threads 1 --quiet
[ -s "$T/err" ] && { bad "BOM: stderr not empty"; cat "$T/err"; } || ok
"$BIN" run --model $MODEL --task STS-demo --data-dir "$T/cleanroot" --output "$T/bomref" --no-cache --threads 1 \
	--quiet >/dev/null 2>&1
"$PY" -c 'import json, sys; a, b = (json.load(open(p))["scores"] for p in sys.argv[1:]); sys.exit(a != b)' \
	"$T/res/ceval-tiny-zh/STS-demo.json" "$T/bomref/ceval-tiny-zh/STS-demo.json" && ok || bad "BOM: scores differ"
rm -rf "$T/data/demo" && cp -r "$CLEAN" "$T/data/demo"

# -- model files (the run stops before any task: exit 3, nothing written) -----
model_case() {
	local file=$1 what=$2; shift 2
	"$BIN" run --model "$T/m" --task STS-demo --data-dir "$T/cleanroot" --output "$T/mres" --no-cache --quiet \
		>"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	check_err 3 "$what" "$T/m/$file" "$@"
	rm -rf "$T/m"
}
fresh_model() { rm -rf "$T/m"; cp -r $MODEL "$T/m"; rm -f "$T/m/tokenizer.json"; }
fresh_model; sed -i '2s/.*/[PAD]/' "$T/m/vocab.txt"
model_case vocab.txt "vocab with a duplicate token" "[PAD]"
fresh_model; sed -i '/^\[UNK\]$/d' "$T/m/vocab.txt"
model_case tokenizer_config.json "vocab without [UNK]" "[UNK]" "not in the vocabulary"
fresh_model; sed -i 's/"hidden_size": 128/"hidden_size": 0/' "$T/m/config.json"
model_case config.json "zero hidden size" "hidden_size"
fresh_model; sed -i 's/"num_hidden_layers": 4/"num_hidden_layers": 1000000000/' "$T/m/config.json"
model_case config.json "absurd layer count" "num_hidden_layers"
fresh_model; sed -i 's/"vocab_size": 21128/"vocab_size": -5/' "$T/m/config.json"
model_case config.json "negative vocab size" "vocab_size"
fresh_model; printf '\xef\xbb\xbf' | cat - $MODEL/config.json >"$T/m/config.json"
model_case config.json "UTF-8 BOM in config.json" "UTF-8 byte-order mark at start of file"
# safetensors: rewrite the JSON header of the first tensor, keep the file
st_lie() {
	pyw '
import json, struct, sys
p, how = sys.argv[1], sys.argv[2]
b = open(p, "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
names = [k for k in h if k != "__metadata__"]
t, u = h[names[0]], h[names[1]]
size = len(b) - 8 - n
if how == "past-end": t["data_offsets"] = [size - 10, size + 1000]
if how == "overlap": u["data_offsets"] = [t["data_offsets"][0] + 2, t["data_offsets"][0] + 2 + u["data_offsets"][1] - u["data_offsets"][0]]
if how == "overflow": t["shape"] = [4294967296, 4294967296, 4294967296]
if how == "dtype": t["dtype"] = "Q7"
if how == "hdr-len": open(p, "wb").write(struct.pack("<Q", 1 << 60) + b[8:]); sys.exit()
j = json.dumps(h).encode()
j += b" " * max(0, n - len(j))
open(p, "wb").write(struct.pack("<Q", len(j)) + j + b[8 + n:])
' "$T/m/model.safetensors" "$1"
}
fresh_model; st_lie past-end; model_case model.safetensors "tensor offsets past the end" "past the end"
fresh_model; st_lie overlap; model_case model.safetensors "overlapping tensor ranges" "overlap"
fresh_model; st_lie overflow; model_case model.safetensors "shape product overflows" "overflows"
fresh_model; st_lie dtype; model_case model.safetensors "unknown dtype" "Q7"
fresh_model; st_lie hdr-len; model_case model.safetensors "header length past the end" "header length"

# -- task YAML ------------------------------------------------------------------
cp -r tasks "$T/tasks"
printf 'name: Broken\ntype: sts\n  dataset: [unclosed\n' >"$T/tasks/Broken.yaml"
CEVAL_TASKS=$T/tasks "$BIN" run --model $MODEL --task Broken --data-dir "$T/cleanroot" --output "$T/yres" --no-cache \
	--quiet >"$T/out" 2>"$T/err"
echo $? >"$T/rc"
check_err 3 "malformed task YAML" "Broken.yaml"
sed 's/^main_score: ndcg_at_10/main_score: ndcg_at_10\nparameters:\n  k_values: [1, 4294967296]/' \
	tasks/demo/Retrieval-demo.yaml >"$T/tasks/demo/Retrieval-demo.yaml"
CEVAL_TASKS=$T/tasks "$BIN" list --suite demo --data-dir "$T/cleanroot" >"$T/out" 2>"$T/err"
echo $? >"$T/rc"
check_err 3 "task integer beyond 32 bits" "Retrieval-demo.yaml:9:" "4294967296 is out of range"
cp tasks/demo/Retrieval-demo.yaml "$T/tasks/demo/Retrieval-demo.yaml"

# -- output that cannot be written ------------------------------------------------
echo x >"$T/notadir"
"$BIN" run --model $MODEL --task STS-demo --data-dir "$T/cleanroot" --output "$T/notadir/res" --cache-dir "$T/cache" \
	--threads 1 --quiet >"$T/out" 2>"$T/err"
echo $? >"$T/rc"
check_err 3 "results folder not writable" "$T/notadir/res"
# a full disk, simulated by a 1 KiB file-size limit (results files are larger)
( ulimit -f 1; exec "$BIN" run --model $MODEL --task STS-demo --data-dir "$T/cleanroot" --output "$T/fres" \
	--no-cache --threads 1 --quiet >"$T/out" 2>"$T/err"; )
echo $? >"$T/rc"
check_err 3 "file size limit (full disk)" "STS-demo"
[ -f "$T/fres/ceval-tiny-zh/STS-demo.json" ] && bad "partial results file left" || ok
finish
