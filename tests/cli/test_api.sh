#!/bin/bash
# Issue 18: API models and `ceval serve`.
#  - `ceval serve` answers OpenAI's embeddings protocol; its vectors are bit
#    for bit `ceval embed`'s for the same texts (float and base64 answers),
#    also when 16 clients send requests at once and the server merges them
#    into one encoder call (dynamic batching; /health proves the merges);
#    limits and errors come as OpenAI error JSON with 4xx codes; a stalled
#    client does not stop the server.
#  - `ceval run --model api:NAME --endpoint URL` against `ceval serve` gives
#    the local run's main scores (the demo suite; cmteb-mini tasks when
#    ../shared/data is there: a few under a sanitizer build, CEVAL_API_TASKS
#    =all for the whole suite).
#  - against tests/support/api_faults.py, each fault ends in a retry that
#    succeeds or a one-line error with no result written.
# Every server is stopped by the trap; every client call runs under timeout.
set -u
. "$(dirname "$0")/lib/common.sh"
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo" || exit 1
MODEL=models/ceval-tiny-zh
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
TO="timeout 600"
case $BIN in *asan*) SAN=1 ;; *) SAN=0 ;; esac

# start_serve NAME ARGS...: starts `ceval serve --port 0`, sets PORT
start_serve() {
	local name=$1; shift
	rm -f "$T/$name.out" # a reused name must not hand back the last server's port
	"$BIN" serve --model "$MODEL" --port 0 --threads 1 "$@" >"$T/$name.out" 2>"$T/$name.err" &
	PIDS+=($!)
	for _ in $(seq 1 300); do
		PORT=$(sed -n 's/.*:\([0-9]*\)\/v1$/\1/p' "$T/$name.out" 2>/dev/null)
		[ -n "$PORT" ] && return 0
		sleep 0.1
	done
	bad "$name: the server did not start"; cat "$T/$name.err"; PORT=0
}
# start_faults MODE [COUNT]: sets FPORT
start_faults() {
	rm -f "$T/faults.out" # else the last fault server's port may be read
	"$PY" tests/support/api_faults.py "$@" >"$T/faults.out" 2>"$T/faults.err" &
	PIDS+=($!)
	for _ in $(seq 1 100); do
		FPORT=$(sed -n 's/^PORT //p' "$T/faults.out" 2>/dev/null)
		[ -n "$FPORT" ] && return 0
		sleep 0.1
	done
	bad "fault server $1 did not start"; FPORT=0
}
stop_last() { kill "${PIDS[-1]}" 2>/dev/null; wait "${PIDS[-1]}" 2>/dev/null; unset 'PIDS[-1]'; }
# post PORT JSON-FILE [AUTH]: prints "STATUS BODY" (python, no curl needed)
post() {
	$TO "$PY" - "$@" <<'EOF'
import sys, urllib.request, urllib.error
port, path = sys.argv[1], sys.argv[2]
req = urllib.request.Request("http://127.0.0.1:%s/v1/embeddings" % port, data=open(path, "rb").read(),
                             headers={"Content-Type": "application/json"})
if len(sys.argv) > 3:
    req.add_header("Authorization", "Bearer " + sys.argv[3])
try:
    r = urllib.request.urlopen(req, timeout=60)
    print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
EOF
}

# ---- the server: bit identity with `ceval embed` ---------------------------
start_serve srv --max-inputs 64 --max-text-bytes 3000 --max-body-mb 1 --timeout 2
expect_grep "on http://127.0.0.1:$PORT/v1" "$T/srv.out" "serve listens on loopback by default"
"$PY" - "$T" <<'EOF'
import json, sys
t = sys.argv[1]
texts = ["你好，世界", "hello world", "一个很长的句子，" * 40, "", "x", "混合 mixed 文本 text 123",
         "天气预报说明天有雨", "short"] + ["第%d条：%s" % (i, "重复" * (i % 13)) for i in range(50)]
with open(t + "/texts.jsonl", "w") as f:
    for s in texts:
        f.write(json.dumps({"text": s}, ensure_ascii=False) + "\n")
for fmt in ("float", "base64"):
    json.dump({"model": "ceval-tiny-zh", "input": texts, "encoding_format": fmt}, open(t + "/req_%s.json" % fmt, "w"))
