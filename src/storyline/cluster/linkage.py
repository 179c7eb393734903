"""Average-link (UPGMA) agglomerative clustering over a sparse similarity graph, with merge rules.

Missing entries are similarity 0, so on a sparse graph this is exactly average linkage on the dense matrix
(checked against scikit-learn in tests), in memory proportional to the number of edges instead of n².
Two clusters whose ``GroupFacts`` are incompatible (languages, dates) are never merged.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from .constraints import GroupFacts


def average_linkage(
    similarity: sp.spmatrix,
    min_similarity: float,
    facts: Sequence[GroupFacts] | None = None,
    max_days: float = 0.0,
) -> np.ndarray:
    """Labels 0..c-1 (in order of first member), merging while the average similarity >= ``min_similarity``."""
    n = similarity.shape[0]
    coo = sp.triu(similarity, k=1).tocoo()
    links: list[dict[int, float]] = [{} for _ in range(n)]
    for i, j, s in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
        if s > 0:
            links[i][j] = links[i].get(j, 0.0) + s
            links[j][i] = links[j].get(i, 0.0) + s
    size = [1] * n
    version = [0] * n
    members: list[list[int]] = [[i] for i in range(n)]
    group_facts = list(facts) if facts is not None else None
    heap = [(-s, i, j, 0, 0) for i in range(n) for j, s in links[i].items() if i < j and s >= min_similarity]
    heapq.heapify(heap)
    while heap:
        _, a, b, va, vb = heapq.heappop(heap)
        if version[a] != va or version[b] != vb or not members[a] or not members[b]:
            continue
        if group_facts is not None and not group_facts[a].compatible(group_facts[b], max_days):
            continue
        if len(links[a]) < len(links[b]):
            a, b = b, a
        for c, s in links[b].items():
            if c == a:
                continue
            links[a][c] = links[a].get(c, 0.0) + s
            del links[c][b]
            links[c][a] = links[a][c]
        links[a].pop(b, None)
        links[b] = {}
        size[a] += size[b]
        members[a].extend(members[b])
        members[b] = []
        version[a] += 1
        version[b] += 1
        if group_facts is not None:
            group_facts[a] = group_facts[a].joined(group_facts[b])
        for c, s in links[a].items():
            average = s / (size[a] * size[c])
            if average >= min_similarity:
                heapq.heappush(heap, (-average, min(a, c), max(a, c), version[min(a, c)], version[max(a, c)]))
    labels = np.empty(n, dtype=np.int64)
    roots = sorted((r for r in range(n) if members[r]), key=lambda r: min(members[r]))
    for label, root in enumerate(roots):
        labels[members[root]] = label
    return labels


__all__ = ["average_linkage"]
