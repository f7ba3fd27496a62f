#!/usr/bin/env bash
# retrieval_scale.sh - memory and time of a large retrieval task: a synthetic
# BEIR-layout task of N_DOCS documents x N_QUERIES queries (short Chinese
# texts made of random common characters; every query has one relevant
# document that shares its characters), evaluated by `ceval run` with the
# shipped small model. Prints wall time and peak RSS (GNU time).
#   usage: bench/retrieval_scale.sh CEVAL_BIN [N_DOCS] [N_QUERIES]
set -euo pipefail
ceval=$1
n_docs=${2:-1000000}
n_queries=${3:-1000}
py=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data/scale/Scale" "$tmp/tasks/scale" "$tmp/tasks/suites"
"$py" - "$tmp/data/scale/Scale" "$n_docs" "$n_queries" <<'PYEOF'
import os, random, sys
out, n_docs, n_q = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(42)
chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
os.makedirs(out + "/qrels", exist_ok=True)
rel = {}
with open(out + "/corpus.jsonl", "w", encoding="utf-8") as f:
    for d in range(n_docs):
        t = "".join(rng.choice(chars) for _ in range(rng.randint(12, 30)))
        if d < n_q:
            rel[d] = t
        f.write('{"_id": "d%d", "title": "", "text": "%s"}\n' % (d, t))
with open(out + "/queries.jsonl", "w", encoding="utf-8") as f, open(out + "/qrels/test.tsv", "w") as g:
    g.write("query-id\tcorpus-id\tscore\n")
    for q in range(n_q):
        t = rel[q]
        f.write('{"_id": "q%d", "text": "%s"}\n' % (q, t[: len(t) // 2]))
        g.write("q%d\td%d\t1\n" % (q, q))
PYEOF
cat >"$tmp/tasks/scale/Scale.yaml" <<'YAML'
name: Scale
type: retrieval
description: "Synthetic large retrieval task (bench/retrieval_scale.sh)."
dataset:
  path: scale/Scale
eval_splits: [test]
YAML
printf 'suite: scale\ntasks:\n  - Scale\n' >"$tmp/tasks/suites/scale.yaml"
echo "retrieval scale: $n_docs documents x $n_queries queries, models/ceval-tiny-zh, $(nproc) threads"
/usr/bin/time -v "$ceval" run --model "$here/../models/ceval-tiny-zh" --suite scale --tasks-dir "$tmp/tasks" \
	--data-dir "$tmp/data" --output "$tmp/res" --no-cache --quiet 2>"$tmp/time" | grep -E "Scale|Texts"
grep -E "Elapsed \(wall|Maximum resident" "$tmp/time"
