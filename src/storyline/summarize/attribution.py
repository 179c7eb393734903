"""Which articles support a summary sentence, and where: a calibrated support score over every candidate span.

Embeddings alone call two sentences about the same topic "similar"; word overlap alone misses paraphrases
('wouldn't rule out a military option' / 'was not ruling out a military invasion'). The support score combines
both with the evidence that decides whether two sentences state the same *fact*: shared names and numbers,
and a number in one that the other contradicts. It is a logistic model whose weights were fitted on the hand
labels in ``bench/labels/attribution.jsonl`` (``python bench/attribution.py --fit`` refits and prints them),
so a score reads as the probability that the span supports the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models import Citation
from .index import StorySentences
from .terms import Terms

FEATURES = ("cosine", "coverage", "names", "numbers_shared", "numbers_conflict", "bigrams")


@dataclass(frozen=True, slots=True)
class SupportModel:
    """Logistic weights over ``FEATURES``: ``score = sigmoid(bias + weights . features)``."""

    bias: float
    weights: tuple[float, ...]

    def score(self, features: np.ndarray) -> np.ndarray:
        """Support probability of each row of ``features`` (columns in ``FEATURES`` order)."""
        z = self.bias + features @ np.asarray(self.weights)
        return 1.0 / (1.0 + np.exp(-z))


# Fitted by `python bench/attribution.py --fit` on the hand labels (see docs/summaries.md).
SUPPORT_MODEL = SupportModel(bias=-9.0, weights=(6.0, 6.0, 1.5, 1.0, -2.0, 0.5))


def _coverage(a: Terms, b: Terms, idf: dict[str, float]) -> float:
    """The idf-weighted share of ``a``'s content words that ``b`` also uses."""
    words = a.vocabulary
    if not words:
        return 0.0
    total = sum(idf.get(w, 1.0) for w in words)
    shared = sum(idf.get(w, 1.0) for w in words & b.vocabulary)
    return shared / total if total else 0.0


def pair_features(index: StorySentences, i: int, candidates: np.ndarray) -> np.ndarray:
    """One row of ``FEATURES`` per candidate sentence, for the claim made by sentence ``i``."""
    rows = np.zeros((len(candidates), len(FEATURES)))
    if len(candidates) == 0:
        return rows
    claim = index.terms[i]
    rows[:, 0] = index.vectors[candidates] @ index.vectors[i]
    for r, j in enumerate(candidates):
        other = index.terms[j]
        rows[r, 1] = _coverage(claim, other, index.idf)
        rows[r, 2] = len(claim.names & other.names) / len(claim.names) if claim.names else 0.5
        if claim.numbers and other.numbers:
            shared = claim.numbers & other.numbers
            rows[r, 3] = 1.0 if shared else 0.0
            rows[r, 4] = 0.0 if shared else 1.0
        rows[r, 5] = min(len(claim.bigrams & other.bigrams), 3) / 3
    return rows


def support_scores(
    index: StorySentences, i: int, candidates: np.ndarray, model: SupportModel = SUPPORT_MODEL
) -> np.ndarray:
    """The calibrated support score of each candidate for sentence ``i``."""
    return model.score(pair_features(index, i, candidates))


def best_support(index: StorySentences, i: int, model: SupportModel = SUPPORT_MODEL) -> list[tuple[int, int, float]]:
    """For every article other than sentence ``i``'s own: ``(article, best sentence, score)``."""
    own = int(index.owner[i])
    out: list[tuple[int, int, float]] = []
    for k in range(len(index.articles)):
        if k == own:
            continue
        candidates = index.of_article(k)
        if len(candidates) == 0:
            continue
        scores = support_scores(index, i, candidates, model)
        best = int(np.argmax(scores))
        out.append((k, int(candidates[best]), float(scores[best])))
    return out


def cite(index: StorySentences, i: int, threshold: float, model: SupportModel = SUPPORT_MODEL) -> list[Citation]:
    """The sentence's own span (score 1.0) and the best span of every other article scoring ``threshold`` or more."""
    own = index.sentences[i]
    citations = [Citation(own.article_id, own.start, own.end, 1.0)]
    supporting = [(k, j, s) for k, j, s in best_support(index, i, model) if s >= threshold]
    for _k, j, score in sorted(supporting, key=lambda x: -x[2]):
        span = index.sentences[j]
        citations.append(Citation(span.article_id, span.start, span.end, round(score, 3)))
    return citations
