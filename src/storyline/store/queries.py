"""Read queries the web app and the JSON API page through: story lists with filters, sources, entities, search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select

from ..text.outlets import outlet_key
from .codec import to_utc_naive, utc_iso
from .repository import Store
from .search import matching_ids, ranked_ids
from .tables import ArticleRow, CitationRow, StoryEntityRow, StorylineRow, StorylineStoryRow, StoryRow

__all__ = [
    "SORTS",
    "StoryFilter",
    "article_briefs",
    "article_page",
    "history_length",
    "list_articles",
    "list_entities",
    "list_sources",
    "list_stories",
    "list_storylines",
    "search",
    "story_cards",
    "storyline_of_story",
    "storyline_page",
]

SORTS = ("newest", "biggest", "updated")


@dataclass(frozen=True, slots=True)
class StoryFilter:
    """What the story list shows: words to search, one source / entity / language, a date range, an order."""

    q: str | None = None
    source: str | None = None
    entity: str | None = None
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: str = "newest"
    blindspot: bool = False
    """Only stories covered by one group of outlets only (``coverage.one_group``; groups from ``sources.toml``)."""


def _outlet_names(session: Any, name: str) -> list[str]:
    """The stored display names of the outlet ``name`` spells (``harbor-ledger`` finds ``Harbor Ledger``)."""
    key = outlet_key(name)
    stored = session.scalars(select(ArticleRow.source_name).distinct())
    return [n for n in stored if n == name or (key and outlet_key(n) == key)]


def _filtered(flt: StoryFilter, session: Any) -> Select[Any] | None:
    stmt = select(StoryRow.id)
    if flt.q:
        hits = matching_ids(session, "story", flt.q)
        if hits is None:
            return None
        stmt = stmt.where(StoryRow.id.in_(hits))
    if flt.source:
        stmt = stmt.where(StoryRow.id.in_(select(ArticleRow.story_id).where(
            ArticleRow.source_name.in_(_outlet_names(session, flt.source)))))
    if flt.language:
        stmt = stmt.where(StoryRow.id.in_(select(ArticleRow.story_id).where(ArticleRow.language == flt.language)))
    if flt.entity:
        stmt = stmt.where(StoryRow.id.in_(select(StoryEntityRow.story_id).where(StoryEntityRow.name == flt.entity)))
    if flt.since:
        stmt = stmt.where(StoryRow.last_published >= to_utc_naive(flt.since))
    if flt.until:
        stmt = stmt.where(StoryRow.first_published <= to_utc_naive(flt.until))
    if flt.blindspot:
        stmt = stmt.where(_ONE_GROUP.is_not(None))
    return stmt


_ONE_GROUP = StoryRow.one_group
"""The group a story is covered by alone (``coverage.one_group`` of its body, kept as a column: reading it out of
each card's JSON body cost ~40x the rest of the cards' query)."""


def list_stories(store: Store, flt: StoryFilter, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """One page of story cards matching ``flt`` in its order, and how many match in all."""
    if flt.sort not in SORTS:
        raise ValueError(f"unknown sort {flt.sort!r}; use one of {', '.join(SORTS)}")
    with store.session() as s:
        ids = _filtered(flt, s)
        if ids is None:
            return [], 0
        total = int(s.scalar(select(func.count()).select_from(ids.subquery())) or 0)
        order: list[Any]
        if flt.sort == "biggest":
            order = [StoryRow.size.desc(), StoryRow.sort_time.desc(), StoryRow.id.desc()]
        elif flt.sort == "updated":
            order = [StoryRow.updated_at.desc(), StoryRow.id.desc()]
        else:
            order = [StoryRow.sort_time.desc(), StoryRow.id.desc()]
        page_ids = list(s.scalars(ids.order_by(*order).limit(limit).offset(offset)))
    return story_cards(store, page_ids), total


def story_cards(store: Store, story_ids: list[str]) -> list[dict[str, Any]]:
    """Short descriptions of stories (headline, size, dates, first summary sentence, sources), in the order given."""
    if not story_ids:
        return []
    with store.session() as s:
        rows = {r.id: r for r in s.execute(
            select(StoryRow.id, StoryRow.headline, StoryRow.size, StoryRow.first_published, StoryRow.last_published,
                   StoryRow.updated_at, StoryRow.version, StoryRow.lede, _ONE_GROUP.label("one_group"))
            .where(StoryRow.id.in_(story_ids)))}
        sources: dict[str, list[str]] = {}
        for sid, name in s.execute(
            select(ArticleRow.story_id, ArticleRow.source_name).where(ArticleRow.story_id.in_(story_ids))
            .group_by(ArticleRow.story_id, ArticleRow.source_name).order_by(ArticleRow.source_name)
        ):
            if sid is not None:
                sources.setdefault(sid, []).append(name)
        storyline = {story: line for story, line in s.execute(
            select(StorylineStoryRow.story_id, StorylineStoryRow.storyline_id)
            .where(StorylineStoryRow.story_id.in_(story_ids)))}
    cards = []
    for sid in story_ids:
        row = rows.get(sid)
        if row is None:
            continue
        cards.append({
            "id": row.id,
            "headline": row.headline,
            "size": row.size,
            "first_published": utc_iso(row.first_published),
            "last_published": utc_iso(row.last_published),
            "updated_at": utc_iso(row.updated_at),
            "version": row.version,
            "lede": row.lede,
            "sources": sources.get(sid, []),
            "storyline": storyline.get(sid),
            "one_group": row.one_group,
        })
    return cards


def article_briefs(store: Store, article_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Title, outlet, date and duplicate link of articles (no text): what a story page lists."""
    with store.session() as s:
        rows = s.execute(select(ArticleRow.id, ArticleRow.title, ArticleRow.source_name, ArticleRow.published_iso,
                                ArticleRow.duplicate_of).where(ArticleRow.id.in_(article_ids)))
        return {r.id: {"id": r.id, "title": r.title, "source_name": r.source_name, "published": r.published_iso,
                       "duplicate_of": r.duplicate_of} for r in rows}


