"""Helpers for the store and web tests: fresh SQLite / PostgreSQL stores and the demo corpus digested once."""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pytest

from storyline import Article, Digest, Rejected, Settings, digest
from storyline.store import Store

from conftest import DEMO, POSTGRES_ENV, POSTGRES_HOWTO

BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]


@lru_cache(maxsize=1)
def _demo() -> Digest:
    # with the demo's invented sources.toml: its groups give the coverage block a group to show missing
    grouped = Settings(progress=False).with_overrides({"outlets.file": str(DEMO.parent / "sources.toml")})
    return digest(paths=[str(DEMO)], settings=grouped)


def demo_digest() -> Digest:
    """The bundled demo corpus (18 invented articles, 5 outlets in 2 groups of demo/sources.toml) through the real
    pipeline; a fresh copy each call."""
    return copy.deepcopy(_demo())


def postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.fail(f"{POSTGRES_ENV} is not set: the PostgreSQL tests need a server; {POSTGRES_HOWTO}")
    return url


@contextmanager
def fresh_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL (or path) of an empty database of ``backend``, dropped afterwards."""
    if backend == "sqlite":
        yield str(tmp_path / "store.db")
        return
    import psycopg

    admin = postgres_admin_url()
    name = "storyline_t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def with_comparison(result: Digest) -> Digest:
    """Fill the comparison fields of the demo stories from demo/features.json (real spans of the real texts).

    The comparison component fills these in a real run; the store must keep whatever it produces.
    """
    import json

    from storyline.models import Claim, Conflict, ConflictSide, Entity, Quote, TimelineEvent, UniqueFact

    features = json.loads((DEMO.parent / "features.json").read_text(encoding="utf-8"))
    texts = {a.id: a.text for a in result.articles}

    def span(article_id: str, text: str) -> tuple[int, int]:
        start = texts[article_id].index(text)
        return start, start + len(text)

    for story in result.stories:
        members = set(story.article_ids)
        for conflict in features["conflicts"]:
            sides = []
            for side in conflict["sides"]:
                if side["article_id"] in members:
                    start, end = span(side["article_id"], side["text"])
                    sides.append(ConflictSide(value=side["value"], article_id=side["article_id"], start=start, end=end))
            if len({s.value for s in sides}) > 1:
                story.conflicts.append(Conflict(about=conflict["about"], sides=sides))
        for quote in features["quotes"]:
            if quote["article_id"] in members:
                start, end = span(quote["article_id"], quote["text"])
                story.quotes.append(Quote(speaker=quote["speaker"], text=quote["text"], direct=quote["direct"],
                                          article_id=quote["article_id"], start=start, end=end))
                story.entities.append(Entity(name=quote["speaker"], type="PERSON", aliases=[],
                                             article_ids=[quote["article_id"]], count=1))
                story.timeline.append(TimelineEvent(date="2026-09-08", expression="Tuesday", text=quote["text"],
                                                    anchor=None, article_id=quote["article_id"], start=start, end=end))
        if story.summary:
            first = story.summary[0]
            story.agreed.append(Claim(text=first.text, citations=list(first.citations)))
            c = first.citations[0]
            cited = texts[c.article_id][c.start : c.end]
            story.unique.append(UniqueFact(article_id=c.article_id, start=c.start, end=c.end, text=cited, rank=1))
    return result


XSS_TITLE = '<script>window.__xss = "title"</script> Harbour bridge reopens'
XSS_TEXT = ('The Harbour bridge reopened on Friday after three weeks of repairs, the city said. '
            '<img src=x onerror="window.__xss = \'text\'"> Engineers replaced two cracked steel beams. '
            'Traffic was back to normal by the evening rush hour, officials said.')


def xss_articles() -> list[Article]:
    """Two articles about one event whose title and text carry script and onerror= payloads."""
    from datetime import UTC, datetime

    return [
        Article(id="xss-1", title=XSS_TITLE, text=XSS_TEXT, source="Evil <b>Gazette</b>", url="javascript:alert(1)",
                published=datetime(2026, 9, 18, 9, 0, tzinfo=UTC), language="en"),
        Article(id="xss-2", title="Harbour bridge reopens <svg onload=alert(2)>",
                text=XSS_TEXT.replace("Friday", "Friday morning"), source="Second Paper",
                published=datetime(2026, 9, 18, 11, 0, tzinfo=UTC), language="en"),
    ]


def filled_store(url: str) -> tuple[Store, Digest]:
    """A store holding the demo corpus (with comparison fields), the two XSS articles and a reject."""
    result = with_comparison(demo_digest())
    result.rejected.append(Rejected("feeds/broken.xml", "not RSS or Atom (root element <html>); pass --format html"))
    store = Store.open(url)
    store.save_digest(result)
    xss = digest(xss_articles(), settings=Settings(progress=False))
    store.save_digest(xss)
    return store, store.load_digest()
