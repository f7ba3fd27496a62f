#!/usr/bin/env bash
# serve_soak.sh - `make soak`: SECONDS (default 60) of CLIENTS (default 16)
# concurrent clients against `ceval serve`; counts failed requests and
# samples the server's RSS (/proc/PID/status VmRSS) after the first second
# and at the end.  Exit 1 on any failed request.
#   usage: bench/serve_soak.sh CEVAL_BIN [SECONDS] [CLIENTS]
# Env: SOAK_MODEL (default models/ceval-tiny-zh), SOAK_THREADS (default 2), PYTHON.
set -euo pipefail
ceval=$1
secs=${2:-60}
clients=${3:-16}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/serve_lib.sh"
repo=$(cd "$here/.." && pwd)
py=${PYTHON:-/usr/bin/python3}
model=${SOAK_MODEL:-$repo/models/ceval-tiny-zh}
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
"$py" "$here/serve_texts.py" 4096 "$tmp/texts.jsonl"
start_serve serve_soak "$ceval" "$model" "${SOAK_THREADS:-2}"
rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }
"$py" "$repo/tests/support/serve_clients.py" --port "$port" --texts "$tmp/texts.jsonl" --per 16 --clients "$clients" \
	--seconds "$secs" >"$tmp/load" &
lp=$!
sleep 1
rss0=$(rss)
samples="$rss0"
for _ in $(seq 1 $((secs / 10))); do
	sleep 10
	kill -0 "$lp" 2>/dev/null && samples="$samples $(rss)"
done
wait "$lp"
rss1=$(rss)
set -- $(cat "$tmp/load") # texts T seconds S failed F requests R
health=$("$py" -c "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:$port/health').read().decode())")
kill -0 "$pid" || { echo "serve_soak: the server died"; exit 1; }
printf 'soak: %s s, %s clients: %s requests (%s texts), %s failed; server RSS %s MB after 1 s, %s MB at the end (samples: %s MB); load %s\n' \
	"$4" "$clients" "$8" "$2" "$6" "$rss0" "$rss1" "$samples" "$(cut -d' ' -f1-3 /proc/loadavg)"
echo "  /health: $health"
[ "$6" = 0 ]
