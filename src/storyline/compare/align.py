"""Align what different articles of a story say: sentence units and a paraphrase score between any two.

The score mixes sentence-embedding cosine (paraphrase) with the overlap of content-word stems, numbers and names
(lexical evidence that embeddings blur at sentence level). Units are whole sentences: splitting "held secret
meetings ..., but later decided not to act" into clauses left each half too short to match its paraphrase.

The ``cascade`` setting (the default) runs MiniLM only where it may decide something, and on a bounded number of
units per story: every pair gets a static-embedding score first, and only the units of pairs whose cheap score falls
in a band around (or above) a threshold are encoded with MiniLM, at most ``cascade_units`` of them (both units of
the pairs closest to a threshold first); pairs of two encoded units get MiniLM's cosine, the others keep the static
one (bench/RESULTS.md, issue 15).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..config import CompareOptions
from ..models import Article
from ..text.tokens import stem, stop_words, word_runs

MIN_UNIT_WORDS = 4


@dataclass(frozen=True, slots=True)
class Unit:
    """A sentence of one article that can state a fact: ``article.text[start:end] == text``."""

    article_id: str
    start: int
    end: int
    text: str
    sentence: int
    """Index of the sentence it comes from in its article."""
    language: str = ""
    """Its article's primary language tag ('' when unknown)."""


def split_units(article: Article) -> list[Unit]:
    """The units of an article: its sentences of ``MIN_UNIT_WORDS`` words or more (sentences must be split)."""
    language = article.language.lower().split("-")[0] if article.language else ""
    return [
        Unit(article.id, s.start, s.end, s.text, s.index, language)
        for s in article.sentences
        if len(s.text.split()) >= MIN_UNIT_WORDS
    ]


CROSS_LINGUAL_AGREE: dict[str, float] = {"e5": 0.86, "use": 0.47}
"""Per cross-lingual model, the sentence cosine at which two units that are not both English state the same fact:
fitted for the best F1 on the aligned sentences of English articles and their translations in two MultiLing topics,
checked on the third (``python bench/multilingual.py --parts agree``)."""
CROSS_LINGUAL_CONFLICT: dict[str, float] = {"e5": 0.84, "use": 0.45}
"""Per cross-lingual model, the sentence cosine at which two units that are not both English are close enough for
their figures of a shared unit ($, %, people) to be compared: e5's fitted for the best F1 on changed figures of two
MultiLing topics' translations and checked on the third (``python bench/multilingual.py --parts conflicts``); USE's
not fitted, set as e5's below its agree bar (0.02). Figures in order and dates need the agree bar."""


@dataclass(frozen=True, slots=True)
class OtherLanguages:
    """The pairs of units not both English (or of unknown language), and their cross-lingual model cosine."""

    pairs: np.ndarray
    cosine: np.ndarray
    bar: float
    """The cosine at which such a pair states one fact (``CROSS_LINGUAL_AGREE``)."""
    conflict: float = 1.0
    """The cosine at which such a pair is close enough for its figures and dates to be compared
    (``CROSS_LINGUAL_CONFLICT``; 1.0 without a model: never)."""


def is_english(language: str) -> bool:
    """English or unknown: the units today's English rules (stems, MiniLM, conflicts) were measured on."""
    return language in ("", "en")


def other_languages(units: Sequence[Unit], model: str | None) -> OtherLanguages | None:
    """The pairs of ``units`` of different articles the English rules cannot judge, scored by the cross-lingual
    ``model``; None when every unit is English. Without a model such a pair never agrees. Only the units of such a
    pair are encoded: a one-article story in another language encodes nothing (pairs within one article are never
    compared)."""
    english = np.array([is_english(u.language) for u in units], dtype=bool)
    if english.all():
        return None
    pairs = ~(english[:, None] & english[None, :]) & _other_articles(units)
    cosine = np.zeros(pairs.shape, dtype=np.float32)
    if model is None:
        return OtherLanguages(pairs, cosine, 1.0)
    from ..embed import encode

    paired = np.flatnonzero(pairs.any(axis=1))
    if paired.size:
        vectors = encode(model, [units[int(i)].text for i in paired])
        cosine[np.ix_(paired, paired)] = vectors @ vectors.T
        cosine[~pairs] = 0.0
    return OtherLanguages(pairs, cosine, CROSS_LINGUAL_AGREE[model], CROSS_LINGUAL_CONFLICT[model])


STEM_PREFIX = 5
"""Letters of a stem kept when matching units: a coarser key that also joins "economy" and "economic"."""


