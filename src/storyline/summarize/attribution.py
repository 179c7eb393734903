"""Which articles support a summary sentence, and where: a calibrated support score over candidate spans.

Embeddings alone call two sentences about the same topic "similar"; word overlap alone misses paraphrases
('wouldn't rule out a military option' / 'was not ruling out a military invasion'). The support score is a
logistic model over both kinds of evidence, fitted on the hand labels in ``bench/labels/attribution.jsonl``
(``python bench/attribution.py --fit`` refits and prints the weights), so a score reads as the probability
that the span states the sentence's main fact. Two verifiers:

- ``static`` (default, fast): static-embedding cosine + word/name/number/bigram overlap over every sentence;
- ``minilm`` (precise, slower): each article's few closest spans by the static features are re-scored with
  the MiniLM transformer's cosine; only those sentences are encoded, not the whole story.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..models import Citation
from .index import StorySentences
from .terms import Terms
from .vectors import embed_texts

FEATURES = ("cosine", "coverage", "names", "numbers_shared", "numbers_conflict", "bigrams")
"""Static features, one column each, in this order."""


@dataclass(frozen=True, slots=True)
class SupportModel:
    """Logistic weights over feature columns: ``score = sigmoid(bias + weights . features)``."""

    bias: float
    weights: tuple[float, ...]

    def score(self, features: np.ndarray) -> np.ndarray:
        """Support probability of each row of ``features``."""
        z = self.bias + features @ np.asarray(self.weights)
        return 1.0 / (1.0 + np.exp(-z))


# Fitted by `python bench/attribution.py --fit` on the hand labels (see docs/summaries.md).
STATIC_MODEL = SupportModel(bias=-7.97, weights=(8.10, 7.57, -1.22, 0.43, 0.01, -0.06))
"""Over ``FEATURES``."""
MINILM_MODEL = SupportModel(bias=-6.59, weights=(7.20, 5.88))
"""Over (MiniLM cosine, coverage)."""
VERIFIERS = ("static", "minilm")


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


def static_scores(index: StorySentences, i: int, candidates: np.ndarray) -> np.ndarray:
    """The static support score of each candidate for sentence ``i``."""
    return STATIC_MODEL.score(pair_features(index, i, candidates))


@dataclass(slots=True)
class Support:
    """The best span of one other article for one claim."""

    claim: int
    span: int
    score: float


def _shortlist(index: StorySentences, i: int, verifier: str) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """For every other article: the candidates worth verifying for claim ``i``, with their static scores.

    ``static`` keeps the best by static score; ``minilm`` keeps the three closest by static cosine and the best
    by word overlap, so a paraphrase the static score underrates still reaches the transformer.
    """
    own = int(index.owner[i])
    out = []
    for k in range(len(index.articles)):
        if k == own:
            continue
        candidates = index.of_article(k)
        if len(candidates) == 0:
            continue
        features = pair_features(index, i, candidates)
        scores = STATIC_MODEL.score(features)
        if verifier == "static":
            keep = np.array([int(np.argmax(scores))])
        else:
            by_cosine = np.argsort(-features[:, 0], kind="stable")[:3]
            keep = np.unique(np.append(by_cosine, int(np.argmax(features[:, 1]))))
        out.append((k, candidates[keep], scores[keep]))
    return out


def find_support(index: StorySentences, claims: Sequence[int], verifier: str = "static") -> list[list[Support]]:
    """For each claim, the best span of every other article with its support score (cited or not)."""
    if verifier not in VERIFIERS:
        from ..errors import ConfigError

        raise ConfigError(f"unknown attribution verifier {verifier!r}; choose one of: {', '.join(VERIFIERS)}")
    shortlists = [_shortlist(index, i, verifier) for i in claims]
    if verifier == "static":
        return [
            [Support(i, int(c[0]), float(s[0])) for _k, c, s in lists]
            for i, lists in zip(claims, shortlists, strict=True)
        ]
    needed = sorted({int(j) for lists in shortlists for _k, c, _s in lists for j in c} | {int(i) for i in claims})
    row = {j: r for r, j in enumerate(needed)}
    vectors = embed_texts([index.sentences[j].text for j in needed], "minilm")
    out = []
    for i, lists in zip(claims, shortlists, strict=True):
        supports = []
        for _k, candidates, _s in lists:
            cosine = np.array([float(vectors[row[int(j)]] @ vectors[row[int(i)]]) for j in candidates])
            coverage = pair_features(index, i, candidates)[:, 1]
            scores = MINILM_MODEL.score(np.column_stack([cosine, coverage]))
            best = int(np.argmax(scores))
            supports.append(Support(i, int(candidates[best]), float(scores[best])))
        out.append(supports)
    return out


def cite_all(index: StorySentences, claims: Sequence[int], threshold: float, verifier: str = "static") -> list[
    list[Citation]
]:
    """For each claim: its own span (score 1.0), then every other article's best span scoring ``threshold`` or more."""
    result = []
    for i, supports in zip(claims, find_support(index, claims, verifier), strict=True):
        own = index.sentences[i]
        citations = [Citation(own.article_id, own.start, own.end, 1.0)]
        for support in sorted((s for s in supports if s.score >= threshold), key=lambda s: -s.score):
            span = index.sentences[support.span]
            citations.append(Citation(span.article_id, span.start, span.end, round(support.score, 3)))
        result.append(citations)
    return result
