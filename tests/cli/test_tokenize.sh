#!/bin/bash
# `ceval tokenize`: ids match the Hugging Face goldens, and the token limit
# comes from the model files (sentence_bert_config / tokenizer_config, capped
# by config.json's max_position_embeddings).  config.json is optional, may be
# of any architecture and may lack the key; a broken one is one stderr line
# naming the file, exit 3.
set -u
. "$(dirname "$0")/lib/common.sh"

MODEL=models/ceval-tiny-zh
GOLD=${CEVAL_SHARED:-../shared}/golden/tokenizer/zh-cased.jsonl

# parity with the HF tokenizer (the goldens were made with max_length 512)
expect_rc 0 "tokenize goldens" "$BIN" tokenize -m $MODEL -i "$GOLD"
$PY - "$GOLD" "$T/out" <<'PYEOF' && ok || bad "tokenize ids differ from $GOLD"
import json, sys
want = [json.loads(l)["input_ids"] for l in open(sys.argv[1], encoding="utf-8")]
got = [json.loads(l)["input_ids"] for l in open(sys.argv[2], encoding="utf-8")]
sys.exit(0 if want == got else 1)
PYEOF

# one long text (> 512 tokens) and one short; n_ids prints their id counts
$PY -c 'import json; print(json.dumps({"text": "中文句子测试。" * 120})); print(json.dumps({"text": "短句"}))' \
	>"$T/in.jsonl"
n_ids() { $PY -c 'import json, sys; print(" ".join(str(len(json.loads(l)["input_ids"])) for l in open(sys.argv[1])))' "$T/out"; }
# a tokenizer-only folder plus the given config.json text (none if empty)
folder() {
	rm -rf "$T/m" && mkdir "$T/m"
	cp $MODEL/vocab.txt $MODEL/tokenizer_config.json $MODEL/special_tokens_map.json "$T/m/"
	[ -n "$1" ] && printf '%s' "$1" >"$T/m/config.json"
	return 0
}
# limit_case WHAT CONFIG WANT_COUNTS [OPTIONS...]
limit_case() {
	local what=$1 cfg=$2 want=$3; shift 3
	folder "$cfg"
	expect_rc 0 "$what" "$BIN" tokenize -m "$T/m" -i "$T/in.jsonl" "$@"
	local got=$(n_ids)
	[ "$got" = "$want" ] && ok || bad "$what: id counts '$got', expected '$want'"
}
limit_case "no config.json" "" "512 4"
limit_case "config without max_position_embeddings" '{"model_type": "bert", "hidden_size": 8}' "512 4"
limit_case "max_position_embeddings null" '{"max_position_embeddings": null}' "512 4"
limit_case "max_position_embeddings caps" '{"model_type": "bert", "max_position_embeddings": 100}' "100 4"
limit_case "max_position_embeddings above the tokenizer limit" '{"max_position_embeddings": 600}' "512 4"
limit_case "another architecture" '{"model_type": "roberta", "max_position_embeddings": 514}' "512 4"
limit_case "--max-length wins, config.json unread" '{"max_position_embeddings": 64,' "50 4" --max-length 50

# broken config.json: exit 3, one stderr line naming the file, nothing on stdout
broken_case() {
	local what=$1 cfg=$2 needle=$3
	folder "$cfg"
	expect_rc 3 "$what" "$BIN" tokenize -m "$T/m" -i "$T/in.jsonl"
	local lines=$(grep -c . "$T/err")
	[ "$lines" = 1 ] && ok || { bad "$what: $lines stderr lines, expected 1"; cat "$T/err"; }
	expect_grep "$T/m/config.json" "$T/err" "$what: file named"
	expect_grep "$needle" "$T/err" "$what"
	[ -s "$T/out" ] && bad "$what: output written" || ok
}
broken_case "malformed config.json" '{"max_position_embeddings": 64,' "invalid JSON"
broken_case "config.json not an object" '[1, 2]' "not a JSON object"
broken_case "max_position_embeddings a string" '{"max_position_embeddings": "64"}' "must be an integer"
broken_case "max_position_embeddings out of range" '{"max_position_embeddings": 1}' "out of range"
finish
