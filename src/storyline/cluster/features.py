"""Article features for clustering: hashed word counts plus boosted named-entity tokens, weighted by IDF.

What an article is about is its words; who and where are its names. Names are found by a cheap capitalized-phrase
extractor (measured in bench/clustering.py to be as useful as spaCy NER here, at a fraction of the cost) and added
as extra tokens, so "Lindsay Lohan" and "Tara Reid" weigh more than "rehab". Stop words are English plus those of
the article's language (``text/tokens.language_stop_words``). Words are hashed into a fixed space so
that an incremental run can keep document frequencies between runs without a vocabulary.

An earthquake's magnitude ("a 5.6 magnitude quake", "measuring 5.9 on the Richter scale") is counted as one more
token (``magnitude_5_6``): it is part of the article's stored terms, so the batch and the incremental path both read
it back from the vectors (``magnitude_bins``) for ``constraints.conflicting_magnitudes``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np
import scipy.sparse as sp
from murmurhash.mrmr import hash as murmurhash3_32

from ..config import ClusterOptions
from ..models import Article
from ..text.tokens import english_stop_words, language_stop_words

N_FEATURES = 2**20
"""Size of the hashed feature space (collisions are rare at this size and harmless for similarity)."""

SMALL_BATCH = 20
"""Below this many documents IDF cut-offs (max_df, min_df) are not applied: the counts mean too little."""

_WORD = r"(?u)\b\w\w+\b"
_IS_WORD = re.compile(r"\w\w+")
_CAPITALIZED = re.compile(r"\b[A-Z][\w'’-]*[a-z][\w'’-]*(?:\s+(?:of\s+|de\s+|la\s+|van\s+)?[A-Z][\w'’-]+)*")
_NON_WORD = re.compile(r"\W+")
# Capitalized words that start sentences or dates and name nobody.
_NOT_NAMES = frozenset(
    w.capitalize()
    for w in [
        *english_stop_words(),
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("january", "february", "march", "april", "may", "june", "july", "august", "september", "october"),
        *("november", "december", "mr", "mrs", "ms", "dr", "said", "says", "according"),
    ]
)


def entity_phrases(text: str) -> list[str]:
    """Capitalized phrases of ``text`` ("Lindsay Lohan", "Gulf of Aden"), lower-cased, leading stop words dropped."""
    phrases = []
    for match in _CAPITALIZED.finditer(text):
        words = match.group(0).split()
        while words and words[0] in _NOT_NAMES:
            words.pop(0)
        if words:
            phrases.append(" ".join(words).lower())
    return phrases


def _entity_tokens(text: str) -> str:
    return " ".join("ent_" + _NON_WORD.sub("_", phrase) for phrase in entity_phrases(text))


class TokenHasher:
    """Counts of the tokens of each text in ``N_FEATURES`` hashed columns: the matrix scikit-learn's
    ``HashingVectorizer(n_features=N_FEATURES, alternate_sign=False, norm=None, token_pattern=..., lowercase=...,
    stop_words=...)`` gives (MurmurHash3 of the UTF-8 token, seed 0; column ``|hash| % N_FEATURES``), without
    importing scikit-learn (~1 CPU s of every digest's start-up). ``tests/test_cluster.py`` checks it against
    scikit-learn on real articles, so stored hashed counts keep their meaning."""

    def __init__(self, token_pattern: str, stop_words: frozenset[str] = frozenset(), lowercase: bool = True) -> None:
        self.tokens = re.compile(token_pattern).findall
        self.stop_words = stop_words
        self.lowercase = lowercase
        self._columns: dict[str, int] = {}

    def _column(self, token: str) -> int:
        column = self._columns.get(token)
        if column is None:
            h = murmurhash3_32(token)
            column = (2**31 - 1 - (N_FEATURES - 1)) % N_FEATURES if h == -(2**31) else abs(h) % N_FEATURES
            if len(self._columns) < 1 << 20:  # a memo of the vocabulary seen, bounded
                self._columns[token] = column
        return column

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """One row of token counts (float64) per text, in canonical form (sorted, summed columns)."""
        indices: list[int] = []
        indptr = [0]
        stop, column = self.stop_words, self._column
        for text in texts:
            indices.extend(column(t) for t in self.tokens(text.lower() if self.lowercase else text) if t not in stop)
            indptr.append(len(indices))
        matrix = sp.csr_matrix((np.ones(len(indices)), np.asarray(indices, dtype=np.int32),
                                np.asarray(indptr, dtype=np.int64)), shape=(len(texts), N_FEATURES))
        matrix.sum_duplicates()
        return matrix


@cache
def _word_hasher(language: str = "") -> TokenHasher:
    """Word counts without English stop words, nor those of ``language`` (spaCy's list, ``text/tokens.py``)."""
    others = {w for w in language_stop_words(language) if _IS_WORD.fullmatch(w)}
    return TokenHasher(_WORD, english_stop_words() | others)


def _word_counts(articles: Sequence[Article], texts: list[str]) -> sp.csr_matrix:
    """Hashed word counts of ``texts``, each with the stop words of its article's language."""
    by_language: dict[str, list[int]] = {}
    for i, article in enumerate(articles):
        code = article.language.lower().split("-")[0] if article.language else ""
        by_language.setdefault(code if language_stop_words(code) else "", []).append(i)
    if len(by_language) == 1:
        return _word_hasher(next(iter(by_language))).transform(texts)
    parts, order = [], []
    for code, rows in by_language.items():
        parts.append(_word_hasher(code).transform([texts[i] for i in rows]))
        order.extend(rows)
    stacked = sp.vstack(parts).tocsr()
    return stacked[np.argsort(np.array(order), kind="stable")]


@cache
def _entity_hasher() -> TokenHasher:
    return TokenHasher(r"ent_\w+", lowercase=False)


_MAGNITUDE = re.compile(r"(?:magnitude|richter)\D{0,25}?(?<![\d.])(\d\.\d)(?![\d.]\d)"
                        r"|(?<![\d.])(\d\.\d)\s*(?:-\s*)?(?:magnitude|on the richter)", re.I)
"""A magnitude stated with its word: "magnitude 5.6", "magnitude-5.2 quake", "5.9 on the Richter scale"."""


def magnitude_tokens(text: str) -> str:
    """The earthquake magnitudes ``text`` states, as tokens (``magnitude_5_6``), one per mention."""
    if not any(word in text for word in ("agnitude", "ichter", "AGNITUDE", "ICHTER")):
        return ""  # the regex costs ~0.3x the word counts; this test ~1 % (most texts name no magnitude)
    return " ".join("magnitude_" + (m[1] or m[2]).replace(".", "_") for m in _MAGNITUDE.finditer(text))


@cache
def _magnitude_hasher() -> TokenHasher:
    return TokenHasher(r"magnitude_\d_\d", lowercase=False)


@cache
def _magnitude_columns() -> np.ndarray:
    """The hashed column of each magnitude 0.0, 0.1, ... 9.9 (in that order)."""
    hasher = _magnitude_hasher()
    return np.array([hasher._column(f"magnitude_{tenths // 10}_{tenths % 10}") for tenths in range(100)])


def magnitude_bins(vectors: sp.csr_matrix) -> np.ndarray:
    """Which magnitudes (0.0 to 9.9 in tenths: 100 boolean columns) each row of ``vectors`` states. A magnitude
    whose IDF is zero (stated by one article only, on larger inputs) is not there, as any such term."""
    return vectors[:, _magnitude_columns()].toarray() != 0


UNSEGMENTED = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo"})
"""Languages written without spaces between words: their word tokens would be whole phrases, so their text is
counted as overlapping character pairs instead (the usual unit for Chinese and Japanese retrieval)."""

_RUN = re.compile(r"[^\W\d_a-zA-Z]{2,}")


def _character_pairs(text: str) -> str:
    """``text`` with each run of letters of an unsegmented script replaced by its overlapping character pairs."""
    return _RUN.sub(lambda m: " " + " ".join(m.group(0)[i : i + 2] for i in range(len(m.group(0)) - 1)) + " ", text)


def titled_text(article: Article) -> str:
    """Title (when it is not already the first line) and body."""
    if article.title and not article.text.startswith(article.title):
        return f"{article.title}\n{article.text}"
    return article.text


def article_text(article: Article) -> str:
    """The text clustering counts words of: ``titled_text``, as character pairs for an ``UNSEGMENTED`` language."""
    text = titled_text(article)
    if article.language and article.language.lower().split("-")[0] in UNSEGMENTED:
        return _character_pairs(text)
    return text


def term_counts(articles: Sequence[Article], options: ClusterOptions) -> sp.csr_matrix:
    """Sublinear (1 + log) counts of hashed words, plus entity tokens counted ``entity_weight`` times and the
    magnitudes stated (``magnitude_tokens``)."""
    texts = [article_text(a) for a in articles]
    counts = _word_counts(articles, texts).astype(np.float32)
    if options.entity_weight > 0:
        counts = counts + options.entity_weight * _entity_hasher().transform([_entity_tokens(t) for t in texts])
    counts = counts + _magnitude_hasher().transform([magnitude_tokens(t) for t in texts])
    counts = sp.csr_matrix(counts, dtype=np.float32)
    counts.data = 1.0 + np.log(counts.data)
    return counts


def document_frequencies(counts: sp.csr_matrix) -> np.ndarray:
    """How many rows of ``counts`` have each feature."""
    return np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.int64)


def inverse_document_frequencies(df: np.ndarray, n_docs: int, options: ClusterOptions) -> np.ndarray:
    """Smoothed IDF; features in more than ``max_df`` of documents or in only one are zeroed on larger inputs."""
    idf = (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)
    if n_docs >= SMALL_BATCH:
        idf[df > options.max_df * n_docs] = 0.0
        idf[df < 2] = 0.0
    return idf


def weigh(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Rows of ``counts`` times ``idf``, scaled to unit length (so a dot product is a cosine)."""
    weighted = sp.csr_matrix(counts.multiply(idf.reshape(1, -1)), dtype=np.float32)
    weighted.eliminate_zeros()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ weighted, dtype=np.float32)


def tfidf_vectors(articles: Sequence[Article], options: ClusterOptions) -> sp.csr_matrix:
    """Unit TF-IDF rows for ``articles`` with IDF from the articles themselves (batch mode)."""
    counts = term_counts(articles, options)
    idf = inverse_document_frequencies(document_frequencies(counts), counts.shape[0], options)
    return weigh(counts, idf)


@cache
def _sketch_matrix(dims: int, seed: int = 20240601) -> sp.csr_matrix:
    """A fixed count-sketch projection from the hashed space to ``dims``: each feature adds ±1/2 to 4 dimensions."""
    rng = np.random.default_rng(seed)
    per_feature = 4
    rows = np.repeat(np.arange(N_FEATURES, dtype=np.int32), per_feature)
    cols = rng.integers(0, dims, size=N_FEATURES * per_feature, dtype=np.int32)
    signs = rng.choice(np.array([-0.5, 0.5], dtype=np.float32), size=N_FEATURES * per_feature)
    return sp.csr_matrix((signs, (rows, cols)), shape=(N_FEATURES, dims), dtype=np.float32)


def sketch(vectors: sp.csr_matrix, dims: int) -> np.ndarray:
    """Dense ``dims``-dimensional unit vectors whose dot products approximate the cosines of ``vectors``."""
    dense = np.asarray((vectors @ _sketch_matrix(dims)).todense(), dtype=np.float32)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return dense / norms


__all__ = [
    "N_FEATURES",
    "UNSEGMENTED",
    "TokenHasher",
    "article_text",
    "document_frequencies",
    "entity_phrases",
    "inverse_document_frequencies",
    "magnitude_bins",
    "magnitude_tokens",
    "sketch",
    "term_counts",
    "tfidf_vectors",
    "titled_text",
    "weigh",
]
