#!/usr/bin/env bash
# Task data read straight from a Hugging Face hub cache (issue 14, README "Where datasets are
# looked up"): the cmteb-mini-hub suite reads tests/fixtures/hub (the cmteb-mini data as the
# hub ships it: 2023 C-MTEB and MTEB 2.x layouts, symlinked and plain-copy snapshots, made by
# tools/gen_hub_fixture.mjs) and must give the same `scores` objects, every metric, as the
# JSONL run of cmteb-mini.  Also: the lookup order (a data folder wins over the hub cache),
# the one-line message for a revision missing from the cache, plain-copy snapshots, and what
# `ceval list` says about where each task's data was found.
# Usage: CEVAL_BIN=build/release/ceval bash tests/cli/test_hub_data.sh
# A sanitizer build runs a handful of tasks (one per layout) unless CEVAL_HUB_TASKS says
# otherwise (a comma-separated list of cmteb-mini task names, or "all").
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo" || exit 1
. "$here/lib/common.sh"
case "$BIN" in /*) ;; *) BIN=$repo/$BIN ;; esac
shared=${CEVAL_SHARED:-$repo/../shared}
model=$shared/models/ceval-tiny-zh
hub=$repo/tests/fixtures/hub
for p in "$BIN" "$model" "$shared/data/cmteb-mini" "$hub/REVISIONS.json"; do
	[ -e "$p" ] || { echo "test_hub_data: FAIL: missing $p" >&2; exit 1; }
done
unset HF_HOME HUGGINGFACE_HUB_CACHE XDG_CACHE_HOME_HUB
export HOME="$T/home"          # no ~/.cache/huggingface of the machine running the test
mkdir -p "$HOME" "$T/empty"

subset=${CEVAL_HUB_TASKS:-}
sanitizer=0
case "$BIN" in */build/asan/*|*/build/fuzz/*|*/build/debug/*) sanitizer=1 ;; esac
if [ -z "$subset" ] && [ "$sanitizer" = 1 ]; then
	# exploded pair lists, MTEB 2.x reranking, 2023 retrieval with
	# its qrels repo (encoding under a sanitizer is slow: CI time is limited)
	subset=Ocnli-mini,MedDialogReranking-mini,MedDialogRetrieval-mini
fi
[ "$subset" = all ] && subset=
jsonl_args=() hub_args=()
if [ -n "$subset" ]; then
	echo "test_hub_data: tasks $subset"
	jsonl_args=(--task "$subset")
	hub_args=(--task "$(echo "$subset" | sed 's/,/-hub,/g; s/$/-hub/')")
fi
# the task of the lookup-order checks: one whose hub columns are the JSON-lines columns too
# (not Ocnli/Cmnli, whose hub task reads sent1/sent2/labels), with short texts
one=LCQMC-mini-hub
ret=MedDialogRetrieval-mini-hub
[ -z "$subset" ] && ret=CmrcRetrieval-mini-hub,MedDialogRetrieval-mini-hub

# 1. the JSONL run and the hub run (same embedding cache: the second run encodes nothing new)
if [ "$sanitizer" = 1 ]; then
	# the JSONL results of this run, as tests/cli/test_reference_run.sh checks them byte for byte
	mkdir -p "$T/jsonl/ceval-tiny-zh"
	for n in ${subset//,/ }; do cp "tests/golden/cmteb-mini-results/$n.json" "$T/jsonl/ceval-tiny-zh/"; done
else
	expect_rc 0 "cmteb-mini (JSONL)" "$BIN" run --model "$model" --suite cmteb-mini --data-dir "$shared/data" \
		--output "$T/jsonl" --quiet "${jsonl_args[@]}"
fi
expect_rc 0 "cmteb-mini-hub" env HF_HUB_CACHE="$hub" "$BIN" run --model "$model" --suite cmteb-mini-hub \
	--data-dir "$T/empty" --output "$T/hub" --quiet "${hub_args[@]}"
"$PY" - "$T/jsonl/ceval-tiny-zh" "$T/hub/ceval-tiny-zh" "$hub/REVISIONS.json" "${subset:-all}" <<'PYEOF'
import json, os, sys
jd, hd, revs_path, subset = sys.argv[1:5]
revs = json.load(open(revs_path))
names = sorted(f[:-5] for f in os.listdir(jd) if f.endswith("-mini.json"))
want = 20 if subset == "all" else len(subset.split(","))
bad = 0
if len(names) != want:
    print(f"FAIL: {len(names)} JSONL results, expected {want}"); bad += 1
for n in names:
    a = json.load(open(os.path.join(jd, n + ".json")), parse_float=str, object_pairs_hook=list)
    hp = os.path.join(hd, n + "-hub.json")
    if not os.path.exists(hp):
        print(f"FAIL: no hub result for {n}"); bad += 1; continue
    b = json.load(open(hp), parse_float=str, object_pairs_hook=list)
    if dict(a)["scores"] != dict(b)["scores"]:
        print(f"FAIL: {n}: scores differ between the JSONL and the hub run"); bad += 1
    ca, cb = dict(dict(a)["ceval"]), dict(dict(b)["ceval"])
    src = cb.get("dataset_source", "")
    if "dataset_source" in ca:
        print(f"FAIL: {n}: JSONL result has a dataset_source"); bad += 1
    if f"@{revs[n]}" not in src:
        print(f"FAIL: {n}: dataset_source '{src}' does not name revision {revs[n]}"); bad += 1
    if n == "MedDialogRetrieval-mini" and f"-qrels@{revs[n + '-qrels']}" not in src:
        print(f"FAIL: {n}: dataset_source '{src}' does not name the qrels revision"); bad += 1
    if not cb.get("dataset_hash") or len(cb["dataset_hash"]) != 16:
        print(f"FAIL: {n}: no dataset_hash"); bad += 1
print(f"compared {len(names)} task(s), {bad} problem(s)")
sys.exit(1 if bad else 0)
PYEOF
if [ $? = 0 ]; then ok; else bad "hub scores equal the JSONL scores"; fi

# 2. the fixture has plain-copy snapshots (HF_HUB_DISABLE_SYMLINKS) as well as symlinked ones
n_plain=$(find "$hub" -path '*/snapshots/*' -name '*.parquet' -type f | wc -l)
n_link=$(find "$hub" -path '*/snapshots/*' -name '*.parquet' -type l | wc -l)
if [ "$n_plain" -gt 0 ] && [ "$n_link" -gt 0 ]; then ok; else bad "fixture: $n_plain plain, $n_link symlinked parquet files"; fi
# ... and a whole cache copied with the links resolved reads the same (MTEB 2.x and 2023 retrieval)
cp -rL "$hub" "$T/plain"
expect_rc 0 "plain-copy cache" env HF_HUB_CACHE="$T/plain" "$BIN" run --model "$model" \
	--task "$ret" --data-dir "$T/empty" --output "$T/plain-out" --quiet
for n in $(echo "$ret" | sed 's/-hub//g; s/,/ /g'); do
	if [ -f "$T/hub/ceval-tiny-zh/$n-hub.json" ] && [ -f "$T/plain-out/ceval-tiny-zh/$n-hub.json" ] &&
		"$PY" -c 'import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); sys.exit(a["scores"]!=b["scores"] or a["ceval"]["dataset_hash"]!=b["ceval"]["dataset_hash"])' \
			"$T/hub/ceval-tiny-zh/$n-hub.json" "$T/plain-out/ceval-tiny-zh/$n-hub.json"; then ok
	else bad "$n: the plain-copy cache gives other scores or another dataset_hash"; fi
done

# 3. lookup order: a folder at dataset.path under the data dir wins over the hub cache
mkdir -p "$T/data"
ln -s "$shared/data/cmteb-mini" "$T/data/cmteb-mini-hub"
expect_rc 0 "data folder first" env HF_HUB_CACHE="$hub" "$BIN" run --model "$model" --task "$one" \
	--data-dir "$T/data" --output "$T/order" --quiet
if [ ! -f "$T/order/ceval-tiny-zh/$one.json" ] || grep -q dataset_source "$T/order/ceval-tiny-zh/$one.json"; then
	bad "data folder first: the result says the hub was read"
else ok; fi
# CEVAL_DATA is the same first place
expect_rc 0 "CEVAL_DATA first" env CEVAL_DATA="$T/data" HF_HUB_CACHE="$hub" "$BIN" run --model "$model" \
	--task "$one" --output "$T/order2" --quiet
if [ -f "$T/order2/ceval-tiny-zh/$one.json" ] && ! grep -q dataset_source "$T/order2/ceval-tiny-zh/$one.json"; then
	ok; else bad "CEVAL_DATA first"; fi
# HF_HOME/hub is a cache root too
mkdir -p "$T/hfhome"
ln -s "$hub" "$T/hfhome/hub"
expect_rc 0 "HF_HOME/hub" env HF_HOME="$T/hfhome" "$BIN" run --model "$model" --task "$one" \
	--data-dir "$T/empty" --output "$T/hfh" --quiet
expect_grep '"dataset_source": "' "$T/hfh/ceval-tiny-zh/$one.json" "HF_HOME/hub read"

# 4. a revision missing from the cache: one line with the exact command that fetches it
mkdir -p "$T/tasks"
cp -r tasks/suites tasks/cmteb-mini-hub "$T/tasks/"
rev=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["LCQMC-mini"])' "$hub/REVISIONS.json")
sed -i "s/$rev/0123456789abcdef0123456789abcdef01234567/" "$T/tasks/cmteb-mini-hub/LCQMC-mini-hub.yaml"
expect_rc 3 "missing revision" env HF_HUB_OFFLINE=1 HF_HUB_CACHE="$hub" "$BIN" run --model "$model" --tasks-dir "$T/tasks" \
	--task LCQMC-mini-hub --data-dir "$T/empty" --output "$T/miss" --quiet
expect_grep "huggingface-cli download C-MTEB/LCQMC-mini --repo-type dataset --revision 0123456789abcdef0123456789abcdef01234567" \
	"$T/err" "missing revision: the download command"
expect_grep "ceval download --task LCQMC-mini-hub" "$T/err" "missing revision: ceval download"
if [ "$(grep -c 'huggingface-cli download' "$T/err")" = 1 ]; then ok; else bad "missing revision: one line"; cat "$T/err"; fi
# the qrels repo of a 2023 retrieval task is needed too
sed -i "s/qrels_revision: .*/qrels_revision: 89abcdef0123456789abcdef0123456789abcdef/" \
	"$T/tasks/cmteb-mini-hub/MedDialogRetrieval-mini-hub.yaml"
