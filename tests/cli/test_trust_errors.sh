#!/bin/bash
# Errors a user must be able to trust, and what a newcomer meets first
# (issue 21): out of memory ends the process within seconds with one line;
# task-definition mistakes are said by `list` and before encoding; misspelt
# suite and task names get suggestions; the Ctrl-C summary; `embed --output -`
# and `--query-instruction`; one wording of the exit codes everywhere; the
# README's pointers.  The hostile-input cases are in test_hostile.sh.
set -u
. "$(dirname "$0")/lib/common.sh"

MODEL=models/ceval-tiny-zh
export CEVAL_TASKS=$PWD/tasks
one_line() { # WHAT: $T/err holds exactly one non-empty line
	local n=$(grep -c . "$T/err")
	[ "$n" = 1 ] && ok || { bad "$1: $n stderr lines, expected 1"; cat "$T/err"; }
}

# -- out of memory: exits within seconds, one clear line (used to spin forever in
# OpenBLAS: its threads retry a failed buffer mmap, and exit() joins them) -------
if (ulimit -v 400000; "$BIN" --version) >/dev/null 2>&1; then
	# (below ~75 MB the dynamic loader itself cannot map libcurl's dependencies: exit 127 before main)
	for case in "80000 STS-demo" "120000 STS-demo" "400000 Retrieval-demo"; do
		set -- $case
		start=$(date +%s)
		(ulimit -v "$1"; exec timeout 60 "$BIN" run --model $MODEL --task "$2" --data-dir datasets \
			--output "$T/oom" --no-cache --quiet >"$T/out" 2>"$T/err")
		rc=$? secs=$(($(date +%s) - start))
		[ "$rc" = 3 ] && ok || { bad "ulimit -v $1 ($2): exit $rc, expected 3"; cat "$T/err"; }
		[ "$secs" -lt 30 ] && ok || bad "ulimit -v $1 ($2): took ${secs}s"
		one_line "ulimit -v $1 ($2)"
		expect_grep "memory" "$T/err" "ulimit -v $1 ($2) says memory"
	done
	# a command that needs little memory succeeds and ends under a limit that starves OpenBLAS's threads
	printf '{"text": "你好"}\n' >"$T/tok.jsonl"
	for cmd in "--version" "tokenize -m $MODEL -i $T/tok.jsonl"; do
		(ulimit -v 150000; exec timeout 30 "$BIN" $cmd >"$T/out" 2>"$T/err")
		rc=$?
		[ "$rc" = 0 ] && ok || { bad "ulimit -v 150000 ceval $cmd: exit $rc, expected 0"; cat "$T/err"; }
	done
	expect_grep '{"input_ids": [101, 872, 1962, 102]}' "$T/out" "tokenize under ulimit -v"
else
	echo "  (skipped the ulimit -v cases: this build cannot start under ulimit -v, e.g. ASan)"
fi

# -- early validation: list and run, before anything is encoded -----------------
cp -r tasks "$T/tasks"
sed -i 's/^main_score: cosine_spearman/main_score: cosine_spearmann/' "$T/tasks/demo/STS-demo.yaml"
CEVAL_TASKS=$T/tasks expect_rc 3 "list: unknown main score" "$BIN" list --suite demo --data-dir datasets
expect_grep "STS-demo.yaml:7:13: main_score: 'cosine_spearmann' is not a score of sts tasks" "$T/err" \
	"list names the main score"
one_line "list: unknown main score"
CEVAL_TASKS=$T/tasks expect_rc 3 "run: unknown main score" "$BIN" run --model $MODEL --task STS-demo \
	--data-dir datasets --output "$T/ms" --no-cache --quiet
expect_grep "is not a score of sts tasks" "$T/err" "run names the main score"
[ -e "$T/ms" ] && bad "run: unknown main score: something was written" || ok
cp tasks/demo/STS-demo.yaml "$T/tasks/demo/STS-demo.yaml"
sed -i 's/^main_score: ndcg_at_10/main_score: ndcg_at_10\nparameters:\n  k_values: [1, 10, 500]/' \
	"$T/tasks/demo/Retrieval-demo.yaml"
