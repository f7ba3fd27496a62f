#!/usr/bin/python3
"""Build datasets/mteb-mini/: small real-English stand-ins for the MTEB task types.

    /usr/bin/python3 tools/make_mteb_mini.py --sick SICK.txt \
        --banking-train train.csv --banking-test test.csv --out datasets/mteb-mini

The inputs are files of public GitHub snapshots (datasets/mteb-mini/SOURCES.md names
repository, commit and path).  Sampling is deterministic: random.Random(SEED + offset)
per task, on rows in file order with exact duplicates dropped.  Layouts are those of
../shared/data/cmteb-mini (JSON Lines per split; BEIR corpus/queries/qrels).
"""
import argparse
import csv
import json
import os
import pickle
import random
import re

SEED = 42


class _DataOnlyUnpickler(pickle.Unpickler):
    """REALSumm's scores are a pickle of dicts, strings and numpy float scalars: allow those
    two numpy constructors and nothing else, so the file cannot run code."""

    def find_class(self, module, name):
        if (module, name) in (("numpy.core.multiarray", "scalar"), ("numpy", "dtype")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError("refusing global %s.%s" % (module, name))


def realsumm_text(s):
    """REALSumm's sentence tags <t> ... </t> removed, whitespace runs made one space."""
    return re.sub(r"\s+", " ", re.sub(r"</?t>", " ", s)).strip()


def write_jsonl(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def read_sick(path):
    rows, seen = [], set()
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(head, line.rstrip("\n").split("\t")))
            key = (r["sentence_A"].strip(), r["sentence_B"].strip())
            if key in seen:
                continue
            seen.add(key)
            rows.append(r)
    return rows


def read_banking(path):
    rows, seen = [], set()
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            t = r["text"].strip()
            if t in seen:
                continue
            seen.add(t)
            rows.append((t, r["category"]))
    return rows


def by_label(rows):
    out = {}
    for t, c in rows:
        out.setdefault(c, []).append(t)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sick", required=True)
    ap.add_argument("--banking-train", required=True)
    ap.add_argument("--banking-test", required=True)
    ap.add_argument("--realsumm-scores", required=True, help="REALSumm scores_dicts/abs.pkl")
    ap.add_argument("--realsumm-src", required=True,
                    help="REALSumm selected_docs_for_human_eval/abs/ptr_generator/src.txt")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    sick = read_sick(a.sick)
    test = [r for r in sick if r["SemEval_set"] == "TEST"]
    # STS: 500 SICK test pairs, relatedness 1-5
    rng = random.Random(SEED + 1)
    sts = rng.sample(test, 500)
    write_jsonl(os.path.join(a.out, "SICK-R-mini", "test.jsonl"),
                [{"sentence1": r["sentence_A"].strip(), "sentence2": r["sentence_B"].strip(),
                  "score": float(r["relatedness_score"])} for r in sts])
    # Pair classification: 400 SICK test pairs, entailment 1 / contradiction 0
    rng = random.Random(SEED + 2)
    ec = [r for r in test if r["entailment_label"] in ("ENTAILMENT", "CONTRADICTION")]
    pc = rng.sample(ec, 400)
    write_jsonl(os.path.join(a.out, "SICK-E-mini", "test.jsonl"),
                [{"sentence1": r["sentence_A"].strip(), "sentence2": r["sentence_B"].strip(),
                  "label": 1 if r["entailment_label"] == "ENTAILMENT" else 0} for r in pc])

    btrain = by_label(read_banking(a.banking_train))
    btest = by_label(read_banking(a.banking_test))
    labels = sorted(btest)
    # Classification: 20 intents, 16 train and 10 test utterances each
    rng = random.Random(SEED + 3)
    intents = sorted(rng.sample(labels, 20))
    tr, te = [], []
    for c in intents:
        tr += [{"text": t, "label": c} for t in rng.sample(btrain[c], 16)]
        te += [{"text": t, "label": c} for t in rng.sample(btest[c], 10)]
    rng.shuffle(tr)
    rng.shuffle(te)
    write_jsonl(os.path.join(a.out, "Banking77-mini", "train.jsonl"), tr)
    write_jsonl(os.path.join(a.out, "Banking77-mini", "test.jsonl"), te)
    # Clustering: 2 sets, each 15 intents x 12 test utterances
    rng = random.Random(SEED + 4)
    sets = []
    for _ in range(2):
        pairs = []
        for c in sorted(rng.sample(labels, 15)):
            pairs += [(t, c) for t in rng.sample(btest[c], 12)]
        rng.shuffle(pairs)
        sets.append({"sentences": [p[0] for p in pairs], "labels": [p[1] for p in pairs]})
    write_jsonl(os.path.join(a.out, "Banking77Clustering-mini", "test.jsonl"), sets)
    # Reranking: 60 test queries; 2 positives (train, same intent), 9 negatives (train, other intents)
    rng = random.Random(SEED + 5)
    rr = []
    for c in sorted(rng.sample(labels, 30)):
        for q in rng.sample(btest[c], 2):
            pos = rng.sample(btrain[c], 2)
            neg = []
            for o in rng.sample([x for x in labels if x != c], 9):
                neg.append(rng.choice(btrain[o]))
            rr.append({"query": q, "positive": pos, "negative": neg})
    rng.shuffle(rr)
    write_jsonl(os.path.join(a.out, "Banking77Reranking-mini", "test.jsonl"), rr)
    # Reranking with list-valued queries (the MindSmallReranking shape: a user's history):
    # 40 samples; query = 1-4 test utterances of one intent, positives 2 train utterances of
    # that intent, negatives 1 train utterance of each of 8 other intents
    rng = random.Random(SEED + 8)
    hr = []
    for c in sorted(rng.sample(labels, 40)):
        hist = rng.sample(btest[c], rng.randint(1, 4))
        pos = rng.sample(btrain[c], 2)
        neg = [rng.choice(btrain[o]) for o in rng.sample([x for x in labels if x != c], 8)]
        hr.append({"query": hist, "positive": pos, "negative": neg})
    rng.shuffle(hr)
    write_jsonl(os.path.join(a.out, "Banking77HistoryReranking-mini", "test.jsonl"), hr)
    # Retrieval: corpus = 25 intents x 12 train utterances; 75 test queries (3 per intent),
    # relevant = the 12 corpus documents of the query's intent
    rng = random.Random(SEED + 6)
    corpus, queries, qrels = [], [], []
    for c in sorted(rng.sample(labels, 25)):
        docs = []
        for t in rng.sample(btrain[c], 12):
            docs.append("d%d" % len(corpus))
            corpus.append({"_id": docs[-1], "title": "", "text": t})
        for t in rng.sample(btest[c], 3):
            qid = "q%d" % len(queries)
            queries.append({"_id": qid, "text": t})
            qrels += [(qid, d) for d in docs]
    d = os.path.join(a.out, "Banking77Retrieval-mini")
    write_jsonl(os.path.join(d, "corpus.jsonl"), corpus)
    write_jsonl(os.path.join(d, "queries.jsonl"), queries)
    os.makedirs(os.path.join(d, "qrels"), exist_ok=True)
    with open(os.path.join(d, "qrels", "test.tsv"), "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        for q, c in qrels:
            f.write("%s\t%s\t1\n" % (q, c))

    # Summarization: 30 of REALSumm's 100 CNN/DM documents; human summary = the reference,
    # machine summaries = the 14 abstractive systems (sorted by system name), relevance =
    # their LitePyramid recall (human SCU judgements)
    with open(a.realsumm_scores, "rb") as f:
        rs = _DataOnlyUnpickler(f).load()
    with open(a.realsumm_src, encoding="utf-8") as f:
        src = f.read().split("\n")
    rng = random.Random(SEED + 7)
    summ = []
    for i in sorted(rng.sample(sorted(rs), 30)):
        doc = rs[i]
        systems = sorted(doc["system_summaries"])
        summ.append({"text": realsumm_text(src[i]),
                     "human_summaries": [realsumm_text(doc["ref_summ"])],
                     "machine_summaries": [realsumm_text(doc["system_summaries"][k]["system_summary"])
                                           for k in systems],
                     "relevance": [float(doc["system_summaries"][k]["scores"]["litepyramid_recall"])
                                   for k in systems]})
    write_jsonl(os.path.join(a.out, "REALSumm-mini", "test.jsonl"), summ)


if __name__ == "__main__":
    main()
