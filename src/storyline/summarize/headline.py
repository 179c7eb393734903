"""A story's headline: the most representative title, else the best first sentence."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Article


def choose_headline(articles: Sequence[Article], centrality: dict[str, float]) -> str:
    """The title of the most central article that has one; otherwise the most central first sentence."""
    titled = [a for a in articles if a.title and a.title.strip()]
    if titled:
        best = max(titled, key=lambda a: (centrality.get(a.id, 0.0), -len(a.title or "")))
        return (best.title or "").strip()
    with_text = [a for a in articles if a.sentences]
    if not with_text:
        return articles[0].text[:120] if articles else ""
    best = max(with_text, key=lambda a: centrality.get(a.id, 0.0))
    first = best.sentences[0].text
    return first if len(first) <= 200 else first[:197].rsplit(" ", 1)[0] + "…"
