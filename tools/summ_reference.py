#!/usr/bin/python3
"""Reference for the summarization (SummEval) task type, R1 and R3.

Run with Debian's interpreter (numpy, scipy): /usr/bin/python3 tools/summ_reference.py --self-test

Definition (mteb SummarizationEvaluator): for each text i, every machine summary m
gets cos_i(m) = max over the text's human summaries h of cos(m, h) and
dot_i(m) = max of <m, h>.  A text is skipped when its human scores, its dot
predictions or its cosine predictions are all equal (a single distinct value).
For the kept texts, Spearman and Pearson of (human scores, predictions) are taken.

R1 (mteb 1.x, behind the published bge-en numbers): the evaluator appends the
whole scipy result (correlation, p-value) per text and takes np.mean of that
list, i.e. the mean over the 2N numbers: mean_i((r_i + p_i) / 2).  This is the
bug of mteb issue #1156; `cos_sim.spearman` of a 1.x results file is that number.
R3 (mteb 2.x): the mean over kept texts of the correlation alone.
The linear normalisation of the human scores (relevance / 5) changes neither.
"""
import sys

import numpy as np
from scipy.stats import pearsonr, spearmanr


def per_text_preds(hum_emb, mach_emb):
    """hum_emb (H, d), mach_emb (M, d) -> (cos max (M,), dot max (M,))."""
    hn = hum_emb / np.linalg.norm(hum_emb, axis=1, keepdims=True)
    mn = mach_emb / np.linalg.norm(mach_emb, axis=1, keepdims=True)
    return (mn @ hn.T).max(axis=1), (mach_emb @ hum_emb.T).max(axis=1)


def summarization_scores(texts, compat="r1"):
    """texts: list of (human_emb, machine_emb, human_scores). Returns dict of
    cosine_spearman, cosine_pearson, dot_spearman, dot_pearson, n_skipped."""
    acc = {"cosine_spearman": [], "cosine_pearson": [], "dot_spearman": [], "dot_pearson": []}
    skipped = 0
    for hum, mach, gold in texts:
        c, d = per_text_preds(np.asarray(hum, float), np.asarray(mach, float))
        gold = list(gold)
        if len(set(gold)) == 1 or len(set(d.tolist())) == 1 or len(set(c.tolist())) == 1:
            skipped += 1
            continue
        for name, fn, pred in (("cosine_spearman", spearmanr, c), ("cosine_pearson", pearsonr, c),
                               ("dot_spearman", spearmanr, d), ("dot_pearson", pearsonr, d)):
            res = fn(gold, pred)
            stat, pval = float(res[0]), float(res[1])
            acc[name].append((stat + pval) / 2.0 if compat == "r1" else stat)
    out = {k: float(np.mean(v)) if v else float("nan") for k, v in acc.items()}
    out["n_skipped"] = skipped
    return out


def self_test():
    rng = np.random.default_rng(7)
    texts = []
    for i in range(12):
        hum = rng.normal(size=(4, 8))
        mach = rng.normal(size=(9, 8))
        gold = rng.integers(1, 6, size=9).astype(float) / 5.0
        if i == 3:
            gold[:] = 0.6  # constant human scores: must be skipped
        texts.append((hum, mach, gold))
    r1 = summarization_scores(texts, "r1")
    r3 = summarization_scores(texts, "r3")
    assert r1["n_skipped"] == 1 and r3["n_skipped"] == 1
    # Replay the 1.x expression literally: np.mean over a list of scipy result tuples.
    lst, stats = [], []
    for hum, mach, gold in texts:
        c, d = per_text_preds(hum, mach)
        if len(set(gold)) == 1:
            continue
        lst.append(spearmanr(gold, c))
        stats.append(spearmanr(gold, c)[0])
    assert abs(np.mean(lst) - r1["cosine_spearman"]) < 1e-12, (np.mean(lst), r1)
    assert abs(np.mean(stats) - r3["cosine_spearman"]) < 1e-12
    assert abs(r1["cosine_spearman"] - r3["cosine_spearman"]) > 1e-3  # the bug is visible
    # Scale invariance of the human-score normalisation.
    scaled = [(h, m, g * 5.0) for h, m, g in texts]
    assert abs(summarization_scores(scaled, "r1")["cosine_spearman"] - r1["cosine_spearman"]) < 1e-12
    print("self-test ok: r1 cosine_spearman %.6f, r3 %.6f" % (r1["cosine_spearman"], r3["cosine_spearman"]))


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    else:
        sys.exit("usage: tools/summ_reference.py --self-test (library: summarization_scores)")
