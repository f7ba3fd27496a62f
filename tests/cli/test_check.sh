#!/bin/bash
# CLI tests of `ceval check` (results mode and --embeddings mode) and of the
# --help of list/leaderboard/check.  Run by `make cli` with $CEVAL_BIN set.
# Baseline numbers are the published bge-base-zh-v1.5 rows of spec §12
# (tests/golden/bge-results); the "new" results are copies with edited scores.
set -u
GOLD=tests/golden/bge-results/bge-base-zh-v1.5
. "$(dirname "$0")/lib/common.sh"
# set_score DIR TASK VALUE: rewrite main_score and the named metric of DIR/TASK.json
set_score() {
	"$PY" - "$1/$2.json" "$3" <<'PYEOF'
import json, sys
p, v = sys.argv[1], float(sys.argv[2])
d = json.load(open(p))
for split, entries in d["scores"].items():
    for e in entries:
        e["main_score"] = v
        e[d["ceval"]["main_score"]] = v
json.dump(d, open(p, "w"), indent=2)
PYEOF
}
fresh() { rm -rf "$T/new"; cp -r "$GOLD" "$T/new"; }

# identical results: all ok
fresh
expect_rc 0 "identical" "$BIN" check --results "$T/new" --baseline "$GOLD"
expect_grep "35 task(s): 35 ok, 0 improved, 0 regressed, 0 missing, 0 data mismatch" "$T/out" "identical summary"

# regression: ATEC 48.17 -> 47.00 (drop 1.17 > 0.5)
fresh; set_score "$T/new" ATEC 0.47
expect_rc 1 "regression" "$BIN" check --results "$T/new" --baseline "$GOLD"
expect_grep "REGRESSED" "$T/out" "regression verdict"
expect_grep "48.17     47.00    -1.17" "$T/out" "regression row"
# a drop within the tolerance is ok: 48.17 -> 47.80
fresh; set_score "$T/new" ATEC 0.478
expect_rc 0 "small drop" "$BIN" check --results "$T/new" --baseline "$GOLD"
expect_rc 1 "small drop, tight tolerance" "$BIN" check --results "$T/new" --baseline "$GOLD" --tolerance 0.2

# improvement: reported, exit 0
fresh; set_score "$T/new" ATEC 0.50
expect_rc 0 "improvement" "$BIN" check --results "$T/new" --baseline "$GOLD"
expect_grep "improved" "$T/out" "improvement verdict"
expect_grep "+1.83" "$T/out" "improvement delta"

# tolerance per type: clustering CLSClusteringS2S 37.63 -> 36.63 (drop 1.00)
fresh; set_score "$T/new" CLSClusteringS2S 0.3663
expect_rc 1 "clustering drop" "$BIN" check --results "$T/new" --baseline "$GOLD"
expect_rc 0 "clustering=2" "$BIN" check --results "$T/new" --baseline "$GOLD" --tolerance-type clustering=2
expect_rc 1 "sts=2 does not cover clustering" "$BIN" check --results "$T/new" --baseline "$GOLD" --tolerance-type sts=2
expect_rc 2 "bad type" "$BIN" check --results "$T/new" --baseline "$GOLD" --tolerance-type clusters=2
expect_rc 2 "bad number" "$BIN" check --results "$T/new" --baseline "$GOLD" --tolerance-type clustering=abc

# missing task on either side: exit 3, listed
fresh; rm "$T/new/Waimai.json"
expect_rc 3 "missing in results" "$BIN" check --results "$T/new" --baseline "$GOLD"
expect_grep "Waimai" "$T/out" "missing task listed"
expect_grep "MISSING in results" "$T/out" "missing verdict"
expect_rc 3 "missing in baseline" "$BIN" check --results "$GOLD" --baseline "$T/new"
expect_grep "MISSING in baseline" "$T/out" "missing-in-baseline verdict"
# a single baseline file checks only that task
expect_rc 0 "single baseline file" "$BIN" check --results "$T/new" --baseline "$GOLD/ATEC.json"
expect_grep "1 task(s): 1 ok" "$T/out" "single file summary"

