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

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..config import SummaryOptions
from ..models import Citation
from .index import StorySentences
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


@dataclass(frozen=True, slots=True)
class TermMatrices:
    """The lexical evidence of a story's sentences as sparse incidence matrices (sentence x term), so the features
    of a claim against every sentence are a few sparse products instead of a Python loop over pairs."""

    words: sparse.csr_matrix
    """Distinct content words, columns in order of first use (the story's reading order: the same in every
    process), each entry the word's idf in the story."""
    names: sparse.csr_matrix
    numbers: sparse.csr_matrix
    bigrams: sparse.csr_matrix


def _incidence(rows: list[list[int]], width: int, values: np.ndarray | None = None) -> sparse.csr_matrix:
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.fromiter((c for r in rows for c in r), dtype=np.int64, count=int(indptr[-1]))
    data = values[indices] if values is not None else np.ones(len(indices))
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), width))
    matrix.sort_indices()
    return matrix


def term_matrices(index: StorySentences) -> TermMatrices:
    """The story's :class:`TermMatrices`, built once per index (kept on it)."""
    if index.matrices is not None:
        return index.matrices
    columns: dict[str, int] = {}
    for t in index.terms:
        for w in t.words:
            columns.setdefault(w, len(columns))
    idf = np.array([index.idf.get(w, 1.0) for w in columns])
    kinds: list[dict] = [{}, {}, {}]  # names, numbers, bigrams: only counted, so their column order is free
    rows: list[list[list[int]]] = [[], [], []]
    for t in index.terms:
        for kind, found, out in zip(kinds, (t.names, t.numbers, t.bigrams), rows, strict=True):
            out.append([kind.setdefault(x, len(kind)) for x in found])
    words = _incidence([[columns[w] for w in t.vocabulary] for t in index.terms], len(columns), idf)
    names, numbers, bigrams = (_incidence(r, len(k)) for r, k in zip(rows, kinds, strict=True))
    index.matrices = TermMatrices(words, names, numbers, bigrams)
    return index.matrices


def _shared(matrix: sparse.csr_matrix, i: int) -> np.ndarray:
    """For every row of ``matrix``: the sum of its entries in the columns row ``i`` uses (the terms they share,
    counted or weighted), summed in column order."""
    chosen = np.zeros(matrix.shape[1])
    chosen[matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]] = 1.0
    return np.asarray(matrix @ chosen)


def claim_features(index: StorySentences, i: int) -> np.ndarray:
    """One row of ``FEATURES`` per sentence of the story, for the claim made by sentence ``i``.

    coverage: the idf-weighted share of the claim's content words the sentence also uses; names: the share of the
    claim's names it uses (0.5 when the claim has none); numbers shared / in conflict (both hold numbers, one in
    common / none); bigrams: shared content bigrams, up to 3, over 3."""
    m = term_matrices(index)
    claim = index.terms[i]
    rows = np.zeros((len(index), len(FEATURES)))
    rows[:, 0] = index.vectors @ index.vectors[i]
    covered = _shared(m.words, i)
    total = covered[i]  # summed as for any sentence that uses every word of the claim: its coverage is exactly 1.0
    if total:
        rows[:, 1] = covered / total
    rows[:, 2] = _shared(m.names, i) / len(claim.names) if claim.names else 0.5
    if claim.numbers:
        has = np.diff(m.numbers.indptr) > 0
        shared = _shared(m.numbers, i) > 0
        rows[:, 3] = has & shared
        rows[:, 4] = has & ~shared
    rows[:, 5] = np.minimum(_shared(m.bigrams, i), 3) / 3
    return rows


def pair_features(index: StorySentences, i: int, candidates: np.ndarray) -> np.ndarray:
    """One row of ``FEATURES`` per candidate sentence, for the claim made by sentence ``i``."""
    return claim_features(index, i)[np.asarray(candidates, dtype=int)]


@dataclass(slots=True)
class Support:
    """The best span of one other article for one claim."""

    claim: int
    span: int
    score: float


Shortlists = list[list[tuple[int, np.ndarray, np.ndarray]]]
"""Per claim: for every other article with candidates worth verifying, (article, candidates, static scores)."""


