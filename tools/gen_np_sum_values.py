#!/usr/bin/python3
"""Print numpy's np.sum of the test series of tests/eval/test_np_sum.c.

Run with Debian's interpreter (numpy 1.24):  /usr/bin/python3 tools/gen_np_sum_values.py
The series is a[i] = (1 / (i + 1)) * (1 if i % 3 == 0 else -0.7): every element
is one correctly rounded division and product, so C builds the same doubles.
"""
import numpy as np

for n in (100, 8192, 8193, 20000, 100000):
    i = np.arange(n)
    a = 1.0 / (i + 1).astype(np.float64) * np.where(i % 3 == 0, 1.0, -0.7)
    print(f"\t{{{n}, {float(np.sum(a)).hex()}}}, /* {float(np.sum(a))!r} */")
