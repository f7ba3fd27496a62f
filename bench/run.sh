#!/usr/bin/env bash
# run.sh - `make bench`: encoder throughput on bge-base-zh shapes (random
# weights, generated once into the cache), optional PyTorch fp32 reference,
# and the retrieval search kernel.
#   usage: bench/run.sh CEVAL_BIN KNN_BENCH_BIN [THREADS]
# Env: XDG_CACHE_HOME (cache root), PYTHON (default /usr/bin/python3).
set -euo pipefail
ceval=$1
knn=$2
threads=${3:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)
shared=${CEVAL_SHARED:-$here/../../shared}
py=${PYTHON:-/usr/bin/python3}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ceval-bench/bge-base-shapes-v1
# Debian's OpenBLAS 0.3.21 does not know recent CPUs (see eval/main.c); pin the
# core so the numbers do not depend on whether the re-exec happens.
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}

if [ ! -f "$cache/model.safetensors" ]; then
	echo "bench: generating a random bge-base-zh-shaped checkpoint in $cache (once)"
	mkdir -p "$cache"
	"$py" "$here/make_model.py" "$cache" "$shared/vocab/bert-base-chinese-vocab.txt"
fi

now() { date +%s.%N; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "ceval encoder, bge-base-zh shapes (H=768 L=12 heads=12 I=3072), fp32, $threads threads, $(uname -m)"
# model loading (mmap + fp32 copy) measured once on a single 32-token text
head -1 "$cache/texts-32.jsonl" >"$tmp/one.jsonl"
t0=$(now)
"$ceval" embed -m "$cache" -i "$tmp/one.jsonl" -o "$tmp/one.npy" -t "$threads" -q
load=$(echo "$(now) - $t0" | bc -l)
printf '  load + 1 text            %6.2f s\n' "$load"
declare -A ours
specs=()
for n in 32 128 512; do
	f="$cache/texts-$n.jsonl"
	count=$(wc -l <"$f")
	specs+=("$n:$count")
	t0=$(now)
	"$ceval" embed -m "$cache" -i "$f" -o "$tmp/out.npy" -t "$threads" -q
	t=$(echo "$(now) - $t0" | bc -l)
	tok=$((n * count))
	net=$(echo "t = $t - $load; if (t < 0.001) t = 0.001; t" | bc -l)
	ours[$n]=$(echo "$tok / $net" | bc -l)
	printf '  %3d tokens x %3d texts   %6.2f s end to end   %8.1f tokens/s (load subtracted)\n' "$n" "$count" "$t" \
		"${ours[$n]}"
done

if "$py" -c 'import torch' 2>/dev/null; then
	echo "PyTorch $("$py" -c 'import torch; print(torch.__version__)') fp32 reference (same shapes, batch 32, $threads threads)"
	"$py" "$here/torch_ref.py" "$threads" "${specs[@]}" | while read -r n tok t; do
		ref=$(echo "$tok / $t" | bc -l)
		printf '  %3d tokens               %6.2f s              %8.1f tokens/s   ceval/torch = %.2f\n' "$n" "$t" \
			"$ref" "$(echo "${ours[$n]} / $ref" | bc -l)"
	done
else
	echo "PyTorch reference unavailable (no python3 torch; apt-get install python3-torch to enable it)"
fi

"$knn" "$threads"
