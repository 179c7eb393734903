"""Hard rules no similarity can override: different known languages (unless a cross-lingual model compares them,
see ``crosslingual.py``), or publication dates too far apart; and two articles stating different earthquake
magnitudes share no neighbourhood (``conflicting_magnitudes``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..config import ClusterOptions
from ..models import Article
from .features import magnitude_bins

DAY = 86_400.0


@dataclass(slots=True)
class GroupFacts:
    """What the rules need to know about a group of articles: its known language and its date range."""

    language: str | None = None
    first: float = float("nan")
    last: float = float("nan")

    @classmethod
    def of(cls, article: Article) -> GroupFacts:
        """The article's facts (a cross-lingual model lifts the language rule by leaving them out, see
        ``batch.linked_labels``)."""
        stamp = article.published.timestamp() if article.published else float("nan")
        language = article.language.lower().split("-")[0] if article.language else None
        return cls(language, stamp, stamp)

    def compatible(self, other: GroupFacts, max_days: float) -> bool:
        """False when both languages are known and differ, or both date ranges are known and further apart."""
        if self.language and other.language and self.language != other.language:
            return False
        if max_days > 0 and not (np.isnan(self.first) or np.isnan(other.first)):
            gap = max(other.first - self.last, self.first - other.last)
            if gap > max_days * DAY:
                return False
        return True

    def joined(self, other: GroupFacts) -> GroupFacts:
        """The facts of the union of two groups."""
        return GroupFacts(
            self.language or other.language,
            float(np.fmin(self.first, other.first)),
            float(np.fmax(self.last, other.last)),
        )


def facts_of(articles: Sequence[Article]) -> list[GroupFacts]:
    """One ``GroupFacts`` per article."""
    return [GroupFacts.of(a) for a in articles]


def compatible_pairs(
    facts: Sequence[GroupFacts], rows: np.ndarray, cols: np.ndarray, options: ClusterOptions
) -> np.ndarray:
    """A boolean mask over the pairs ``(rows[i], cols[i])``: True where the rules allow a link."""
    languages = np.array([f.language or "" for f in facts], dtype=object)
    stamps = np.array([f.first for f in facts], dtype=np.float64)
    lang_a, lang_b = languages[rows], languages[cols]
    ok = (lang_a == "") | (lang_b == "") | (lang_a == lang_b)
    if options.max_days > 0:
        gap = np.abs(stamps[rows] - stamps[cols])
        ok &= ~(gap > options.max_days * DAY)  # NaN (unknown date) compares False: allowed
    return ok


MAGNITUDE_TOLERANCE = 2
"""Tenths by which two stated magnitudes may differ and still be one earthquake's (a first estimate revised: 6.1,
then 6.0)."""


def conflicting_magnitudes(vectors: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """A boolean mask over the pairs ``(rows[i], cols[i])`` of rows of ``vectors``: True where both articles state
    an earthquake magnitude (``features.magnitude_bins``) and none of one is within ``MAGNITUDE_TOLERANCE`` tenths
    of one of the other. Two reports of an earthquake rarely give magnitudes further apart; two earthquakes of one
    place (ECB+'s sibling events: 5.6 and 5.9 on one island, three years apart) share their words and names, not
    that figure. Read from the vectors, so the batch and the incremental path see the same (stored terms)."""
    stated = magnitude_bins(vectors)
    has = np.asarray(stated.any(axis=1), dtype=bool)
    both = np.flatnonzero(has[rows] & has[cols])  # few pairs: only those are compared value by value
    mine = stated[rows[both]]
    near = mine.copy()
    for shift in range(1, MAGNITUDE_TOLERANCE + 1):
        near[:, shift:] |= mine[:, :-shift]
        near[:, :-shift] |= mine[:, shift:]
    out = np.zeros(len(rows), dtype=bool)
    out[both] = ~(near & stated[cols[both]]).any(axis=1)
    return out


__all__ = ["MAGNITUDE_TOLERANCE", "GroupFacts", "compatible_pairs", "conflicting_magnitudes", "facts_of"]
