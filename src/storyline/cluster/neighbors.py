"""The k nearest neighbours of every article: exact on small inputs, hnswlib on a dense sketch beyond that.

Exact search multiplies the sparse TF-IDF matrix with itself block by block (quadratic, fine up to a few
thousand articles). Larger inputs go through an HNSW index over a count-sketch of the same vectors; the candidates
it returns are then re-scored on the exact sparse vectors, so only the search is approximate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..config import ClusterOptions
from .constraints import GroupFacts, compatible_pairs
from .features import sketch

BLOCK = 1024


@dataclass(slots=True)
class Neighbors:
    """``indices[i]`` are the neighbours of row i (best first, -1 = none), ``similarities[i]`` their cosines."""

    indices: np.ndarray
    similarities: np.ndarray


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(part_scores, order, axis=1)


def exact_neighbors(vectors: sp.csr_matrix, k: int) -> Neighbors:
    """Exact top-``k`` cosine neighbours by blocked sparse products."""
    n = vectors.shape[0]
    transposed = vectors.T.tocsc()
    indices = np.full((n, k), -1, dtype=np.int64)
    sims = np.zeros((n, k), dtype=np.float32)
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        scores = np.asarray((vectors[start:stop] @ transposed).todense(), dtype=np.float32)
        scores[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        idx, val = top_k(scores, k)
        width = idx.shape[1]
        indices[start:stop, :width] = idx
        sims[start:stop, :width] = val
    indices[~np.isfinite(sims)] = -1
    sims[~np.isfinite(sims)] = 0.0
    return Neighbors(indices, sims)


def _rescore(vectors: sp.csr_matrix, candidates: np.ndarray) -> np.ndarray:
    """Exact cosines between each row and its candidate rows (-1 candidates score -inf)."""
    n, width = candidates.shape
    out = np.full((n, width), -np.inf, dtype=np.float32)
    step = max(1, 16_384 // max(width, 1))  # ~16k row copies at a time: bounded memory
    for start in range(0, n, step):
        stop = min(n, start + step)
        block = candidates[start:stop]
        valid = block >= 0
        rows = np.repeat(np.arange(start, stop), width)[valid.ravel()]
        cols = block[valid]
        dots = np.asarray(vectors[rows].multiply(vectors[cols]).sum(axis=1), dtype=np.float32).ravel()
        chunk = np.full(block.shape, -np.inf, dtype=np.float32)
        chunk[valid] = dots
        out[start:stop] = chunk
    return out


def approximate_neighbors(vectors: sp.csr_matrix, k: int, options: ClusterOptions) -> Neighbors:
    """Top-``k`` neighbours from an HNSW index over a count-sketch, re-scored on the exact vectors."""
    import hnswlib

    n = vectors.shape[0]
    dense = sketch(vectors, options.sketch_dims)
    index = hnswlib.Index(space="ip", dim=dense.shape[1])
    index.init_index(max_elements=n, ef_construction=100, M=16, random_seed=1)
    # One thread: a multi-threaded build inserts in a different order each run and changes the graph.
    index.add_items(dense, np.arange(n), num_threads=1)
    width = min(n, max(4 * k, 32))
    index.set_ef(max(width, 64))
    candidates, _ = index.knn_query(dense, k=width)
    candidates = candidates.astype(np.int64)
    candidates[candidates == np.arange(n)[:, None]] = -1
    scores = _rescore(vectors, candidates)
    top, top_scores = top_k(scores, k)
    indices = np.take_along_axis(candidates, top, axis=1)
    indices[~np.isfinite(top_scores)] = -1
    top_scores[~np.isfinite(top_scores)] = 0.0
    return Neighbors(indices, top_scores.astype(np.float32))


def nearest_neighbors(vectors: sp.csr_matrix, facts: Sequence[GroupFacts], options: ClusterOptions) -> Neighbors:
    """The ``options.neighbors`` most similar articles of each article that the hard rules allow it to join."""
    n = vectors.shape[0]
    k = min(options.neighbors, n - 1)
    if k <= 0:
        return Neighbors(np.full((n, 0), -1, dtype=np.int64), np.zeros((n, 0), dtype=np.float32))
    found = exact_neighbors(vectors, k) if n <= options.exact_limit else approximate_neighbors(vectors, k, options)
    return apply_rules(found, facts, options)


def apply_rules(found: Neighbors, facts: Sequence[GroupFacts], options: ClusterOptions) -> Neighbors:
    """``found`` without the neighbours the hard rules forbid or that are under ``options.min_similarity``."""
    n = found.indices.shape[0]
    rows = np.repeat(np.arange(n), found.indices.shape[1])
    cols = found.indices.ravel()
    valid = cols >= 0
    ok = np.zeros(rows.shape, dtype=bool)
    ok[valid] = compatible_pairs(facts, rows[valid], cols[valid], options)
    ok &= found.similarities.ravel() >= options.min_similarity
    found.indices[~ok.reshape(found.indices.shape)] = -1
    found.similarities[~ok.reshape(found.indices.shape)] = 0.0
    return found


__all__ = ["Neighbors", "apply_rules", "approximate_neighbors", "exact_neighbors", "nearest_neighbors"]