def _shortlists(index: StorySentences, claims: Sequence[int], verifier: str,
                features: dict[int, np.ndarray]) -> Shortlists:
    """For each claim, every other article's candidates worth verifying, with their static scores.

    ``static`` keeps the best by static score; ``minilm`` keeps the four closest by static cosine and the best
    by word overlap, so a paraphrase the static score underrates still reaches the transformer. ``features``
    (claim -> :func:`claim_features`) is read and filled: both verifiers' shortlists read the same rows.
    """
    members = [index.of_article(k) for k in range(len(index.articles))]
    with_candidates = {k for k, candidates in enumerate(members) if len(candidates)}
    out: Shortlists = []
    for i in claims:
        if not with_candidates - {int(index.owner[i])}:  # no other article to cite (a one-article story)
            out.append([])
            continue
        if i not in features:
            features[i] = claim_features(index, i)
        rows = features[i]
        all_scores = STATIC_MODEL.score(rows)
        own = int(index.owner[i])
        found = []
        for k, candidates in enumerate(members):
            if k == own or len(candidates) == 0:
                continue
            scores = all_scores[candidates]
            if verifier == "static":
                keep = np.array([int(np.argmax(scores))])
            else:
                cosine, coverage = rows[candidates, 0], rows[candidates, 1]
                by_cosine = np.argsort(-cosine, kind="stable")[:4]
                keep = np.unique(np.append(by_cosine, int(np.argmax(coverage))))
                keep = keep[(cosine[keep] >= MINILM_MIN_COSINE) | (coverage[keep] >= MINILM_MIN_COVERAGE)]
                if len(keep) == 0:  # no span of this article can reach the MiniLM threshold: nothing to encode
                    continue
            found.append((k, candidates[keep], scores[keep]))
        out.append(found)
    return out


def _asked_only(shortlists: Shortlists, asked: Sequence[Collection[int] | None]) -> Shortlists:
    """Each claim's shortlists that hold a sentence ``asked`` of it (all of them where ``asked`` is None)."""
    return [lists if wanted is None else [(k, c, s) for k, c, s in lists if any(int(j) in wanted for j in c)]
            for lists, wanted in zip(shortlists, asked, strict=True)]  # fmt: skip


def _needed(claims: Sequence[int], shortlists: Shortlists) -> list[int]:
    """The sentences the MiniLM check encodes: every shortlisted span and each claim that has one."""
    spans = {int(j) for lists in shortlists for _k, c, _s in lists for j in c}
    return sorted(spans | {int(i) for i, lists in zip(claims, shortlists, strict=True) if lists})


def find_support(
    index: StorySentences,
    claims: Sequence[int],
    verifier: str = "static",
    minilm_budget: int = 64,
    encoded: dict[int, np.ndarray] | None = None,
    asked: Sequence[Collection[int] | None] | None = None,
) -> tuple[str, list[list[Support]]]:
    """The verifier used and, for each claim, the best span of every other article with its support score.

    ``encoded`` (sentence position -> MiniLM vector) is read and filled, so citing a changed summary of the same
    story encodes only the sentences not seen before. ``asked`` (one entry per claim; None = every article): the
    sentences whose support of the claim matters; the MiniLM verifier then checks an article only when its
    shortlist holds one of them (only their articles' best spans come back: each is the best span of its article,
    as when every article is checked). The choice between the verifiers is made on the whole shortlists as without.
    """
    if verifier not in VERIFIERS:
        from ..errors import ConfigError

        raise ConfigError(f"unknown attribution verifier {verifier!r}; choose one of: {', '.join(VERIFIERS)}")
    features: dict[int, np.ndarray] = {}
    if verifier != "static":
        shortlists = _shortlists(index, claims, "minilm", features)
        needed = _needed(claims, shortlists)
        if verifier == "minilm" or len(needed) <= minilm_budget:
            if asked is not None:
                shortlists = _asked_only(shortlists, asked)
                needed = _needed(claims, shortlists)
            return "minilm", _verify_minilm(index, claims, shortlists, needed, {} if encoded is None else encoded)
    shortlists = _shortlists(index, claims, "static", features)
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
    asked: Sequence[Collection[int] | None] | None = None,
) -> list[list[Citation]]:
    """For each claim: its own span (score 1.0), then every other article's best span that reaches the threshold
    of the verifier used (``options.support`` for static, ``options.support_minilm`` for minilm). ``encoded`` and
    ``asked``: see ``find_support``."""
    used, found = find_support(index, claims, options.verifier, options.minilm_budget, encoded, asked)
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