# malformed results file: exit 3, the message names the file
fresh; printf '{"task_name": "ATEC", "scores": ' >"$T/new/ATEC.json"
expect_rc 3 "malformed" "$BIN" check --results "$T/new" --baseline "$GOLD"
expect_grep "$T/new/ATEC.json" "$T/err" "malformed file named"

# different dataset hashes: refused unless --allow-mismatch
fresh
"$PY" - "$T/new/BQ.json" "$T/base" "$GOLD" <<'PYEOF'
import json, shutil, sys
shutil.copytree(sys.argv[3], sys.argv[2])
for path, h in ((sys.argv[1], "00000000000000aa"), (sys.argv[2] + "/BQ.json", "00000000000000bb")):
    d = json.load(open(path)); d["ceval"]["dataset_hash"] = h; json.dump(d, open(path, "w"))
PYEOF
expect_rc 3 "hash mismatch" "$BIN" check --results "$T/new" --baseline "$T/base"
expect_grep "DATA MISMATCH" "$T/out" "mismatch verdict"
expect_rc 0 "hash mismatch allowed" "$BIN" check --results "$T/new" --baseline "$T/base" --allow-mismatch
expect_grep "dataset_hash differs, allowed" "$T/out" "mismatch note"

# usage errors
expect_rc 2 "no arguments" "$BIN" check
expect_rc 2 "unknown option" "$BIN" check --results "$GOLD" --baseline "$GOLD" --tolerence 1
expect_rc 3 "no such folder" "$BIN" check --results "$T/nope" --baseline "$GOLD"

# --embeddings: per-row cosine (reference values from numpy)
"$PY" - "$T" <<'PYEOF'
import numpy as np, sys
d = sys.argv[1]
rng = np.random.RandomState(7)
a = rng.standard_normal((20, 8)).astype(np.float32)
np.save(d + "/a.npy", a)
np.save(d + "/a64.npy", a.astype(np.float64))
b = a.copy(); b[13] = -b[13]          # row 13: cosine -1
np.save(d + "/b.npy", b)
np.save(d + "/short.npy", a[:19])
c = a.copy(); c[5] += 0.05 * rng.standard_normal(8).astype(np.float32)
np.save(d + "/c.npy", c)
cos = float((a[5].astype(np.float64) @ c[5]) / np.linalg.norm(a[5].astype(np.float64)) / np.linalg.norm(c[5].astype(np.float64)))
open(d + "/cos5.txt", "w").write("%.6f" % cos)
PYEOF
expect_rc 0 "same embeddings" "$BIN" check --embeddings "$T/a.npy" --reference "$T/a64.npy"
expect_grep "0 row(s) below" "$T/out" "same embeddings summary"
expect_rc 1 "flipped row" "$BIN" check --embeddings "$T/b.npy" --reference "$T/a.npy"
expect_grep "row 13: cosine -1.000000" "$T/out" "worst row printed first"
expect_rc 3 "shape mismatch" "$BIN" check --embeddings "$T/short.npy" --reference "$T/a.npy"
expect_grep "shape mismatch" "$T/err" "shape message"
expect_rc 0 "perturbed row, loose threshold" "$BIN" check --embeddings "$T/c.npy" --reference "$T/a.npy" --min-cosine 0.9
expect_grep "row 5: cosine $(cat "$T/cos5.txt")" "$T/out" "cosine of row 5 matches numpy"
printf 'not an npy' >"$T/bad.npy"
expect_rc 3 "not npy" "$BIN" check --embeddings "$T/bad.npy" --reference "$T/a.npy"
expect_grep "$T/bad.npy" "$T/err" "bad npy named"
expect_rc 2 "no reference" "$BIN" check --embeddings "$T/a.npy"

# --help of the three commands
for c in list leaderboard check; do
	expect_rc 0 "$c --help" "$BIN" "$c" --help
	expect_grep "Usage: ceval $c" "$T/out" "$c usage line"
	expect_grep "Examples:" "$T/out" "$c examples"
done
expect_grep "(default: 0.5)" "$T/out" "check tolerance default shown"

finish