CEVAL_TASKS=$T/tasks expect_rc 3 "list: k beyond the corpus" "$BIN" list --suite demo --data-dir datasets
expect_grep "parameters.k_values: 500 is beyond the corpus of 196 documents" "$T/err" "list: k_values"
one_line "list: k beyond the corpus"
CEVAL_TASKS=$T/tasks expect_rc 3 "run: k beyond the corpus" "$BIN" run --model $MODEL --task Retrieval-demo \
	--data-dir datasets --output "$T/kv" --no-cache --quiet
expect_grep "500 is beyond the corpus of 196 documents" "$T/err" "run: k_values"
expect_grep "Texts: 0 encoded" "$T/out" "run: k_values said before encoding"
# R1's default list (up to 1000) applies to any corpus, as in MTEB: the demo's 196 documents are fine
expect_rc 0 "list: default k_values on a small corpus" "$BIN" list --suite demo --data-dir datasets

# -- misspelt suite and task names ----------------------------------------------
expect_rc 3 "run: misspelt suite" "$BIN" run --model $MODEL --suite dmo --data-dir datasets --output "$T/x"
expect_grep "no suite 'dmo' in $CEVAL_TASKS/suites; did you mean 'demo'?" "$T/err" "run: suite suggestion"
expect_rc 3 "list: misspelt suite" "$BIN" list --suite cmteb-mni
expect_grep "did you mean 'cmteb-mini'?" "$T/err" "list: suite suggestion"
expect_rc 3 "leaderboard: misspelt suite" "$BIN" leaderboard --results results --suite cmtb
expect_grep "did you mean 'cmteb'?" "$T/err" "leaderboard: suite suggestion"
expect_rc 3 "run: misspelt task" "$BIN" run --model $MODEL --task STS-dmo --data-dir datasets --output "$T/x"
expect_grep "did you mean 'STS-demo'?" "$T/err" "run: task suggestion"
expect_rc 2 "run: misspelt task of a suite" "$BIN" run --model $MODEL --suite demo --task Rerank-dmo \
	--data-dir datasets --output "$T/x"
expect_grep "task 'Rerank-dmo' is not in suite 'demo'; did you mean 'Rerank-demo'?" "$T/err" \
	"run: task-in-suite suggestion"

# -- leaderboard without results for the default suite names the suites that have some
"$BIN" run --model $MODEL --suite demo --data-dir datasets --output "$T/res" --no-cache --threads 1 --quiet \
	>/dev/null 2>&1
expect_rc 0 "leaderboard: default suite without results" "$BIN" leaderboard --results "$T/res"
expect_grep "no results of suite 'cmteb' under $T/res; results exist for suite(s) demo (use --suite NAME)" \
	"$T/err" "leaderboard suggests the suites with results"

# -- Ctrl-C: "interrupted", no average over a partial suite ------------------------
if [ -d ../shared/data/cmteb-mini ]; then
	"$BIN" run --model $MODEL --suite cmteb-mini --data-dir ../shared/data --output "$T/int" --no-cache \
		--threads 1 --quiet >"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 600); do # SIGINT once the first task is done, while later ones run
		[ -n "$(ls "$T/int/ceval-tiny-zh" 2>/dev/null)" ] && break
		sleep 0.1
	done
	kill -INT "$pid"
	wait "$pid"
	rc=$?
	[ "$rc" = 130 ] && ok || { bad "SIGINT: exit $rc, expected 130"; cat "$T/err"; }
	expect_grep "No average: the run was interrupted." "$T/out" "SIGINT: no average"
	grep -q "^Average" "$T/out" && bad "SIGINT: an average over a partial suite" || ok
	grep -q "FAILED" "$T/out" && { bad "SIGINT: a task shown as FAILED"; cat "$T/out"; } || ok
	grep -q "stopped by the progress callback" "$T/out" "$T/err" && bad "SIGINT: internal message shown" || ok
