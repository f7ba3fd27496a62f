#!/bin/bash
# CLI tests of `ceval download` and of `ceval run` fetching a missing model,
# against tests/support/hub_emulator.py: a local hub on 127.0.0.1 serving
# fixture repos with the hub's paths, redirects and headers, and injecting
# faults (a connection cut mid-file, 429 with Retry-After, 500, a wrong
# sha256, 401 for a gated repo).  Nothing else on the network is touched.
# Run by `make cli` with $CEVAL_BIN set.
set -u
. "$(dirname "$0")/lib/common.sh"
EMU=$(dirname "$0")/../support/hub_emulator.py
unset HF_TOKEN HUGGING_FACE_HUB_TOKEN HF_HOME HUGGINGFACE_HUB_CACHE HF_HUB_OFFLINE CEVAL_MODELS
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
# short back-off so the fault cases stay quick; bounded retries and waiting
export CEVAL_HUB_RETRY_BASE_MS=50 CEVAL_HUB_RETRIES=4 CEVAL_HUB_RETRY_MAX_S=10
TO=(timeout 120)

# ---- fixture repos
M=$T/repos/model
mkdir -p "$M"
cp -r models/ceval-tiny-zh/. "$M/"
head -c 3000 /dev/urandom >"$M/pytorch_model.bin"   # must not be fetched: model.safetensors exists
printf '# ceval-tiny-zh\n' >"$M/README.md"
mkdir -p "$T/repos/gated"
cp models/ceval-tiny-zh/config.json models/ceval-tiny-zh/vocab.txt models/ceval-tiny-zh/model.safetensors "$T/repos/gated/"
D=$T/repos/ds-sts
mkdir -p "$D/data"
cat >"$D/README.md" <<'YEOF'
---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*
  - split: test
    path: data/test-*
---
# a dataset card
YEOF
head -c 5000 /dev/urandom >"$D/data/train-00000-of-00001-0123456789abcdef.parquet"
head -c 7000 /dev/urandom >"$D/data/test-00000-of-00001-fedcba9876543210.parquet"
head -c 2000 /dev/urandom >"$D/data/validation-00000-of-00001-00112233aabbccdd.parquet"
printf 'x\n' >"$D/.gitattributes"
R=$T/repos/ds-ret
mkdir -p "$R/data" "$T/repos/ds-ret-qrels/data"
head -c 9000 /dev/urandom >"$R/data/corpus-00000-of-00001-1111111111111111.parquet"
head -c 3000 /dev/urandom >"$R/data/queries-00000-of-00001-2222222222222222.parquet"
printf -- '---\nconfigs: []\n---\n' >"$R/README.md"
head -c 1000 /dev/urandom >"$T/repos/ds-ret-qrels/data/dev-00000-of-00001-3333333333333333.parquet"
head -c 1000 /dev/urandom >"$T/repos/ds-ret-qrels/data/test-00000-of-00001-4444444444444444.parquet"

# the card's configs: choose the files: an unused config of a card is not fetched
V2=$T/repos/ds-v2
mkdir -p "$V2/corpus" "$V2/queries" "$V2/data" "$V2/top_ranked" "$V2/instruction"
cat >"$V2/README.md" <<'YEOF'
---
configs:
- config_name: corpus
  data_files:
  - split: test
    path: corpus/test-*
- config_name: queries
  data_files:
  - split: test
    path: queries/test-*
- config_name: default
  data_files:
  - split: dev
    path: data/dev-*
  - split: test
    path: data/test-*
- config_name: top_ranked
  data_files:
  - split: test
    path: top_ranked/test-*
- config_name: instruction
  data_files:
  - split: test
    path: instruction/test-*
---
YEOF
for f in corpus/test-0.parquet queries/test-0.parquet data/dev-0.parquet data/test-0.parquet top_ranked/test-0.parquet instruction/test-0.parquet; do
	head -c 700 /dev/urandom >"$V2/$f"
done
# ---- the emulator: started once, always stopped (the trap; the timeout is a safety net
# that must outlast the whole script, sanitizer builds included)
timeout 1800 "$PY" "$EMU" --port-file "$T/port" \
	--repo "model:ceval-test/ceval-tiny-zh=$M" --repo "model:ceval-test/gated-tiny=$T/repos/gated" \
	--repo "model:BAAI/bge-small-zh-v1.5=$M" \
	--repo "dataset:ceval-test/ds-sts=$D" --repo "dataset:ceval-test/ds-ret=$R" \
	--repo "dataset:ceval-test/ds-ret-qrels=$T/repos/ds-ret-qrels" \
	--cache-tree tests/fixtures/hub --repo "dataset:ceval-test/ds-v2=$V2" \
	--gated ceval-test/gated-tiny --token hf_testtoken >/dev/null 2>"$T/emu.err" &
EMU_PID=$!
trap 'kill $EMU_PID 2>/dev/null; wait $EMU_PID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 300); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { echo "FAIL: hub emulator did not start"; cat "$T/emu.err"; exit 1; }
PORT=$(cat "$T/port")
export HF_ENDPOINT=http://127.0.0.1:$PORT
emu() { "$PY" -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' "$HF_ENDPOINT/_emu/$1"; }
fault() { emu "fault?kind=$1&match=$2&count=${3:-1}" >/dev/null; }
commit_of() { "$PY" -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]))["sha"])' "$HF_ENDPOINT/api/$1/revision/main"; }
MC=$(commit_of models/ceval-test/ceval-tiny-zh)

