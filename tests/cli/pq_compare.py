#!/usr/bin/env python3
"""Compare `ceval cat` output with DuckDB's JSON export of the same parquet file.

usage: pq_compare.py ACTUAL.jsonl EXPECTED.jsonl [COLUMN...]
Values are compared after parsing: numbers with a relative tolerance of 1e-12
(NaN equals NaN), strings, lists and nulls exactly; with COLUMNs, expected rows
are reduced to those keys.  Exit 0 when equal, 1 with the first difference.
"""
import json
import math
import sys


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, float) and math.isnan(a) or isinstance(b, float) and math.isnan(b):
            return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    actual, expected = load(sys.argv[1]), load(sys.argv[2])
    cols = sys.argv[3:]
    if cols:
        expected = [{k: row[k] for k in cols} for row in expected]
    if len(actual) != len(expected):
        print(f"{len(actual)} rows, expected {len(expected)}")
        return 1
    for i, (a, e) in enumerate(zip(actual, expected)):
        if not same(a, e):
            print(f"row {i + 1}: got      {json.dumps(a)[:400]}\n       expected {json.dumps(e)[:400]}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
