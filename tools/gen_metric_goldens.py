#!/usr/bin/python3
"""Regenerate tests/golden/metrics/*.json with Debian's sklearn / scipy.

Run with the Debian interpreter (sklearn 1.2.1, scipy 1.10.1, numpy 1.24):
    /usr/bin/python3 tools/gen_metric_goldens.py tests/golden/metrics

ap.json       sklearn.metrics.average_precision_score (ties, no positives, n > 128)
corr.json     scipy.stats.pearsonr / spearmanr (ties, n = 2, constant input -> null)
pairclass.json  mteb PairClassificationEvaluator's best accuracy / F1 sweep
                (re-implemented below from the mteb 1.1.1 algorithm, with
                numpy float32 scores as mteb has them) + sklearn AP
"""
import json
import os
import sys
import warnings

import numpy as np
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import average_precision_score

warnings.simplefilter("ignore")
rng = np.random.default_rng(20240611)


def f32(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32)]


def num(v):
    v = float(v)
    return None if np.isnan(v) else v


def ap_cases():
    cases = []
    def add(name, score, label):
        ap = average_precision_score(np.asarray(label), np.asarray(score, dtype=np.float64))
        cases.append({"name": name, "score": [float(s) for s in score],
                      "label": [int(l) for l in label], "ap": num(ap)})
    add("distinct", [0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 1])
    add("ties", [0.5, 0.5, 0.5, 0.2, 0.2, 0.9], [1, 0, 0, 1, 1, 0])
    add("all_tied", [1.0] * 6, [0, 1, 0, 1, 1, 0])
    add("no_positive", [0.3, 0.2, 0.1], [0, 0, 0])
    add("all_positive", [0.3, 0.2, 0.2, 0.1], [1, 1, 1, 1])
    add("single", [0.4], [1])
    for n in (50, 300, 1000):
        s = np.round(rng.random(n), 2)  # coarse values -> many ties
        l = (rng.random(n) < 0.3).astype(int)
        add("random_ties_%d" % n, s, l)
        s = f32(rng.standard_normal(n))
        add("random_f32_%d" % n, s, l)
    return cases


def corr_cases():
    cases = []
    def add(name, x, y):
        x = [float(v) for v in x]
        y = [float(v) for v in y]
        cases.append({"name": name, "x": x, "y": y,
                      "pearson": num(pearsonr(x, y)[0]),
                      "spearman": num(spearmanr(x, y)[0])})
    add("small", [1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    add("ties", [1, 1, 2, 2, 3, 3, 3], [5, 6, 6, 7, 1, 1, 2])
    add("two", [0.3, 0.1], [0.5, 0.9])
    add("constant", [1, 1, 1], [1, 2, 3])
    add("negative", [1, 2, 3, 4], [8, 6, 4, 2])
    for n in (40, 500, 3000):
        gold = np.round(rng.random(n) * 5, 1)  # STSB-like graded gold with ties
        pred = f32(gold * 0.1 + rng.standard_normal(n))
        add("sts_%d" % n, gold, pred)
    return cases


def find_best_acc_and_threshold(scores, labels, high_score_more_similar):
    rows = sorted(zip(scores, labels), key=lambda x: x[0], reverse=high_score_more_similar)
    max_acc, best_threshold = 0, -1
    positive_so_far = 0
    remaining_negatives = sum(np.array(labels) == 0)
    for i in range(len(rows) - 1):
        score, label = rows[i]
        if label == 1:
            positive_so_far += 1
        else:
            remaining_negatives -= 1
        acc = (positive_so_far + remaining_negatives) / len(labels)
        if acc > max_acc:
            max_acc = acc
            best_threshold = (rows[i][0] + rows[i + 1][0]) / 2
    return max_acc, best_threshold


def find_best_f1_and_threshold(scores, labels, high_score_more_similar):
    scores = np.asarray(scores)
    labels = np.asarray(labels)
    rows = sorted(zip(scores, labels), key=lambda x: x[0], reverse=high_score_more_similar)
    best_f1 = best_precision = best_recall = 0
    threshold = 0
    nextract = ncorrect = 0
    total_num_duplicates = sum(labels)
    for i in range(len(rows) - 1):
        score, label = rows[i]
        nextract += 1
        if label == 1:
            ncorrect += 1
        if ncorrect > 0:
            precision = ncorrect / nextract
            recall = ncorrect / total_num_duplicates
            f1 = 2 * precision * recall / (precision + recall)
            if f1 > best_f1:
                best_f1, best_precision, best_recall = f1, precision, recall
                threshold = (rows[i][0] + rows[i + 1][0]) / 2
    return best_f1, best_precision, best_recall, threshold


def pairclass_cases():
    cases = []
    def add(name, score, label, hi):
        score = np.asarray(score, dtype=np.float32)  # mteb scores are float32 arrays
        label = [int(l) for l in label]
        acc, acc_t = find_best_acc_and_threshold(score, label, hi)
        f1, p, r, f1_t = find_best_f1_and_threshold(score, label, hi)
        ap = average_precision_score(label, score * (1 if hi else -1))
        cases.append({"name": name, "score": [float(s) for s in score], "label": label,
                      "higher_is_positive": bool(hi),
                      "accuracy": float(acc), "accuracy_threshold": float(acc_t),
                      "f1": float(f1), "f1_threshold": float(f1_t),
                      "precision": float(p), "recall": float(r), "ap": float(ap)})
    add("tiny_sim", [0.9, 0.1, 0.8, 0.3], [1, 0, 1, 0], True)
    add("tiny_dist", [0.2, 1.5, 0.4, 0.9], [1, 0, 1, 1], False)
    add("ties_sim", [0.5, 0.5, 0.5, 0.7, 0.1, 0.5], [0, 1, 1, 0, 0, 1], True)
    add("ties_dist", [2.0, 2.0, 1.0, 3.0, 2.0], [1, 0, 1, 0, 1], False)
    add("all_negative", [0.3, 0.2, 0.1], [0, 0, 0], True)
    for n in (60, 700):
        lab = (rng.random(n) < 0.45).astype(int)
        cos = np.clip(0.5 + 0.2 * lab + 0.25 * rng.standard_normal(n), -1, 1)
        cos = np.round(cos, 2)  # ties
        add("cos_%d" % n, cos, lab, True)
        dist = np.abs(8 - 2 * lab + 3 * rng.standard_normal(n))
        add("manhattan_%d" % n, dist, lab, False)
    return cases


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/golden/metrics"
    os.makedirs(out, exist_ok=True)
    for name, fn in (("ap", ap_cases), ("corr", corr_cases), ("pairclass", pairclass_cases)):
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump({"generator": "tools/gen_metric_goldens.py",
                       "versions": {"numpy": np.__version__,
                                    "sklearn": __import__("sklearn").__version__,
                                    "scipy": __import__("scipy").__version__},
                       "cases": fn()}, f)
            f.write("\n")


if __name__ == "__main__":
    main()
