"""Summary order: the chronology of events (article date, then place in the article), not order of selection."""

from __future__ import annotations

from collections.abc import Sequence

from .dangling import NameLookup
from .index import StorySentences


def chronological(
    index: StorySentences, chosen: Sequence[int], names: NameLookup | None = None
) -> list[int]:
    """``chosen`` sorted by publication day of the article, then relative position, then article order.

    A sentence that dangles stays right after the sentence it leans on, because both come from one article
    and keep their order there. With ``names`` (``select.story_name_uses``), a sentence that names someone by
    surname alone comes after the first sentence that names them in full.
    """

    def key(i: int) -> tuple[float, float, int, int]:
        k = int(index.owner[i])
        article = index.articles[k]
        day = article.published.date().toordinal() if article.published else 0
        length = max(len(article.sentences), 1)
        return (float(day), int(index.position[i]) / length, k, int(index.position[i]))

    ordered = sorted(chosen, key=key)
    # Keep a dangling sentence glued to its antecedent even when relative positions interleave articles.
    result: list[int] = []
    placed: set[int] = set()
    for i in ordered:
        current: int | None = i
        while current is not None and current not in placed:
            result.append(current)
            placed.add(current)
            current = next(
                (j for j in ordered if j not in placed and index.owner[j] == index.owner[current]
                 and index.position[j] == index.position[current] + 1),
                None,
            )
    return result if names is None else _after_introductions(result, names)


def _after_introductions(order: list[int], names: NameLookup) -> list[int]:
    """``order`` with each sentence that uses a bare surname moved after the first one naming that person in full."""
    result: list[int] = []
    waiting: list[int] = []
    introduced: set[str] = set()
    for i in order:
        if not names[i].bare <= introduced:
            waiting.append(i)
            continue
        result.append(i)
        introduced |= names[i].full
        for j in [j for j in waiting if names[j].bare <= introduced]:
            waiting.remove(j)
            result.append(j)
            introduced |= names[j].full
    return result + waiting