# layout_ok CACHE KIND REPO_ID FIXTURE_DIR REF|- FILE...: the cache holds exactly what
# huggingface_hub writes for these files: blobs/<sha256> (LFS) or blobs/<git blob sha1>,
# snapshots/<commit>/<path> -> ../../blobs/<etag> (one ../ more per folder), refs/<REF>
# only when a branch was asked for, .no_exist/<commit>/<path> for a model's optional files
# the repo lacks, and nothing else (no .incomplete file).
layout_ok() {
	"$PY" - "$@" <<'PYEOF'
import hashlib, os, sys
cache, kind, repo, fixture, ref, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
LFS = (".safetensors", ".bin", ".parquet", ".npy", ".h5", ".onnx", ".pt")
rd = os.path.join(cache, kind + "s--" + repo.replace("/", "--"))
snaps = os.listdir(os.path.join(rd, "snapshots"))
assert len(snaps) == 1, snaps
commit = snaps[0]
want = set()
for f in files:
    data = open(os.path.join(fixture, f), "rb").read()
    etag = hashlib.sha256(data).hexdigest() if f.endswith(LFS) else hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    want.add(("l", "snapshots/%s/%s" % (commit, f), "../" * (2 + f.count("/")) + "blobs/" + etag))
    want.add(("f", "blobs/" + etag, data))
    d = os.path.dirname(f)
    while d:
        want.add(("d", "snapshots/%s/%s" % (commit, d), None)); d = os.path.dirname(d)
want |= {("d", "blobs", None), ("d", "snapshots", None), ("d", "snapshots/" + commit, None)}
# a model's optional files that the repo lacks: .no_exist/<commit>/<path> markers (empty files)
OPTIONAL = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "modules.json",
            "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json"]
absent = [f for f in OPTIONAL if kind == "model" and not os.path.exists(os.path.join(fixture, f))]
for f in absent:
    want.add(("f", ".no_exist/%s/%s" % (commit, f), b""))
    d = os.path.dirname(f)
    while d:
        want.add(("d", ".no_exist/%s/%s" % (commit, d), None)); d = os.path.dirname(d)
if absent:
    want |= {("d", ".no_exist", None), ("d", ".no_exist/" + commit, None)}
if ref != "-":
    want |= {("d", "refs", None), ("f", "refs/" + ref, commit.encode())}
got = set()
for root, dirs, names in os.walk(rd):
    for n in dirs + names:
        p = os.path.join(root, n); rel = os.path.relpath(p, rd)
        if os.path.islink(p): got.add(("l", rel, os.readlink(p)))
        elif os.path.isdir(p): got.add(("d", rel, None))
        else: got.add(("f", rel, open(p, "rb").read()))
short = lambda s: sorted((k, p, v if not isinstance(v, bytes) or len(v) < 50 else len(v)) for k, p, v in s)
if got != want:
    print("missing:", short(want - got)); print("unexpected:", short(got - want)); sys.exit(1)
PYEOF
}
MODEL_FILES=(1_Pooling/config.json config.json model.safetensors modules.json sentence_bert_config.json
	special_tokens_map.json tokenizer.json tokenizer_config.json vocab.txt)

# ---- a model, from an empty cache
C=$T/c1
expect_rc 0 "download --model" env HF_HUB_CACHE="$C" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh
[ "$(cat "$T/out")" = "$C/models--ceval-test--ceval-tiny-zh/snapshots/$MC" ] && ok || bad "snapshot path on stdout: $(cat "$T/out")"
layout_ok "$C" model ceval-test/ceval-tiny-zh "$M" main "${MODEL_FILES[@]}" && ok || bad "model layout as huggingface_hub's"
expect_grep "model.safetensors  7.1 MB/7.1 MB" "$T/err" "progress line with bytes"
expect_grep "commit $MC" "$T/err" "summary names the commit"
# again: nothing is fetched (the API is asked which commit main is, no file is requested)
emu clear >/dev/null
expect_rc 0 "download again" env HF_HUB_CACHE="$C" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh -q
emu log >"$T/log"
[ "$(grep -c resolve "$T/log")" = 0 ] && [ "$(grep -c _storage "$T/log")" = 0 ] && ok || bad "cached files not requested again"
# a pinned commit: no refs/
expect_rc 0 "download --revision <commit>" env HF_HUB_CACHE="$T/c2" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh --revision "$MC" -q
layout_ok "$T/c2" model ceval-test/ceval-tiny-zh "$M" - "${MODEL_FILES[@]}" && ok || bad "no refs/ for a commit revision"
# --dry-run: sizes, nothing written
expect_rc 0 "dry run" env HF_HUB_CACHE="$T/c3" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh --dry-run
grep -qE "^  fetch +7.1 MB  model.safetensors$" "$T/out" && ok || bad "dry run lists file and size"
expect_grep "would fetch 9 file(s), 7.7 MB" "$T/out" "dry run total"
[ ! -e "$T/c3/models--ceval-test--ceval-tiny-zh/snapshots" ] && ok || bad "dry run wrote nothing"

# a known short name is fetched under its hub id; `ceval models` then lists it with its size
expect_rc 0 "download a known name" env HF_HUB_CACHE="$T/c6" "${TO[@]}" "$BIN" download --model bge-small-zh-v1.5 -q
layout_ok "$T/c6" model BAAI/bge-small-zh-v1.5 "$M" main "${MODEL_FILES[@]}" && ok || bad "known name: layout"
expect_rc 0 "models" env HF_HUB_CACHE="$T/c6" "$BIN" models
grep -qE "^bge-small-zh-v1.5 +BAAI/bge-small-zh-v1.5 +yes +7.7 MB +$T/c6/models--BAAI--bge-small-zh-v1.5/snapshots/" "$T/out" &&
	ok || { bad "models: present with size"; cat "$T/out"; }
grep -qE "^bge-base-zh-v1.5 +BAAI/bge-base-zh-v1.5 +no +~410 MB " "$T/out" && ok || bad "models: approximate download size"

# ---- ceval run fetches the missing model, then evaluates it like the local folder
emu clear >/dev/null
expect_rc 0 "run fetches on demand" env HF_HUB_CACHE="$T/c4" "${TO[@]}" "$BIN" run --model ceval-test/ceval-tiny-zh \
	--suite demo --data-dir datasets --output "$T/res-hub" --threads 2 --no-cache
