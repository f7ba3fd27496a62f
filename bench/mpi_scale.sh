#!/usr/bin/env bash
# mpi_scale.sh - `make bench`: encode rate of one cmteb-mini task under
# mpirun -np 1 and -np 2 (one thread per rank), and an oversubscribed -np 4
# run whose results must equal the -np 1 run's (every field but timing).
#   usage: bench/mpi_scale.sh CEVAL_BIN
# The encode time of a run is its wall time minus that of the same run with
# every vector already in the cache (data reading, scoring and start-up).
# Env: BENCH_MPI_TASK (default IFlyTek-mini), BENCH_REPEAT (best of; default 2).
set -euo pipefail
ceval=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
shared=${CEVAL_SHARED:-$here/../../shared}
py=${PYTHON:-/usr/bin/python3}
task=${BENCH_MPI_TASK:-IFlyTek-mini}
repeat=${BENCH_REPEAT:-2}
if ! command -v mpirun >/dev/null; then
	echo "MPI scaling: skipped (mpirun not installed; make deps)"
	exit 0
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here/.." # ./tasks
now() { date +%s.%N; }
# run NP OUT CACHE: one mpirun; prints its wall time, leaves its "Texts:" line in $tmp/texts
run() {
	local t0 t
	t0=$(now)
	timeout 600 mpirun --oversubscribe --bind-to none -np "$1" "$ceval" run --model "$shared/models/ceval-tiny-zh" \
		--task "$task" --data-dir "$shared/data" --threads 1 --quiet --overwrite --output "$2" \
		--cache-dir "$3" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/out" "$tmp/err" >&2; return 1; }
	t=$(echo "$(now) - $t0" | bc -l)
	grep Texts: "$tmp/out" | cut -d' ' -f2 >"$tmp/texts"
	echo "$t"
}
# rate NP: best encode rate (texts/s) of $repeat runs with an empty cache
rate() {
	local best="" enc cached texts
	for i in $(seq "$repeat"); do
		enc=$(run "$1" "$tmp/r$1" "$tmp/c$1-$i")
		texts=$(cat "$tmp/texts")
		cached=$(run "$1" "$tmp/r$1" "$tmp/c$1-$i") # everything from the cache now
		local r
		r=$(echo "$texts / ($enc - $cached)" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$r > $best" | bc -l)" = 1 ]; then best=$r; fi
	done
	echo "$best"
}
echo "MPI scaling, $task with ceval-tiny-zh, --threads 1 per rank, $(nproc) cores, best of $repeat"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
r1=$(rate 1)
r2=$(rate 2)
printf '  -np 1: %8.1f texts/s\n  -np 2: %8.1f texts/s  (%.2fx)\n' "$r1" "$r2" "$(echo "$r2 / $r1" | bc -l)"
# identity: -np 4 on 2 cores (oversubscribed) against -np 1
run 4 "$tmp/r4" "$tmp/c4" >/dev/null
same=$("$py" - "$tmp/r1/ceval-tiny-zh" "$tmp/r4/ceval-tiny-zh" <<'PY'
import json, os, sys
def load(d):
    out = {}
    for f in sorted(os.listdir(d)):
        r = json.load(open(os.path.join(d, f)))
        r.pop("evaluation_time", None); r.pop("date", None)
        out[f] = r
    return out
print("identical" if load(sys.argv[1]) == load(sys.argv[2]) else "DIFFERENT")
PY
)
echo "  -np 4 (oversubscribed) results vs -np 1: $same"
[ "$same" = identical ]
