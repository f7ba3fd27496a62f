#!/usr/bin/python3
"""Golden for eval/learn/hf_stratify.c: numpy's real default_rng draws and the
datasets stratified split (tools/hf_stratify_ref.py).  Writes JSON to stdout;
kept as tests/golden/learn/hf_stratify.json."""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_stratify_ref import stratified_test_indices  # noqa: E402

out = {"numpy": np.__version__}
g = np.random.default_rng(42)
out["u64_seed42"] = [str(int(v)) for v in g.bit_generator.random_raw(6)]
g = np.random.default_rng(0)
out["u64_seed0"] = [str(int(v)) for v in g.bit_generator.random_raw(3)]
g = np.random.default_rng(42)
out["perm"] = [[int(v) for v in g.permutation(n)] for n in (1, 2, 7, 100, 3000)]
g = np.random.default_rng(42)
out["choice"] = [[int(v) for v in g.choice(np.arange(p), size=k, replace=False)]
                 for p, k in ((5, 5), (30, 3), (10, 1), (50, 49), (20000, 1000), (20000, 10))]
g = np.random.default_rng(7)
out["bounded"] = [[int(v) for v in g.integers(0, m + 1, size=5, dtype=np.uint64)]
                  for m in (1, 6, 1000, 2**32 - 2, 2**40)]

cases = []
r = np.random.RandomState(3)
for n, nc, n_test, skew in ((6000, 10, 2048, 0), (500, 7, 100, 1), (40, 3, 9, 1), (2100, 31, 2048, 1)):
    if skew:
        p = r.dirichlet(np.ones(nc))
        y = r.choice(nc, size=n - 2 * nc, p=p).tolist() + [c for c in range(nc) for _ in range(2)]
    else:
        y = (np.arange(n) % nc).tolist()
    r.shuffle(y)
    cases.append({"labels": [int(v) for v in y], "n_classes": nc, "n_test": n_test, "seed": 42,
                  "test": stratified_test_indices(y, n_test, 42)})
out["stratify"] = cases
json.dump(out, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
