"""Shared-nearest-neighbour similarity: two articles are close when their closest articles are the same ones.

Raw cosines cannot tell two earthquakes apart well: reports of different events share vocabulary. Their
neighbourhoods differ much more, because each article's nearest neighbours are almost always reports of its own
event (measured on ECB+: 98.6% for the first neighbour). Each article becomes a sparse vector over itself and its
neighbours (weighted by cosine), and the similarity of two articles is the cosine of those vectors. On ECB+ dev this
lifts average-link BCubed F1 from 0.89 to 0.96 (bench/clustering.py).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .neighbors import Neighbors


def neighborhood_vectors(neighbors: Neighbors) -> sp.csr_matrix:
    """Unit rows over article indices: weight 1 on the article itself, the cosine on each kept neighbour."""
    n, width = neighbors.indices.shape
    rows = np.concatenate([np.arange(n), np.repeat(np.arange(n), width)])
    cols = np.concatenate([np.arange(n), neighbors.indices.ravel()])
    vals = np.concatenate([np.ones(n, dtype=np.float32), neighbors.similarities.ravel()])
    keep = cols >= 0
    matrix = sp.csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=(n, n), dtype=np.float32)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix, dtype=np.float32)


def shared_neighbor_similarity(neighbors: Neighbors) -> sp.csr_matrix:
    """Symmetric sparse similarity in [0, 1] with a zero diagonal: cosines of the neighbourhood vectors."""
    vectors = neighborhood_vectors(neighbors)
    similarity = sp.csr_matrix(vectors @ vectors.T)
    similarity.setdiag(0.0)
    similarity.eliminate_zeros()
    return similarity


__all__ = ["neighborhood_vectors", "shared_neighbor_similarity"]
