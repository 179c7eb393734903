"""An article as the rows a save writes, built outside any transaction (the repository's saves and the job queue's
submissions share it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..models import Article
from ..serialize import to_plain
from .codec import to_utc_naive
from .report import SaveReport


def nul_free(value: Any) -> Any:
    """``value`` with every NUL character replaced by U+FFFD (PostgreSQL cannot store NUL; the length, so every
    offset, stays the same). Strings inside lists and dicts are cleaned too."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, dict):
        return {nul_free(k): nul_free(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nul_free(v) for v in value]
    if isinstance(value, tuple):
        return tuple(nul_free(v) for v in value)
    return value


def article_values(article: Article) -> dict[str, Any]:
    """The columns of an article's row that come from the article itself (the save adds when, which run and
    which story or job)."""
    return nul_free({
        "id": article.id,
        "text": article.text,
        "title": article.title,
        "source": article.source,
        "source_name": article.source_name,
        "url": article.url,
        "published": to_utc_naive(article.published),
        "published_iso": article.published.isoformat() if article.published else None,
        "language": article.language,
        "author": article.author,
        "input": article.input,
        "duplicate_of": article.duplicate_of,
        "meta": to_plain(article.meta or {}),
    })


@dataclass(slots=True)
class ArticleRows:
    """Articles as the rows a save writes, built before its transaction opens (``article_rows``): the write
    transaction then only runs statements, so the database's write lock is held for as short as it can be."""

    values: dict[str, dict[str, Any]]
    """Article id -> its row's own columns (``article_values``), the last copy of an id given twice."""
    search: dict[str, str]
    """Article id -> the text the search index keeps for it."""


@dataclass(frozen=True, slots=True)
class PostedRows:
    """One post's articles for ``Store.upsert_posts``: its rows, the run and job they are saved under, its report."""

    rows: ArticleRows
    run_id: int
    pending_job: int | None
    report: SaveReport


def article_rows(articles: Iterable[Article]) -> ArticleRows:
    """The rows of ``articles`` for ``Store.upsert_articles`` (Python work only: call it outside a transaction)."""
    by_id = {nul_free(a.id): a for a in articles}
    values = {aid: article_values(a) for aid, a in by_id.items()}
    return ArticleRows(values, {aid: nul_free(article_search_body(a)) for aid, a in by_id.items()})


def article_search_body(article: Article) -> str:
    """The text the search index keeps for an article: its title and its text."""
    return f"{article.title or ''}\n{article.text}"