def content_stems(text: str, language: str = "") -> frozenset[str]:
    """The stems of a text's content words (stop words, those of its ``language`` too, and speech verbs left
    out)."""
    stop = stop_words(filler=False, language=language or None)
    return frozenset(stem(w, STEM_PREFIX) for w in word_runs(text) if w.lower() not in stop and len(w) > 1)


BLOCK_PAIRS = 1 << 20
"""Pairs of units scored at once where a story's pair scores are made in blocks of rows: each intermediate of a block
is a few MB whatever the story's size, so a story of n units holds its few n x n results, not a dozen n x n
intermediates (a 100k-article digest's biggest stories: bench/RESULTS.md, issue 15). Every pair gets the same float32
operations as on the whole matrix, so the scores are the same to the bit."""


def row_blocks(n: int) -> Iterator[slice]:
    """Consecutive slices of ``range(n)`` of about ``BLOCK_PAIRS / n`` rows each (at least one)."""
    step = max(1, BLOCK_PAIRS // max(n, 1))
    for start in range(0, n, step):
        yield slice(start, min(start + step, n))


_last_shared: list[tuple[tuple[frozenset[str], ...], np.ndarray]] = []
"""The last story's ``_shared_stems``: the alignment's scores and the agreement's coverage ask it of the same units.
:func:`forget_shared` drops it when the story is compared, so a big story's counts do not wait for the next one."""


def _shared_stems(stems: Sequence[frozenset[str]]) -> np.ndarray:
    """``[i, j]``: how many content stems units i and j have in common, as unsigned integers (read-only; the last
    answer again when the same stems are asked again)."""
    key = tuple(stems)
    last = next(iter(_last_shared), None)  # one read: another thread may replace it (safe to share across threads)
    if last is not None and last[0] == key:
        return last[1]
    shared = _count_shared(stems)
    shared.flags.writeable = False
    _last_shared[:] = [(key, shared)]
    return shared


def forget_shared() -> None:
    """Drop the kept ``_shared_stems`` answer (n x n counts of the last story)."""
    _last_shared.clear()


def _count_shared(stems: Sequence[frozenset[str]]) -> np.ndarray:
    """The counts of ``_shared_stems``: one sparse product per block of rows (float32 sums of ones: exact integers,
    stored as uint16, or uint32 for a unit of 65,536 stems or more)."""
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, unit_stems in enumerate(stems):
        for s in unit_stems:
            rows.append(i)
            cols.append(vocabulary.setdefault(s, len(vocabulary)))
    n = len(stems)
    most = max((len(s) for s in stems), default=0)
    shared = np.zeros((n, n), dtype=np.uint16 if most < 1 << 16 else np.uint32)
    if not vocabulary:
        return shared
    matrix = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, len(vocabulary)))
    transposed = matrix.T.tocsc()
    for block in row_blocks(n):
        shared[block] = (matrix[block] @ transposed).toarray()
    return shared


def article_codes(units: Sequence[Unit]) -> np.ndarray:
    """A number per unit, the same for the units of one article."""
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(u.article_id, len(numbers)) for u in units], dtype=np.int64)


def _other_articles(units: Sequence[Unit]) -> np.ndarray:
    articles = article_codes(units)
    return articles[:, None] != articles[None, :]


def _dice(shared: np.ndarray, sizes_rows: np.ndarray, sizes_cols: np.ndarray, codes_rows: np.ndarray,
          codes_cols: np.ndarray) -> np.ndarray:
    """:func:`lexical_similarity` of some rows and columns (``shared``: their ``_shared_stems``)."""
    total = sizes_rows[:, None] + sizes_cols[None, :]
    sims = np.divide(2 * shared.astype(np.float32), total, out=np.zeros(total.shape, dtype=np.float32),
                     where=total > 0)
    sims[codes_rows[:, None] == codes_cols[None, :]] = 0.0
    return sims


def _stem_sizes(stems: Sequence[frozenset[str]]) -> np.ndarray:
    return np.array([len(s) for s in stems], dtype=np.float32)


def _covered_sizes(stems: Sequence[frozenset[str]]) -> np.ndarray:
    return np.array([max(len(s), MIN_COVERED) for s in stems], dtype=np.float32)


def _coverage(shared: np.ndarray, sizes_rows: np.ndarray, sizes_cols: np.ndarray, codes_rows: np.ndarray,
              codes_cols: np.ndarray) -> np.ndarray:
    """:func:`stem_coverage` of some rows and columns (``shared``: their ``_shared_stems``)."""
    coverage = shared.astype(np.float32) / np.minimum(sizes_rows[:, None], sizes_cols[None, :])
    coverage[codes_rows[:, None] == codes_cols[None, :]] = 0.0
    return coverage