else
	echo "  (skipped the SIGINT case: ../shared/data/cmteb-mini is not there)"
fi

# -- embed --output - and --query-instruction -------------------------------------
printf '{"text": "你好"}\n{"text": "今天天气怎么样？"}\n' >"$T/in.jsonl"
printf '{"text": "QI你好"}\n{"text": "QI今天天气怎么样？"}\n' >"$T/in_qi.jsonl"
expect_rc 0 "embed to a file" "$BIN" embed -m $MODEL -i "$T/in.jsonl" -o "$T/a.npy" --quiet
"$BIN" embed -m $MODEL -i "$T/in.jsonl" -o - --quiet >"$T/stdout.npy" 2>"$T/err"
[ $? = 0 ] && ok || { bad "embed --output -: exit"; cat "$T/err"; }
cmp -s "$T/a.npy" "$T/stdout.npy" && ok || bad "embed --output -: stdout differs from the file"
[ -e ./- ] && { bad "embed --output -: wrote a file named '-'"; rm -f -- ./-; } || ok
if command -v script >/dev/null; then
	script -qec "$BIN embed -m $MODEL -i $T/in.jsonl -o -" /dev/null >"$T/out" 2>&1
	rc=$?
	[ "$rc" = 2 ] && ok || { bad "embed --output - on a terminal: exit $rc, expected 2"; cat "$T/out"; }
	expect_grep "stdout is a terminal" "$T/out" "embed --output - refused on a terminal"
fi
expect_rc 0 "embed --query-instruction" "$BIN" embed -m $MODEL -i "$T/in.jsonl" -o "$T/qi.npy" \
	--query-instruction QI --quiet
expect_rc 0 "embed prefixed texts" "$BIN" embed -m $MODEL -i "$T/in_qi.jsonl" -o "$T/qi_ref.npy" --quiet
cmp -s "$T/qi.npy" "$T/qi_ref.npy" && ok || bad "--query-instruction is not a prefix of every text"
cmp -s "$T/qi.npy" "$T/a.npy" && bad "--query-instruction changed nothing" || ok
expect_rc 0 "embed --help" "$BIN" embed --help
expect_grep "--query-instruction TEXT" "$T/out" "embed --help documents --query-instruction"

# -- one wording of the exit codes: --help, every command's help, README, man page --
codes="0 ok, 1 evaluation failed or regression found, 2 usage error, 3 input or data error (also: some tasks skipped), 4 internal error, 130 interrupted"
flat() { tr '\n' ' ' | tr -s ' '; }
"$BIN" --help | flat | grep -qF -- "$codes" && ok || bad "ceval --help: exit codes"
for c in run list leaderboard check score embed tokenize models; do
	"$BIN" "$c" --help | flat | grep -qF -- "Exit codes: $codes" && ok || bad "$c --help: exit codes"
done
flat <README.md | grep -qF -- "Exit codes: $codes" && ok || bad "README: exit codes"
flat <doc/ceval.1 | grep -qF -- "$codes" && ok || bad "doc/ceval.1: exit codes"

# -- README and tasks/README pointers ------------------------------------------------
expect_grep "builds the binary at **\`build/release/ceval\`**" README.md "README says where the binary is"
expect_grep "sudo make install" README.md "README: make install"
expect_grep "\`--data-dir DIR\`" tasks/README.md "tasks/README names --data-dir"
grep -q -- "(\`--data\`)" tasks/README.md && bad "tasks/README still says --data" || ok
expect_grep "| ChnSentiCorp-mini | classification | accuracy | 62.62 | 62.62 | 0 |" README.md "README ChnSentiCorp"
for c in '\u0000' "byte-order mark" "FIFO" "out of range" "ulimit -v" "k_values"; do
	expect_grep "$c" <(sed -n '/^## Errors and hostile input/,/^## Speed/p' README.md) "README catalogue: $c"
done
finish
