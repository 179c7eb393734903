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
from scipy import sparse

from .index import StorySentences
from .terms import Terms

Concept = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConceptModel:
    """Logistic weights over ``CONCEPT_FEATURES``: the probability that a reference summary uses the concept."""

    bias: float
    weights: tuple[float, ...]

    def score(self, features: np.ndarray) -> np.ndarray:
        z = self.bias + features @ np.asarray(self.weights)
        return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True, slots=True)
class ConceptWeights:
    """How a concept's weight is made from the articles that use it (tuned on DUC 2003, checked on MultiLing)."""

    unigram: float = 0.3
    """Weight of a single content word relative to a bigram or number."""
    df_power: float = 1.0
    """A concept used by ``df`` articles weighs ``df ** df_power``."""
    position: float = 0.0
    """Extra weight per article for a concept that article uses early: ``position / (1 + first rank)``."""
    function_bigrams: bool = False
    """Also count bigrams with one stop word ('president of', 'the quake'), as ROUGE-2 does."""
    min_df: int = 2
    """In stories of three or more articles a concept counts only when this many articles use it."""
    model: ConceptModel | None = None
    """When set, a concept weighs the model's probability that a human summary uses it (the rules above only
    choose which concepts exist: ``function_bigrams``)."""


# Fitted by `python bench/fit_concepts.py --train duc2003` (DUC 2003 clusters and 2-3-article subsets of them);
# MultiLing 2011 is the held-out check (bench/RESULTS.md).
CONCEPT_MODEL = ConceptModel(
    bias=-4.517, weights=(1.606, -0.151, -0.047, 1.307, 6.456, -1.427, -1.522, -0.884, -0.509, -0.086)
)
CONCEPTS = ConceptWeights(function_bigrams=True, model=CONCEPT_MODEL)


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
    names: list[Concept]
    """Every concept of the story, sorted: the columns of ``incidence``."""
    incidence: sparse.csr_matrix
    """Candidates x concepts, 1 where the candidate uses the concept."""
    weight_vector: np.ndarray
    """``weight`` per column of ``incidence``."""


def concepts_of(t: Terms, weights: ConceptWeights | None = None) -> frozenset[Concept]:
    """The concepts of a sentence: content words, content bigrams, numbers (and its function bigrams when
    ``weights.function_bigrams``)."""
    weights = weights or CONCEPTS
    concepts: set[Concept] = set(t.bigrams)
    concepts.update((w,) for w in t.vocabulary)
    concepts.update(("#", n) for n in t.numbers)
    if weights.function_bigrams:
        concepts |= t.function_bigrams
    return frozenset(concepts)


CONCEPT_FEATURES = ("share", "log_df", "early", "lead", "spread", "bigram", "function", "unigram", "number", "small")
"""Features of a concept in one story, one column each, in this order (``concept_features``)."""


def concept_features(
    index: StorySentences, concepts: list[frozenset[Concept]]
) -> tuple[list[Concept], np.ndarray, sparse.csr_matrix]:
    """Every concept of the story (sorted), its ``CONCEPT_FEATURES`` row, and the sentence x concept incidence.

    share: articles using it / articles; log_df: log(1 + articles using it); early: mean over articles of
    1 / (1 + rank of the first candidate using it) (0 for an article that does not); lead: the same, best
    article; spread: log(1 + candidates using it) / log(1 + candidates); the concept's kind (content bigram,
    function bigram, content word, number); small: 1 / articles (stories of 2-3 articles read differently).
    """
    names = sorted(set().union(*concepts)) if concepts else []
    ids = {c: j for j, c in enumerate(names)}
    sentence = np.fromiter((i for i, cs in enumerate(concepts) for _ in cs), dtype=np.int64)
    column = np.fromiter((ids[c] for cs in concepts for c in cs), dtype=np.int64)
    m = len(names)
    incidence = sparse.csr_matrix((np.ones(len(column)), (sentence, column)), shape=(len(concepts), m))
    incidence.sort_indices()
    n_articles = max(len(index.articles), 1)
    first = np.full((n_articles, m), np.inf)
    np.minimum.at(first, (index.owner[sentence], column), index.rank[sentence].astype(float))
    present = np.isfinite(first)
    df = present.sum(axis=0)
    value = np.where(present, 1.0 / (1.0 + np.where(present, first, 0.0)), 0.0)
    count = np.bincount(column, minlength=m)
    rows = np.zeros((m, len(CONCEPT_FEATURES)))
    rows[:, 0] = df / n_articles
    rows[:, 1] = np.log1p(df)
    rows[:, 2] = value.sum(axis=0) / n_articles
    rows[:, 3] = value.max(axis=0) if m else 0.0
    rows[:, 4] = np.log1p(count) / np.log1p(max(len(index), 1))
    kind = np.array([8 if c[0] == "#" else 6 if c[0] == "~" else 5 if len(c) == 2 else 7 for c in names], dtype=int)
    rows[np.arange(m), kind] = 1.0
    rows[:, 9] = 1.0 / n_articles
    return names, rows, incidence


def score_sentences(index: StorySentences, weights: ConceptWeights | None = None) -> SentenceScores:
    """Concept weights, cross-source support, centrality and lead position of every candidate."""
    weights = weights or CONCEPTS
    n = len(index)
    n_articles = len(index.articles)
    concepts = [concepts_of(index.terms[i], weights) for i in range(n)]
    article_df: Counter[Concept] = Counter()
    early: dict[Concept, float] = {}
    for k in range(n_articles if weights.model is None else 0):  # a model weighs concepts from their features
        first: dict[Concept, int] = {}
        for i in index.of_article(k):
            rank = int(index.rank[i])
            for c in concepts[i]:
                if c not in first:
                    first[c] = rank
        article_df.update(first.keys())
        if weights.position:
            for c, rank in first.items():
                early[c] = early.get(c, 0) + 1.0 / (1.0 + rank)
    min_df = weights.min_df if n_articles >= 3 else 1

    def weigh(c: Concept, df: int) -> float:
        base = (df + weights.position * early.get(c, 0)) ** weights.df_power
        return base * (weights.unigram if len(c) == 1 else 1.0)

    names, rows, incidence = concept_features(index, concepts)
    weight_vector: np.ndarray | None = None
    if weights.model is not None:
        weight_vector = weights.model.score(rows)  # one weight per column of ``incidence``
        weight = dict(zip(names, weight_vector.tolist(), strict=True))
    else:
        weight = {c: weigh(c, df) for c, df in article_df.items() if df >= min_df}
    if not weight:  # one or two articles that share nothing: fall back to frequency inside the story
        weight = {c: weigh(c, df) for c, df in article_df.items()}
        weight_vector = None
    if weight_vector is None:
        weight_vector = np.array([weight.get(c, 0.0) for c in names])
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
    return SentenceScores(concepts, weight, support, centrality, lead, similarity, names, incidence, weight_vector)