def lexical_similarity(units: Sequence[Unit], stems: Sequence[frozenset[str]] | None = None) -> np.ndarray:
    """Dice coefficient of content stems between every pair of units of different articles (sparse products)."""
    stems = stems if stems is not None else [content_stems(u.text, u.language) for u in units]
    n = len(units)
    shared, sizes, codes = _shared_stems(stems), _stem_sizes(stems), article_codes(units)
    sims = np.empty((n, n), dtype=np.float32)
    for block in row_blocks(n):
        sims[block] = _dice(shared[block], sizes[block], sizes, codes[block], codes)
    return sims


MIN_COVERED = 3
"""Coverage divides by the shorter unit's content stems, but by at least this many: two shared words do not cover
a fact."""


def stem_coverage(units: Sequence[Unit], stems: Sequence[frozenset[str]]) -> np.ndarray:
    """Share of the shorter unit's content stems the other unit also uses, for every pair of units of different
    articles: 1.0 when one states everything the other does ("Fire at Waitrose in Wellington" inside a longer
    report of the fire), whatever else the longer one adds."""
    n = len(units)
    coverage = np.empty((n, n), dtype=np.float32)
    for block, rows in stem_coverage_rows(units, stems):
        coverage[block] = rows
    return coverage


def stem_coverage_rows(units: Sequence[Unit], stems: Sequence[frozenset[str]]) -> Iterator[tuple[slice, np.ndarray]]:
    """:func:`stem_coverage` by blocks of rows (``row_blocks``): each block and its rows of the matrix."""
    shared, sizes, codes = _shared_stems(stems), _covered_sizes(stems), article_codes(units)
    for block in row_blocks(len(units)):
        yield block, _coverage(shared[block], sizes[block], sizes, codes[block], codes)


_NOT_A_FACT = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec|january|february|march|april|june|july|august|september|"
    r"october|november|december|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|am|pm|gmt|bst|utc|cet|cest|ist|et|est|edt|cst|cdt|pst|pdt|hrs|updated|published|posted|last|at|on|by|"
    r"st|nd|rd|th)",
    re.IGNORECASE,
)
"""Words of datelines and timestamps ("Tuesday, June 2, 2009", "21 July 2013 Last updated at 11:11 GMT")."""


@lru_cache(maxsize=1 << 14)
def states_fact(text: str, language: str = "") -> bool:
    """Whether a unit can state a fact: two or more words besides figures and date, time and byline words. A
    dateline or timestamp is not a statement, even when two articles print the same date (bench/labels/
    compare_agree.json: 37 of 350 judged pairs were such lines; at today's scores most of them were "agreed").
    Cached: the alignment, the unique statements and the conflict rules all ask it of the same units."""
    letters = r"[A-Za-z]+" if is_english(language) else r"[^\W\d_]+"  # words of any script outside English
    words = [w for w in re.findall(letters, text) if len(w) > 1 and not _NOT_A_FACT.fullmatch(w)]
    return len(words) >= 2


def alignment_embedder(n_units: int, options: CompareOptions) -> str:
    """How a story of ``n_units`` units is aligned: ``auto`` uses MiniLM on every unit up to
    ``options.minilm_units`` units and static embeddings above; ``cascade`` (bounded by ``cascade_units``), ``static``
    and ``minilm`` are the same at any size."""
    if options.embedder != "auto":
        return options.embedder
    return "static" if n_units > options.minilm_units else "minilm"


def _cosines(embedder: str, texts: Sequence[str], shift: float) -> np.ndarray:
    """Cosine of every pair of ``texts`` (lowered by ``shift``), clipped to [0, 1]; vectors already computed in
    an enclosing ``shared_vectors`` block are reused. One n x n product, then the same float32 operations in place."""
    from ..embed import encode

    vectors = encode(embedder, texts)
    cosine = vectors @ vectors.T
    cosine -= shift
    np.clip(cosine, 0.0, 1.0, out=cosine)
    return np.asarray(cosine, dtype=np.float32)


