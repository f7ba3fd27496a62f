#!/usr/bin/python3
"""Independent MTEB R3 (mteb 2.x) reference scores for a ceval suite.

Run with Debian's interpreter (numpy, scipy, sklearn), like its R1 sibling:

    /usr/bin/python3 tools/mteb_reference_r3.py --ceval build/release/ceval \
        --model ../shared/models/ceval-tiny-zh --data-dir ../shared/data \
        --tasks-dir tasks --suite cmteb-mini \
        --also CLSClusteringS2S-mini.v2 --also ThuNewsClusteringS2S-mini.v2 \
        --out tests/golden/cmteb-mini-reference-r3.json

    /usr/bin/python3 tools/mteb_reference_r3.py --self-test

Only the embeddings come from ceval (`ceval embed`).  What R3 computes as R1
does (spec evaluation.md §0 table: STS, pair-classification values,
classification, legacy clustering) is taken from tools/mteb_reference.py (the
R1 reference: sklearn / scipy calls).  What R3 computes differently is written
here from the spec and mteb 2.x's evaluators:

  - main scores from mteb 2.x task metadata: pair classification
    `max_accuracy`, reranking `map_at_1000` (a task's main_score_r3 wins);
  - retrieval (§2.2-2.4, mteb/abstasks/retrieval.py, _evaluators/retrieval_metrics.py):
    queries without qrels are dropped before search; k list 1,3,5,10,20,100,1000
    (when the task has R1's); no self-skip at search time, identical ids
    removed at scoring time only where the task sets ignore_identical_ids_r3;
    trec_eval measures rounded to 5 decimals; MRR with ties by doc id
    descending, a plain mean, not rounded;
  - reranking (§3.3, SearchEncoderWrapper._rerank_documents): each query scored
    against its own candidates (ids "apositive_{qid}_{i:05d}" /
    "negative_{qid}_{i:05d}" as mteb's converter names them), top
    min(1000, n), then the retrieval measures; samples without a positive are
    dropped, those without negatives kept.

Output as tools/mteb_reference.py: {task: {"type", "main_score_name",
"main_score", "metrics"}} plus "_meta".
"""
import argparse
import json
import math
import os
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mteb_reference as r1  # noqa: E402  (the shared loaders and the R1 = R3 types)

R1_K = [1, 3, 5, 10, 100, 1000]
R3_K = [1, 3, 5, 10, 20, 100, 1000]
R3_MAIN = {"retrieval": "ndcg_at_10", "reranking": "map_at_1000", "sts": "cosine_spearman",
           "pair_classification": "max_accuracy", "classification": "accuracy", "clustering": "v_measure"}


def ranked(run):
    """trec_eval order: score descending, equal scores by doc id descending (byte-wise)."""
    return sorted(run, key=lambda d: (-run[d], [-b for b in d.encode("utf-8")] + [1]))


def query_measures(run, qrel, ks):
    """One query: ndcg/map/recall/precision (pytrec_eval, relevance >= 1) and mteb 2.x mrr at each k."""
    order = ranked(run)
    gains = [qrel.get(d, 0) for d in order]
    n_rel = sum(v >= 1 for v in qrel.values())
    ideal = sorted([v for v in qrel.values() if v > 0], reverse=True)
    m = {}
    for k in ks:
        top = gains[:k]
        dcg = sum(g / math.log2(i + 2) for i, g in enumerate(top) if g > 0)
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal[:k]))
        hit, ap, first = 0, 0.0, 0.0
        for i, g in enumerate(top):
            if g >= 1:
                hit += 1
                ap += hit / (i + 1)
                if hit == 1:
                    first = 1.0 / (i + 1)
        m[f"ndcg_at_{k}"] = dcg / idcg if idcg > 0 else 0.0
        m[f"map_at_{k}"] = ap / n_rel if n_rel else 0.0
        m[f"recall_at_{k}"] = hit / n_rel if n_rel else 0.0
        m[f"precision_at_{k}"] = hit / k
        # mteb 2.x mrr: relevant = qrels value > 0 (here >= 1 for integer qrels)
        m[f"mrr_at_{k}"] = first
    return m


def aggregate(per_query, ks):
    """Mean over the evaluated queries; the four pytrec families rounded to 5 decimals, MRR not."""
    out = {}
    n = len(per_query)
    for fam in ("ndcg", "map", "recall", "precision", "mrr"):
        for k in ks:
            key = f"{fam}_at_{k}"
            v = sum(q[key] for q in per_query) / n if n else 0.0
            out[key] = v if fam == "mrr" else round(v, 5)
    return out


