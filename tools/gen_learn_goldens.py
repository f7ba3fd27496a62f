#!/usr/bin/python3
"""Goldens for ceval's learning components (eval/mt19937, undersample,
logreg, kmeans, vmeasure), made with Debian's numpy / scikit-learn 1.2.1.

Run with Debian's interpreter from the repository root:
    OMP_NUM_THREADS=1 /usr/bin/python3 tools/gen_learn_goldens.py
(OMP_NUM_THREADS=1 makes sklearn's k-means inertia sum single-threaded, the
order ceval follows.)  Writes tests/golden/learn/learn.json.

Input data is not stored: it is drawn from numpy RandomState streams with
make_blobs() below, which the C test reproduces with eval/mt19937.
"""
import hashlib
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.cluster import MiniBatchKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (accuracy_score, average_precision_score, f1_score,
                             homogeneity_completeness_v_measure)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden", "learn", "learn.json")


def make_blobs(seed, n, d, k, spread, dtype):
    """Centers U[0,10)^(k,d), labels randint(0,k,n), x = center + (U-0.5)*spread."""
    rs = np.random.RandomState(seed)
    centers = rs.random_sample((k, d)) * 10.0
    labels = rs.randint(0, k, n)
    noise = rs.random_sample((n, d))
    x = centers[labels] + (noise - 0.5) * spread
    return x.astype(dtype), labels


def perm_digest(p):
    """sum(i * p[i]) mod 2^61-1 and the first/last entries."""
    p = np.asarray(p, dtype=np.int64)
    w = int((np.arange(p.size, dtype=object) * p.astype(object)).sum() % (2**61 - 1))
    return {"head": p[:8].tolist(), "tail": p[-8:].tolist(), "weighted_sum": w}


def shuffles():
    out = []
    for n in [1, 2, 10, 1000, 70000]:
        idxs = np.arange(n)
        exps = []
        for _ in range(3):
            np.random.RandomState(42).shuffle(idxs)
            exps.append(perm_digest(idxs))
        out.append({"n": n, "experiments": exps})
    return out


def stream():
    rs = np.random.RandomState(42)
    u32 = rs.randint(0, 2**32, size=5, dtype=np.uint64).tolist()  # raw outputs
    rs = np.random.RandomState(42)
    dbl = rs.random_sample(5).tolist()
    rs = np.random.RandomState(42)
    ri = rs.randint(0, 1000, 10).tolist() + rs.randint(5, 6, 3).tolist() + rs.randint(0, 2**33, 3).tolist()
    return {"u32": u32, "double": [repr(v) for v in dbl], "randint": ri}


def undersampling():
    """mteb _undersample_data over several experiments with a persistent idxs."""
    out = []
    for seed, n, n_labels, spl, n_exp in [(1, 500, 7, 8, 4), (2, 3000, 30, 32, 3), (3, 40, 3, 32, 2)]:
        rs = np.random.RandomState(seed)
        y = rs.randint(0, n_labels, n) * 3 - 5  # non-dense, negative labels
        idxs = np.arange(n)
        exps = []
        for _ in range(n_exp):
            np.random.RandomState(42).shuffle(idxs)
            cnt = {}
            sel = []
            for i in idxs:
                if cnt.get(y[i], 0) < spl:
                    sel.append(int(i))
                    cnt[y[i]] = cnt.get(y[i], 0) + 1
            exps.append(sel)
        out.append({"label_seed": seed, "n": n, "n_labels": n_labels, "samples_per_label": spl,
                    "experiments": exps})
    return out