json.dump({"model": "ceval-tiny-zh", "input": texts[2]}, open(t + "/req_one.json", "w"))
json.dump({"model": "ceval-tiny-zh", "input": [texts[2]]}, open(t + "/one.jsonl", "w"))
EOF
expect_rc 0 "embed" $TO "$BIN" embed --model "$MODEL" --threads 1 -i "$T/texts.jsonl" -o "$T/local.npy"
head -3 "$T/texts.jsonl" | tail -1 >"$T/one.jsonl"
expect_rc 0 "embed one" $TO "$BIN" embed --model "$MODEL" --threads 1 -i "$T/one.jsonl" -o "$T/local1.npy"
for fmt in float base64; do
	post "$PORT" "$T/req_$fmt.json" >"$T/resp_$fmt"
done
post "$PORT" "$T/req_one.json" >"$T/resp_one"
"$PY" - "$T" >"$T/ident" <<'EOF'
import base64, json, struct, sys
t = sys.argv[1]
def npy(path):
    b = open(path, "rb").read()
    hl = struct.unpack("<H", b[8:10])[0]
    return b[10 + hl:]
def served(path, fmt):
    code, body = open(path).read().split(" ", 1)
    assert code == "200", code
    d = json.loads(body)["data"]
    assert [e["index"] for e in d] == list(range(len(d)))
    if fmt == "base64":
        return b"".join(base64.b64decode(e["embedding"]) for e in d)
    return b"".join(struct.pack("<%df" % len(e["embedding"]), *e["embedding"]) for e in d)
loc = npy(t + "/local.npy")
for fmt in ("float", "base64"):
    print(fmt, "identical" if served(t + "/resp_" + fmt, fmt) == loc else "DIFFERENT")
print("one", "identical" if served(t + "/resp_one", "float") == npy(t + "/local1.npy") else "DIFFERENT")
EOF
expect_grep "float identical" "$T/ident" "served float vectors = ceval embed"
expect_grep "base64 identical" "$T/ident" "served base64 vectors = ceval embed"
expect_grep "one identical" "$T/ident" "a string input = ceval embed of one text"
# ceval embed through the API client: one request of all 58 texts = the local .npy, byte for byte
expect_rc 0 "embed api" $TO "$BIN" embed --model api:ceval-tiny-zh --endpoint "http://127.0.0.1:$PORT/v1" \
	-i "$T/texts.jsonl" -o "$T/api.npy"
cmp -s "$T/api.npy" "$T/local.npy" && ok || bad "ceval embed --model api: differs from ceval embed"
expect_rc 2 "embed api without endpoint" "$BIN" embed --model api:x -i "$T/texts.jsonl" -o "$T/x.npy"

# ---- the server: errors and limits ----------------------------------------
# req NAME JSON: a request body file
req() { printf '%s' "$2" >"$T/$1.json"; }
status_of() { cut -d' ' -f1 "$1"; }
check_err() { # NAME WANT_STATUS MESSAGE-PART
	post "$PORT" "$T/$1.json" >"$T/$1.resp"
	[ "$(status_of "$T/$1.resp")" = "$2" ] && ok || { bad "$1: status $(status_of "$T/$1.resp"), expected $2"; cat "$T/$1.resp"; }
	expect_grep '{"error":{"message":' "$T/$1.resp" "$1: OpenAI error JSON"
	expect_grep "$3" "$T/$1.resp" "$1: message"
}
req badjson '{"model": "ceval-tiny-zh", "input": '
check_err badjson 400 "not a JSON object"
req nomodel '{"input": "a"}'
check_err nomodel 400 "'model' is required"
req wrongmodel '{"model": "gpt-9", "input": "a"}'
check_err wrongmodel 404 "does not exist"
req dims '{"model": "ceval-tiny-zh", "input": "a", "dimensions": 64}'
check_err dims 400 "'dimensions' must be 128"
req fmt '{"model": "ceval-tiny-zh", "input": "a", "encoding_format": "int8"}'
check_err fmt 400 "encoding_format"
req tokens '{"model": "ceval-tiny-zh", "input": [[1, 2, 3]]}'
check_err tokens 400 "token arrays are not supported"
req empty '{"model": "ceval-tiny-zh", "input": []}'
check_err empty 400 "give 1 to 64"
"$PY" -c "import json; print(json.dumps({'model': 'ceval-tiny-zh', 'input': ['a'] * 65}))" >"$T/many.json"
check_err many 400 "holds 65 texts"
"$PY" -c "import json; print(json.dumps({'model': 'ceval-tiny-zh', 'input': ['a' * 3001]}))" >"$T/long.json"
check_err long 400 "3001 bytes; the limit is 3000"
"$PY" -c "import json; print(json.dumps({'model': 'ceval-tiny-zh', 'input': ['a' * 2000] * 600}))" >"$T/big.json"
check_err big 413 "over the limit"
req dimsok '{"model": "ceval-tiny-zh", "input": "a", "dimensions": 128}'
post "$PORT" "$T/dimsok.json" >"$T/dimsok.resp"
[ "$(status_of "$T/dimsok.resp")" = 200 ] && ok || bad "dimensions equal to the model's: accepted"
$TO "$PY" - "$PORT" >"$T/get" <<'EOF'
import sys, urllib.request, urllib.error
p = sys.argv[1]
for path in ("/health", "/v1/models", "/nope"):
    try:
        r = urllib.request.urlopen("http://127.0.0.1:%s%s" % (p, path), timeout=30)
        print(path, r.status, r.read().decode())
    except urllib.error.HTTPError as e:
        print(path, e.code, e.read().decode())
