"""Summary order: the chronology of events (article date, then place in the article), not order of selection."""

from __future__ import annotations

from collections.abc import Sequence

from .index import StorySentences


def chronological(index: StorySentences, chosen: Sequence[int]) -> list[int]:
    """``chosen`` sorted by publication day of the article, then relative position, then article order.

    A sentence that dangles stays right after the sentence it leans on, because both come from one article
    and keep their order there.
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
    return result