expect_grep "is not cached: downloading ceval-test/ceval-tiny-zh" "$T/err" "run says it downloads"
layout_ok "$T/c4" model ceval-test/ceval-tiny-zh "$M" main "${MODEL_FILES[@]}" && ok || bad "run: layout"
expect_rc 0 "run from the folder" "${TO[@]}" "$BIN" run --model models/ceval-tiny-zh --suite demo --data-dir datasets \
	--output "$T/res-dir" --threads 2 --no-cache -q
"$PY" - "$T/res-hub/ceval-tiny-zh" "$T/res-dir/ceval-tiny-zh" <<'PYEOF' && ok || bad "same scores from the hub copy"
import json, os, sys
a, b = sys.argv[1], sys.argv[2]
names = sorted(n for n in os.listdir(b) if n.endswith(".json"))
assert len(names) == 7 and names == sorted(n for n in os.listdir(a) if n.endswith(".json")), names
for n in names:
    assert json.load(open(os.path.join(a, n)))["scores"] == json.load(open(os.path.join(b, n)))["scores"], n
PYEOF
# a second run uses the cache: no request at all
emu clear >/dev/null
expect_rc 0 "run again, cached" env HF_HUB_CACHE="$T/c4" "${TO[@]}" "$BIN" run --model ceval-test/ceval-tiny-zh \
	--task STS-demo --data-dir datasets --output "$T/res-hub2" --threads 2 --no-cache -q
[ ! -s "$(emu log >"$T/log"; echo "$T/log")" ] && ok || bad "cached model: no request"

# ---- offline: never touches the network; one line naming both download commands
emu clear >/dev/null
expect_rc 3 "run --offline, missing" env HF_HUB_CACHE="$T/c5" "$BIN" run --model ceval-test/ceval-tiny-zh --suite demo \
	--data-dir datasets --output "$T/res5" --offline
expect_grep "\`ceval download --model ceval-test/ceval-tiny-zh\`" "$T/err" "offline: ceval download named"
expect_grep "\`huggingface-cli download ceval-test/ceval-tiny-zh\`" "$T/err" "offline: huggingface-cli named"
[ "$(grep -c . "$T/err")" = 1 ] && ok || bad "offline: one line"
expect_rc 3 "HF_HUB_OFFLINE=1, missing" env HF_HUB_OFFLINE=1 HF_HUB_CACHE="$T/c5" "$BIN" run --model bge-small-zh-v1.5 \
	--suite demo --data-dir datasets --output "$T/res5"
expect_grep "\`huggingface-cli download BAAI/bge-small-zh-v1.5\`" "$T/err" "known name: hub id named"
expect_rc 0 "run --offline, cached" env HF_HUB_CACHE="$T/c4" "$BIN" run --model ceval-test/ceval-tiny-zh --task STS-demo \
	--data-dir datasets --output "$T/res6" --offline --threads 2 --no-cache -q
[ ! -s "$(emu log >"$T/log"; echo "$T/log")" ] && ok || bad "offline: no request"
expect_rc 2 "download with HF_HUB_OFFLINE" env HF_HUB_OFFLINE=1 HF_HUB_CACHE="$T/c5" "$BIN" download --model ceval-test/ceval-tiny-zh
expect_grep "HF_HUB_OFFLINE is set" "$T/err" "download refuses offline"

# ---- faults: each ends in a successful retry or one clear error, never a corrupt snapshot file
# a connection cut mid-file: resumed with Range
emu clear >/dev/null
fault cut /_storage/
expect_rc 0 "cut mid-file" env HF_HUB_CACHE="$T/f1" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh -q
emu log >"$T/log"
grep -q "GET /_storage/.* range=bytes=3567252-" "$T/log" && ok || { bad "resumed at the cut with Range"; cat "$T/log"; }
layout_ok "$T/f1" model ceval-test/ceval-tiny-zh "$M" main "${MODEL_FILES[@]}" && ok || bad "cut: layout"
# 429 with Retry-After, then 500, on the API and on a file
emu clear >/dev/null
fault 429 /api/models/ ; fault 500 resolve/$MC/config.json ; fault 429 resolve/$MC/vocab.txt
expect_rc 0 "429 and 500 retried" env HF_HUB_CACHE="$T/f2" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh
expect_grep "HTTP 429; retrying in 1.0s" "$T/err" "Retry-After honoured"
expect_grep "HTTP 500; retrying" "$T/err" "500 retried"
layout_ok "$T/f2" model ceval-test/ceval-tiny-zh "$M" main "${MODEL_FILES[@]}" && ok || bad "429/500: layout"
# a persistent 500: bounded retries, one clear error
emu clear >/dev/null
fault 500 /api/models/ 100
start=$(date +%s)
expect_rc 3 "persistent 500" env HF_HUB_CACHE="$T/f3" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh -q
[ $(($(date +%s) - start)) -lt 20 ] && ok || bad "retries bounded in time"
expect_grep "answered HTTP 500 5 time(s)" "$T/err" "persistent 500 reported"
[ "$(grep -c 'GET /api/' <(emu log))" = 5 ] && ok || bad "1 + 4 retries"
# a wrong sha256 once: deleted, fetched again
emu clear >/dev/null
fault badsha /_storage/
expect_rc 0 "wrong sha256 once" env HF_HUB_CACHE="$T/f4" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh
expect_grep "sha256 mismatch" "$T/err" "mismatch reported"
layout_ok "$T/f4" model ceval-test/ceval-tiny-zh "$M" main "${MODEL_FILES[@]}" && ok || bad "bad sha once: layout"
# a wrong sha256 every time: an error, and nothing of that file in the cache
emu clear >/dev/null
fault badsha /_storage/ 10
expect_rc 3 "wrong sha256 always" env HF_HUB_CACHE="$T/f5" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh -q
expect_grep "sha256 mismatch" "$T/err" "mismatch error"
expect_grep "the file was deleted" "$T/err" "says it was deleted"
[ -z "$(find "$T/f5" -name 'model.safetensors*' -o -name '*.incomplete' -o -size +1M)" ] && ok || bad "no bad file kept"
# a wrong git blob sha1 of a plain file is caught too
emu clear >/dev/null
fault badsha resolve/$MC/tokenizer.json 10
expect_rc 3 "wrong git sha1" env HF_HUB_CACHE="$T/f6" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh -q
expect_grep "git blob sha1 mismatch" "$T/err" "sha1 mismatch error"
[ ! -e "$T/f6/models--ceval-test--ceval-tiny-zh/snapshots/$MC/tokenizer.json" ] && ok || bad "no tokenizer.json link"
# gated: 401 without a token; with HF_TOKEN it works, and the token goes only to the hub, not to storage
emu clear >/dev/null
expect_rc 3 "gated, no token" env HF_HUB_CACHE="$T/g" "${TO[@]}" "$BIN" download --model ceval-test/gated-tiny -q
expect_grep "gated or private" "$T/err" "401 explained"
expect_grep "set HF_TOKEN" "$T/err" "401: what to do"
expect_rc 0 "gated, HF_TOKEN" env HF_TOKEN=hf_testtoken HF_HUB_CACHE="$T/g" "${TO[@]}" "$BIN" download --model ceval-test/gated-tiny -q
layout_ok "$T/g" model ceval-test/gated-tiny "$T/repos/gated" main config.json model.safetensors vocab.txt && ok || bad "gated layout"
emu log >"$T/log"
grep -q "HEAD /ceval-test/gated-tiny/resolve/.* auth=yes" "$T/log" && grep -q "GET /_storage/.* auth=no" "$T/log" && ok ||
	{ bad "token sent to the hub only"; cat "$T/log"; }
