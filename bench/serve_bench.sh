#!/usr/bin/env bash
# serve_bench.sh - `make bench`'s serving line: texts/s of `ceval serve`
# under 1, 4 and 16 concurrent clients against `ceval embed` on the same
# texts, same model, same --threads (the serving overhead: HTTP, JSON,
# base64, requests of 16 texts).  On a shared machine wall-clock rates
# follow the load, so each line also gives CPU seconds per 1000 texts: the
# server's (utime + stime from /proc/PID/stat) and `ceval embed`'s (bash's
# time), which do not count the Python clients' own CPU.
#   usage: bench/serve_bench.sh CEVAL_BIN [THREADS]
# Env: SERVE_BENCH_MODEL (default models/ceval-tiny-zh), SERVE_BENCH_TEXTS
#      (default 2048), SERVE_BENCH_PER (texts per request, default 16),
#      BENCH_REPEAT (runs per timing, the best is kept; default 2), PYTHON.
set -euo pipefail
ceval=$1
threads=${2:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/serve_lib.sh"
repo=$(cd "$here/.." && pwd)
py=${PYTHON:-/usr/bin/python3}
model=${SERVE_BENCH_MODEL:-$repo/models/ceval-tiny-zh}
n=${SERVE_BENCH_TEXTS:-2048}
per=${SERVE_BENCH_PER:-16}
repeat=${BENCH_REPEAT:-2}
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
now() { date +%s.%N; }
"$py" "$here/serve_texts.py" "$n" "$tmp/texts.jsonl"

best="" bestcpu=""
TIMEFORMAT='%U %S'
for _ in $(seq "$repeat"); do
	t0=$(now)
	{ time "$ceval" embed -m "$model" -i "$tmp/texts.jsonl" -o "$tmp/out.npy" -t "$threads" -q; } 2>"$tmp/cpu"
	t=$(echo "$(now) - $t0" | bc -l)
	cpu=$(awk '{print $1 + $2}' "$tmp/cpu")
	if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
	if [ -z "$bestcpu" ] || [ "$(echo "$cpu < $bestcpu" | bc -l)" = 1 ]; then bestcpu=$cpu; fi
done
embed_tps=$(echo "$n / $best" | bc -l)
server_cpu() { awk '{print ($14 + $15) / '"$(getconf CLK_TCK)"'}' "/proc/$pid/stat"; }

start_serve serve_bench "$ceval" "$model" "$threads"
# warm-up: one pass
"$py" "$repo/tests/support/serve_clients.py" --port "$port" --texts "$tmp/texts.jsonl" --per "$per" --clients 4 >/dev/null
printf 'serve (%s, %d texts, %d per request, %s threads; load: %s)\n' "$(basename "$model")" "$n" "$per" "$threads" \
	"$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  ceval embed            %8.0f texts/s                 %6.3f CPU s / 1000 texts\n' "$embed_tps" \
	"$(echo "1000 * $bestcpu / $n" | bc -l)"
for c in 1 4 16; do
	bestc=0 bestcc=""
	for _ in $(seq "$repeat"); do
		c0=$(server_cpu)
		line=$("$py" "$repo/tests/support/serve_clients.py" --port "$port" --texts "$tmp/texts.jsonl" --per "$per" \
			--clients "$c")
		set -- $line # texts T seconds S failed F requests R
		[ "$6" = 0 ] || { echo "serve_bench: $6 failed requests"; exit 1; }
		tps=$(echo "$2 / $4" | bc -l)
		cc=$(echo "1000 * ($(server_cpu) - $c0) / $2" | bc -l)
		[ "$(echo "$tps > $bestc" | bc -l)" = 1 ] && bestc=$tps
		if [ -z "$bestcc" ] || [ "$(echo "$cc < $bestcc" | bc -l)" = 1 ]; then bestcc=$cc; fi
	done
	printf '  ceval serve %2d clients %8.0f texts/s = %.2f x embed  %6.3f CPU s / 1000 texts = %.2f x embed\n' "$c" \
		"$bestc" "$(echo "$bestc / $embed_tps" | bc -l)" "$bestcc" "$(echo "$bestcc / (1000 * $bestcpu / $n)" | bc -l)"
done
curl_health=$("$py" -c "import json,urllib.request;print(urllib.request.urlopen('http://127.0.0.1:$port/health').read().decode())")
echo "  /health: $curl_health"
