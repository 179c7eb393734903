"""Sentence similarity inside one story: TF-IDF over the story's own sentences."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models import Sentence
from .vectors import tfidf_vectors


def sentence_similarity(sentences: Sequence[Sentence]) -> np.ndarray:
    """Cosine similarity matrix of ``sentences`` (TF-IDF with stop words removed, sublinear tf)."""
    if not sentences:
        return np.zeros((0, 0))
    matrix = tfidf_vectors([s.text for s in sentences])
    sims = (matrix @ matrix.T).toarray()
    np.fill_diagonal(sims, 1.0)
    return sims