def undecided_units(
    units: Sequence[Unit],
    static: np.ndarray,
    cheap: np.ndarray,
    options: CompareOptions,
    stems: Sequence[frozenset[str]],
    counted: Sequence[bool] | None = None,
) -> np.ndarray:
    """Indices of the units MiniLM must encode: those in a pair of different articles whose cheap score (``cheap``:
    the paraphrase score of the ``static`` cosine, :func:`paraphrase_scores`) is within ``options.cascade_margin``
    cosine of a threshold or above it; at most ``options.cascade_units`` of them (0 = all): both units of the pairs
    closest to a threshold first (the calls the cheap score is least sure of), so a story's MiniLM cost is bounded
    whatever its size.

    The thresholds are ``conflict`` on the score, ``conflict_counted`` for a pair of units that both hold a figure
    saying what it counts (``counted[i]``), and ``agree`` on the agreement score (cosine and stem coverage). Made by
    blocks of rows: a story holds the plausible pairs, not every pair's intermediates."""
    weight, margin, agree_weight = options.embedding_weight, options.cascade_margin, options.agree_weight
    conflict = np.float32(options.conflict)
    both = None
    if options.conflict_match == "counted" and counted is not None:
        both = np.asarray(counted, dtype=bool)
        counted_floor = np.float32(min(float(conflict), options.conflict_counted))
    codes = article_codes(units)
    n = len(units)
    any_plausible = np.zeros(n, dtype=bool)
    rows, cols, distances = [], [], []
    for block, coverage in stem_coverage_rows(units, stems):
        floor = np.full((block.stop - block.start, n), conflict, dtype=np.float32)
        if both is not None:
            floor[both[block, None] & both[None, :]] = counted_floor
        near = cheap[block]
        plausible = near >= floor - weight * margin
        agreement = agree_weight * static[block] + (1.0 - agree_weight) * coverage
        plausible |= agreement >= options.agree - agree_weight * margin
        plausible &= codes[block, None] != codes[None, :]
        if not options.cascade_units:
            any_plausible[block] = plausible.any(axis=1)
            continue
        r, c = np.nonzero(np.triu(plausible, block.start))
        # the closest calls first: a pair's distance to the nearer of its thresholds, in its own score's units
        distances.append(np.minimum(np.abs(agreement[r, c] - options.agree) / agree_weight,
                                    np.abs(near[r, c] - floor[r, c]) / weight))
        rows.append(r + block.start)
        cols.append(c)
    if not options.cascade_units:
        return np.flatnonzero(any_plausible)
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.intp)
    col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.intp)
    distance = np.concatenate(distances) if distances else np.zeros(0, dtype=np.float32)
    chosen: dict[int, None] = {}
    for k in np.lexsort((col, row, distance)):
        new = {int(row[k]), int(col[k])} - chosen.keys()
        if len(chosen) + len(new) > options.cascade_units:
            if len(chosen) >= options.cascade_units:
                break
            continue
        chosen.update(dict.fromkeys(sorted(new)))
    return np.array(sorted(chosen), dtype=int)


def paraphrase_scores(units: Sequence[Unit], cosine: np.ndarray, stems: Sequence[frozenset[str]],
                      weight: float) -> np.ndarray:
    """``weight`` x ``cosine`` + the rest x :func:`lexical_similarity` of every pair, by blocks of rows."""
    n = len(units)
    shared, sizes, codes = _shared_stems(stems), _stem_sizes(stems), article_codes(units)
    score = np.empty((n, n), dtype=np.float32)
    for block in row_blocks(n):
        score[block] = weight * cosine[block] + (1.0 - weight) * _dice(shared[block], sizes[block], sizes,
                                                                      codes[block], codes)
    return score


def unit_similarity(
    units: Sequence[Unit],
    options: CompareOptions,
    stems: Sequence[frozenset[str]] | None = None,
    counted: Sequence[bool] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Paraphrase score of every pair of units (``options.embedding_weight`` x embedding cosine + the rest x
    lexical overlap), and the cosine alone. Static cosines run higher than MiniLM's between related sentences, so
    they are lowered by ``options.static_shift`` to meet the same thresholds. ``counted[i]``: unit i holds a
    figure that says what it counts (``cascade`` then also refines its pairs near ``conflict_counted``)."""
    if not units:
        empty = np.zeros((0, 0), dtype=np.float32)
        return empty, empty
    stems = stems if stems is not None else [content_stems(u.text, u.language) for u in units]
    texts = [u.text for u in units]
    embedder = alignment_embedder(len(units), options)
    weight = options.embedding_weight
    if embedder != "cascade":
        cosine = _cosines(embedder, texts, options.static_shift if embedder == "static" else 0.0)
        return paraphrase_scores(units, cosine, stems, weight), cosine
    cosine = _cosines("static", texts, options.static_shift)
    score = paraphrase_scores(units, cosine, stems, weight)  # the cheap score, refined below where MiniLM decides
    chosen = undecided_units(units, cosine, score, options, stems, counted)
    if chosen.size:
        pairs = np.ix_(chosen, chosen)
        cosine[pairs] = _cosines("minilm", [texts[i] for i in chosen], 0.0)
        sizes, codes = _stem_sizes(stems)[chosen], article_codes(units)[chosen]
        lexical = _dice(_shared_stems(stems)[pairs], sizes, sizes, codes, codes)
        score[pairs] = weight * cosine[pairs] + (1.0 - weight) * lexical
    return score, cosine