def history_length(store: Store, story_id: str) -> int:
    """How many versions a story has had."""
    from .tables import StoryVersionRow

    with store.session() as s:
        return int(s.scalar(select(func.count()).where(StoryVersionRow.story_id == story_id)) or 0)


def search(store: Store, q: str, limit: int, offset: int) -> dict[str, Any]:
    """Storylines, stories and articles matching every word of ``q``, best first (one page of each) with their
    totals."""
    with store.session() as s:
        line_ids, storylines_total = ranked_ids(s, "storyline", q, limit, offset)
        lines = {r.id: r for r in s.execute(select(*_STORYLINE_COLUMNS).where(StorylineRow.id.in_(line_ids)))
                 } if line_ids else {}
        storylines = [_storyline_item(lines[i]) for i in line_ids if i in lines]
        story_ids, stories_total = ranked_ids(s, "story", q, limit, offset)
        article_ids, articles_total = ranked_ids(s, "article", q, limit, offset)
        rows = {r.id: r for r in s.execute(
            select(ArticleRow.id, ArticleRow.title, ArticleRow.source_name, ArticleRow.published_iso,
                   ArticleRow.story_id, func.substr(ArticleRow.text, 1, 240).label("head"))
            .where(ArticleRow.id.in_(article_ids)))} if article_ids else {}
    articles = [
        {"id": r.id, "title": r.title, "source": r.source_name, "published": r.published_iso,
         "story_id": r.story_id, "snippet": r.head}
        for r in (rows[a] for a in article_ids if a in rows)
    ]
    return {
        "storylines": storylines,
        "storylines_total": storylines_total,
        "stories": story_cards(store, story_ids),
        "stories_total": stories_total,
        "articles": articles,
        "articles_total": articles_total,
    }