# 404: wrong name, wrong revision
expect_rc 3 "404 name" env HF_HUB_CACHE="$T/n" "${TO[@]}" "$BIN" download --model ceval-test/no-such-model -q
expect_grep "not found (HTTP 404" "$T/err" "404 said"
expect_grep "check the name" "$T/err" "404: what to do"
expect_rc 3 "404 revision" env HF_HUB_CACHE="$T/n" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh --revision nobranch -q
expect_grep "the revision does not exist" "$T/err" "bad revision said"
# no network (nothing listens): one line pointing at --offline
expect_rc 3 "no network" env HF_ENDPOINT=http://127.0.0.1:9 CEVAL_HUB_RETRIES=1 HF_HUB_CACHE="$T/n" "${TO[@]}" "$BIN" run \
	--model ceval-test/ceval-tiny-zh --suite demo --data-dir datasets --output "$T/res7" -q
expect_grep "cannot reach http://127.0.0.1:9" "$T/err" "no network said"
expect_grep "run with --offline" "$T/err" "no network: what to do"

# ---- a killed download leaves no file that looks complete, and the next one resumes it
emu clear >/dev/null
fault slow /_storage/
HF_HUB_CACHE="$T/k" "$BIN" download --model ceval-test/ceval-tiny-zh -q >/dev/null 2>&1 &
DL=$!
inc=""
for _ in $(seq 200); do
	inc=$(find "$T/k" -name '*.incomplete' -size +100k 2>/dev/null | head -1)
	[ -n "$inc" ] && break
	sleep 0.05
done
kill -9 $DL 2>/dev/null; wait $DL 2>/dev/null
[ -n "$inc" ] && ok || bad "a partial .incomplete file while downloading"
[ ! -e "$T/k/models--ceval-test--ceval-tiny-zh/snapshots/$MC/model.safetensors" ] && ok || bad "killed: no snapshot link"
[ -z "$(find "$T/k/models--ceval-test--ceval-tiny-zh/blobs" -size +1M ! -name '*.incomplete')" ] && ok || bad "killed: no complete-looking blob"
emu clear >/dev/null
expect_rc 0 "resume after kill" env HF_HUB_CACHE="$T/k" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh -q
grep -q "GET /_storage/.* range=bytes=[1-9]" <(emu log) && ok || bad "resumed with Range after the kill"
layout_ok "$T/k" model ceval-test/ceval-tiny-zh "$M" main "${MODEL_FILES[@]}" && ok || bad "resumed: layout"

# ---- two processes downloading the same repo into the same cache
emu clear >/dev/null
fault slow /_storage/ 2
HF_HUB_CACHE="$T/two" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh -q >/dev/null 2>"$T/two1" &
P1=$!
HF_HUB_CACHE="$T/two" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh -q >/dev/null 2>"$T/two2" &
P2=$!
wait $P1 && wait $P2 && ok || { bad "two concurrent downloads succeed"; cat "$T/two1" "$T/two2"; }
layout_ok "$T/two" model ceval-test/ceval-tiny-zh "$M" main "${MODEL_FILES[@]}" && ok || bad "concurrent: layout"
# the blob lock: the other process waited for the file instead of fetching it too
[ "$(emu log | grep -c 'GET /_storage/')" = 1 ] && ok || bad "concurrent: the LFS file fetched once"

# ---- datasets of tasks, at the pinned revisions (and the -qrels repo)
SC=$(commit_of datasets/ceval-test/ds-sts)
RC=$(commit_of datasets/ceval-test/ds-ret)
QC=$(commit_of datasets/ceval-test/ds-ret-qrels)
mkdir -p "$T/tasks/suites" "$T/tasks/hub"
cat >"$T/tasks/hub/HubSTS.yaml" <<YEOF
name: HubSTS
type: sts
dataset:
  path: hub/HubSTS
  hf_id: ceval-test/ds-sts
  revision: $SC
