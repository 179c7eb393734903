"""Sentence vectors for one story: a named embedder from ``storyline.embed``, or TF-IDF when no model is wanted."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def embed_texts(texts: Sequence[str], embedder: str) -> np.ndarray:
    """Unit-length vectors of ``texts`` from ``embedder`` ('static', 'minilm', or 'tfidf' for no model)."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    if embedder == "tfidf":
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", token_pattern=r"(?u)\b\w+\b")
        try:
            matrix = vectorizer.fit_transform(list(texts))
        except ValueError:  # every text is stop words only: no shared vocabulary, nothing is similar
            return np.eye(len(texts), dtype=np.float32)
        return np.asarray(matrix.toarray(), dtype=np.float32)
    if embedder == "minilm":
        _quiet_transformers()
    from ..embed import encode

    return encode(embedder, list(texts))


def _quiet_transformers() -> None:
    """No weight-loading progress bar or load report on the user's terminal (errors still show)."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