def list_articles(store: Store, source: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """One page of articles (newest first, optionally of one source) without their text."""
    with store.session() as s:
        stmt = select(ArticleRow.id, ArticleRow.title, ArticleRow.source_name, ArticleRow.published_iso,
                      ArticleRow.language, ArticleRow.story_id, ArticleRow.duplicate_of, ArticleRow.url)
        counter = select(func.count()).select_from(ArticleRow)
        if source:
            names = _outlet_names(s, source)
            stmt = stmt.where(ArticleRow.source_name.in_(names))
            counter = counter.where(ArticleRow.source_name.in_(names))
        total = int(s.scalar(counter) or 0)
        order = (ArticleRow.published.desc().nulls_last(), ArticleRow.id)
        rows = s.execute(stmt.order_by(*order).limit(limit).offset(offset))
        items = [{"id": r.id, "title": r.title, "source": r.source_name, "published": r.published_iso,
                  "language": r.language, "story_id": r.story_id, "duplicate_of": r.duplicate_of, "url": r.url}
                 for r in rows]
    return items, total


def list_sources(
    store: Store, limit: int, offset: int, language: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Outlets by number of articles: name, articles, stories, latest publication (counting only articles in
    ``language`` when given: the outlets that write in it)."""
    where = [ArticleRow.language == language] if language else []
    with store.session() as s:
        total = int(s.scalar(select(func.count(func.distinct(ArticleRow.source_name))).where(*where)) or 0)
        rows = s.execute(
            select(ArticleRow.source_name, func.count().label("articles"),
                   func.count(func.distinct(ArticleRow.story_id)).label("stories"),
                   func.max(ArticleRow.published).label("latest"))
            .where(*where)
            .group_by(ArticleRow.source_name)
            .order_by(func.count().desc(), ArticleRow.source_name).limit(limit).offset(offset)
        )
        items = [{"name": r.source_name, "articles": r.articles, "stories": r.stories, "latest": utc_iso(r.latest)}
                 for r in rows]
    return items, total


def list_entities(store: Store, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Entities by number of stories that name them: name, type, stories, mentions."""
    with store.session() as s:
        keys = select(StoryEntityRow.name, StoryEntityRow.type).group_by(StoryEntityRow.name, StoryEntityRow.type)
        total = int(s.scalar(select(func.count()).select_from(keys.subquery())) or 0)
        rows = s.execute(
            select(StoryEntityRow.name, StoryEntityRow.type, func.count().label("stories"),
                   func.sum(StoryEntityRow.count).label("mentions"))
            .group_by(StoryEntityRow.name, StoryEntityRow.type)
            .order_by(func.count().desc(), StoryEntityRow.name).limit(limit).offset(offset)
        )
        items = [{"name": r.name, "type": r.type, "stories": r.stories, "mentions": int(r.mentions or 0)} for r in rows]
    return items, total


def article_page(store: Store, article_id: str) -> dict[str, Any]:
    """An article as JSON (``stories.json`` article fields) with its story and the summary sentences citing it
    (each citation with the cited text)."""
    from ..serialize import article_to_dict

    article = store.article(article_id)
    with store.session() as s:
        story_id = s.scalar(select(ArticleRow.story_id).where(ArticleRow.id == article_id))
        cited = [
            {"story_id": c.story_id, "position": c.position, "start": c.start, "end": c.end,
             "text": article.text[c.start : c.end]}
            for c in s.scalars(select(CitationRow).where(CitationRow.article_id == article_id)
                               .order_by(CitationRow.story_id, CitationRow.position))
        ]
    return {**article_to_dict(article), "story_id": story_id, "cited_by": cited}


_STORYLINE_COLUMNS = (StorylineRow.id, StorylineRow.headline, StorylineRow.size, StorylineRow.first_published,
                      StorylineRow.last_published, StorylineRow.updated_at, StorylineRow.body)


def _storyline_item(r: Any) -> dict[str, Any]:
    """A storyline's list entry (headline, size, dates, story ids, latest lede) from a row of ``_STORYLINE_COLUMNS``."""
    return {
        "id": r.id, "headline": r.headline, "size": r.size, "first_published": utc_iso(r.first_published),
        "last_published": utc_iso(r.last_published), "updated_at": utc_iso(r.updated_at),
        "story_ids": r.body.get("story_ids", []),
        "lede": (r.body.get("summary") or [{}])[-1].get("text", ""),
    }


def list_storylines(store: Store, limit: int, offset: int, q: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """Storylines (two or more stories), newest first; ``q`` searches their headlines and summaries."""
    with store.session() as s:
        stmt = select(*_STORYLINE_COLUMNS)
        if q:
            hits = matching_ids(s, "storyline", q)
            if hits is None:
                return [], 0
            stmt = stmt.where(StorylineRow.id.in_(hits))
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.execute(stmt.order_by(StorylineRow.sort_time.desc(), StorylineRow.id.desc())
                         .limit(limit).offset(offset))
        items = [_storyline_item(r) for r in rows]
    return items, int(total)


def storyline_of_story(store: Store, story_id: str) -> dict[str, Any] | None:
    """The storyline a story is in (id, headline, size, the story's place in it), or None."""
    with store.session() as s:
        link = s.execute(select(StorylineStoryRow.storyline_id, StorylineStoryRow.position)
                         .where(StorylineStoryRow.story_id == story_id)).first()
        if link is None:
            return None
        row = s.execute(select(StorylineRow.headline, StorylineRow.size).where(StorylineRow.id == link[0])).first()
    if row is None:
        return None
    return {"id": link[0], "headline": row.headline, "size": row.size, "position": link[1] + 1}


def storyline_page(store: Store, storyline_id: str, since: datetime | None = None) -> dict[str, Any]:
    """A storyline with its stories in time order, each with its card (lede, size, sources), its first report
    (the earliest article) and whether it is ``new`` (first published, or first stored, after ``since``)."""
    body = store.storyline_body(storyline_id)
    ids = list(body.get("story_ids", []))
    cards = {c["id"]: c for c in story_cards(store, ids)}
    first: dict[str, dict[str, Any]] = {}
    created: dict[str, datetime] = {}
    with store.session() as s:
        for sid, created_at in s.execute(select(StoryRow.id, StoryRow.created_at).where(StoryRow.id.in_(ids))):
            created[sid] = created_at
        originals = select(ArticleRow.story_id, ArticleRow.id, ArticleRow.title, ArticleRow.source_name,
                           ArticleRow.published).where(ArticleRow.story_id.in_(ids), ArticleRow.duplicate_of.is_(None))
        rows = s.execute(originals.order_by(ArticleRow.published, ArticleRow.id))
        for r in rows:
            if r.story_id not in first or (first[r.story_id]["published"] is None and r.published is not None):
                first[r.story_id] = {"id": r.id, "title": r.title, "source": r.source_name,
                                     "published": utc_iso(r.published)}
    bound = to_utc_naive(since)
    events = []
    for sid in ids:
        card = cards.get(sid)
        if card is None:
            continue
        published = card["first_published"]
        when = to_utc_naive(datetime.fromisoformat(published)) if published else created.get(sid)
        events.append({**card, "first_report": first.get(sid), "new": bool(bound and when and when > bound)})
    return {**body, "stories": events, "new": sum(e["new"] for e in events)}