EOF
expect_grep '/health 200 {"status":"ok","merging":' "$T/get" "GET /health"
expect_grep '/v1/models 200 {"object":"list","data":[{"id":"ceval-tiny-zh"' "$T/get" "GET /v1/models"
expect_grep '/nope 404 {"error"' "$T/get" "unknown route: 404"
# a client that sends half a request and stalls, and one that vanishes, cost one connection each
$TO "$PY" - "$PORT" "$T/req_one.json" >"$T/stall" <<'EOF'
import socket, sys, time, urllib.request
p = int(sys.argv[1])
stalled = socket.create_connection(("127.0.0.1", p))
stalled.sendall(b"POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{\"model\"")
gone = socket.create_connection(("127.0.0.1", p))
gone.sendall(b"POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
gone.close()
t0 = time.time()
r = urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/v1/embeddings" % p,
                           data=open(sys.argv[2], "rb").read()), timeout=30)
print("answered", r.status, "in %.1fs" % (time.time() - t0))
time.sleep(3)  # past --timeout 2: the stalled connection is closed by the server
stalled.settimeout(5)
print("stalled closed" if stalled.recv(100) == b"" else "stalled got data")
EOF
expect_grep "answered 200" "$T/stall" "a stalled client does not block others"
expect_grep "stalled closed" "$T/stall" "a stalled client is timed out"
stop_last

# ---- dynamic batching: concurrent clients, merged or not, = ceval embed ----
# 8 overlapping request lists; the reference of each is `ceval embed` of that
# list (f32 and bf16).  16 client threads send them at random, float or
# base64; every answer must be its list's .npy bytes.  Merging is on for bf16
# and for f32 where the AVX-512 kernels run (rows batch-independent), off for
# f32 on OpenBLAS and with --no-merge; /health must agree, and show merges.
"$PY" - "$T" "$T/texts.jsonl" <<'EOF'
import json, random, sys
t = sys.argv[1]
texts = [json.loads(l)["text"] for l in open(sys.argv[2], encoding="utf-8")]
rng = random.Random(18)
for k in range(8):
    sel = rng.sample(range(len(texts)), rng.randint(1, 12))
    with open("%s/list%d.jsonl" % (t, k), "w") as f:
        for i in sel:
            f.write(json.dumps({"text": texts[i]}, ensure_ascii=False) + "\n")
    json.dump([texts[i] for i in sel], open("%s/list%d.json" % (t, k), "w"))
EOF
for p in f32 bf16; do
	for k in 0 1 2 3 4 5 6 7; do
		$TO "$BIN" embed --model "$MODEL" --threads 1 --precision $p -i "$T/list$k.jsonl" -o "$T/ref_${p}_$k.npy" \
			>/dev/null 2>"$T/err" || bad "embed list $k ($p)"
	done
