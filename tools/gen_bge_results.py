#!/usr/bin/python3
"""Write results files for the six bge-zh models from the published per-task
C-MTEB scores of ../shared/spec/evaluation.md §12 (x100 there, 0-1 here).

Output: tests/golden/bge-results/<model>/<Task>.json in the results.h layout
(MTEB 2.x shape plus a "ceval" object with the model name and dimension).
tests/eval/test_leaderboard.c aggregates them and checks the §12 Summary
table.  Standard library only:  /usr/bin/python3 tools/gen_bge_results.py
"""
import json
import os
import sys

# task -> (type, split, main metric, hf_subset), in suite order (tasks/suites/cmteb.yaml)
TASKS = [
    ("T2Retrieval", "retrieval", "dev", "ndcg_at_10", "default"),
    ("MMarcoRetrieval", "retrieval", "dev", "ndcg_at_10", "default"),
    ("DuRetrieval", "retrieval", "dev", "ndcg_at_10", "default"),
    ("CovidRetrieval", "retrieval", "dev", "ndcg_at_10", "default"),
    ("CmedqaRetrieval", "retrieval", "dev", "ndcg_at_10", "default"),
    ("EcomRetrieval", "retrieval", "dev", "ndcg_at_10", "default"),
    ("MedicalRetrieval", "retrieval", "dev", "ndcg_at_10", "default"),
    ("VideoRetrieval", "retrieval", "dev", "ndcg_at_10", "default"),
    ("ATEC", "sts", "test", "cosine_spearman", "default"),
    ("BQ", "sts", "test", "cosine_spearman", "default"),
    ("LCQMC", "sts", "test", "cosine_spearman", "default"),
    ("PAWSX", "sts", "test", "cosine_spearman", "default"),
    ("STSB", "sts", "test", "cosine_spearman", "default"),
    ("AFQMC", "sts", "validation", "cosine_spearman", "default"),
    ("QBQTC", "sts", "test", "cosine_spearman", "default"),
    ("STS22", "sts", "test", "cosine_spearman", "zh"),
    ("Ocnli", "pair_classification", "validation", "cosine_ap", "default"),
    ("Cmnli", "pair_classification", "validation", "cosine_ap", "default"),
    ("TNews", "classification", "validation", "accuracy", "default"),
    ("IFlyTek", "classification", "validation", "accuracy", "default"),
    ("MultilingualSentiment", "classification", "validation", "accuracy", "default"),
    ("JDReview", "classification", "test", "accuracy", "default"),
    ("OnlineShopping", "classification", "test", "accuracy", "default"),
    ("Waimai", "classification", "test", "accuracy", "default"),
    ("AmazonReviewsClassification", "classification", "test", "accuracy", "zh"),
    ("MassiveIntentClassification", "classification", "test", "accuracy", "zh-CN"),
    ("MassiveScenarioClassification", "classification", "test", "accuracy", "zh-CN"),
    ("T2Reranking", "reranking", "dev", "map", "default"),
    ("MMarcoReranking", "reranking", "dev", "map", "default"),
    ("CMedQAv1-reranking", "reranking", "test", "map", "default"),
    ("CMedQAv2-reranking", "reranking", "test", "map", "default"),
    ("CLSClusteringS2S", "clustering", "test", "v_measure", "default"),
    ("CLSClusteringP2P", "clustering", "test", "v_measure", "default"),
    ("ThuNewsClusteringS2S", "clustering", "test", "v_measure", "default"),
    ("ThuNewsClusteringP2P", "clustering", "test", "v_measure", "default"),
]