eval_splits: [test]
main_score: cosine_spearman
YEOF
cat >"$T/tasks/hub/HubRet.yaml" <<YEOF
name: HubRet
type: retrieval
dataset:
  path: hub/HubRet
  hf_id: ceval-test/ds-ret
  revision: $RC
  qrels_hf_id: ceval-test/ds-ret-qrels
  qrels_revision: $QC
eval_splits: [dev]
main_score: ndcg_at_10
YEOF
printf 'suite: hub\ntasks:\n  - HubSTS\n  - HubRet\n' >"$T/tasks/suites/hub.yaml"
expect_rc 0 "download --task" env HF_HUB_CACHE="$T/d1" "${TO[@]}" "$BIN" download --task HubSTS --tasks-dir "$T/tasks" -q
[ "$(cat "$T/out")" = "$T/d1/datasets--ceval-test--ds-sts/snapshots/$SC" ] && ok || bad "dataset snapshot on stdout"
layout_ok "$T/d1" dataset ceval-test/ds-sts "$D" - README.md data/test-00000-of-00001-fedcba9876543210.parquet && ok ||
	bad "dataset: card + the test split only, no refs for a pinned commit"
expect_rc 0 "download --suite" env HF_HUB_CACHE="$T/d2" "${TO[@]}" "$BIN" download --suite hub --tasks-dir "$T/tasks" -q
layout_ok "$T/d2" dataset ceval-test/ds-ret "$R" - README.md data/corpus-00000-of-00001-1111111111111111.parquet \
	data/queries-00000-of-00001-2222222222222222.parquet && ok || bad "retrieval: corpus and queries"
layout_ok "$T/d2" dataset ceval-test/ds-ret-qrels "$T/repos/ds-ret-qrels" - \
	data/dev-00000-of-00001-3333333333333333.parquet && ok || bad "qrels repo: the dev split at its own revision"
[ "$(grep -c . "$T/out")" = 3 ] && ok || bad "three snapshots printed"
expect_rc 0 "suite dry run" env HF_HUB_CACHE="$T/d2" "${TO[@]}" "$BIN" download --suite hub --tasks-dir "$T/tasks" --dry-run
expect_grep "cached" "$T/out" "dry run: cached files said"
expect_grep "would fetch 0 file(s), 0 B" "$T/out" "dry run: nothing left to fetch"
expect_rc 0 "list: hub cache summary" env HF_HUB_CACHE="$T/d2" "$BIN" list --suite hub --tasks-dir "$T/tasks"
expect_grep "Hub cache: 3 of 3 dataset repo(s) at the pinned revisions cached (0.0 MB)" "$T/out" "list says what is cached"
expect_rc 0 "list: nothing cached" env HF_HUB_CACHE="$T/d3" "$BIN" list --suite hub --tasks-dir "$T/tasks"
expect_grep "Hub cache: 0 of 3" "$T/out" "list says nothing is cached"
# an aggregate task (CQADupstackRetrieval's kind) has no repo of its own: its parts' are fetched
sed 's/^name: HubSTS$/name: HubSTS2/; s#path: hub/HubSTS$#path: hub/HubSTS2#' "$T/tasks/hub/HubSTS.yaml" >"$T/tasks/hub/HubSTS2.yaml"
printf 'name: HubAgg\ntype: sts\naggregate: [HubSTS, HubSTS2]\neval_splits: [test]\nmain_score: cosine_spearman\n' \
	>"$T/tasks/hub/HubAgg.yaml"
expect_rc 0 "download an aggregate" env HF_HUB_CACHE="$T/d5" "${TO[@]}" "$BIN" download --task HubAgg --tasks-dir "$T/tasks" -q
[ "$(grep -c "^$T/d5/datasets--ceval-test--ds-sts/snapshots/$SC\$" "$T/out")" = 2 ] && ok || { bad "aggregate: one snapshot line per part"; cat "$T/out"; }
layout_ok "$T/d5" dataset ceval-test/ds-sts "$D" - README.md data/test-00000-of-00001-fedcba9876543210.parquet && ok ||
	bad "aggregate: the parts' dataset fetched"
printf 'suite: agg\ntasks:\n  - HubAgg\n' >"$T/tasks/suites/agg.yaml"
expect_rc 0 "list an aggregate" env HF_HUB_CACHE="$T/d5" "$BIN" list --suite agg --tasks-dir "$T/tasks" --data-dir "$T/nodata"
expect_grep "yes (all 2 parts)" "$T/out" "list: the parts' hub data found"
expect_grep "Hub cache: 2 of 2 dataset repo(s)" "$T/out" "list: the parts' repos counted"
# a task without hf_id: said, not an error
expect_rc 0 "local-only task" env HF_HUB_CACHE="$T/d3" "${TO[@]}" "$BIN" download --task STS-demo
expect_grep "no dataset.hf_id" "$T/err" "local-only task said"
# the cmteb retrieval tasks name their qrels repos
expect_rc 0 "list cmteb" "$BIN" list --suite cmteb
"$PY" - <<'PYEOF' && ok || bad "8 cmteb retrieval tasks pin a qrels repo"
import glob, re
n = sum(1 for p in glob.glob("tasks/cmteb/*.yaml") if re.search(r"qrels_hf_id: C-MTEB/\S+-qrels\n  qrels_revision: [0-9a-f]{40}\n", open(p).read()))
assert n == 8, n
PYEOF