def eval_retrieval_r3(ddir, split, params, embed, instruction):
    import numpy as np
    corpus = r1.read_jsonl(os.path.join(ddir, "corpus.jsonl"))
    queries = r1.read_jsonl(os.path.join(ddir, "queries.jsonl"))
    qrels = r1.load_qrels(os.path.join(ddir, "qrels", split + ".tsv"))
    ks = [int(k) for k in params.get("k_values", R1_K)]
    if ks == R1_K:
        ks = R3_K
    ignore = bool(params.get("ignore_identical_ids_r3", False))
    # _filter_queries_without_positives: the qrels dict of the query must be non-empty
    queries = [q for q in queries if qrels.get(str(q["_id"]))]
    dids = [str(d["_id"]) for d in corpus]
    d_emb = embed([(str(d.get("title") or "") + " " + d["text"]).strip() for d in corpus])
    q_emb = embed([instruction + q["text"] for q in queries])
    scores = r1.cosine_matrix(q_emb, d_emb)
    top_k = max(ks)
    per_query = []
    for i, q in enumerate(queries):
        qid = str(q["_id"])
        row = scores[i]
        # top_k by score; among equal scores at the cut the larger id stays (heap of (score, id))
        idx = np.argsort(-row, kind="stable")
        full = {dids[j]: float(row[j]) for j in idx}
        run = {d: full[d] for d in ranked(full)[:top_k]}
        if ignore:
            run.pop(qid, None)
        per_query.append(query_measures(run, qrels[qid], ks))
    return aggregate(per_query, ks)


def eval_reranking_r3(samples, embed, instruction, split):
    kept = [(i, s) for i, s in enumerate(samples) if s["positive"]]
    q = embed([instruction + s["query"] for _, s in kept])
    texts = []
    for _, s in kept:
        texts.extend(s["positive"])
        texts.extend(s["negative"])
    d = embed(texts)
    per_query = []
    off = 0
    for n_q, (i, s) in enumerate(kept):
        qid = f"{split}_query{i}"
        ids = [f"apositive_{qid}_{j:05d}" for j in range(len(s["positive"]))] + \
              [f"negative_{qid}_{j:05d}" for j in range(len(s["negative"]))]
        sc = r1.cosine_matrix(q[n_q:n_q + 1], d[off:off + len(ids)])[0]
        off += len(ids)
        run = {ids[j]: float(sc[j]) for j in range(len(ids))}
        run = {k: run[k] for k in ranked(run)[:min(1000, len(ids))]}
        qrel = {x: (1 if x.startswith("apositive_") else 0) for x in ids}
        per_query.append(query_measures(run, qrel, [10, 1000]))
    m = aggregate(per_query, [10, 1000])
    return {"map_at_1000": m["map_at_1000"], "mrr_at_10": m["mrr_at_10"], "ndcg_at_10": m["ndcg_at_10"],
            "n_samples": len(kept)}


def eval_clustering_fast_r3(sets, embed, n_sample):
    """mteb 2.x AbsTaskClustering (the .v2 tasks, spec §7.2): cmteb_clustering.py's
    dataset_transform + stratified_subsampling, clustering.py's _evaluate_subset and
    _evaluate_clustering_bootstrapped, with Python's random, numpy's default_rng
    (tools/hf_stratify_ref.py) and sklearn's MiniBatchKMeans."""
    import random
    import numpy as np
    from hf_stratify_ref import stratified_test_indices
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.metrics import v_measure_score
    sentences = [x for s in sets for x in s["sentences"]]
    labels = [x for s in sets for x in s["labels"]]
    # class_encode_column: ClassLabel ids in sorted(str) order (ceval sorts integer labels numerically)
    names = sorted(set(labels)) if all(isinstance(x, str) for x in labels) else sorted(set(labels), key=int)
    pos = {x: i for i, x in enumerate(names)}
    ids = [pos[x] for x in labels]
    rows = list(range(len(sentences)))
    if n_sample < len(sentences):
        rows = stratified_test_indices(ids, n_sample, 42)
    rng = random.Random(42)  # AbsTask.__init__: _set_seed(42) -> random.Random(42)
    order = rng.sample(range(len(rows)), k=min(len(rows), n_sample))
    docs = [rows[j] for j in order]
    emb = embed([sentences[r] for r in docs])
    y = np.array([ids[r] for r in docs])
    km = MiniBatchKMeans(n_clusters=np.unique(y).size, batch_size=512, init="k-means++", n_init=1,
                         random_state=42)
    vs = []
    for _ in range(10):
        idx = rng.choices(range(len(docs)), k=16384)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = km.fit_predict(emb[idx])
        vs.append(float(v_measure_score(y[idx], pred)))
    return {"v_measure": float(np.mean(vs)), "v_measure_std": float(np.std(vs)), "v_measures": vs}


