"""Which articles support a summary sentence, and where: a calibrated support score over candidate spans.

Embeddings alone call two sentences about the same topic "similar"; word overlap alone misses paraphrases
('wouldn't rule out a military option' / 'was not ruling out a military invasion'). The support score is a
logistic model over both kinds of evidence, fitted on the hand labels in ``bench/labels/attribution.jsonl``
(``python bench/attribution.py --fit`` refits and prints the weights), so a score reads as the probability
that the span states the sentence's main fact. Two verifiers:

- ``static`` (default, fast): static-embedding cosine + word/name/number/bigram overlap over every sentence;
- ``minilm`` (precise, slower): each article's few closest spans by the static features are re-scored with
  the MiniLM transformer's cosine; only those sentences (and only those plausible enough to be cited) are encoded;
- ``auto`` (default): ``minilm`` when at most ``options.minilm_budget`` sentences need encoding, else ``static``,
  so small and mid-sized stories get the precise check and a 50-article story stays under a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..config import SummaryOptions
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
MINILM_MODEL = SupportModel(bias=-6.89, weights=(9.99,))
"""Over (MiniLM cosine,): word overlap made it worse on the labels (it rewards same-topic 'partial' spans)."""
VERIFIERS = ("auto", "static", "minilm")
MINILM_MIN_COSINE = 0.4
MINILM_MIN_COVERAGE = 0.2
"""A shortlisted span is encoded for the MiniLM check only when its static cosine or its word coverage reaches these
floors: on 30 ECB+ dev stories (7,099 shortlisted pairs) every span MiniLM cited was at or above one of them
(docs/summaries.md); below both it cannot decide anything, so it is not encoded."""


def _covered(weights: dict[str, float], total: float, b: Terms) -> float:
    """The idf-weighted share of the claim's content words that ``b`` also uses, from the claim's ``weights`` (idf
    per word) and their ``total``, computed once for all its candidates."""
    if not total:
        return 0.0
    # fsum: exactly rounded whatever the set's iteration order, which changes with each process's hash seed
    return math.fsum(weights[w] for w in b.vocabulary if w in weights) / total


def pair_features(index: StorySentences, i: int, candidates: np.ndarray) -> np.ndarray:
    """One row of ``FEATURES`` per candidate sentence, for the claim made by sentence ``i``."""
    rows = np.zeros((len(candidates), len(FEATURES)))
    if len(candidates) == 0:
        return rows
    claim = index.terms[i]
    rows[:, 0] = index.vectors[candidates] @ index.vectors[i]
    weights = {w: index.idf.get(w, 1.0) for w in claim.vocabulary}
    total = math.fsum(weights.values())
    names, numbers, bigrams = claim.names, claim.numbers, claim.bigrams
    for r, j in enumerate(candidates.tolist()):
        other = index.terms[j]
        rows[r, 1] = _covered(weights, total, other)
        rows[r, 2] = len(names & other.names) / len(names) if names else 0.5
        if numbers and other.numbers:
            shared = not numbers.isdisjoint(other.numbers)
            rows[r, 3] = 1.0 if shared else 0.0
            rows[r, 4] = 0.0 if shared else 1.0
        rows[r, 5] = min(len(bigrams & other.bigrams), 3) / 3
    return rows


@dataclass(slots=True)
class Support:
    """The best span of one other article for one claim."""

    claim: int
    span: int
    score: float


def _shortlist(index: StorySentences, i: int, verifier: str) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """For every other article: the candidates worth verifying for claim ``i``, with their static scores.

    ``static`` keeps the best by static score; ``minilm`` keeps the four closest by static cosine and the best
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
            by_cosine = np.argsort(-features[:, 0], kind="stable")[:4]
            keep = np.unique(np.append(by_cosine, int(np.argmax(features[:, 1]))))
            plausible = (features[keep, 0] >= MINILM_MIN_COSINE) | (features[keep, 1] >= MINILM_MIN_COVERAGE)
            keep = keep[plausible]
            if len(keep) == 0:  # no span of this article can reach the MiniLM threshold: nothing to encode
                continue
        out.append((k, candidates[keep], scores[keep]))
    return out


def _needed(claims: Sequence[int], shortlists: list[list[tuple[int, np.ndarray, np.ndarray]]]) -> list[int]:
    """The sentences the MiniLM check encodes: every shortlisted span and each claim that has one."""
    spans = {int(j) for lists in shortlists for _k, c, _s in lists for j in c}
    return sorted(spans | {int(i) for i, lists in zip(claims, shortlists, strict=True) if lists})


def find_support(
    index: StorySentences,
    claims: Sequence[int],
    verifier: str = "static",
    minilm_budget: int = 64,
    encoded: dict[int, np.ndarray] | None = None,
) -> tuple[str, list[list[Support]]]:
    """The verifier used and, for each claim, the best span of every other article with its support score.

    ``encoded`` (sentence position -> MiniLM vector) is read and filled, so citing a changed summary of the same
    story encodes only the sentences not seen before.
    """
    if verifier not in VERIFIERS:
        from ..errors import ConfigError

        raise ConfigError(f"unknown attribution verifier {verifier!r}; choose one of: {', '.join(VERIFIERS)}")
    if verifier != "static":
        shortlists = [_shortlist(index, i, "minilm") for i in claims]
        needed = _needed(claims, shortlists)
        if verifier == "minilm" or len(needed) <= minilm_budget:
            return "minilm", _verify_minilm(index, claims, shortlists, needed, {} if encoded is None else encoded)
    shortlists = [_shortlist(index, i, "static") for i in claims]
    return "static", [
        [Support(i, int(c[0]), float(s[0])) for _k, c, s in lists] for i, lists in zip(claims, shortlists, strict=True)
    ]


def _verify_minilm(
    index: StorySentences, claims: Sequence[int], shortlists: list, needed: list[int], encoded: dict[int, np.ndarray]
) -> list[list[Support]]:
    missing = [j for j in needed if j not in encoded]
    if missing:
        encoded.update(zip(missing, embed_texts([index.sentences[j].text for j in missing], "minilm"), strict=True))
    out = []
    for i, lists in zip(claims, shortlists, strict=True):
        supports = []
        for _k, candidates, _s in lists:
            cosine = np.array([float(encoded[int(j)] @ encoded[int(i)]) for j in candidates])
            scores = MINILM_MODEL.score(cosine[:, None])
            best = int(np.argmax(scores))
            supports.append(Support(i, int(candidates[best]), float(scores[best])))
        out.append(supports)
    return out


def cite_all(
    index: StorySentences,
    claims: Sequence[int],
    options: SummaryOptions,
    encoded: dict[int, np.ndarray] | None = None,
) -> list[list[Citation]]:
    """For each claim: its own span (score 1.0), then every other article's best span that reaches the threshold
    of the verifier used (``options.support`` for static, ``options.support_minilm`` for minilm). ``encoded``: see
    ``find_support``."""
    used, found = find_support(index, claims, options.verifier, options.minilm_budget, encoded)
    threshold = options.support_minilm if used == "minilm" else options.support
    result = []
    for i, supports in zip(claims, found, strict=True):
        own = index.sentences[i]
        citations = [Citation(own.article_id, own.start, own.end, 1.0)]
        for support in sorted((s for s in supports if s.score >= threshold), key=lambda s: -s.score):
            span = index.sentences[support.span]
            citations.append(Citation(span.article_id, span.start, span.end, round(support.score, 3)))
        result.append(citations)
    return result