done
grep -q avx512f /proc/cpuinfo && AVX512=true || AVX512=false
NREQ=12; [ $SAN = 1 ] && NREQ=3
for c in "f32:$AVX512" "bf16:true" "f32 --no-merge:false"; do
	conf=${c%%:*} want=${c#*:}; set -- $conf
	p=$1; shift
	start_serve conc --precision "$p" --threads 2 --batch-wait-ms 20 "$@"
	$TO "$PY" tests/support/serve_clients.py --port "$PORT" --lists "$T/list%d.json" --refs "$T/ref_${p}_%d.npy" \
		--clients 16 --requests "$NREQ" >"$T/conc" 2>&1
	expect_grep "answers ok $((16 * NREQ)) bad 0" "$T/conc" "concurrent $conf: every answer = ceval embed"
	expect_grep "merging $want" "$T/conc" "concurrent $conf: merging $want"
	expect_grep "requests $((16 * NREQ))" "$T/conc" "concurrent $conf: /health counts the requests"
	if [ "$want" = true ]; then
		expect_grep "merged yes" "$T/conc" "concurrent $conf: requests were merged"
		expect_grep "calls fewer" "$T/conc" "concurrent $conf: fewer encoder calls than requests"
	else
		expect_grep "merged no" "$T/conc" "concurrent $conf: nothing merged"
		expect_grep "calls equal" "$T/conc" "concurrent $conf: one encoder call per request"
	fi
	echo "concurrent $conf: $(tail -1 "$T/conc")"
	stop_last
done

# --api-key
start_serve key --api-key sekret
post "$PORT" "$T/req_one.json" >"$T/nokey"
[ "$(status_of "$T/nokey")" = 401 ] && ok || bad "no key: 401 expected, got $(status_of "$T/nokey")"
post "$PORT" "$T/req_one.json" sekret >"$T/withkey"
[ "$(status_of "$T/withkey")" = 200 ] && ok || bad "right key: 200 expected"
# the client sends $CEVAL_API_KEY, and never prints it
R="$T/rk"
CEVAL_API_KEY=sekret expect_rc 0 "run with key" $TO "$BIN" run --model api:ceval-tiny-zh \
	--endpoint "http://127.0.0.1:$PORT/v1" --task STS-demo --data-dir datasets -o "$R" -q
grep -q sekret "$T/out" "$T/err" && bad "the API key was printed" || ok
grep -rq sekret "$R" "$XDG_CACHE_HOME" && bad "the API key was written" || ok
expect_rc 3 "run without key" $TO "$BIN" run --model api:ceval-tiny-zh --endpoint "http://127.0.0.1:$PORT/v1" \
	--task STS-demo --data-dir datasets -o "$T/rk2" -q
expect_grep "HTTP 401" "$T/err" "no key: the server's answer"
expect_grep "check the API key" "$T/err" "no key: hint"
stop_last

# ---- ceval run over the API = ceval run local ------------------------------
start_serve run
same_scores() { # LOCAL_DIR API_DIR WHAT
	"$PY" - "$1" "$2" >"$T/cmp" <<'EOF'
import json, os, sys
a, b = sys.argv[1], sys.argv[2]
names = sorted(f for f in os.listdir(a) if f.endswith(".json"))
bad = []
for f in names:
    ra, rb = json.load(open(os.path.join(a, f))), json.load(open(os.path.join(b, f)))
    ma = [e["main_score"] for s in ra["scores"].values() for e in s]
    mb = [e["main_score"] for s in rb["scores"].values() for e in s]
    if ma != mb:
        bad.append("%s %s %s" % (f, ma, mb))
print("compared", len(names), "differ", len(bad))
print("\n".join(bad))
EOF
	grep -q "differ 0" "$T/cmp" && ! grep -q "compared 0 " "$T/cmp" && ok || { bad "$3: main scores differ"; cat "$T/cmp"; }
}
RUNL=($TO "$BIN" run --model "$MODEL" --threads 1 -q --no-cache)
RUNA=($TO "$BIN" run --model api:ceval-tiny-zh --endpoint "http://127.0.0.1:$PORT/v1" -q)
DEMO=(--suite demo); [ $SAN = 1 ] && DEMO=(--suite demo --task STS-demo,Retrieval-demo,Sentiment-demo)
expect_rc 0 "demo local" "${RUNL[@]}" "${DEMO[@]}" --data-dir datasets -o "$T/dl"
expect_rc 0 "demo api" "${RUNA[@]}" "${DEMO[@]}" --data-dir datasets -o "$T/da"
same_scores "$T/dl/ceval-tiny-zh" "$T/da/ceval-tiny-zh" "demo suite"
"$PY" - "$T/da/ceval-tiny-zh/STS-demo.json" >"$T/ident2" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["ceval"]
print("backend", c["identity"]["backend"], "name", c["model"]["name"], "dim", c["model"]["dim"])
print("endpoint", c["model"].get("endpoint"))
EOF
expect_grep "backend api name ceval-tiny-zh dim 128" "$T/ident2" "results record the API backend"
expect_grep "endpoint 127.0.0.1:$PORT" "$T/ident2" "results record the endpoint host"
# a second run is served from the embedding cache (keyed by host, model, dimensions)
expect_rc 0 "demo api cached" "${RUNA[@]}" "${DEMO[@]}" --data-dir datasets -o "$T/da2"
expect_grep "0 encoded" "$T/out" "second API run: all from the cache"
same_scores "$T/dl/ceval-tiny-zh" "$T/da2/ceval-tiny-zh" "demo suite from the cache"
SHARED=${CEVAL_SHARED:-$repo/../shared}
if [ -d "$SHARED/data" ]; then
	tasks=${CEVAL_API_TASKS:-}
	[ -z "$tasks" ] && { [ $SAN = 1 ] && tasks=LCQMC-mini,Ocnli-mini || tasks=LCQMC-mini,Ocnli-mini,Waimai-mini,CLSClusteringS2S-mini; }
	sel=(--suite cmteb-mini); [ "$tasks" != all ] && sel+=(--task "$tasks")
	expect_rc 0 "cmteb-mini local" "${RUNL[@]}" "${sel[@]}" --data-dir "$SHARED/data" -o "$T/ml"
	expect_rc 0 "cmteb-mini api" "${RUNA[@]}" --no-cache "${sel[@]}" --data-dir "$SHARED/data" -o "$T/ma"
	same_scores "$T/ml/ceval-tiny-zh" "$T/ma/ceval-tiny-zh" "cmteb-mini ($tasks)"
else
	echo "note: $SHARED/data not found; cmteb-mini comparison skipped"
fi
stop_last

# ---- faults ----------------------------------------------------------------
export CEVAL_API_BACKOFF_MS=50 CEVAL_API_RETRIES=3
fault_run() { # OUTDIR [options]: STS-demo over the fault server
	local out=$1; shift
	$TO "$BIN" run --model api:fake --endpoint "http://127.0.0.1:$FPORT/v1" --task STS-demo \
		--data-dir datasets -o "$out" --api-batch 16 --concurrency 2 "$@"
}
start_faults ok
expect_rc 0 "faults: ok" fault_run "$T/f-ok" --no-cache
stop_last
for c in "429 2" "500 2" "drop 2" reorder; do
	set -- $c
	start_faults "$@"
	expect_rc 0 "fault $1: retried" fault_run "$T/f-$1" --no-cache
	case $1 in reorder) ;; *) expect_grep "retrying in" "$T/err" "fault $1: a retry line" ;; esac
	same_scores "$T/f-ok/fake" "$T/f-$1/fake" "fault $1: same scores"
	stop_last
