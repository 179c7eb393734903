"""Batch clustering: TF-IDF vectors and average-link agglomerative clustering on cosine distance."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from ..config import ClusterOptions
from ..models import Article


def story_id(article_ids: Sequence[str]) -> str:
    """A story id derived from its founding article, so the same input always gives the same ids."""
    founder = min(article_ids)
    return "s-" + hashlib.blake2b(founder.encode(), digest_size=6).hexdigest()


def article_features(articles: Sequence[Article]) -> sparse.csr_matrix:
    """L2-normalized TF-IDF vectors of title + text; all-zero rows for texts with no usable terms."""
    texts = [f"{a.title or ''}\n{a.text}" for a in articles]
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=1, max_df=0.9 if len(texts) > 20 else 1.0)
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # no term left in any text (only stop words, punctuation or very common words)
        return sparse.csr_matrix((len(texts), 1))


def cluster_articles(articles: Sequence[Article], options: ClusterOptions | None = None) -> list[list[str]]:
    """Groups of article ids, one per story; every article is in exactly one group."""
    options = options or ClusterOptions()
    if not articles:
        return []
    if len(articles) == 1:
        return [[articles[0].id]]
    features = article_features(articles)
    # Cosine distance is undefined for a text without terms: such an article is a story of its own.
    has_terms = np.asarray(features.getnnz(axis=1)).ravel() > 0
    alone = [[a.id] for a, ok in zip(articles, has_terms, strict=True) if not ok]
    comparable = [a for a, ok in zip(articles, has_terms, strict=True) if ok]
    if len(comparable) < 2:
        return [[a.id] for a in comparable] + alone
    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=options.threshold
    )
    labels = model.fit_predict(features[has_terms].toarray())
    groups: dict[int, list[str]] = {}
    for article, label in zip(comparable, labels, strict=True):
        groups.setdefault(int(label), []).append(article.id)
    return list(groups.values()) + alone
