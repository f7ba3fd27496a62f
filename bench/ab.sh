#!/usr/bin/env bash
# ab.sh - two ceval builds, same machine, same run: encoder throughput of build A
# (the reference, e.g. an older commit) and build B on the bge-base-zh-shaped
# checkpoint of bench/run.sh, timed in alternation (A B A B ...) so that load
# on a shared machine falls on both alike; the best of REPEAT runs of each is
# kept and the ratio B / A printed per precision and sequence length.
#   usage: bench/ab.sh CEVAL_A CEVAL_B [THREADS]
# Env: REPEAT (runs of each build per timing, default 5), XDG_CACHE_HOME, PYTHON.
# Used for issue 20: the baseline build with run-time kernels against the last
# -march=x86-64-v3 build (README "Platforms").
set -euo pipefail
a=$1
b=$2
threads=${3:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)
shared=${CEVAL_SHARED:-$here/../../shared}
py=${PYTHON:-/usr/bin/python3}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ceval-bench/bge-base-shapes-v2
repeat=${REPEAT:-5}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
if [ ! -f "$cache/model.safetensors" ]; then
	echo "ab: generating a random bge-base-zh-shaped checkpoint in $cache (once)"
	mkdir -p "$cache"
	"$py" "$here/make_model.py" "$cache" "$shared/vocab/bert-base-chinese-vocab.txt"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
# secs BIN PRECISION INPUT: wall time of one `ceval embed`
secs() {
	local t0
	t0=$(now)
	"$1" embed -m "$cache" -i "$3" -o "$tmp/out.npy" -t "$threads" --precision "$2" -q
	echo "$(now) - $t0" | bc -l
}
min() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc -l)" = 1 ]; then echo "$2"; else echo "$1"; fi; }

echo "ab: A = $a ($("$a" --version | sed -n 's/^Kernels: //p'))"
echo "ab: B = $b ($("$b" --version | sed -n 's/^Kernels: //p'))"
echo "ab: $threads threads, best of $repeat alternating runs each, OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE, load $(cut -d' ' -f1-3 /proc/loadavg)"
head -1 "$cache/texts-32.jsonl" >"$tmp/one.jsonl"
precisions=(f32)
if "$a" embed -m "$cache" -i "$tmp/one.jsonl" -o "$tmp/one.npy" -t 1 --precision bf16 -q 2>/dev/null &&
	"$b" embed -m "$cache" -i "$tmp/one.jsonl" -o "$tmp/one.npy" -t 1 --precision bf16 -q 2>/dev/null; then
	precisions+=(bf16)
fi
# rates are texts/s with the model load (best time of embedding one 32-token text) subtracted
printf '%-5s %-7s %10s %10s %8s\n' prec tokens "A texts/s" "B texts/s" "B / A"
for p in "${precisions[@]}"; do
	la="" lb=""
	for _ in $(seq "$repeat"); do
		la=$(min "$la" "$(secs "$a" "$p" "$tmp/one.jsonl")")
		lb=$(min "$lb" "$(secs "$b" "$p" "$tmp/one.jsonl")")
	done
	printf '%-5s %-7s %9.2fs %9.2fs %8s\n' "$p" load "$la" "$lb" "-"
	for n in 32 128 512; do
		in=$cache/texts-$n.jsonl
		count=$(wc -l <"$in")
		ba="" bb=""
		for _ in $(seq "$repeat"); do
			ba=$(min "$ba" "$(secs "$a" "$p" "$in")")
			bb=$(min "$bb" "$(secs "$b" "$p" "$in")")
		done
		ra=$(echo "t = $ba - $la; if (t < 0.001) t = 0.001; $count / t" | bc -l)
		rb=$(echo "t = $bb - $lb; if (t < 0.001) t = 0.001; $count / t" | bc -l)
		printf '%-5s %-7s %10.2f %10.2f %8.3f\n' "$p" "$n" "$ra" "$rb" "$(echo "$rb / $ra" | bc -l)"
	done
done
echo "ab: load afterwards $(cut -d' ' -f1-3 /proc/loadavg)"
