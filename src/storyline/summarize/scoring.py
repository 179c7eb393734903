"""How much each candidate sentence deserves a place in the summary, before redundancy is considered.

Three signals, all measured across sources so a fact many outlets report outranks one outlet's colour:
- corroborated concepts: content-word bigrams (and names, numbers) weighted by how many articles use them;
- cross-source support: how closely the other articles restate the sentence (best cosine per article);
- position: news puts the main facts first, so early sentences of each article get a bonus.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .index import StorySentences
from .terms import Terms

Concept = tuple[str, ...]


@dataclass(slots=True)
class SentenceScores:
    """Per-candidate signals and the concepts each candidate covers (with their weights)."""

    concepts: list[frozenset[Concept]]
    weight: dict[Concept, float]
    support: np.ndarray
    """Soft count (0..1) of other articles that restate the sentence."""
    centrality: np.ndarray
    """Cosine to the story centroid (every article weighs the same)."""
    lead: np.ndarray
    """1.0 for an article's first sentence, decaying with position."""
    similarity: np.ndarray
    """Cosine similarity between candidates."""


def sentence_concepts(index: StorySentences, i: int) -> frozenset[Concept]:
    """The concepts of candidate ``i``: its content words, bigrams and numbers."""
    return concepts_of(index.terms[i])


def concepts_of(t: Terms) -> frozenset[Concept]:
    """The concepts of a sentence's terms: content words, content bigrams and numbers."""
    concepts: set[Concept] = set(t.bigrams)
    concepts.update((w,) for w in t.words)
    concepts.update(("#", n) for n in t.numbers)
    return frozenset(concepts)


UNIGRAM = 0.3
"""Weight of a single shared word relative to a shared bigram or number."""
DF_POWER = 1.0


def _weight(concept: Concept, df: int) -> float:
    return float(df) ** DF_POWER * (UNIGRAM if len(concept) == 1 else 1.0)


def score_sentences(index: StorySentences) -> SentenceScores:
    """Concept weights, cross-source support, centrality and lead position of every candidate."""
    n = len(index)
    n_articles = len(index.articles)
    concepts = [sentence_concepts(index, i) for i in range(n)]
    article_df: Counter[Concept] = Counter()
    for k in range(n_articles):
        seen: set[Concept] = set()
        for i in index.of_article(k):
            seen |= concepts[i]
        article_df.update(seen)
    min_df = 2 if n_articles >= 3 else 1
    weight = {c: _weight(c, df) for c, df in article_df.items() if df >= min_df}
    if not weight:  # one or two articles that share nothing: fall back to frequency inside the story
        weight = {c: _weight(c, df) for c, df in article_df.items()}

    vectors = index.vectors
    similarity = vectors @ vectors.T if n else np.zeros((0, 0))
    support = np.zeros(n)
    if n_articles > 1:
        for k in range(n_articles):
            members = index.of_article(k)
            if len(members) == 0:
                continue
            best = similarity[:, members].max(axis=1)
            best[index.owner == k] = 0.0
            support += np.clip((best - 0.5) / 0.4, 0.0, 1.0)
        support /= n_articles - 1
    centroid = np.zeros(vectors.shape[1] if n else 1)
    for k in range(n_articles):
        members = index.of_article(k)
        if len(members):
            centroid += vectors[members].mean(axis=0)
    norm = np.linalg.norm(centroid)
    centrality = vectors @ (centroid / norm) if n and norm > 0 else np.zeros(n)
    lead = 1.0 / (1.0 + index.rank.astype(float))
    return SentenceScores(concepts, weight, support, centrality, lead, similarity)