# spec §12, per-task rows in the TASKS order above (retrieval 8, STS 8,
# pair classification 2, classification 9, reranking 4, clustering 4)
SCORES = {
    "bge-large-zh-v1.5": (1024, [
        83.99, 79.23, 86.32, 73.35, 42.57, 65.33, 59.59, 73.32,
        49.54, 62.94, 74.33, 33.92, 78.70, 44.36, 37.29, 68.94,
        77.96, 85.29,
        52.10, 48.74, 72.97, 85.14, 91.43, 86.90, 41.38, 68.84, 74.70,
        65.74, 28.74, 83.45, 85.44,
        38.33, 41.44, 56.58, 59.61]),
    "bge-base-zh-v1.5": (768, [
        83.71, 77.69, 85.07, 74.70, 41.61, 64.25, 56.51, 72.35,
        48.17, 61.78, 74.45, 20.40, 78.31, 42.40, 36.22, 68.01,
        75.43, 84.11,
        51.08, 48.62, 70.67, 83.62, 91.26, 85.36, 40.15, 67.93, 73.98,
        66.49, 29.74, 80.47, 84.88,
        37.63, 39.91, 54.12, 58.45]),
    "bge-small-zh-v1.5": (512, [
        76.43, 63.48, 77.28, 70.14, 35.11, 55.71, 49.80, 66.19,
        43.01, 55.22, 72.19, 9.26, 76.73, 33.42, 35.29, 67.72,
        64.57, 76.24,
        48.15, 45.49, 63.06, 80.04, 85.05, 83.18, 35.91, 63.95, 70.80,
        65.90, 20.50, 77.40, 79.86,
        35.14, 38.14, 49.22, 54.22]),
    "bge-large-zh": (1024, [
        84.82, 81.28, 86.94, 74.06, 42.40, 66.12, 59.39, 77.19,
        49.75, 62.93, 75.45, 22.45, 78.51, 44.57, 38.92, 67.24,
        75.75, 82.12,
        50.84, 45.09, 74.41, 85.08, 91.60, 86.54, 42.39, 67.18, 71.76,
        66.19, 26.23, 83.01, 85.01,
        38.05, 40.92, 58.79, 55.79]),
    "bge-base-zh": (768, [
        83.35, 79.11, 86.02, 72.07, 41.77, 63.53, 56.64, 73.76,
        48.28, 61.21, 74.98, 20.65, 78.66, 42.53, 38.01, 68.64,
        73.32, 81.69,
        49.97, 44.54, 70.63, 83.92, 91.38, 85.46, 40.68, 65.72, 71.30,
        66.49, 28.24, 80.12, 84.78,
        36.59, 38.79, 56.16, 59.00]),
    "bge-small-zh": (512, [
        77.59, 67.56, 77.89, 68.95, 35.18, 58.17, 49.90, 69.33,
        43.17, 55.47, 72.61, 9.97, 76.48, 33.93, 36.45, 67.54,
        65.25, 75.46,
        47.67, 42.07, 65.07, 80.64, 87.40, 83.80, 37.31, 61.44, 67.39,
        66.20, 22.82, 77.08, 79.82,
        34.34, 38.23, 51.84, 55.95]),
}

LANG = {"default": ["cmn-Hans"], "zh": ["cmn-Hans"], "zh-CN": ["cmn-Hans"]}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/golden/bge-results"
    for model, (dim, vals) in SCORES.items():
        assert len(vals) == len(TASKS), model
        d = os.path.join(out, model)
        os.makedirs(d, exist_ok=True)
        for (task, _type, split, metric, subset), v in zip(TASKS, vals):
            score = round(v / 100.0, 6)
            doc = {
                "dataset_revision": None,
                "task_name": task,
                "mteb_version": None,
                "evaluation_time": 0.0,
                "kg_co2_emissions": None,
                "date": None,
                "scores": {split: [{"hf_subset": subset, "languages": LANG[subset],
                                    "main_score": score, metric: score}]},
                "ceval": {"version": "published", "compat": "R1", "main_score": metric,
                          "dataset_hash": None,
                          "model": {"name": model, "dim": dim, "fingerprint": None,
                                    "max_seq_length": 512, "query_instruction": None}},
            }
            with open(os.path.join(d, task + ".json"), "w") as f:
                json.dump(doc, f, indent=2)
                f.write("\n")


if __name__ == "__main__":
    main()
