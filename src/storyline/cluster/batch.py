"""Batch clustering: TF-IDF + entity features, k nearest neighbours, shared-neighbour similarity, average link.

An input in several languages, with a cross-lingual model installed, takes its neighbours from ``crosslingual.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ..config import ClusterOptions
from ..embed import cross_lingual_model, encode
from ..models import Article
from .constraints import GroupFacts, conflicting_magnitudes, facts_of
from .crosslingual import (
    Embedded,
    Encoder,
    article_embeddings,
    cross_lingual_neighbors,
    is_multilingual,
    languages_of,
    needs_embedding,
)
from .features import tfidf_vectors
from .linkage import average_linkage
from .neighbors import nearest_neighbors
from .snn import shared_neighbor_similarity


def story_id(article_ids: Sequence[str]) -> str:
    """A story id derived from its founding article, so the same input always gives the same ids."""
    founder = min(article_ids)
    return "s-" + hashlib.blake2b(founder.encode(), digest_size=6).hexdigest()


def cluster_articles(articles: Sequence[Article], options: ClusterOptions | None = None,
                     encoder: Encoder = encode) -> list[list[str]]:
    """Groups of article ids, one per story; every article is in exactly one group.

    The result does not depend on the order of ``articles`` (they are clustered in id order).
    """
    options = options or ClusterOptions()
    if not articles:
        return []
    ordered = sorted(articles, key=lambda a: a.id)
    if len(ordered) == 1:
        return [[ordered[0].id]]
    labels = cluster_labels(ordered, options, encoder)
    groups: dict[int, list[str]] = {}
    for article, label in zip(ordered, labels, strict=True):
        groups.setdefault(int(label), []).append(article.id)
    return list(groups.values())


def cluster_labels(articles: Sequence[Article], options: ClusterOptions, encoder: Encoder = encode) -> list[int]:
    """A story label per article, in the order given; ``encoder`` runs the cross-lingual model
    (``crosslingual.article_embeddings``)."""
    model = cross_lingual_model(options.cross_lingual)
    languages = languages_of(articles)
    vectors = tfidf_vectors(articles, options)
    facts = facts_of(articles)
    if model is not None and is_multilingual(languages):
        needed = needs_embedding(languages, facts, options.max_days)
        if needed.any():
            embedded = Embedded(article_embeddings(articles, model, needed, encoder), model)
            return linked_labels(vectors, facts, options, embedded)
    return linked_labels(vectors, facts, options)


def linked_labels(vectors: sp.csr_matrix, facts: Sequence[GroupFacts], options: ClusterOptions,
                  embedded: Embedded | None = None) -> list[int]:
    """Labels from neighbours, shared-neighbour similarity and average link: the one decision the batch and the
    incremental path share. With ``embedded`` (vectors of the same rows from a cross-lingual model), pairs of two
    known languages are scored by the model (``crosslingual.py``) and the language rule is lifted. Two articles
    stating different earthquake magnitudes have similarity 0 (``constraints.conflicting_magnitudes``): their groups
    join only when the rest of their pairs carry them."""
    if vectors.shape[0] == 1:
        return [0]
    if embedded is not None:
        languages = np.array([f.language or "" for f in facts], dtype=object)
        facts = [GroupFacts(None, f.first, f.last) for f in facts]
        neighbors = cross_lingual_neighbors(vectors, embedded.vectors, languages, facts, options, embedded.model)
    else:
        neighbors = nearest_neighbors(vectors, facts, options)
    similarity = shared_neighbor_similarity(neighbors).tocoo()
    similarity.data[conflicting_magnitudes(vectors, similarity.row, similarity.col)] = 0.0
    return average_linkage(similarity, 1.0 - options.threshold, facts, options.max_days).tolist()


__all__ = ["cluster_articles", "cluster_labels", "linked_labels", "story_id"]