# ---- the fixture hub datasets (tests/fixtures/hub, at the revisions of REVISIONS.json):
# tasks as cmteb-mini's with dataset.hf_id / revision (and the -qrels repo of the v1 retrieval task)
FX=tests/fixtures/hub
TH=$T/tasks-hub
mkdir -p "$TH/suites" "$TH/mini"
"$PY" - "$FX" "$TH" <<'PYEOF' || bad "hub fixture tasks written"
import json, os, re, sys
fx, th = sys.argv[1], sys.argv[2]
revs = json.load(open(os.path.join(fx, "REVISIONS.json")))
names = []
for top in sorted(os.listdir(fx)):
    if not top.startswith("datasets--") or top.endswith("-qrels"):
        continue
    org, name = top[len("datasets--"):].split("--", 1)
    text = open("tasks/cmteb-mini/%s.yaml" % name).read()
    pin = "  hf_id: %s/%s\n  revision: %s\n" % (org, name, revs[name])
    if name + "-qrels" in revs:
        pin += "  qrels_hf_id: %s/%s-qrels\n  qrels_revision: %s\n" % (org, name, revs[name + "-qrels"])
    text, n = re.subn(r"(\n  path: [^\n]*\n)", lambda m: m.group(1) + pin, text, count=1)
    assert n == 1, name
    open(os.path.join(th, "mini", name + ".yaml"), "w").write(text)
    names.append(name)
assert len(names) == 20, names
open(os.path.join(th, "suites", "mini-hub.yaml"), "w").write("suite: mini-hub\ntasks:\n" + "".join("  - %s\n" % n for n in names))
PYEOF
# same_as_fixture CACHE [copies]: every dataset repo folder of the cache equals its
# tests/fixtures/hub twin: snapshot files with the same bytes, each a link ../../blobs/<etag>
# (sha256 for parquet, git blob sha1 otherwise: the fixture's own blob names where it has
# blobs/; one fixture repo is kept as plain copies), no refs/ for pinned commits, nothing
# more.  With "copies" (HF_HUB_DISABLE_SYMLINKS) the snapshot files are plain files and
# blobs/ is empty.
same_as_fixture() {
	"$PY" - "$1" "$FX" "${2:-links}" <<'PYEOF'
import hashlib, os, sys
cache, fx, mode = sys.argv[1], sys.argv[2], sys.argv[3]
def tree(rd):
    out = set()
    for root, dirs, names in os.walk(rd):
        for n in dirs + names:
            p = os.path.join(root, n); rel = os.path.relpath(p, rd)
            if os.path.islink(p): out.add(("l", rel, os.readlink(p)))
            elif os.path.isdir(p): out.add(("d", rel, None))
            else: out.add(("f", rel, open(p, "rb").read()))
    return out
def expected(rd):
    if mode == "links" and os.path.isdir(os.path.join(rd, "blobs")):
        return tree(rd)
    out = {("d", "blobs", None)}
    for k, rel, v in tree(rd):
        if rel.startswith("blobs"):
            continue
        if k == "d":
            out.add((k, rel, None))
            continue
        data = v if k == "f" else open(os.path.join(rd, rel), "rb").read()
        if mode == "copies":
            out.add(("f", rel, data))
            continue
        etag = hashlib.sha256(data).hexdigest() if rel.endswith(".parquet") else hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        out.add(("l", rel, "../" * rel.count("/") + "blobs/" + etag))
        out.add(("f", "blobs/" + etag, data))
    return out
repos = sorted(d for d in os.listdir(fx) if d.startswith("datasets--"))
got_repos = sorted(d for d in os.listdir(cache) if d.startswith("datasets--"))
assert got_repos == repos, (got_repos, repos)
for d in repos:
    want, got = expected(os.path.join(fx, d)), tree(os.path.join(cache, d))
    if got != want:
        print(d, "missing:", sorted((k, p) for k, p, _ in want - got), "unexpected:", sorted((k, p) for k, p, _ in got - want))
        sys.exit(1)
PYEOF
}
emu clear >/dev/null
expect_rc 0 "download --suite (fixture hub)" env HF_HUB_CACHE="$T/h1" "${TO[@]}" "$BIN" download --suite mini-hub --tasks-dir "$TH" -q
[ "$(grep -c . "$T/out")" = 21 ] && ok || bad "21 dataset snapshots printed"
same_as_fixture "$T/h1" && ok || bad "downloaded datasets equal tests/fixtures/hub byte for byte and by layout"
# only what the tasks read: the reranking repo's four configs, the v2 retrieval repo's three
emu log >"$T/log"
[ "$(grep -c 'GET /_storage/' "$T/log")" = "$(find "$FX" -path '*/snapshots/*' -name '*.parquet' | wc -l)" ] &&
	ok || bad "each parquet file fetched once"
mkdir -p "$TH/v2"
printf 'name: V2Rerank\ntype: reranking\ndataset:\n  path: v2/V2Rerank\n  hf_id: ceval-test/ds-v2\neval_splits: [test]\nmain_score: map\n' >"$TH/v2/V2Rerank.yaml"
printf 'name: V2Ret\ntype: retrieval\ndataset:\n  path: v2/V2Ret\n  hf_id: ceval-test/ds-v2\neval_splits: [test]\nmain_score: ndcg_at_10\n' >"$TH/v2/V2Ret.yaml"
expect_rc 0 "v2 reranking: dry run" env HF_HUB_CACHE="$T/v2a" "${TO[@]}" "$BIN" download --task V2Rerank --tasks-dir "$TH" --dry-run
[ "$(grep -E '^  (fetch|cached)' "$T/out" | awk '{print $NF}' | sort | tr '\n' ' ')" = "README.md corpus/test-0.parquet data/test-0.parquet queries/test-0.parquet top_ranked/test-0.parquet " ] &&
	ok || { bad "v2 reranking: corpus, queries, default/test, top_ranked"; cat "$T/out"; }
grep -qE "^  cached .* README.md$" "$T/out" && ok || bad "dry run: the card was read (fetched) to choose the files"
expect_rc 0 "v2 retrieval: dry run" env HF_HUB_CACHE="$T/v2a" "${TO[@]}" "$BIN" download --task V2Ret --tasks-dir "$TH" --dry-run
[ "$(grep -E '^  (fetch|cached)' "$T/out" | awk '{print $NF}' | sort | tr '\n' ' ')" = "README.md corpus/test-0.parquet data/test-0.parquet queries/test-0.parquet " ] &&
	ok || { bad "v2 retrieval: corpus, queries, default/test (no top_ranked, no dev, no instruction)"; cat "$T/out"; }

