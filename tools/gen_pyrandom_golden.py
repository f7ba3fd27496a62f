#!/usr/bin/env python3
"""Golden for eval/learn/pyrandom.c: draws of CPython's own random.Random.

Writes tests/golden/learn/pyrandom.json.  Each case records the seed and the
calls so tests/eval/test_pyrandom.c replays the same sequence in C.
"""
import json
import random
import sys

out = {"python": sys.version.split()[0], "cases": []}


def case(name, seed, calls):
    r = random.Random(seed)
    res = []
    for c in calls:
        op = c[0]
        if op == "random":
            res.append([r.random() for _ in range(c[1])])
        elif op == "getrandbits":
            res.append([r.getrandbits(c[1]) for _ in range(c[2])])
        elif op == "randbelow":
            res.append([r._randbelow(c[1]) for _ in range(c[2])])
        elif op == "sample":
            res.append(r.sample(range(c[1]), k=c[2]))
        elif op == "choices":
            res.append(r.choices(range(c[1]), k=c[2]))
        elif op == "shuffle":
            a = list(range(c[1]))
            r.shuffle(a)
            res.append(a)
    # values above 2**63 do not fit json ints read as int64: store as strings
    res = [[str(v) if isinstance(v, int) else v for v in x] for x in res]
    out["cases"].append({"name": name, "seed": str(seed), "calls": calls, "want": res})


case("u32-seed0", 0, [["getrandbits", 32, 8], ["random", 8]])
case("u32-seed42", 42, [["getrandbits", 32, 8], ["random", 8]])
case("seed-2words", 2**32 + 5, [["getrandbits", 32, 4], ["random", 4]])
case("seed-big", 2**64 - 1, [["getrandbits", 32, 4]])
case("getrandbits", 42, [["getrandbits", k, 3] for k in (0, 1, 7, 31, 33, 40, 63, 64)])
case("randbelow", 42, [["randbelow", n, 5] for n in (1, 2, 3, 5, 1000, 2**31, 2**40 + 3)])
case("sample-pool", 42, [["sample", 10, 5], ["sample", 30, 7], ["sample", 100, 100], ["sample", 5, 0]])
case("sample-set", 42, [["sample", 6000, 2048], ["sample", 1000, 6]])
case("mteb-v2", 42, [["sample", 6000, 2048], ["choices", 2048, 300], ["choices", 2048, 16384]])
case("shuffle", 7, [["shuffle", 20], ["shuffle", 1], ["shuffle", 1000]])

json.dump(out, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