def eval_task_r3(task, data_dir, embed, instruction):
    ttype = task["type"]
    ddir = os.path.join(data_dir, task["dataset"]["path"])
    split = task["eval_splits"][0]
    params = task.get("parameters") or {}
    instr = instruction if task.get("query_instruction", ttype in ("retrieval", "reranking")) else ""
    if ttype == "retrieval":
        return eval_retrieval_r3(ddir, split, params, embed, instr)
    if ttype == "clustering" and params.get("fast_sample"):
        return eval_clustering_fast_r3(r1.read_jsonl(os.path.join(ddir, split + ".jsonl")), embed,
                                       int(params["fast_sample"]))
    if ttype == "reranking":
        return eval_reranking_r3(r1.read_jsonl(os.path.join(ddir, split + ".jsonl")), embed, instr, split)
    # STS, pair classification, classification, legacy clustering: R3 computes these as R1 (§0)
    return r1.eval_task(task, data_dir, embed, instruction)


def load_task_by_name(tasks_dir, name):
    for root, _dirs, files in os.walk(tasks_dir):
        if name + ".yaml" in files and os.path.basename(root) != "suites":
            path = os.path.join(root, name + ".yaml")
            t = r1.load_yaml(path)
            t["_path"] = path
            return [t]
    raise SystemExit(f"{tasks_dir}: no YAML for task {name}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ceval")
    ap.add_argument("--model")
    ap.add_argument("--data-dir")
    ap.add_argument("--tasks-dir", default="tasks")
    ap.add_argument("--suite", default="cmteb-mini")
    ap.add_argument("--task", action="append", default=[])
    ap.add_argument("--also", action="append", default=[],
                    help="a task outside the suite to add (the mini .v2 tasks)")
    ap.add_argument("--out")
    ap.add_argument("--instruction", default=None)
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test()
    for need in ("ceval", "model", "data_dir", "out"):
        if getattr(a, need) is None:
            ap.error(f"--{need.replace('_', '-')} is required")
    import numpy
    import scipy
    import sklearn
    instruction = r1.default_instruction(a.model) if a.instruction is None else a.instruction
    tasks = r1.load_suite(a.tasks_dir, a.suite)
    if a.task:
        # a named task outside the suite (the mini .v2 tasks) is read from its own file
        names = [t["name"] for t in tasks]
        extra = [n for n in a.task if n not in names]
        if extra:
            for n in extra:
                tasks += load_task_by_name(a.tasks_dir, n)
        tasks = [t for t in tasks if t["name"] in a.task]
    for n in a.also:
        tasks += load_task_by_name(a.tasks_dir, n)
    out = {"_meta": {
        "semantics": "MTEB R3 (mteb 2.x), ../shared/spec/evaluation.md",
        "generator": "tools/mteb_reference_r3.py",
        "model": os.path.basename(os.path.normpath(a.model)),
        "suite": a.suite,
        "query_instruction": instruction,
        "numpy": numpy.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
    }}
    with tempfile.TemporaryDirectory(prefix="mteb_ref3.") as tmp:
        embed = r1.Embedder(a.ceval, a.model, tmp)
        for t in tasks:
            t0 = time.time()
            m = eval_task_r3(t, a.data_dir, embed, instruction)
            main_name = t.get("main_score_r3", R3_MAIN[t["type"]])
            if main_name not in m:
                raise SystemExit(f"{t['_path']}: R3 main score {main_name} not computed")
            out[t["name"]] = {"type": t["type"], "main_score_name": main_name,
                              "main_score": m[main_name], "metrics": m}
            print(f"{t['name']:<28} {t['type']:<20} {main_name:<16} {100 * m[main_name]:8.2f}"
                  f"   ({time.time() - t0:.1f} s)", flush=True)
    tmpf = a.out + ".tmp"
    with open(tmpf, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    os.replace(tmpf, a.out)
    return 0


def self_test():
    fails = 0

    def check(name, got, want, tol=1e-12):
        nonlocal fails
        ok = abs(got - want) <= tol
        fails += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: got {got!r} want {want!r}")

    # ties by doc id descending, for MRR too (mteb PR #5136): "b" ranks above "a"
    m = query_measures({"a": 0.5, "b": 0.5}, {"a": 1}, [1, 10])
    check("R3 mrr@10 tie by doc id descending", m["mrr_at_10"], 0.5)
    check("R3 mrr@1 tie", m["mrr_at_1"], 0.0)
    # map_at_1000 divides by all positives, also those cut off
    m = query_measures({"apositive_q_00000": 0.9, "negative_q_00000": 0.8}, {"apositive_q_00000": 1,
                       "apositive_q_00001": 1, "negative_q_00000": 0}, [1000])
    check("map_at_1000 over R = 2", m["map_at_1000"], 0.5)
    # aggregation: MRR unrounded, nDCG rounded
    agg = aggregate([{"ndcg_at_1": 1 / 3, "map_at_1": 0, "recall_at_1": 0, "precision_at_1": 0,
                      "mrr_at_1": 1 / 3}], [1])
    check("ndcg rounded to 5 decimals", agg["ndcg_at_1"], 0.33333)
    check("mrr not rounded", agg["mrr_at_1"], 1 / 3)
    print(f"self-test: {'all passed' if not fails else f'{fails} FAILED'}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