# ---- ceval run fetches the missing datasets before it starts
# one embedding cache for these runs: each text is encoded once (IFlyTek-mini's long texts are
# minutes under a sanitizer), the later runs are about datasets only
RUNH=(run --model models/ceval-tiny-zh --suite mini-hub --tasks-dir "$TH" --threads 2 --cache-dir "$T/emb-runh")
# data present under --data-dir (JSON lines): nothing is asked of the hub
if [ -d ../shared/data/cmteb-mini ]; then
	emu clear >/dev/null
	expect_rc 0 "run: JSON lines present" env HF_HUB_CACHE="$T/r0" "${TO[@]}" "$BIN" "${RUNH[@]}" --task AFQMC-mini \
		--data-dir ../shared/data --output "$T/rr0"
	[ ! -s "$(emu log >"$T/log"; echo "$T/log")" ] && [ ! -e "$T/r0" ] && ok || bad "JSON lines present: no request, no cache"
fi
# offline, nothing cached: a warning naming `ceval download --task`, no request
mkdir -p "$T/nodata"
emu clear >/dev/null
HF_HUB_OFFLINE=1 HF_HUB_CACHE="$T/r1" "${TO[@]}" "$BIN" "${RUNH[@]}" --task AFQMC-mini --data-dir "$T/nodata" \
	--output "$T/rr1" >/dev/null 2>"$T/err"
expect_grep "offline (--offline or HF_HUB_OFFLINE=1): fetch it with \`ceval download --task AFQMC-mini\`" "$T/err" "offline run: what to do"
[ ! -s "$(emu log >"$T/log"; echo "$T/log")" ] && ok || bad "offline run: no request"
# online: the datasets of the run's tasks (and the qrels repo) are fetched, then read from the cache
emu clear >/dev/null
HF_HUB_CACHE="$T/r2" "${TO[@]}" "$BIN" "${RUNH[@]}" --task IFlyTek-mini,MedDialogRetrieval-mini --data-dir "$T/nodata" \
	--output "$T/rr2" >/dev/null 2>"$T/err"
expect_grep "IFlyTek-mini: dataset C-MTEB/IFlyTek-mini@1c40f218eb17abbcea4f655e0b54eb601d9bf6e3 is not cached: downloading it" \
	"$T/err" "run says which dataset it fetches"
for d in C-MTEB--IFlyTek-mini C-MTEB--MedDialogRetrieval-mini C-MTEB--MedDialogRetrieval-mini-qrels; do
	diff -r --no-dereference "$FX/datasets--$d" "$T/r2/datasets--$d" >/dev/null && ok || bad "run fetched $d as the fixture"
done
[ "$(ls "$T/r2" | grep -c datasets--)" = 3 ] && ok || bad "run fetched only its tasks' datasets"
# again: all cached, the hub is not asked
emu clear >/dev/null
HF_HUB_CACHE="$T/r2" "${TO[@]}" "$BIN" "${RUNH[@]}" --task IFlyTek-mini,MedDialogRetrieval-mini --data-dir "$T/nodata" \
	--output "$T/rr3" >/dev/null 2>"$T/err"
[ ! -s "$(emu log >"$T/log"; echo "$T/log")" ] && ok || { bad "cached datasets: no request"; cat "$T/log"; }
# a snapshot missing a split the task reads is fetched again (only what is missing)
rm "$T/r2/datasets--C-MTEB--IFlyTek-mini/snapshots/1c40f218eb17abbcea4f655e0b54eb601d9bf6e3/data/train-00000-of-00001-1a3c7a3751a5cfc5.parquet"
emu clear >/dev/null
HF_HUB_CACHE="$T/r2" "${TO[@]}" "$BIN" "${RUNH[@]}" --task IFlyTek-mini --data-dir "$T/nodata" --output "$T/rr4" >/dev/null 2>"$T/err"
emu log >"$T/log"
[ "$(grep -c '^HEAD' "$T/log")" = 1 ] && grep -q "^HEAD .*/data/train-" "$T/log" && ok || { bad "only the missing split fetched"; cat "$T/log"; }
diff -r --no-dereference "$FX/datasets--C-MTEB--IFlyTek-mini" "$T/r2/datasets--C-MTEB--IFlyTek-mini" >/dev/null && ok || bad "repaired snapshot"

# ---- faults during a dataset download: retried, or one clear error; nothing corrupt in snapshots/
emu clear >/dev/null
fault cut /_storage/ 3; fault 429 /api/datasets/C-MTEB/TNews-mini; fault 500 /datasets/C-MTEB/Waimai-mini/resolve/ 2
expect_rc 0 "dataset faults retried" env HF_HUB_CACHE="$T/h2" "${TO[@]}" "$BIN" download --suite mini-hub --tasks-dir "$TH"
expect_grep "HTTP 429; retrying in 1.0s" "$T/err" "dataset API 429 retried"
expect_grep "HTTP 500; retrying" "$T/err" "dataset file 500 retried"
grep -q "GET /_storage/.* range=bytes=[1-9]" <(emu log) && ok || bad "dataset file resumed after a cut"
same_as_fixture "$T/h2" && ok || bad "after faults: datasets equal the fixture"
emu clear >/dev/null
fault badsha /_storage/ 100
expect_rc 3 "dataset wrong sha256 always" env HF_HUB_CACHE="$T/h3" "${TO[@]}" "$BIN" download --task TNews-mini --tasks-dir "$TH" -q
expect_grep "sha256 mismatch" "$T/err" "dataset: mismatch error"
expect_grep "the file was deleted" "$T/err" "dataset: bad file deleted"
[ -z "$(find "$T/h3" -name '*.parquet' -o -name '*.incomplete')" ] && [ -z "$(find "$T/h3" -path '*/blobs/*' -size +2k)" ] &&
	ok || bad "dataset: no bad file in snapshots/ or blobs/"