done
for c in "truncated:not embeddings JSON" "dupindex:repeated \"index\"" "wrongdim:has 7 dimensions, expected 8" \
	"fewer:the answer holds" "nonfinite:non-finite value" "429forever:gave up after the retry limit"; do
	m=${c%%:*} msg=${c#*:}
	start_faults "$m"
	expect_rc 3 "fault $m: an error" fault_run "$T/f-$m" --no-cache
	expect_grep "$msg" "$T/err" "fault $m: message"
	[ "$(grep -c 'error' "$T/err")" -ge 1 ] && ok || bad "fault $m: no error line"
	[ -e "$T/f-$m/fake/STS-demo.json" ] && bad "fault $m: a result was written" || ok
	stop_last
done
# an interrupted run resumes from the cache without asking again for what it has
start_faults failafter 3
expect_rc 3 "failafter: an error" fault_run "$T/f-fa" --cache-dir "$T/fc"
[ -e "$T/f-fa/fake/STS-demo.json" ] && bad "failafter: a result was written" || ok
stop_last
start_faults ok
expect_rc 0 "failafter: resumed" fault_run "$T/f-fa" --cache-dir "$T/fc"
grep -Eq "Texts: [0-9]+ encoded, [1-9][0-9]* from cache" "$T/out" && ok || { bad "resume used no cached vectors"; cat "$T/out"; }
same_scores "$T/f-ok/fake" "$T/f-fa/fake" "failafter: resumed scores"
stop_last
# the key is sent as a Bearer token
start_faults auth
CEVAL_API_KEY=sekret expect_rc 0 "fault auth: key sent" fault_run "$T/f-auth" --no-cache
stop_last
# usage errors
expect_rc 2 "api without endpoint" "$BIN" run --model api:x --task STS-demo
expect_grep "needs --endpoint" "$T/err" "api without endpoint: message"
expect_rc 2 "openai without key" env -u OPENAI_API_KEY "$BIN" run --model openai:text-embedding-ada-002 --task STS-demo
expect_grep "set OPENAI_API_KEY" "$T/err" "openai without key: message"
expect_rc 2 "bad endpoint" $TO "$BIN" run --model api:x --endpoint "ftp://h/v1" --task STS-demo \
	--data-dir datasets -o "$T/x"
expect_grep "not an http:// or https:// URL" "$T/err" "bad endpoint: message"
finish
