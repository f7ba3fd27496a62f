#!/bin/bash
# Interrupting and resuming `ceval run`: the embedding cache makes a second
# run encode nothing, SIGKILL at any moment loses at most the chunk in flight,
# a corrupt cache file is detected and recomputed, and in every case the
# scores are byte-identical to one uninterrupted run without a cache.
set -u
. "$(dirname "$0")/lib/common.sh"

RUN=("$BIN" run --model models/ceval-tiny-zh --suite demo --data-dir datasets --threads 1 --quiet)
# scores of every results file in DIR, one canonical line per task
scores() {
	"$PY" - "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    print(f, json.dumps(json.load(open(os.path.join(d, f)))["scores"], sort_keys=True))
PY
}
same_scores() { # DIR WHAT
	scores "$1" >"$T/got.txt" 2>&1
	if cmp -s "$T/ref.txt" "$T/got.txt"; then ok; else bad "$2: scores differ from the uncached run"; diff "$T/ref.txt" "$T/got.txt" | head -5; fi
}

# reference: no cache at all
expect_rc 0 "uncached run" "${RUN[@]}" --output "$T/ref" --no-cache
expect_grep "0 from cache (cache off)" "$T/out" "no-cache says so"
scores "$T/ref/ceval-tiny-zh" >"$T/ref.txt"
[ "$(wc -l <"$T/ref.txt")" = 7 ] && ok || bad "7 demo results"

# first cached run encodes everything, second encodes nothing
expect_rc 0 "cached run 1" "${RUN[@]}" --output "$T/a" --cache-dir "$T/cache"
expect_grep "Texts: 1295 encoded, 0 from cache" "$T/out" "first run encodes all"
same_scores "$T/a/ceval-tiny-zh" "first cached run"
expect_rc 0 "cached run 2" "${RUN[@]}" --output "$T/a" --cache-dir "$T/cache" --overwrite
expect_grep "Texts: 0 encoded, 1295 from cache" "$T/out" "second run encodes nothing"
same_scores "$T/a/ceval-tiny-zh" "second cached run"
# only the scores part may differ between runs: evaluation_time and date
"$PY" - "$T/ref/ceval-tiny-zh" "$T/a/ceval-tiny-zh" >"$T/fields.txt" <<'PY'
import json, os, sys
for f in sorted(os.listdir(sys.argv[1])):
    a, b = (json.load(open(os.path.join(d, f))) for d in sys.argv[1:3])
    print(f, sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k)))
PY
if grep -v -E "\[('date', )?'evaluation_time'\]$|\[\]$" "$T/fields.txt" | grep -q .; then bad "fields other than date/evaluation_time differ"; cat "$T/fields.txt"; else ok; fi

# another max length, precision or batch size never reuses these vectors
expect_rc 0 "other max length" "${RUN[@]}" --output "$T/b" --cache-dir "$T/cache" --max-length 64
expect_grep "Texts: 1295 encoded, 0 from cache" "$T/out" "max length isolates"
expect_rc 0 "other batch size" "${RUN[@]}" --output "$T/b" --cache-dir "$T/cache" --batch-size 16 --overwrite
expect_grep "Texts: 1295 encoded, 0 from cache" "$T/out" "batch size isolates"
[ "$(ls "$T/cache" | wc -l)" = 3 ] && ok || { bad "three cache folders"; ls "$T/cache"; }

# a truncated and a bit-flipped chunk: warned about, recomputed, same scores
dir=$(ls -d "$T"/cache/*-L512-d128-b32-t1-r*)
set -- "$dir"/*.cev
n_chunks=$#
truncate -s 100 "$1"
"$PY" -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[-3]^=0x10; open(p,'wb').write(b)" "$2"
expect_rc 0 "corrupt chunks" "${RUN[@]:0:${#RUN[@]}-1}" --output "$T/a" --cache-dir "$T/cache" --overwrite
expect_grep "corrupt embedding cache file (truncated or wrong size)" "$T/err" "truncation warned"
expect_grep "corrupt embedding cache file (payload checksum mismatch)" "$T/err" "bit flip warned"
expect_grep "$1" "$T/err" "warning names the file"
grep -q "Texts: 0 encoded" "$T/out" && bad "corrupt chunks were used" || ok
same_scores "$T/a/ceval-tiny-zh" "after corrupt chunks"
set -- "$dir"/*.cev
[ "$#" = "$n_chunks" ] && ok || bad "corrupt chunks rewritten ($# of $n_chunks)"

# SIGKILL after N encoded batches (the test hook makes ceval kill itself at an
# exact point; the demo suite encodes about 45 batches), then resume, twice in
# a row for one N: identical scores, nothing lost, no temp files left
for n in 1 4 9 17 30 44; do
	rm -rf "$T/k" "$T/kcache"
	CEVAL_TEST_KILL_AFTER_BATCHES=$n "${RUN[@]}" --output "$T/k" --cache-dir "$T/kcache" >/dev/null 2>&1
	rc=$?
	[ "$rc" = 137 ] && ok || bad "kill after $n batches: exit $rc, expected 137 (SIGKILL)"
	if [ "$n" = 9 ]; then # killed again while resuming
		CEVAL_TEST_KILL_AFTER_BATCHES=5 "${RUN[@]}" --output "$T/k" --cache-dir "$T/kcache" >/dev/null 2>&1
	fi
	expect_rc 0 "resume after kill at batch $n" "${RUN[@]}" --output "$T/k" --cache-dir "$T/kcache"
	same_scores "$T/k/ceval-tiny-zh" "resume after kill at batch $n"
	ls "$T"/kcache/*/*.tmp.* >/dev/null 2>&1 && bad "stale temp file left after kill at batch $n" || ok
	echo "  killed after batch $n, resumed: $(grep -o 'Texts: .* from cache' "$T/out")"
done
# and a real kill -9 from outside, at a random moment
rm -rf "$T/k" "$T/kcache"
"${RUN[@]}" --output "$T/k" --cache-dir "$T/kcache" >/dev/null 2>&1 &
pid=$!
sleep 0.4
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
expect_rc 0 "resume after external kill -9" "${RUN[@]}" --output "$T/k" --cache-dir "$T/kcache"
same_scores "$T/k/ceval-tiny-zh" "resume after external kill -9"

# SIGINT: exit 130, says where to resume, and the resumed run completes it
rm -rf "$T/k" "$T/kcache"
"${RUN[@]}" --batch-size 4 --output "$T/k" --cache-dir "$T/kcache" >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.5
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$rc" = 130 ]; then
	ok
	expect_grep "Run the same command again to resume" "$T/err" "SIGINT says how to resume"
	expect_grep "$T/kcache" "$T/err" "SIGINT names the cache"
elif [ "$rc" = 0 ]; then
	echo "  (run finished before SIGINT arrived)"
else
	bad "SIGINT: exit $rc"
fi
expect_rc 0 "resume after SIGINT" "${RUN[@]}" --batch-size 4 --output "$T/k" --cache-dir "$T/kcache"
same_scores "$T/k/ceval-tiny-zh" "resume after SIGINT"

# a cache root that cannot be created (a file is in the way; works as root
# too): a warning, and the run still completes uncached
echo x >"$T/file"
expect_rc 0 "unusable cache root" "${RUN[@]:0:${#RUN[@]}-1}" --output "$T/u" --cache-dir "$T/file/c"
expect_grep "running without the embedding cache" "$T/err" "unusable cache warned"
expect_grep "$T/file/c" "$T/err" "unusable cache named"
same_scores "$T/u/ceval-tiny-zh" "unusable cache"
finish