emu clear >/dev/null
fault 500 /api/datasets/ 100
expect_rc 3 "run: dataset API down" env HF_HUB_CACHE="$T/h4" "${TO[@]}" "$BIN" "${RUNH[@]}" --task TNews-mini \
	--data-dir "$T/nodata" --output "$T/rr5"
expect_grep "error: task TNews-mini: dataset C-MTEB/TNews-mini@" "$T/err" "run: failing download names the task"
expect_grep "answered HTTP 500 5 time(s)" "$T/err" "run: the HTTP error said"
[ ! -e "$T/rr5/ceval-tiny-zh/TNews-mini.json" ] && ok || bad "run: the task without data is not evaluated"
# the hub down: said once, not asked again for the other tasks; they are skipped, the run goes on
emu clear >/dev/null
fault 500 /api/datasets/ 100
expect_rc 3 "run: hub down, two tasks" env HF_HUB_CACHE="$T/h4" "${TO[@]}" "$BIN" "${RUNH[@]}" --task TNews-mini,Waimai-mini \
	--data-dir "$T/nodata" --output "$T/rr6"
[ "$(emu log | grep -c 'GET /api/')" = 5 ] && ok || bad "hub down: asked once (1 + 4 retries), not for the next task"
expect_grep "Waimai-mini: dataset C-MTEB/Waimai-mini@9a06a5d6cf3f34349e0eaa593ede13f8819e8d09 is not cached; not downloaded" "$T/err" "hub down: next task said"

# ---- HF_HUB_DISABLE_SYMLINKS: plain files in snapshots/ (new blobs moved there, as huggingface_hub does)
emu clear >/dev/null
expect_rc 0 "no symlinks: datasets" env HF_HUB_DISABLE_SYMLINKS=1 HF_HUB_CACHE="$T/s1" "${TO[@]}" "$BIN" download --suite mini-hub --tasks-dir "$TH" -q
same_as_fixture "$T/s1" copies && ok || bad "no symlinks: plain copies with the fixture's bytes"
expect_rc 0 "no symlinks: model" env HF_HUB_DISABLE_SYMLINKS=1 HF_HUB_CACHE="$T/s2" "${TO[@]}" "$BIN" download --model ceval-test/ceval-tiny-zh -q
[ -z "$(find "$T/s2" -type l)" ] && cmp -s "$T/s2/models--ceval-test--ceval-tiny-zh/snapshots/$MC/model.safetensors" "$M/model.safetensors" &&
	ok || bad "no symlinks: model files are plain"
expect_rc 0 "no symlinks: run offline from the copies" env HF_HUB_CACHE="$T/s2" "${TO[@]}" "$BIN" run --model ceval-test/ceval-tiny-zh \
	--task STS-demo --data-dir datasets --output "$T/res-s2" --offline --threads 2 --no-cache -q
"$PY" -c 'import json,sys; a,b=(json.load(open(p))["scores"] for p in sys.argv[1:]); assert a==b' \
	"$T/res-s2/ceval-tiny-zh/STS-demo.json" "$T/res-dir/ceval-tiny-zh/STS-demo.json" && ok || bad "no symlinks: same scores"
# .no_exist markers tell an offline reader the model has no modules.json (the fixture's gated copy lacks it)
[ -f "$T/g/models--ceval-test--gated-tiny/.no_exist/$(ls "$T/g/models--ceval-test--gated-tiny/snapshots")/modules.json" ] &&
	ok || bad ".no_exist marker for an absent optional file"

# ---- the issue's done-when test: from an empty cache and an empty --data-dir, `ceval run --suite
# cmteb-mini-hub` downloads, verifies and evaluates in one command; the scores equal a JSON-lines run
if [ ! -f tasks/suites/cmteb-mini-hub.yaml ]; then
	echo "SKIP: cmteb-mini-hub suite not present"
elif case "$BIN" in */build/asan/*|*/build/fuzz/*|*/build/debug/*) true ;; *) false ;; esac; then
	# 20 tasks encoded twice: ~10 minutes under ASan+UBSan; the release pass runs it
	echo "SKIP (sanitizer build): the done-when run of cmteb-mini-hub runs in the release pass"
elif [ ! -d ../shared/data/cmteb-mini ]; then
	echo "SKIP: ../shared/data/cmteb-mini not present"
else
	emu clear >/dev/null
	expect_rc 0 "done-when: run --suite cmteb-mini-hub from the hub" env HF_HUB_CACHE="$T/dw" timeout 1200 "$BIN" run \
		--model ceval-test/ceval-tiny-zh --suite cmteb-mini-hub --data-dir "$T/nodata" --output "$T/dw-hub" \
		--threads 2 --cache-dir "$T/dw-emb" -q
	expect_rc 0 "done-when: the JSON-lines run" timeout 1200 "$BIN" run --model models/ceval-tiny-zh --suite cmteb-mini \
		--data-dir ../shared/data --output "$T/dw-jsonl" --threads 2 --cache-dir "$T/dw-emb" -q
	"$PY" - "$T/dw-hub/ceval-tiny-zh" "$T/dw-jsonl/ceval-tiny-zh" <<'PYEOF' && ok || bad "done-when: same scores (X-mini-hub = X-mini)"
import json, os, sys
hub, jl = sys.argv[1], sys.argv[2]
names = sorted(n for n in os.listdir(hub) if n.endswith("-mini-hub.json"))
assert len(names) == 20, names
for n in names:
    a = json.load(open(os.path.join(hub, n)))["scores"]
    b = json.load(open(os.path.join(jl, n.replace("-mini-hub.json", "-mini.json"))))["scores"]
    assert a == b, (n, a, b)
PYEOF
fi

# usage errors
expect_rc 2 "nothing to fetch" "$BIN" download
expect_rc 2 "revision without model" "$BIN" download --task STS-demo --revision main
finish
