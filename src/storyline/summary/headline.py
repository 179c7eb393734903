"""A story's headline: the most representative title, else the best first sentence."""

from __future__ import annotations

from collections.abc import Sequence

from ..config import SummaryOptions
from ..models import Article
from .index import is_candidate, split_markup, trim_dateline


def _first_sentence(article: Article) -> str | None:
    """The article's first real sentence: no dateline, link, markup or fragment."""
    options = SummaryOptions()
    for whole in article.sentences:
        for piece in split_markup(whole):
            sentence = trim_dateline(piece)
            if is_candidate(sentence, options):
                return sentence.text
    return None


def choose_headline(articles: Sequence[Article], centrality: dict[str, float]) -> str:
    """The title of the most central article that has one; otherwise the most central article's first sentence."""
    titled = [a for a in articles if a.title and a.title.strip()]
    if titled:
        best = max(titled, key=lambda a: (centrality.get(a.id, 0.0), -len(a.title or "")))
        return (best.title or "").strip()
    firsts = [(a, _first_sentence(a)) for a in articles]
    usable = [(a, s) for a, s in firsts if s]
    if not usable:
        with_text = [a for a in articles if a.sentences]
        return with_text[0].sentences[0].text[:200] if with_text else (articles[0].text[:120] if articles else "")
    _best, first = max(usable, key=lambda pair: centrality.get(pair[0].id, 0.0))
    return first if len(first) <= 200 else first[:197].rsplit(" ", 1)[0] + "…"
