"""Sentence similarity inside one story: TF-IDF over the story's own sentences."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from ..models import Sentence


def sentence_similarity(sentences: Sequence[Sentence]) -> np.ndarray:
    """Cosine similarity matrix of ``sentences`` (TF-IDF with stop words removed, sublinear tf)."""
    if not sentences:
        return np.zeros((0, 0))
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", token_pattern=r"(?u)\b\w+\b")
    try:
        matrix = vectorizer.fit_transform([s.text for s in sentences])
    except ValueError:  # only stop words
        return np.eye(len(sentences))
    sims = (matrix @ matrix.T).toarray()
    np.fill_diagonal(sims, 1.0)
    return sims
