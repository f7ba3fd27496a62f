#!/usr/bin/python3
"""Independent MTEB/C-MTEB (R1, 2023) reference scores for a ceval suite.

Run with Debian's interpreter (numpy 1.24, scipy 1.10, sklearn 1.2.1); the
default `python3` of the image lacks them:

    /usr/bin/python3 tools/mteb_reference.py --ceval build/release/ceval \
        --model ../shared/models/ceval-tiny-zh --data-dir ../shared/data \
        --tasks-dir tasks --suite cmteb-mini \
        --out tests/golden/cmteb-mini-reference.json

    /usr/bin/python3 tools/mteb_reference.py --self-test

Only the embeddings come from ceval (`ceval embed`); every score is computed
here, following ../shared/spec/evaluation.md sections 1-7 (R1 = FlagEmbedding
C_MTEB on mteb 1.1.1 + BEIR + pytrec_eval).  Where the 2023 code called a
library (sklearn paired distances, scipy correlations, sklearn AP, sklearn
LogisticRegression, MiniBatchKMeans, v_measure_score) that library is called
here too; the pieces that were plain Python in mteb/BEIR (threshold sweeps,
undersampling, MRR) and pytrec_eval's trec_eval measures are re-implemented
from the spec, independently of ceval's C code.

Output: {task: {"type", "main_score_name", "main_score", "metrics"}} plus a
"_meta" entry (versions, model, instruction); scores are in [0, 1] as in MTEB
results files.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings

# ---------------------------------------------------------------- task files


def _scalar(tok):
    """Scalar of the tiny YAML subset used by tasks/: int, float, bool, quoted or bare string,
    and a one-line flow mapping of scalars `{task: X, subset: 40}` (suite entries)."""
    tok = tok.strip()
    if len(tok) >= 2 and tok[0] == "{" and tok[-1] == "}":
        out = {}
        for item in tok[1:-1].split(","):
            if item.strip():
                k, sep, v = item.partition(":")
                if not sep:
                    raise ValueError(f"flow mapping item without ':': {item!r}")
                out[k.strip()] = _scalar(v)
        return out
    if len(tok) >= 2 and tok[0] == tok[-1] and tok[0] in "\"'":
        return tok[1:-1]
    if tok in ("true", "false"):
        return tok == "true"
    if re.fullmatch(r"[-+]?\d+", tok):
        return int(tok)
    if re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?", tok):
        return float(tok)
    return tok


def _tiny_yaml(text, path):
    """Fallback parser when python3-yaml is missing: nested maps by indentation,
    block lists `- item` of scalars, and flow lists `[a, b]`; enough for tasks/*.yaml."""
    root = {}
    stack = [(-1, root)]  # (indent of the owning key, container)
    pending = None  # (indent, map, key) of a "key:" line whose block has not started
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = "" if raw.lstrip().startswith("#") else raw.split(" #")[0].rstrip()
        if not line.strip():
            continue
        ind = len(line) - len(line.lstrip())
        body = line.strip()
        if pending is not None:
            pind, pmap, pkey = pending
            pending = None
            if ind > pind:
                pmap[pkey] = [] if body.startswith("- ") else {}
                stack.append((pind, pmap[pkey]))
        while ind <= stack[-1][0]:
            stack.pop()
        cont = stack[-1][1]
        if body.startswith("- ") or body == "-":
            if not isinstance(cont, list):
                raise ValueError(f"{path}:{lineno}:{ind + 1}: list item outside a list")
            cont.append(_scalar(body[2:]))
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.-]+):(.*)", body)
        if not m or not isinstance(cont, dict):
            raise ValueError(f"{path}:{lineno}:{ind + 1}: cannot parse {body!r}")
        key, val = m.group(1), m.group(2).strip()
        if val == "":
            cont[key] = None
            pending = (ind, cont, key)
        elif val.startswith("["):
            if not val.endswith("]"):
                raise ValueError(f"{path}:{lineno}:{ind + 1}: unterminated flow list")
            inner = val[1:-1].strip()
            cont[key] = [_scalar(t) for t in inner.split(",")] if inner else []
        else:
            cont[key] = _scalar(val)
    return root


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        import yaml  # python3-yaml
    except ImportError:
        return _tiny_yaml(text, path)
    return yaml.safe_load(text)


def load_suite(tasks_dir, suite):
    path = suite if os.path.isfile(suite) else os.path.join(tasks_dir, "suites", suite + ".yaml")
    doc = load_yaml(path)
    tasks = []
    for name in doc["tasks"]:
        tpath = None
        for root, _dirs, files in os.walk(tasks_dir):
            if name + ".yaml" in files and os.path.basename(root) != "suites":
                tpath = os.path.join(root, name + ".yaml")
                break
        if tpath is None:
            raise SystemExit(f"{path}: task {name} has no YAML under {tasks_dir}")
        t = load_yaml(tpath)
        t["_path"] = tpath
        tasks.append(t)
    return tasks


def read_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError as e:
                    raise SystemExit(f"{path}:{lineno}: {e}")
    return rows


# ---------------------------------------------------------------- embeddings

ZH_INSTRUCTION = "为这个句子生成表示以用于检索相关文章："
EN_INSTRUCTION = "Represent this sentence for searching relevant passages: "


def default_instruction(model_dir):
    """§1: bge zh/en v1 and v1.5 models carry a query instruction, anything else none."""
    name = os.path.basename(os.path.normpath(model_dir))
    if re.fullmatch(r"bge-(small|base|large)-zh(-v1\.5)?", name):
        return ZH_INSTRUCTION
    if re.fullmatch(r"bge-(small|base|large)-en(-v1\.5)?", name):
        return EN_INSTRUCTION
    return ""


class Embedder:
    """Embeds texts with `ceval embed`; identical texts are embedded once."""

    def __init__(self, ceval, model, workdir, extra_args=()):
        self.ceval, self.model, self.workdir = ceval, model, workdir
        self.extra = list(extra_args)
        self.calls = 0
        self.seconds = 0.0

    def __call__(self, texts):
        import numpy as np
        uniq = {}
        for t in texts:
            if t not in uniq:
                uniq[t] = len(uniq)
        self.calls += 1
        inp = os.path.join(self.workdir, f"texts{self.calls}.jsonl")
        out = os.path.join(self.workdir, f"emb{self.calls}.npy")
        with open(inp, "w", encoding="utf-8") as f:
            for t in uniq:
                f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        t0 = time.time()
        r = subprocess.run([self.ceval, "embed", "--model", self.model, "--input", inp,
                            "--output", out, "--quiet"] + self.extra)
        self.seconds += time.time() - t0
        if r.returncode != 0:
            raise SystemExit(f"ceval embed failed with status {r.returncode}")
        emb = np.load(out)
        if emb.dtype != np.float32 or emb.ndim != 2 or emb.shape[0] != len(uniq):
            raise SystemExit(f"{out}: expected float32 [{len(uniq)}, dim], got {emb.dtype} {emb.shape}")
        os.unlink(inp)
        os.unlink(out)
        return emb[np.fromiter((uniq[t] for t in texts), dtype=np.int64, count=len(texts))]


# ---------------------------------------------------------------- STS (§4)


def eval_sts(e1, e2, gold, smin, smax):
    import numpy as np
    from scipy.stats import pearsonr, spearmanr
    from sklearn.metrics.pairwise import (paired_cosine_distances, paired_euclidean_distances,
                                          paired_manhattan_distances)
    # mteb normalises the gold scores linearly; correlations are unchanged, kept for fidelity
    g = (np.asarray(gold, dtype=np.float64) - smin) / (smax - smin)
    cos = 1 - paired_cosine_distances(e1, e2)
    man = -paired_manhattan_distances(e1, e2)
    euc = -paired_euclidean_distances(e1, e2)
    m = {}
    for name, s in (("cosine", cos), ("manhattan", man), ("euclidean", euc)):
        m[name + "_pearson"] = float(pearsonr(g, s)[0])
        m[name + "_spearman"] = float(spearmanr(g, s)[0])
    return m


# ---------------------------------------------------------------- pair classification (§5)


def best_acc_threshold(scores, labels, higher_is_positive):
    """mteb 1.1.1 find_best_acc_and_threshold: stable sort, cuts i = 0..n-2, first strict max."""
    n = len(scores)
    order = sorted(range(n), key=lambda i: scores[i], reverse=higher_is_positive)
    pos_before = 0
    neg_after = sum(1 for l in labels if l == 0)
    best, thr = 0.0, -1.0
    for r in range(n - 1):
        i = order[r]
        if labels[i] == 1:
            pos_before += 1
        else:
            neg_after -= 1
        acc = (pos_before + neg_after) / n
        if acc > best:
            best = acc
            thr = (float(scores[i]) + float(scores[order[r + 1]])) / 2
    return best, thr


def best_f1_threshold(scores, labels, higher_is_positive):
    """mteb 1.1.1 find_best_f1_and_threshold."""
    n = len(scores)
    order = sorted(range(n), key=lambda i: scores[i], reverse=higher_is_positive)
    total_pos = sum(1 for l in labels if l == 1)
    tp = 0
    best = (0.0, 0.0, 0.0, 0.0)  # f1, precision, recall, threshold
    for r in range(n - 1):
        i = order[r]
        if labels[i] == 1:
            tp += 1
        if tp > 0:
            p = tp / (r + 1)
            rec = tp / total_pos
            f1 = 2 * p * rec / (p + rec)
            if f1 > best[0]:
                best = (f1, p, rec, (float(scores[i]) + float(scores[order[r + 1]])) / 2)
    return best


def eval_pair_classification(e1, e2, labels):
    import numpy as np
    from sklearn.metrics import average_precision_score
    from sklearn.metrics.pairwise import (paired_cosine_distances, paired_euclidean_distances,
                                          paired_manhattan_distances)
    labels = [int(l) for l in labels]
    y = np.asarray(labels)
    kinds = (
        ("cosine", 1 - paired_cosine_distances(e1, e2), True),
        ("manhattan", paired_manhattan_distances(e1, e2), False),
        ("euclidean", paired_euclidean_distances(e1, e2), False),
        ("dot", np.einsum("ij,ij->i", e1, e2), True),
    )
    m = {}
    for name, s, hi in kinds:
        s = np.asarray(s)
        sl = s.tolist()
        acc, athr = best_acc_threshold(sl, labels, hi)
        f1, p, r, fthr = best_f1_threshold(sl, labels, hi)
        m[name + "_accuracy"] = acc
        m[name + "_accuracy_threshold"] = athr
        m[name + "_f1"] = f1
        m[name + "_f1_threshold"] = fthr
        m[name + "_precision"] = p
        m[name + "_recall"] = r
        m[name + "_ap"] = float(average_precision_score(y, s if hi else -s))
    for k in ("accuracy", "f1", "precision", "recall", "ap"):
        m["max_" + k] = max(m[n + "_" + k] for n, _, _ in kinds)
    return m


# ---------------------------------------------------------------- classification (§6)


def undersample(train_labels, idxs, samples_per_label):
    """§6.2: re-shuffle the carried permutation with a fresh RandomState(42), then take
    rows in walk order while their label has fewer than samples_per_label rows."""
    import numpy as np
    np.random.RandomState(42).shuffle(idxs)
    taken = {}
    sel = []
    for i in idxs:
        lab = train_labels[i]
        if taken.get(lab, 0) < samples_per_label:
            taken[lab] = taken.get(lab, 0) + 1
            sel.append(int(i))
    return sel


def label_codes(train, test):
    """Integer class ids as the HF datasets have them: ints stay, strings are numbered
    in sorted order (so "Negative" = 0, "Positive" = 1 for the binary AP)."""
    vals = set(train) | set(test)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return list(train), list(test)
    order = {v: i for i, v in enumerate(sorted(str(v) for v in vals))}
    return [order[str(v)] for v in train], [order[str(v)] for v in test]


def eval_classification(x_train, y_train, x_test, y_test, samples_per_label, n_experiments):
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, average_precision_score, f1_score
    idxs = np.arange(len(y_train))
    per = {"accuracy": [], "f1": [], "ap": []}
    y_test = np.asarray(y_test)
    for _ in range(n_experiments):
        sel = undersample(y_train, idxs, samples_per_label)
        ys = np.asarray([y_train[i] for i in sel])
        clf = LogisticRegression(random_state=42, max_iter=100)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning is expected (§6.3)
            clf.fit(x_train[sel], ys)
        pred = clf.predict(x_test)
        per["accuracy"].append(float(accuracy_score(y_test, pred)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # undefined precision -> 0, as sklearn's default
            per["f1"].append(float(f1_score(y_test, pred, average="macro")))
        if len(np.unique(ys)) == 2:  # R1 decides "binary" from the training labels
            # hard 0/1 predictions, as mteb 1.1.1 logRegClassificationEvaluator
            per["ap"].append(float(average_precision_score(y_test, pred)))
    m = {}
    for k, v in per.items():
        if v:
            m[k] = float(np.mean(v))
            m[k + "_stderr"] = float(np.std(v))
    m["scores_per_experiment"] = [{k: per[k][e] for k in per if per[k]} for e in range(n_experiments)]
    return m


# ---------------------------------------------------------------- clustering (§7.1)


def eval_clustering(sets, embed):
    import numpy as np
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.metrics import v_measure_score
    vs = []
    for s in sets:
        emb = embed(s["sentences"])
        k = len(set(s["labels"]))
        km = MiniBatchKMeans(n_clusters=k, batch_size=500, n_init=1, random_state=42)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            km.fit(emb)
        vs.append(float(v_measure_score(s["labels"], km.labels_)))
    return {"v_measure": float(np.mean(vs)), "v_measure_std": float(np.std(vs)), "v_measures": vs}


# ---------------------------------------------------------------- reranking (§3.2)


def cosine_matrix(a, b):
    """torch cos_sim: normalise rows, then a float32 matrix product."""
    import numpy as np
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return (a.astype(np.float32) @ b.astype(np.float32).T).astype(np.float32)


def eval_reranking(samples, embed, instruction):
    import numpy as np
    from sklearn.metrics import average_precision_score
    kept = [s for s in samples if s["positive"] and s["negative"]]
    # a list-valued query (MindSmallReranking): every entry embedded, a candidate's score is
    # its highest cosine with any of them (mteb RerankingEvaluator: torch.amax over queries)
    lists = isinstance(kept[0]["query"], list)
    qs = [s["query"] if lists else [s["query"]] for s in kept]
    q = embed([instruction + x for x in sum(qs, [])])
    docs = []
    for s in kept:
        docs.extend(s["positive"])
        docs.extend(s["negative"])
    d = embed(docs)
    aps, mrrs = [], []
    off = qoff = 0
    for i, s in enumerate(kept):
        n = len(s["positive"]) + len(s["negative"])
        scores = cosine_matrix(q[qoff:qoff + len(qs[i])], d[off:off + n]).max(axis=0)
        off += n
        qoff += len(qs[i])
        rel = np.asarray([1] * len(s["positive"]) + [0] * len(s["negative"]))
        aps.append(float(average_precision_score(rel, scores.astype(np.float64))))
        # MRR@10: rank by score descending (stable among ties)
        order = np.argsort(-scores, kind="stable")
        rr = 0.0
        for rank, j in enumerate(order[:10]):
            if rel[j]:
                rr = 1.0 / (rank + 1)
                break
        mrrs.append(rr)
    return {"map": float(np.mean(aps)), "mrr": float(np.mean(mrrs)),
            "mrr_at_10": float(np.mean(mrrs)), "n_samples": len(kept)}


# ---------------------------------------------------------------- retrieval (§2)


def trec_rank(run):
    """trec_eval form_res_rels order: score descending, ties by doc id descending (byte-wise)."""
    return [d for d, _ in sorted(run.items(), key=lambda kv: (-kv[1], _Desc(kv[0])))]


class _Desc:
    """Sort key that orders strings by descending UTF-8 bytes (strcmp)."""
    __slots__ = ("b",)

    def __init__(self, s):
        self.b = s.encode("utf-8")

    def __lt__(self, other):
        return self.b > other.b

    def __eq__(self, other):
        return self.b == other.b


def trec_query_measures(run, qrel, ks):
    """pytrec_eval ndcg_cut/map_cut/recall/P at each k for one query (relevance_level 1)."""
    import math
    ranked = trec_rank(run)
    rels = [qrel.get(d, 0) for d in ranked]
    n_rel = sum(1 for v in qrel.values() if v >= 1)
    ideal = sorted((v for v in qrel.values() if v > 0), reverse=True)
    out = {}
    for k in ks:
        dcg = sum(r / math.log2(i + 2) for i, r in enumerate(rels[:k]) if r > 0)
        idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal[:k]))
        hits = 0
        ap = 0.0
        for i, r in enumerate(rels[:k]):
            if r >= 1:
                hits += 1
                ap += hits / (i + 1)
        out[f"ndcg_at_{k}"] = dcg / idcg if idcg > 0 else 0.0
        out[f"map_at_{k}"] = ap / n_rel if n_rel else 0.0
        out[f"recall_at_{k}"] = hits / n_rel if n_rel else 0.0
        out[f"precision_at_{k}"] = hits / k
    return out


def trec_evaluate(qrels, results, ks):
    """pytrec_eval RelevanceEvaluator + BEIR aggregation: per-query values of the queries
    present in both qrels and run, arithmetic mean, round(., 5)."""
    qids = [q for q in results if q in qrels]
    keys = [f"{m}_at_{k}" for m in ("ndcg", "map", "recall", "precision") for k in ks]
    sums = dict.fromkeys(keys, 0.0)
    for q in qids:
        for key, v in trec_query_measures(results[q], qrels[q], ks).items():
            sums[key] += v
    return {key: round(sums[key] / len(qids), 5) if qids else 0.0 for key in keys}


def beir_mrr(qrels, results, ks):
    """BEIR custom_metrics.mrr: sum of 1/rank of the first relevant doc in the top k, divided by
    len(qrels), rounded to 5 decimals.  BEIR's ranking is a stable sort on score over heap
    order; here ties are ordered as trec_eval does, which agrees whenever scores are distinct."""
    sums = dict.fromkeys(ks, 0.0)
    kmax = max(ks)
    for q, run in results.items():
        if q not in qrels:
            continue
        relevant = {d for d, v in qrels[q].items() if v > 0}
        top = trec_rank(run)[:kmax]
        for k in ks:
            for i, d in enumerate(top[:k]):
                if d in relevant:
                    sums[k] += 1.0 / (i + 1)
                    break
    return {f"mrr_at_{k}": round(sums[k] / len(qrels), 5) if qrels else 0.0 for k in ks}


def exact_search(q_emb, qids, d_emb, dids, top_k, ignore_identical_ids):
    """BEIR DenseRetrievalExactSearch: cosine scores, skip doc id == query id, keep the top_k
    (among equal scores at the cut the larger id survives, as BEIR's (score, id) min-heap)."""
    import numpy as np
    scores = cosine_matrix(q_emb, d_emb)
    scores[np.isnan(scores)] = -1
    results = {}
    for i, q in enumerate(qids):
        row = scores[i]
        cand = [(float(row[j]), dids[j]) for j in range(len(dids))
                if not (ignore_identical_ids and dids[j] == q)]
        cand.sort(key=lambda t: (-t[0], _Desc(t[1])))
        results[q] = {d: s for s, d in cand[:top_k]}
    return results


def load_qrels(path):
    qrels = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header[:3] != ["query-id", "corpus-id", "score"]:
            raise SystemExit(f"{path}:1: expected header query-id<TAB>corpus-id<TAB>score")
        for lineno, line in enumerate(f, 2):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                raise SystemExit(f"{path}:{lineno}: expected 3 tab-separated fields")
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def eval_retrieval(ddir, split, params, embed, instruction):
    corpus = read_jsonl(os.path.join(ddir, "corpus.jsonl"))
    queries = read_jsonl(os.path.join(ddir, "queries.jsonl"))
    qrels = load_qrels(os.path.join(ddir, "qrels", split + ".tsv"))
    ks = [int(k) for k in params.get("k_values", [1, 3, 5, 10, 100, 1000])]
    ignore = bool(params.get("ignore_identical_ids", True))
    dids = [str(d["_id"]) for d in corpus]
    qids = [str(q["_id"]) for q in queries]
    d_emb = embed([(str(d.get("title") or "") + " " + d["text"]).strip() for d in corpus])
    q_emb = embed([instruction + q["text"] for q in queries])
    results = exact_search(q_emb, qids, d_emb, dids, max(ks), ignore)
    if ignore:  # BEIR EvaluateRetrieval.evaluate pops identical ids again at scoring time
        for q, run in results.items():
            run.pop(q, None)
    m = trec_evaluate(qrels, results, ks)
    m.update(beir_mrr(qrels, results, ks))
    return m


# ---------------------------------------------------------------- driver


def eval_task(task, data_dir, embed, instruction):
    import numpy as np
    ttype = task["type"]
    ddir = os.path.join(data_dir, task["dataset"]["path"])
    split = task["eval_splits"][0]
    params = task.get("parameters") or {}
    if ttype == "sts":
        rows = read_jsonl(os.path.join(ddir, split + ".jsonl"))
        return eval_sts(embed([r["sentence1"] for r in rows]), embed([r["sentence2"] for r in rows]),
                        [r["score"] for r in rows], params.get("score_min", 0), params.get("score_max", 1))
    if ttype == "pair_classification":
        rows = read_jsonl(os.path.join(ddir, split + ".jsonl"))
        return eval_pair_classification(embed([r["sentence1"] for r in rows]),
                                        embed([r["sentence2"] for r in rows]),
                                        [r["label"] for r in rows])
    if ttype == "classification":
        train = read_jsonl(os.path.join(ddir, task.get("train_split", "train") + ".jsonl"))
        test = read_jsonl(os.path.join(ddir, split + ".jsonl"))
        ytr, yte = label_codes([r["label"] for r in train], [r["label"] for r in test])
        xtr = embed([r["text"] for r in train])
        xte = embed([r["text"] for r in test])
        return eval_classification(np.asarray(xtr), ytr, np.asarray(xte), yte,
                                   int(params.get("samples_per_label", 8)),
                                   int(params.get("n_experiments", 10)))
    if ttype == "clustering":
        return eval_clustering(read_jsonl(os.path.join(ddir, split + ".jsonl")), embed)
    if ttype == "reranking":
        rows = read_jsonl(os.path.join(ddir, split + ".jsonl"))
        return eval_reranking(rows, embed, instruction if task.get("query_instruction") else "")
    if ttype == "retrieval":
        return eval_retrieval(ddir, split, params, embed,
                              instruction if task.get("query_instruction") else "")
    if ttype == "summarization":
        # tools/summ_reference.py: mteb 1.x SummarizationEvaluator with its (r + p) / 2 mean (R1)
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from summ_reference import summarization_scores
        rows = read_jsonl(os.path.join(ddir, split + ".jsonl"))
        hum = embed([h for r in rows for h in r["human_summaries"]])
        mach = embed([m for r in rows for m in r["machine_summaries"]])
        texts, nh, nm = [], 0, 0
        for r in rows:
            h, m = len(r["human_summaries"]), len(r["machine_summaries"])
            texts.append((hum[nh:nh + h], mach[nm:nm + m], r["relevance"]))
            nh, nm = nh + h, nm + m
        return summarization_scores(texts, "r1")
    raise SystemExit(f"{task['_path']}: unknown task type {ttype!r}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ceval", help="path to the ceval binary")
    ap.add_argument("--model", help="model folder")
    ap.add_argument("--data-dir", help="dataset root")
    ap.add_argument("--tasks-dir", default="tasks")
    ap.add_argument("--suite", default="cmteb-mini")
    ap.add_argument("--task", action="append", default=[], help="only these tasks (repeatable)")
    ap.add_argument("--out", help="output JSON file")
    ap.add_argument("--instruction", default=None,
                    help="query instruction for retrieval/reranking (default: the model's, §1)")
    ap.add_argument("--self-test", action="store_true", help="run the built-in checks and exit")
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test()
    for need in ("ceval", "model", "data_dir", "out"):
        if getattr(a, need) is None:
            ap.error(f"--{need.replace('_', '-')} is required")
    import numpy
    import scipy
    import sklearn
    instruction = default_instruction(a.model) if a.instruction is None else a.instruction
    tasks = load_suite(a.tasks_dir, a.suite)
    if a.task:
        tasks = [t for t in tasks if t["name"] in a.task]
    out = {"_meta": {
        "semantics": "MTEB R1 (FlagEmbedding C_MTEB + mteb 1.1.1 + BEIR + pytrec_eval), "
                     "../shared/spec/evaluation.md",
        "generator": "tools/mteb_reference.py",
        "model": os.path.basename(os.path.normpath(a.model)),
        "suite": a.suite,
        "query_instruction": instruction,
        "numpy": numpy.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
    }}
    with tempfile.TemporaryDirectory(prefix="mteb_ref.") as tmp:
        embed = Embedder(a.ceval, a.model, tmp)
        t_all = time.time()
        for t in tasks:
            t0 = time.time()
            m = eval_task(t, a.data_dir, embed, instruction)
            main_name = t["main_score"]
            if main_name not in m:
                raise SystemExit(f"{t['_path']}: main_score {main_name} not computed")
            out[t["name"]] = {"type": t["type"], "main_score_name": main_name,
                              "main_score": m[main_name], "metrics": m}
            print(f"{t['name']:<28} {t['type']:<20} {main_name:<16} {100 * m[main_name]:8.2f}"
                  f"   ({time.time() - t0:.1f} s)", flush=True)
        print(f"total {time.time() - t_all:.1f} s, of which ceval embed {embed.seconds:.1f} s")
    tmpf = a.out + ".tmp"
    with open(tmpf, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1, sort_keys=False)
        f.write("\n")
    os.replace(tmpf, a.out)
    return 0


# ---------------------------------------------------------------- self test


def self_test():
    """Hand-worked trec_eval cases and cross-checks against sklearn."""
    import math
    import numpy as np
    from sklearn.metrics import average_precision_score, ndcg_score
    fails = 0

    def check(name, got, want, tol=1e-12):
        nonlocal fails
        ok = abs(got - want) <= tol
        fails += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: got {got!r} want {want!r}")

    L = math.log2
    # 1. ties ordered by doc id descending: d2 (rel) and d1 tie; "d2" > "d1" so d2 first.
    m = trec_query_measures({"d1": 0.5, "d2": 0.5, "d3": 0.9}, {"d2": 1}, [1, 2, 3])
    check("tie ndcg@3", m["ndcg_at_3"], (1 / L(3)) / 1.0)
    check("tie map@3", m["map_at_3"], 0.5)
    check("tie P@1", m["precision_at_1"], 0.0)
    check("tie P@2", m["precision_at_2"], 0.5)
    # the same with the relevant doc having the smaller id: it ranks third
    m = trec_query_measures({"d1": 0.5, "d2": 0.5, "d3": 0.9}, {"d1": 1}, [3])
    check("tie (smaller id) ndcg@3", m["ndcg_at_3"], 1 / L(4))
    # byte-wise order: "negative_x" > "apositive_x"
    check("strcmp order", float(trec_rank({"apositive_0": 1.0, "negative_0": 1.0})[0] == "negative_0"), 1.0)
    # 2. graded qrels, linear gains; a relevant doc never retrieved still counts in IDCG and R
    run = {"a": 3.0, "b": 2.0, "c": 1.0}
    qrel = {"a": 1, "b": 0, "c": 2, "z": 3}
    m = trec_query_measures(run, qrel, [2, 3, 10])
    idcg3 = 3 / L(2) + 2 / L(3) + 1 / L(4)
    check("graded ndcg@3", m["ndcg_at_3"], (1 / L(2) + 2 / L(4)) / idcg3)
    check("graded ndcg@2", m["ndcg_at_2"], (1 / L(2)) / (3 / L(2) + 2 / L(3)))
    check("graded map@3 (denominator R=3)", m["map_at_3"], (1 / 1 + 2 / 3) / 3)
    check("graded recall@3", m["recall_at_3"], 2 / 3)
    # 3. fewer than k retrieved: P@10 still divides by 10
    check("P@10 with 3 retrieved", m["precision_at_10"], 2 / 10)
    check("map@2", m["map_at_2"], 1 / 3)
    # 4. no relevant docs in qrels: all zero
    m = trec_query_measures({"a": 1.0}, {"a": 0}, [1])
    check("no relevant ndcg", m["ndcg_at_1"], 0.0)
    check("no relevant map", m["map_at_1"], 0.0)
    # 5. aggregation over queries in both qrels and run; 5-decimal rounding
    agg = trec_evaluate({"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 1}},
                        {"q1": {"a": 1.0, "x": 0.5}, "q2": {"x": 1.0, "b": 0.5}, "q9": {"c": 1.0}}, [2])
    check("aggregate map@2", agg["map_at_2"], round((1 + 0.5) / 2, 5))
    check("aggregate ndcg@2", agg["ndcg_at_2"], round((1 + 1 / L(3)) / 2, 5))
    mrr = beir_mrr({"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 1}},
                   {"q1": {"a": 1.0, "x": 0.5}, "q2": {"x": 1.0, "b": 0.5}}, [1, 10])
    check("BEIR mrr@10 divides by len(qrels)", mrr["mrr_at_10"], round(1.5 / 3, 5))
    check("BEIR mrr@1", mrr["mrr_at_1"], round(1 / 3, 5))
    # 6. identical-id removal happens before the top-k cut
    qe = np.eye(3, dtype=np.float32)[:1]
    de = np.asarray([[1, 0, 0], [0.9, 0.1, 0], [0.5, 0.5, 0]], dtype=np.float32)
    r = exact_search(qe, ["q"], de, ["q", "a", "b"], 2, True)
    check("self id skipped, heap still fills", float(sorted(r["q"]) == ["a", "b"]), 1.0)
    # 7. random cross-checks: with distinct scores trec AP over all candidates = sklearn AP
    #    (every relevant doc retrieved), and trec nDCG@k = sklearn ndcg_score (linear gains)
    rng = np.random.default_rng(7)
    worst_ap = worst_ndcg = 0.0
    for _ in range(300):
        n = int(rng.integers(2, 40))
        s = rng.permutation(n).astype(np.float64) + rng.random()
        rel = rng.integers(0, 4, n)
        if rel.max() == 0:
            rel[0] = 2
        ids = [f"d{i:03d}" for i in range(n)]
        run = dict(zip(ids, s.tolist()))
        qrel = {d: int(v) for d, v in zip(ids, rel)}
        k = int(rng.integers(1, n + 1))
        m = trec_query_measures(run, qrel, [k, n])
        worst_ap = max(worst_ap, abs(m[f"map_at_{n}"] - average_precision_score(rel >= 1, s)))
        worst_ndcg = max(worst_ndcg, abs(m[f"ndcg_at_{k}"] - ndcg_score(rel[None, :], s[None, :], k=k)))
    check("trec AP vs sklearn AP, 300 random queries (max |diff|)", worst_ap, 0.0, 1e-12)
    check("trec nDCG@k vs sklearn ndcg_score, 300 random queries (max |diff|)", worst_ndcg, 0.0, 1e-12)
    # 8. pair-classification sweep, hand case: scores 0.9(1) 0.8(0) 0.7(1) 0.1(0)
    acc, thr = best_acc_threshold([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], True)
    check("best acc", acc, 0.75)
    check("best acc threshold", thr, 0.85)
    f1, p, rc, thr = best_f1_threshold([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], True)
    check("best f1", f1, 0.8)
    check("best f1 threshold", thr, 0.4)
    acc, thr = best_acc_threshold([0.1, 0.2, 0.3, 0.9], [1, 0, 1, 0], False)  # distances
    check("best acc (distance)", acc, 0.75)
    # 9. undersampling: the permutation carries over experiments
    idx = np.arange(10)
    first = undersample([0, 1] * 5, idx, 2)
    ref = np.arange(10)
    np.random.RandomState(42).shuffle(ref)
    check("undersample exp 1 = RandomState(42) shuffle", float(list(idx) == list(ref)), 1.0)
    want = []
    cnt = {}
    for i in ref:
        lab = [0, 1][i % 2]
        if cnt.get(lab, 0) < 2:
            cnt[lab] = cnt.get(lab, 0) + 1
            want.append(int(i))
    check("undersample exp 1 selection", float(first == want), 1.0)
    undersample([0, 1] * 5, idx, 2)
    np.random.RandomState(42).shuffle(ref)
    check("undersample exp 2 re-shuffles the carried permutation", float(list(idx) == list(ref)), 1.0)
    # 10. tiny YAML fallback agrees with python3-yaml on every task file
    try:
        import yaml
        bad = 0
        here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tasks")
        for root, _d, files in os.walk(here):
            for fn in sorted(files):
                if fn.endswith(".yaml"):
                    p = os.path.join(root, fn)
                    with open(p, encoding="utf-8") as f:
                        txt = f.read()
                    same = _tiny_yaml(txt, p) == yaml.safe_load(txt)
                    if not same:
                        bad += 1
                        check(f"tiny yaml {fn}", 0.0, 1.0)
        if not bad:
            print("ok   tiny YAML parser agrees with python3-yaml on tasks/")
    except ImportError:
        print("skip tiny YAML cross-check (python3-yaml missing)")
    print(f"self-test: {'all passed' if not fails else f'{fails} FAILED'}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