def logreg_cases():
    cases = []
    specs = [  # name, seed, n, d, k, spread
        ("binary", 11, 300, 16, 2, 14.0),
        ("multi5", 12, 300, 16, 5, 12.0),
        ("unconverged", 13, 400, 48, 12, 4.0),
        ("separable", 14, 120, 8, 3, 2.0),
    ]
    for name, seed, n, d, k, spread in specs:
        # one draw of n + 200 rows: the first n train, the last 200 test
        xa, ya = make_blobs(seed, n + 200, d, k, spread, np.float64)
        ya = ya * 2 + 1  # labels 1,3,5,...: sorted classes map to 0..k-1
        x, y, xt, yt = xa[:n], ya[:n], xa[n:], ya[n:]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = LogisticRegression(max_iter=100, random_state=42).fit(x, y)
        pred = clf.predict(xt)
        cases.append({"name": name, "seed": seed, "n": n, "d": d, "k": k, "spread": spread,
                      "n_test": 200,
                      "classes": clf.classes_.tolist(), "n_iter": int(clf.n_iter_[0]),
                      "coef": [[repr(v) for v in row] for row in clf.coef_],
                      "intercept": [repr(v) for v in clf.intercept_],
                      "pred_test": pred.tolist(),
                      "accuracy": repr(accuracy_score(yt, pred)),
                      "f1_macro": repr(f1_score(yt, pred, average="macro"))})
    return cases


def metric_cases():
    rs = np.random.RandomState(5)
    out = []
    for n, k in [(50, 2), (80, 4), (30, 6)]:
        yt = rs.randint(0, k, n)
        yp = rs.randint(0, k + 1, n)  # a class absent from y_true
        c = {"y_true": yt.tolist(), "y_pred": yp.tolist(),
             "accuracy": repr(accuracy_score(yt, yp)),
             "f1_macro": repr(f1_score(yt, yp, average="macro"))}
        if k == 2:
            yp2 = np.minimum(yp, 1)
            c["y_pred_bin"] = yp2.tolist()
            c["ap"] = repr(average_precision_score(yt, yp2))
            c["f1_macro_bin"] = repr(f1_score(yt, yp2, average="macro"))
        out.append(c)
    return out


def kmeans_cases():
    cases = []
    specs = [  # name, seed, n, d, k_true, spread, n_clusters, batch
        ("n1200_k7", 21, 1200, 32, 7, 9.0, 7, 500),
        ("small_n300_k5", 22, 300, 16, 5, 8.0, 5, 500),
        ("overlap_k12", 23, 2000, 24, 6, 16.0, 12, 500),
        ("v2_batch512", 24, 2048, 16, 9, 12.0, 9, 512),
    ]
    for name, seed, n, d, kt, spread, k, bs in specs:
        x, y = make_blobs(seed, n, d, kt, spread, np.float32)
        km = MiniBatchKMeans(n_clusters=k, batch_size=bs, n_init="auto", random_state=42).fit(x)
        h, c, v = homogeneity_completeness_v_measure(y, km.labels_)
        cases.append({"name": name, "seed": seed, "n": n, "d": d, "k_true": kt, "spread": spread,
                      "n_clusters": k, "batch_size": bs, "n_steps": int(km.n_steps_),
                      "labels": km.labels_.tolist(),
                      "centers": [[repr(float(v)) for v in row] for row in km.cluster_centers_],
                      "v_measure_vs_truth": repr(v)})
    return cases


def vmeasure_cases():
    rs = np.random.RandomState(9)
    out = []
    for n, a, b in [(10, 3, 3), (200, 5, 8), (1000, 20, 17), (7, 1, 3), (7, 3, 1), (5, 1, 1), (6, 6, 6)]:
        yt = rs.randint(0, a, n) * 7 - 3
        yp = rs.randint(0, b, n) + 100
        h, c, v = homogeneity_completeness_v_measure(yt, yp)
        out.append({"y_true": yt.tolist(), "y_pred": yp.tolist(), "h": repr(h), "c": repr(c), "v": repr(v)})
    return out


def main():
    doc = {"versions": {"numpy": np.__version__, "sklearn": sklearn.__version__},
           "stream": stream(), "shuffles": shuffles(), "undersampling": undersampling(),
           "logreg": logreg_cases(), "metrics": metric_cases(), "kmeans": kmeans_cases(),
           "vmeasure": vmeasure_cases()}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", OUT, os.path.getsize(OUT), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