expect_rc 3 "missing qrels revision" env HF_HUB_OFFLINE=1 HF_HUB_CACHE="$hub" "$BIN" run --model "$model" --tasks-dir "$T/tasks" \
	--task MedDialogRetrieval-mini-hub --data-dir "$T/empty" --output "$T/miss" --quiet
expect_grep "huggingface-cli download C-MTEB/MedDialogRetrieval-mini-qrels --repo-type dataset --revision 89abcdef0123456789abcdef0123456789abcdef" \
	"$T/err" "missing qrels revision: the download command"

# 5. ceval list says where each task's data was found
expect_rc 0 "list" env HF_HUB_CACHE="$hub" "$BIN" list --suite cmteb-mini-hub --data-dir "$T/empty"
n_hub=$(grep -c -- '-mini-hub .* hub \(C-MTEB\|mteb\)/[A-Za-z0-9-]*@[0-9a-f]\{40\}' "$T/out")
if [ "$n_hub" = 20 ]; then ok; else bad "list: $n_hub of 20 tasks found in the hub cache"; cat "$T/out"; fi
expect_grep "hub mteb/CmrcRetrieval-mini@" "$T/out" "list: the v2 repo"
expect_grep "hub C-MTEB/MedDialogRetrieval-mini@" "$T/out" "list: the v1 repo"
expect_rc 0 "list without cache" env HF_HUB_CACHE="$T/empty" "$BIN" list --suite cmteb-mini-hub --data-dir "$T/empty"
if grep -q "^LCQMC-mini-hub .* no (no folder)$" "$T/out"; then ok; else bad "list: not cached"; cat "$T/out"; fi
expect_grep "Hub cache: 0 of 21 dataset repo(s)" "$T/out" "list: hub summary without cache"
expect_rc 0 "list with data folder" env HF_HUB_CACHE="$hub" "$BIN" list --suite cmteb-mini-hub --data-dir "$T/data"
if grep -q "^LCQMC-mini-hub .* yes$" "$T/out"; then ok; else bad "list: data folder first"; cat "$T/out"; fi

finish
