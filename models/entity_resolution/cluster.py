"""Clustering scored pairs into companies without chaining unrelated ones.

Connected components over "probably the same" edges chain: A≈B and B≈C put A and C together
even when A and C are clearly different (山西华阳煤业 ≈ 华阳煤业 ≈ 内蒙古华阳煤业). Here
clusters grow by *average linkage* instead: edges are taken from the most to the least
probable, and two clusters merge only if the mean probability over every scored pair
between them is at least 0.5 — one strong "different" pair outweighs a chain. Hard rules:

- records sharing a valid credit code are one company (must-link, merged first);
- a cluster never holds two different valid codes (cannot-link), whatever the names say;
- a data steward's decisions (:mod:`review`) are constraints too: a *cannot-link* pair never
  ends in one cluster (not even when the two records share a valid code: the steward has
  seen that one of them is mistyped), a *must-link* pair's clusters are merged after the
  scored edges (unless that would join two valid codes or break a cannot-link).

Pairs inside a grown cluster that blocking never proposed are not "unknown forever":
:func:`unscored_pairs` lists them so the caller can score them and cluster again.
"""

from __future__ import annotations

import numpy as np

THRESHOLD = 0.5


def _csr(n: int, pairs: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    src = np.concatenate([pairs[:, 0], pairs[:, 1]])
    dst = np.concatenate([pairs[:, 1], pairs[:, 0]])
    pr = np.concatenate([probs, probs])
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, src + 1, 1)
    return np.cumsum(indptr), dst[order], pr[order]


def cluster(n: int, pairs: np.ndarray, probs: np.ndarray, valid_code: np.ndarray,
            threshold: float = THRESHOLD, *, must_link: np.ndarray | None = None,
            cannot_link: np.ndarray | None = None) -> np.ndarray:
    """Cluster label per record (the smallest record position in its cluster).

    Args:
        n: number of records.
        pairs: scored pairs (k, 2) of record positions.
        probs: calibrated match probability per pair.
        valid_code: per record its valid credit code, ``""`` when none.
        threshold: minimum average probability between two clusters to merge them.
        must_link: (k, 2) record positions a steward said are one company.
        cannot_link: (k, 2) record positions a steward said are different companies.

    Example:
        >>> pairs = np.array([[0, 1], [1, 2], [0, 2]])
        >>> cluster(3, pairs, np.array([0.95, 0.9, 0.01]), np.array(["", "", ""])).tolist()
        [0, 0, 2]
    """
    label = np.arange(n)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    codes: dict[int, str] = {i: valid_code[i] for i in range(n) if valid_code[i]}

    cannot: dict[int, set[int]] = {}
    for x, y in (cannot_link if cannot_link is not None else np.empty((0, 2), dtype=np.int64)):
        cannot.setdefault(int(x), set()).add(int(y))
        cannot.setdefault(int(y), set()).add(int(x))
    constrained: dict[int, list[int]] = {i: [i] for i in cannot}  # root -> members with cannot-links

    def allowed(a: int, b: int) -> bool:
        small, big = (a, b) if len(constrained.get(a, ())) <= len(constrained.get(b, ())) else (b, a)
        return not any(label[q] == big for m in constrained.get(small, ()) for q in cannot[m])

    def merge(a: int, b: int) -> int:
        if len(members[a]) < len(members[b]):
            a, b = b, a
        moved = members.pop(b)
        label[moved] = a
        members[a].extend(moved)
        if b in codes:
            codes.setdefault(a, codes.pop(b))
        if b in constrained:
            constrained.setdefault(a, []).extend(constrained.pop(b))
        return a

    by_code: dict[str, int] = {}
    for i in np.flatnonzero(valid_code != ""):
        root = by_code.get(valid_code[i])
        if root is None or not allowed(label[root], label[i]):
            by_code.setdefault(valid_code[i], i)
            continue
        by_code[valid_code[i]] = merge(label[root], label[i])
    indptr, nbr, nprob = _csr(n, pairs, probs)
    order = np.lexsort((pairs[:, 1], pairs[:, 0], -probs))
    must = set() if must_link is None else {(int(min(x, y)), int(max(x, y))) for x, y in must_link}
    for e in order:
        if probs[e] < threshold:
            break
        if must and (int(min(pairs[e])), int(max(pairs[e]))) in must:
            continue  # merged last, see below
        a, b = label[pairs[e, 0]], label[pairs[e, 1]]
        if a == b:
            continue
        if a in codes and b in codes and codes[a] != codes[b]:
            continue
        if cannot and not allowed(a, b):
            continue
        if len(members[a]) == 1 and len(members[b]) == 1:  # the edge is the only pair between them
            merge(a, b)
            continue
        small, big = (a, b) if len(members[a]) <= len(members[b]) else (b, a)
        total, count = 0.0, 0
        for m in members[small]:
            lo, hi = indptr[m], indptr[m + 1]
            hit = label[nbr[lo:hi]] == big
            total += float(nprob[lo:hi][hit].sum())
            count += int(hit.sum())
        if count and total / count >= threshold:
            merge(a, b)
    # must-links last: merged earlier, one record the model finds unlike the others would drag
    # the average below the threshold and keep out records the model is sure about
    for x, y in (must_link if must_link is not None else np.empty((0, 2), dtype=np.int64)):
        a, b = label[x], label[y]
        if a != b and not (a in codes and b in codes and codes[a] != codes[b]) and allowed(a, b):
            merge(a, b)
    root_min = np.zeros(n, dtype=np.int64)
    for r, ms in members.items():
        root_min[r] = min(ms)
    return root_min[label]


def unscored_pairs(labels: np.ndarray, pairs: np.ndarray, max_size: int = 40) -> np.ndarray:
    """Pairs inside clusters of 3..``max_size`` records that have not been scored yet."""
    n = len(labels)
    sizes = np.bincount(labels, minlength=n)
    wanted = (sizes[labels] >= 3) & (sizes[labels] <= max_size)
    if not wanted.any():
        return np.empty((0, 2), dtype=np.int64)
    inside = wanted[pairs[:, 0]] & wanted[pairs[:, 1]]
    scored = set((pairs[inside, 0] * n + pairs[inside, 1]).tolist())
    out = []
    rows = np.flatnonzero(wanted)
    order = rows[np.argsort(labels[rows], kind="stable")]
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    for group in np.split(order, bounds):
        g = np.sort(group)
        a, b = np.triu_indices(len(g), 1)
        code = g[a] * n + g[b]
        keep = [c not in scored for c in code.tolist()]
        out.append(np.stack([g[a][keep], g[b][keep]], axis=1))
    if not out:
        return np.empty((0, 2), dtype=np.int64)
    return np.concatenate(out).astype(np.int64)
