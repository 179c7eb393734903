"""Sentence vectors for one story: a named embedder from ``storyline.embed``, or TF-IDF when no model is wanted."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from scipy import sparse

from ..text.tokens import english_stop_words

_TOKEN = re.compile(r"(?u)\b\w+\b")


def tfidf_vectors(texts: Sequence[str]) -> sparse.csr_matrix:
    """Unit-length TF-IDF rows of ``texts`` fitted on ``texts`` themselves (English stop words removed, sublinear
    tf). When every text is stop words only there is no shared vocabulary: the rows are the identity (nothing is
    similar to anything else).

    The very matrix scikit-learn's ``TfidfVectorizer(sublinear_tf=True, stop_words="english",
    token_pattern=r"(?u)\\b\\w+\\b")`` gives (columns in alphabetical order, each row's entries in order of the
    words' first use in ``texts``, the same float64 operations in the same order; ``tests/test_summarize.py``
    compares data, indices and pointers) without importing scikit-learn: ~0.7 CPU s in each process that
    summarizes a story not in English, most of a one-article story's cost on a pool worker (issue 15)."""
    stop = english_stop_words()
    vocabulary: dict[str, int] = {}
    first_used: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for text in texts:
        row: dict[int, int] = {}
        for token in _TOKEN.findall(text.lower()):
            if token not in stop:
                j = vocabulary.setdefault(token, len(vocabulary))
                row[j] = row.get(j, 0) + 1
        for j in sorted(row):
            first_used.append(j)
            counts.append(row[j])
        indptr.append(len(first_used))
    if not vocabulary:  # only stop words
        return sparse.identity(len(texts), format="csr")
    alphabetical = np.empty(len(vocabulary), dtype=np.int32)
    alphabetical[[vocabulary[w] for w in sorted(vocabulary)]] = np.arange(len(vocabulary), dtype=np.int32)
    columns = alphabetical[np.asarray(first_used, dtype=np.int32)]
    df = np.bincount(columns, minlength=len(vocabulary)).astype(np.float64) + 1.0  # smoothed: one more document
    idf = np.full_like(df, fill_value=len(texts) + 1, dtype=np.float64)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    data = np.asarray(counts, dtype=np.float64)
    np.log(data, out=data)
    data += 1.0
    data *= idf[columns]
    for start, end in pairwise(indptr):
        total = 0.0
        for value in data[start:end].tolist():  # summed in stored order, as scikit-learn's row normalization does
            total += value * value
        if total != 0.0:
            data[start:end] /= math.sqrt(total)
    return sparse.csr_matrix((data, columns, np.asarray(indptr, dtype=np.int32)), shape=(len(texts), len(vocabulary)))


def embed_texts(texts: Sequence[str], embedder: str) -> np.ndarray:
    """Unit-length vectors of ``texts`` from ``embedder`` ('static', 'minilm', or 'tfidf' for no model)."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    if embedder == "tfidf":
        return np.asarray(tfidf_vectors(texts).toarray(), dtype=np.float32)
    from ..embed import encode

    return encode(embedder, list(texts))
