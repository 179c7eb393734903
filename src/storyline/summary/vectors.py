"""Sentence vectors for one story: a named embedder from ``storyline.embed``, or TF-IDF when no model is wanted."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse


def tfidf_vectors(texts: Sequence[str]) -> sparse.csr_matrix:
    """Unit-length TF-IDF rows of ``texts`` fitted on ``texts`` themselves (English stop words removed, sublinear
    tf). When every text is stop words only there is no shared vocabulary: the rows are the identity (nothing is
    similar to anything else)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", token_pattern=r"(?u)\b\w+\b")
    try:
        return sparse.csr_matrix(vectorizer.fit_transform(list(texts)))
    except ValueError:  # only stop words
        return sparse.identity(len(texts), format="csr")


def embed_texts(texts: Sequence[str], embedder: str) -> np.ndarray:
    """Unit-length vectors of ``texts`` from ``embedder`` ('static', 'minilm', or 'tfidf' for no model)."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    if embedder == "tfidf":
        return np.asarray(tfidf_vectors(texts).toarray(), dtype=np.float32)
    from ..embed import encode

    return encode(embedder, list(texts))
