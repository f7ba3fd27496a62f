#!/bin/bash
# `mpirun -np N ceval run ...`: rank 0 hands the single process's encoder
# batches to the other ranks (cli/backend_mpi.c).  Checks: cmteb-mini at
# -np 3 gives results files equal to a single-process run (every field but
# the timing ones); a killed worker rank stops the run with a clear message
# and a non-zero exit, the cache keeps what was encoded and the rerun gives
# the same results; a rank whose model files differ is refused with one line
# naming its host; `ceval --version` says MPI is built in.
set -u
. "$(dirname "$0")/lib/common.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1
shared=${CEVAL_SHARED:-$repo/../shared}
model=$shared/models/ceval-tiny-zh
data=$shared/data

if ! command -v mpirun >/dev/null; then
	echo "test_mpi: SKIP: mpirun not installed (make deps installs openmpi-bin)"
	exit 0
fi
case "$BIN" in
*/build/asan/*|*/build/fuzz/*)
	# OpenMPI's start-up leaks and its shared-memory transport trip ASan; the
	# release build runs this test
	echo "test_mpi: SKIP: OpenMPI under the address sanitizer"
	exit 0 ;;
esac
for p in "$model" "$data/cmteb-mini"; do
	[ -e "$p" ] || { echo "test_mpi: FAIL: missing $p"; exit 1; }
done
# CI runs as root
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# no network interfaces needed: every rank is on this machine
export OMPI_MCA_btl=self,vader OMPI_MCA_plm_rsh_agent=false
MPIRUN=(timeout 600 mpirun --oversubscribe --bind-to none)

expect_grep "MPI: built in (Open MPI" <("$BIN" --version) "--version names OpenMPI"

RUN=(run --model "$model" --suite cmteb-mini --data-dir "$data" --threads 1 --quiet)
# every field of every results file but the timing ones, one line per file
fields() {
	"$PY" - "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    r = json.load(open(os.path.join(d, f)))
    for k in ("evaluation_time", "date"):
        r.pop(k, None)
    print(f, json.dumps(r, sort_keys=True))
PY
}

# 1. the whole suite: one process, then three ranks
expect_rc 0 "single-process run" "$BIN" "${RUN[@]}" --output "$T/one" --cache-dir "$T/cache1"
fields "$T/one/ceval-tiny-zh" >"$T/one.txt"
[ "$(wc -l <"$T/one.txt")" = 20 ] && ok || bad "20 cmteb-mini results"
expect_rc 0 "mpirun -np 3" "${MPIRUN[@]}" -np 3 "$BIN" "${RUN[@]}" --output "$T/three" --cache-dir "$T/cache3"
fields "$T/three/ceval-tiny-zh" >"$T/three.txt"
if cmp -s "$T/one.txt" "$T/three.txt"; then ok; else bad "-np 3 results differ from one process"; diff "$T/one.txt" "$T/three.txt" | head -4 | cut -c1-300; fi
expect_grep "Texts: 42927 encoded, 0 from cache" "$T/out" "-np 3 encodes every text once"
# the cache rank 0 wrote is the single process's: same key, same vectors
[ "$(ls "$T/cache1")" = "$(ls "$T/cache3")" ] && ok || bad "same cache folder name"

# 2. rank 2 dies (SIGKILL) after 7 batches: clear message, non-zero exit, cache kept, rerun identical.
# CmrcRetrieval-mini is 5 embed calls (cache chunks of 8, 8, 5, 8, 2 batches); rank 2 is handed at
# least 2, 2, 1 and 2 batches of the first four and at most 6 of the first: so the kill comes
# always, and only after the first chunk was cached.
KRUN=(run --model "$model" --task CmrcRetrieval-mini --data-dir "$data" --threads 1 --quiet --output "$T/k" --cache-dir "$T/cachek")
CEVAL_TEST_MPI_KILL_AFTER=2:7 "${MPIRUN[@]}" -np 3 -x CEVAL_TEST_MPI_KILL_AFTER "$BIN" "${KRUN[@]}" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] && ok || bad "killed rank: exit $rc, expected a non-zero exit from mpirun"
expect_grep "the MPI job was stopped" "$T/err" "rank 0 says the job stopped"
expect_grep "run the same command again to resume" "$T/err" "rank 0 says how to resume"
[ ! -e "$T/k/ceval-tiny-zh/CmrcRetrieval-mini.json" ] && ok || bad "no results file from the killed run"
n_chunks=$(find "$T/cachek" -type f -name '*.cev' 2>/dev/null | wc -l)
[ "$n_chunks" -gt 0 ] && ok || { bad "the killed run kept no cache chunk"; find "$T/cachek" | head; }
expect_rc 0 "rerun after the killed rank" "${MPIRUN[@]}" -np 3 "$BIN" "${KRUN[@]}"
grep -q "from cache" "$T/out" && ! grep -q " 0 from cache" "$T/out" && ok || bad "rerun reads the cache: $(grep Texts "$T/out")"
grep CmrcRetrieval-mini "$T/one.txt" >"$T/k1.txt"
fields "$T/k/ceval-tiny-zh" >"$T/k2.txt"
if cmp -s "$T/k1.txt" "$T/k2.txt"; then ok; else bad "resumed results differ from one process"; fi

# 3. a rank with different model files is refused, naming its host
mkdir -p "$T/other"
cp -r "$model"/. "$T/other/"
chmod -R u+w "$T/other"
"$PY" - "$T/other/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["ceval_test_note"] = "a different file"
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
CEVAL_TEST_MPI_MODEL=1:$T/other "${MPIRUN[@]}" -np 2 -x CEVAL_TEST_MPI_MODEL "$BIN" run --model "$model" \
	--task ATEC-mini --data-dir "$data" --threads 1 --quiet --output "$T/m" --cache-dir "$T/cachem" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] && ok || bad "different model: exit $rc, expected non-zero"
host=$(hostname)
expect_grep "rank 1 on host $host has a different model" "$T/err" "refusal names rank and host"
[ "$(grep -c "different model" "$T/err")" = 1 ] && ok || bad "one refusal line"
[ ! -e "$T/m/ceval-tiny-zh/ATEC-mini.json" ] && ok || bad "no results written after the refusal"

finish
