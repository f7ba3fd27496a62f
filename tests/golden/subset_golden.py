#!/usr/bin/env python3
"""Independent Python model of the subset rule "ceval-subset-v1" (eval/subset.h),
written from the rule's text, to produce the goldens of tests/eval/test_subset.c.

Run: python3 tests/golden/subset_golden.py   (prints C initialisers)
"""
M64 = (1 << 64) - 1


class SplitMix64:
    # Steele, Lea, Flood 2014 (java.util.SplittableRandom's mixer)
    def __init__(self, seed):
        self.s = seed & M64

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & M64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def below(self, bound):
        if bound <= 1:
            return 0
        # accept x < the largest multiple of bound that fits in 2^64
        lim = (1 << 64) - ((1 << 64) % bound)
        while True:
            x = self.next()
            if x < lim:
                return x % bound


def allocate(sizes, n):
    T = sum(sizes)
    if n == T:
        return list(sizes)
    alloc = [n * c // T for c in sizes]
    rem = [n * c % T for c in sizes]
    left = n - sum(alloc)
    order = sorted(range(len(sizes)), key=lambda k: (-rem[k], k))
    for k in order[:left]:
        alloc[k] += 1
    return alloc


def stratified(strata, n_strata, n, rng):
    rows = len(strata)
    if n >= rows:
        return list(range(rows))
    members = [[i for i in range(rows) if strata[i] == k] for k in range(n_strata)]
    alloc = allocate([len(m) for m in members], n)
    out = []
    for k in range(n_strata):
        m = list(members[k])
        for j in range(alloc[k]):
            r = j + rng.below(len(m) - j)
            m[j], m[r] = m[r], m[j]
            out.append(m[j])
    return sorted(out)


def main():
    r = SplitMix64(1234567)
    print("splitmix64 seed 1234567:", [r.next() for _ in range(5)])
    print("allocate [10,3,7,0,1] n=9:", allocate([10, 3, 7, 0, 1], 9))
    print("allocate [5,5,5] n=7:", allocate([5, 5, 5], 7))
    strata = [(i * 7) % 11 % 3 for i in range(40)]
    print("strata:", strata)
    print("stratified 40 rows, 3 strata, n=13, seed 42:", stratified(strata, 3, 13, SplitMix64(42)))
    # STS: 5 equal-width buckets over [0, 5] of these 25 scores
    scores = [(i * 37 % 26) / 5.0 for i in range(25)]
    buckets = [min(4, max(0, int((s - 0.0) / 5.0 * 5))) for s in scores]
    print("sts scores:", scores)
    print("sts n=10 seed 42:", stratified(buckets, 5, 10, SplitMix64(42)))


if __name__ == "__main__":
    main()
