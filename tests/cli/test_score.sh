#!/bin/bash
# CLI tests of `ceval score` against hand-worked trec_eval values.
set -u
. "$(dirname "$0")/lib/common.sh"

# q1: d1 rel 2, d2 rel 0, d3 rel 1 (graded); q2: d9 rel 1, never retrieved; q3 only in qrels.
printf 'q1 0 d1 2\nq1 0 d2 0\nq1 0 d3 1\nq2 0 d9 1\nq3 0 d5 1\n' >"$T/qrels"
# d2 and d1 tie at 0.9: trec_eval ranks docno descending, so d2 (rel 0) first, then d1, d3.
# The rank column (2, 1, 3) is ignored. q4 has no judgements: skipped.
printf '# comment\nq1 Q0 d1 1 0.9 x\nq1 Q0 d2 2 0.9 x\n\nq1 Q0 d3 3 0.5 x\nq2 Q0 d8 1 0.7 x\nq4 Q0 d1 1 0.3 x\n' >"$T/run"
expect_rc 0 "trec format" "$BIN" score --qrels "$T/qrels" --run "$T/run" --format trec \
	--measures ndcg_cut.10,map,P.5,recall.100,recip_rank,num_q,num_rel_ret
# q1: DCG = 0/log2(2) + 2/log2(3) + 1/log2(4) = 1.76186; IDCG = 2 + 1/log2(3) = 2.63093
#     nDCG = 0.66967; AP = (1/2 + 2/3)/2 = 0.58333; P@5 = 2/5; recall = 1; RR = 1/2
# q2: all 0.  Means over q1, q2 (q3 not in the run, q4 not in the qrels).
expect_grep "$(printf 'ndcg_cut_10           \tall\t0.3348')" "$T/out" "ndcg_cut_10"
expect_grep "$(printf 'map                   \tall\t0.2917')" "$T/out" "map"
expect_grep "$(printf 'P_5                   \tall\t0.2000')" "$T/out" "P_5"
expect_grep "$(printf 'recall_100            \tall\t0.5000')" "$T/out" "recall_100"
expect_grep "$(printf 'recip_rank            \tall\t0.2500')" "$T/out" "recip_rank"
expect_grep "$(printf 'num_q                 \tall\t2')" "$T/out" "num_q"
expect_grep "$(printf 'num_rel_ret           \tall\t2')" "$T/out" "num_rel_ret"
# --complete counts q3 as an empty ranking: map = 0.58333 / 3
expect_rc 0 "complete" "$BIN" score -q "$T/qrels" -r "$T/run" -f trec -m map,num_q -c
expect_grep "$(printf 'map                   \tall\t0.1944')" "$T/out" "map -c"
expect_grep "$(printf 'num_q                 \tall\t3')" "$T/out" "num_q -c"
# MTEB's name for MRR@k, and BEIR's tie rule (file order: d1 first -> RR 1 for q1)
expect_rc 0 "mrr input ties" "$BIN" score -q "$T/qrels" -r "$T/run" -f trec -m mrr_at_10 --ties input
expect_grep "$(printf 'mrr_cut_10            \tall\t0.5000')" "$T/out" "mrr_at_10 input ties"
# per-query lines
expect_rc 0 "per query" "$BIN" score -q "$T/qrels" -r "$T/run" -f trec -m map --per-query
expect_grep "$(printf 'map                   \tq1\t0.5833')" "$T/out" "per-query q1"
# BEIR qrels with header
printf 'query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\nq1\td3\t1\nq2\td9\t1\n' >"$T/qrels.tsv"
expect_rc 0 "beir qrels" "$BIN" score -q "$T/qrels.tsv" -r "$T/run" -f trec -m ndcg_cut.10
expect_grep "0.3348" "$T/out" "beir ndcg"
expect_rc 0 "json" "$BIN" score -q "$T/qrels" -r "$T/run" -f json -m map
expect_grep '"map"' "$T/out" "json map key"
# malformed lines: file:line, exit 3
printf 'q1 Q0 d1 1 notanumber x\n' >"$T/bad.run"
expect_rc 3 "bad score" "$BIN" score -q "$T/qrels" -r "$T/bad.run"
expect_grep "bad.run:1:" "$T/err" "bad run file:line"
printf 'q1 0 d1\n' >"$T/bad.qrels"
expect_rc 3 "short qrels line" "$BIN" score -q "$T/bad.qrels" -r "$T/run"
expect_grep "bad.qrels:1:" "$T/err" "bad qrels file:line"
expect_rc 3 "missing file" "$BIN" score -q "$T/nope" -r "$T/run"
expect_grep "nope" "$T/err" "missing file named"
expect_rc 2 "bad measure" "$BIN" score -q "$T/qrels" -r "$T/run" -m ndgc_cut.10
expect_rc 2 "misspelt option" "$BIN" score --qrel "$T/qrels" -r "$T/run"
expect_grep "did you mean '--qrels'" "$T/err" "suggestion"
finish
