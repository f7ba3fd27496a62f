"""Python reference of datasets' stratified train_test_split (datasets/utils/stratify.py,
Dataset.train_test_split with seed=, stratify_by_column=), on numpy's real Generator.

Written from the algorithm (the `datasets` package is not installable here): used by
tools/gen_hf_stratify_golden.py and tools/mteb_reference_r3.py.
"""
import numpy as np


def approximate_mode(class_counts, n_draws, rng):
    continuous = n_draws * class_counts / class_counts.sum()
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        values = np.sort(np.unique(remainder))[::-1]
        for value in values:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            inds = rng.choice(inds, size=add_now, replace=False)
            floored[inds] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(np.int64)


def stratified_test_indices(y, n_test, seed):
    """y: class ids (ClassLabel ids); returns train_test_split(...)["test"] row order."""
    y = np.asarray(y)
    n_train = len(y) - n_test
    rng = np.random.default_rng(seed)
    classes, y_indices = np.unique(y, return_inverse=True)
    class_counts = np.bincount(y_indices)
    if np.min(class_counts) < 2 or n_train < len(classes) or n_test < len(classes):
        raise ValueError("stratified split impossible")
    class_indices = np.split(np.argsort(y_indices, kind="mergesort"), np.cumsum(class_counts)[:-1])
    n_i = approximate_mode(class_counts, n_train, rng)
    t_i = approximate_mode(class_counts - n_i, n_test, rng)
    train, test = [], []
    for i in range(len(classes)):
        perm = rng.permutation(class_counts[i])
        pi = class_indices[i].take(perm, mode="clip")
        train.extend(pi[: n_i[i]])
        test.extend(pi[n_i[i] : n_i[i] + t_i[i]])
    rng.permutation(train)
    return [int(v) for v in rng.permutation(test)]
