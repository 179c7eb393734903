"""``Store``: the one interface to the database, the same over SQLite and PostgreSQL.

Saving is idempotent by article id and story id: saving the same digest twice changes nothing, and a story gets a
new version (kept in its history) only when its content changed.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, delete, event, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import NotFoundError, StoreError
from ..models import Article, Digest, Rejected, Stats, Story, Storyline, charset_guessed, replaced_bytes
from ..serialize import storyline_to_dict, to_plain
from . import dedup_index, migrate, state_rows, storyline_state
from .codec import (
    article_from_row,
    body_hash,
    story_from_dict,
    story_to_body,
    storyline_from_dict,
    to_utc_naive,
    utc_iso,
    utcnow,
)
from .jobs import JobQueue
from .lock import writer_lock
from .report import SaveReport
from .rows import ArticleRows, PostedRows, article_rows, nul_free
from .search import drop_search_docs, put_search_docs
from .tables import (
    ArticleRow,
    BlobRow,
    CitationRow,
    RejectRow,
    RunRow,
    StoryEntityRow,
    StorylineRow,
    StorylineStoryRow,
    StoryRedirectRow,
    StoryRow,
    StoryVersionRow,
    insert_rows,
)
from .url import resolve_url
from .write_clock import WriteClock

if TYPE_CHECKING:  # the dedup package is digest code; the store (and the web app) do not need it loaded
    from ..cluster.state_store import StateDelta
    from ..cluster.storyline_rows import StorylineDelta
    from ..dedup.stored import IndexedKey, StoredSketch

__all__ = ["Store", "StoryVersion"]

_CHUNK = 500


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(slots=True)
class StoryVersion:
    """One state of a story in its history: version 1 is how it was first saved."""

    story_id: str
    version: int
    saved_at: datetime
    run_id: int | None
    body: dict[str, Any] = field(repr=False)

    @property
    def story(self) -> Story:
        return story_from_dict(self.body)


def _story_bodies(stories: Iterable[Story]) -> list[tuple[Story, dict[str, Any], str]]:
    """Each story with the body the store keeps and its hash (Python work only: built before the transaction)."""
    bodies = [(story, nul_free(story_to_body(story))) for story in stories]
    return [(story, body, body_hash(body)) for story, body in bodies]


def _story_search_body(body: dict[str, Any], titles: dict[str, str | None]) -> str:
    parts = [body.get("headline") or ""]
    parts += [s.get("text", "") for s in body.get("summary", [])]
    parts += [titles.get(aid) or "" for aid in body.get("article_ids", [])]
    parts += [e.get("name", "") for e in body.get("entities", [])]
    return "\n".join(p for p in parts if p)


GENERATION_WINDOW = 1000
"""Saves a save may commit behind (``Store.generation``): far more than the writers that could run at once."""


@dataclass(frozen=True, slots=True)
class _StoryGeneration:
    """What ``Store.story_generation`` has read: at ``generation``, ``count`` saves that could change a story; every
    run id up to ``cursor`` read, and the ids ``above`` it read too (a gap below them: a save still committing)."""

    generation: tuple[int, int] | None
    count: int
    cursor: int
    above: frozenset[int]


class Store:
    """Articles, stories (with history), rejects and blobs in SQLite or PostgreSQL; open with ``Store.open``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._deferred: dict[str, bytes] | None = None
        self._deferred_state: list[StateDelta] = []
        self._deferred_lines: list[StorylineDelta] = []
        self.on_writer_wait: Callable[[str], None] | None = None
        """Called (with who holds the lock) when a writer of this store has to wait for another one."""
        self.write_clock = WriteClock(engine)
        """How long this process's write transactions held the database's write lock (``store/write_clock.py``)."""
        self._story_generation = _StoryGeneration(None, 0, 0, frozenset())
        self._generation_lock = threading.Lock()

    # -- opening -------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, url_or_path: str | os.PathLike[str] | None = None, *, echo: bool = False) -> Store:
        """Open (creating and migrating as needed) the store at a SQLite path, ``sqlite:///…`` or ``postgresql://…``.

        ``None`` or ``""`` opens ``storyline.db`` in the user's data dir (see ``url.default_database_path``).
        """
        url = resolve_url(url_or_path)
        shown = _shown(url_or_path, url)
        try:
            engine = _make_engine(url, echo)
            current = migrate.current_revision(engine)
            head = migrate.head_revision()
            if current != head:
                if current is not None and current not in migrate.known_revisions():
                    raise StoreError(
                        f"cannot open store {shown!r}: it was written by a newer storyline (schema {current}); "
                        "upgrade storyline"
                    )
                migrate.upgrade(engine)
        except OperationalError as exc:
            raise StoreError(
                f"cannot open store {shown!r}: {' '.join(str(exc.orig).split())}; "
                "check the path or URL and that the server runs"
            ) from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open store {shown!r}: {exc}") from exc
        return cls(engine)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed when the block ends, rolled back on an exception."""
        try:
            with self._sessions.begin() as session:
                yield session
        finally:
            self.write_clock.finished()

    # -- saving --------------------------------------------------------------------------------------------

    @property
    def jobs(self) -> JobQueue:
        """The write jobs of this store (``store/jobs.py``)."""
        return JobQueue(self)

    def writer(self, *, holder: str, wait: float | None = None,
               on_wait: Callable[[str], None] | None = None) -> AbstractContextManager[None]:
        """The store's writer lock (``store/lock.py``): one grouping writer at a time, re-entrant per thread."""
        return writer_lock(self, holder=holder, wait=wait, on_wait=on_wait or self.on_writer_wait)

    def save_digest(self, digest: Digest, *, kind: str = "digest", merges: Mapping[str, str] | None = None,
                    as_stored: Collection[str] = ()) -> SaveReport:
        """Persist a digest: upsert its articles and stories by id, version changed stories, record rejects.

        ``merges`` (old story id -> the story it was merged into) are kept as redirects (``merged_into``).
        ``as_stored``: ids of the digest's articles read from this store as they are (the earlier members of the
        stories a live batch touched): their rows are not written again, only their story links."""
        report = SaveReport()
        # everything Python builds (rows, story bodies and their hashes, search texts) is built before the write
        # transaction opens: it then runs statements only, and holds the database's write lock (which every other
        # writer, a POST /api/articles insert on SQLite, waits for) that long (``Store.write_clock``, bench/load.py)
        skip = set(as_stored)
        articles = article_rows(a for a in digest.articles if a.id not in skip) if skip else \
            article_rows(digest.articles)
        stories = _story_bodies(digest.stories)
        storylines = [(line, nul_free(storyline_to_dict(line))) for line in digest.storylines]
        homes = {nul_free(aid): nul_free(story.id) for story in digest.stories for aid in story.article_ids}
        stats = to_plain(digest.stats)
        titles = {nul_free(a.id): a.title for a in digest.articles}
        now = utcnow()
        with self.session() as s:
            run = RunRow(kind=kind, started_at=now, stats=stats, saved={})
            s.add(run)
            s.flush()
            report.run_id = run.id
            self.upsert_articles(s, articles, now, run.id, report, homes)
            self._save_stories(s, stories, titles, now, run.id, report)
            self.save_rejects(s, digest.rejected, now, run.id, report)
            self._save_redirects(s, merges or {}, [story.id for story in digest.stories], now, run.id)
            self._save_storylines(s, storylines, digest.storylines_gone, now, report)
            for delta in self._deferred_state:  # the clustering state that produced these stories, same transaction
                self._put_state(s, delta)
            self._deferred_state.clear()
            for lines in self._deferred_lines:  # the storyline state of these stories, same transaction
                self._put_storylines(s, lines)
            self._deferred_lines.clear()
            if self._deferred:
                for key, data in self._deferred.items():
                    self._write_blob(s, key, data)
                self._deferred.clear()
            run.saved = report.as_dict()
        return report

    @staticmethod
    def _save_redirects(s: Session, merges: Mapping[str, str], live: Sequence[str], now: datetime,
                        run_id: int) -> None:
        """Keep ``merges`` as redirects; an id that is a story again (saved now) no longer redirects."""
        merges = {nul_free(old): nul_free(into) for old, into in merges.items() if old != into}
        for chunk in _chunks(sorted(set(merges) | {nul_free(sid) for sid in live})):
            s.execute(delete(StoryRedirectRow).where(StoryRedirectRow.old_id.in_(chunk)))
        if merges:
            s.execute(insert_rows(StoryRedirectRow),
                      [{"old_id": old, "into": into, "run_id": run_id, "merged_at": now}
                       for old, into in merges.items()])

    @staticmethod
    def _save_storylines(s: Session, storylines: Sequence[tuple[Storyline, dict[str, Any]]], gone: Sequence[str],
                         now: datetime, report: SaveReport) -> None:
        """Upsert the changed storylines (each with its body, built before the transaction) and their stories'
        links; drop those left with fewer than two stories."""
        ids = [body["id"] for _, body in storylines]
        dropped = sorted({nul_free(g) for g in gone} - set(ids))
        for chunk in _chunks(dropped):
            s.execute(delete(StorylineRow).where(StorylineRow.id.in_(chunk)))
            s.execute(delete(StorylineStoryRow).where(StorylineStoryRow.storyline_id.in_(chunk)))
        drop_search_docs(s, "storyline", dropped)
        if not storylines:
            return
        created: dict[str, datetime] = {}
        for chunk in _chunks(ids):
            stored = s.execute(select(StorylineRow.id, StorylineRow.created_at).where(StorylineRow.id.in_(chunk)))
            created.update((line_id, at) for line_id, at in stored)
            s.execute(delete(StorylineRow).where(StorylineRow.id.in_(chunk)))
            s.execute(delete(StorylineStoryRow).where(StorylineStoryRow.storyline_id.in_(chunk)))
        members = [sid for _, body in storylines for sid in body["story_ids"]]
        for chunk in _chunks(members):  # a story that moved to another storyline leaves its old one's links
            s.execute(delete(StorylineStoryRow).where(StorylineStoryRow.story_id.in_(chunk)))
        rows, links, search = [], [], {}
        for line, body in storylines:
            sid = body["id"]
            rows.append({
                "id": sid, "headline": body["headline"], "size": len(line.story_ids),
                "first_published": to_utc_naive(line.first_published),
                "last_published": to_utc_naive(line.last_published),
                "sort_time": to_utc_naive(line.last_published) or created.get(sid, now),
                "body": body, "created_at": created.get(sid, now), "updated_at": now,
            })
            links += [{"story_id": story, "storyline_id": sid, "position": i}
                      for i, story in enumerate(body["story_ids"])]
            search[sid] = " ".join([body["headline"], *(sentence["text"] for sentence in body["summary"])])
            report.storylines_saved += 1
        s.execute(insert_rows(StorylineRow), rows)
        s.execute(insert_rows(StorylineStoryRow), links)
        put_search_docs(s, "storyline", search)

    def storyline_ids(self) -> list[str]:
        """The ids of every stored storyline."""
        with self.session() as s:
            return list(s.scalars(select(StorylineRow.id).order_by(StorylineRow.id)))

    def storyline_body(self, storyline_id: str) -> dict[str, Any]:
        """One storyline as a ``stories.json`` storyline object; ``NotFoundError`` when there is none."""
        with self.session() as s:
            body = s.scalar(select(StorylineRow.body).where(StorylineRow.id == storyline_id))
        if body is None:
            raise NotFoundError(storyline_id)
        return body

    def storyline_of(self, story_ids: Sequence[str]) -> dict[str, str]:
        """Story id -> the id of its (shown) storyline, for the stories among ``story_ids`` that have one."""
        found: dict[str, str] = {}
        with self.session() as s:
            for chunk in _chunks(list(dict.fromkeys(story_ids))):
                stmt = select(StorylineStoryRow.story_id, StorylineStoryRow.storyline_id)
                found.update((story, line) for story, line in s.execute(
                    stmt.where(StorylineStoryRow.story_id.in_(chunk))))
        return found

    def merged_into(self, story_id: str) -> str | None:
        """The story that ``story_id`` was merged into, followed to a story that exists (None: no redirect)."""
        seen = {story_id}
        current = story_id
        with self.session() as s:
            while True:
                into = s.scalar(select(StoryRedirectRow.into).where(StoryRedirectRow.old_id == current))
                if into is None or into in seen:
                    break
                seen.add(into)
                current = into
                if s.scalar(select(StoryRow.id).where(StoryRow.id == current)) is not None:
                    return current
        return None

    @contextmanager
    def deferred_blobs(self) -> Iterator[None]:
        """Hold ``put_blob`` writes in memory until ``save_digest``, which commits them with the stories.

        ``digest --db`` saves its clustering state while it groups, long before the stories are saved; written at
        once, a kill -9 in between left a state that did not match the stored stories, or only some of its blobs
        (the next run then failed, found by ``bench/crash.py`` at 10,000 articles). Inside this block either both
        are saved or neither.
        """
        self._deferred, self._deferred_state, self._deferred_lines = {}, [], []
        try:
            yield
        finally:
            self._deferred, self._deferred_state, self._deferred_lines = None, [], []

    def save_articles(self, articles: Sequence[Article], rejected: Sequence[Rejected] = (), *,
                      kind: str = "api") -> SaveReport:
        """Persist articles not grouped yet (they wait in ``pending_articles()`` for the next digest)."""
        report = SaveReport()
        rows = article_rows(articles)
        stats = Stats(inputs=len(articles), articles=len(articles), rejected=len(rejected),
                      replaced_bytes=replaced_bytes(articles), charset_guessed=charset_guessed(articles))
        now = utcnow()
        with self.session() as s:
            run = RunRow(kind=kind, started_at=now, stats=to_plain(stats), saved={})
            s.add(run)
            s.flush()
            report.run_id = run.id
            self.upsert_articles(s, rows, now, run.id, report)
            self.save_rejects(s, rejected, now, run.id, report)
            run.saved = report.as_dict()
        return report

    def upsert_articles(self, s: Session, rows: ArticleRows, now: datetime, run_id: int,
                        report: SaveReport, homes: dict[str, str] | None = None, *,
                        pending_job: int | None = None) -> None:
        """Insert new articles and update stored ones (in session ``s``; ``rows`` from ``article_rows``, built
        before the transaction); each is left with ``pending_job`` (None: no job waits to group it, e.g. because
        this save groups it)."""
        self.upsert_posts(s, [PostedRows(rows, run_id, pending_job, report)], now, homes)

    def upsert_posts(self, s: Session, posts: Sequence[PostedRows], now: datetime,
                     homes: dict[str, str] | None = None) -> None:
        """``upsert_articles`` of several posts in order, each with its own run, job and report, in one statement
        per table for all of them: a group commit of 40 posts (``web/writes.py``) ran 5-8 statements per post, each
        re-taking the interpreter lock behind the reads (bench/load.py, issue 14). An article given by two posts
        ends as the later one gave it, as if they were saved one after the other."""
        existing: dict[str, tuple[str, str | None]] = {}
        for chunk in _chunks(list(dict.fromkeys(aid for post in posts for aid in post.rows.values))):
            stmt = select(ArticleRow.id, ArticleRow.text, ArticleRow.title).where(ArticleRow.id.in_(chunk))
            for row in s.execute(stmt):
                existing[row.id] = (row.text, row.title)
        homes = homes or {}
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        search: dict[str, str] = {}
        for post in posts:
            for aid, values in post.rows.values.items():
                old = existing.get(aid)
                if old is None:
                    new.append({**values, "added_at": now, "run_id": post.run_id, "story_id": homes.get(aid),
                                "pending_job": post.pending_job})
                    post.report.articles_new += 1
                else:
                    changed.append({**values, "pending_job": post.pending_job})
                    if old == (values["text"], values["title"]):
                        existing[aid] = old
                        continue
                    post.report.articles_updated += 1
                existing[aid] = (values["text"], values["title"])
                if aid in post.rows.search:
                    search[aid] = post.rows.search[aid]
        if new:
            s.execute(insert_rows(ArticleRow), new)
        if changed:
            s.execute(update(ArticleRow), changed)
        put_search_docs(s, "article", search)

    def _save_stories(self, s: Session, stories: Sequence[tuple[Story, dict[str, Any], str]],
                      titles: dict[str, str | None], now: datetime, run_id: int, report: SaveReport) -> None:
        """Upsert ``stories`` (each with its body and the body's hash, ``_story_bodies``); ``titles`` of the saved
        articles by id (the other members' titles are read)."""
        if not stories:
            return
        ids = [body["id"] for _, body, _ in stories]
        if len(set(ids)) != len(ids):
            twice, times = Counter(ids).most_common(1)[0]
            raise StoreError(f"cannot save the digest: story id {twice!r} is used by {times} stories; "
                             "story ids must be unique")
        current: dict[str, tuple[str, int, datetime]] = {}
        for chunk in _chunks(ids):
            rows = s.execute(select(StoryRow.id, StoryRow.body_hash, StoryRow.version, StoryRow.created_at)
                             .where(StoryRow.id.in_(chunk)))
            for row in rows:
                current[row.id] = (row.body_hash, row.version, row.created_at)
        # membership: every article of a saved story now points at it; stories that lose articles are recounted
        members = [(aid, body["id"]) for _, body, _ in stories for aid in body["article_ids"]]
        stored_home: dict[str, str | None] = {}
        for chunk in _chunks([aid for aid, _ in members]):
            homes = s.execute(select(ArticleRow.id, ArticleRow.story_id).where(ArticleRow.id.in_(chunk)))
            stored_home.update((aid, sid) for aid, sid in homes)
        previous_homes = {sid for aid, new_sid in members if (sid := stored_home.get(aid)) and sid != new_sid}
        titles = dict(titles)
        missing = [aid for aid, _ in members if aid not in titles]
        for chunk in _chunks(missing):
            stmt = select(ArticleRow.id, ArticleRow.title).where(ArticleRow.id.in_(chunk))
            titles.update({row.id: row.title for row in s.execute(stmt)})
        unknown = [(sid, aid) for aid, sid in members if aid not in titles]
        if unknown:
            sid, aid = unknown[0]
            raise StoreError(
                f"cannot save story {sid!r}: its article {aid!r} is neither in the digest nor in the store "
                f"({len(unknown)} such references); save the articles first (Store.save_articles)"
            )
        moved = [{"id": aid, "story_id": sid} for aid, sid in members if stored_home.get(aid) != sid]
        if moved:
            s.execute(update(ArticleRow), moved)

        changed_bodies: dict[str, dict[str, Any]] = {}
        versions: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        for story, body, digest_ in stories:
            sid = body["id"]
            old = current.get(sid)
            if old and old[0] == digest_:
                report.stories_unchanged += 1
                continue
            version = old[1] + 1 if old else 1
            created = old[2] if old else now
            values = {
                "id": sid,
                "headline": body["headline"],
                "size": len(story.article_ids),
                "first_published": to_utc_naive(story.first_published),
                "last_published": to_utc_naive(story.last_published),
                "sort_time": to_utc_naive(story.last_published) or created,
                "lede": body["summary"][0]["text"] if body["summary"] else "",
                "one_group": (body.get("coverage") or {}).get("one_group"),
                "version": version,
                "body": body,
                "body_hash": digest_,
                "updated_at": now,
            }
            if old:
                updates.append(values)
                report.stories_changed += 1
            else:
                inserts.append({**values, "created_at": now})
                report.stories_new += 1
            versions.append({"story_id": sid, "version": version, "saved_at": now, "run_id": run_id, "body": body})
            changed_bodies[sid] = body
        if updates:
            s.execute(update(StoryRow), updates)
        if inserts:
            s.execute(insert_rows(StoryRow), inserts)
        if versions:
            s.execute(insert_rows(StoryVersionRow), versions)
        if changed_bodies:
            changed_ids = list(changed_bodies)
            for chunk in _chunks(changed_ids):
                s.execute(delete(CitationRow).where(CitationRow.story_id.in_(chunk)))
                s.execute(delete(StoryEntityRow).where(StoryEntityRow.story_id.in_(chunk)))
            citations = [
                {"story_id": sid, "position": pos, "article_id": c["article_id"], "start": c["start"], "end": c["end"],
                 "score": float(c.get("score", 1.0))}
                for sid, body in changed_bodies.items()
                for pos, sentence in enumerate(body.get("summary", []))
                for c in sentence.get("citations", [])
            ]
            if citations:
                s.execute(insert_rows(CitationRow), citations)
            entities: dict[tuple[str, str], dict[str, Any]] = {}
            for sid, body in changed_bodies.items():
                for e in body.get("entities", []):
                    entities.setdefault((sid, e["name"]), {
                        "story_id": sid, "name": e["name"], "type": e.get("type") or "",
                        "count": int(e.get("count") or len(e.get("article_ids", [])) or 1),
                    })
            if entities:
                s.execute(insert_rows(StoryEntityRow), list(entities.values()))
            put_search_docs(s, "story", {sid: _story_search_body(b, titles) for sid, b in changed_bodies.items()})
        self._recount(s, sorted(previous_homes - set(ids)), now, report)

    def _recount(self, s: Session, story_ids: list[str], now: datetime, report: SaveReport) -> None:
        """Stories that lost articles to another story: drop the moved ids; a story left empty leaves the list."""
        for sid in story_ids:
            row = s.get(StoryRow, sid)
            if row is None:
                continue
            remaining = set(s.scalars(select(ArticleRow.id).where(ArticleRow.story_id == sid)))
            if not remaining:
                s.execute(delete(StoryRow).where(StoryRow.id == sid))
                s.execute(delete(CitationRow).where(CitationRow.story_id == sid))
                s.execute(delete(StoryEntityRow).where(StoryEntityRow.story_id == sid))
                drop_search_docs(s, "story", [sid])
                report.stories_emptied += 1
                continue
            body = dict(row.body)
            body["article_ids"] = [aid for aid in body.get("article_ids", []) if aid in remaining]
            row.body, row.body_hash, row.size, row.updated_at = body, body_hash(body), len(remaining), now
            row.version += 1
            s.add(StoryVersionRow(story_id=sid, version=row.version, saved_at=now, run_id=None, body=body))

    def save_rejects(self, s: Session, rejected: Sequence[Rejected], now: datetime, run_id: int,
                      report: SaveReport) -> None:
        unique = list(dict.fromkeys((nul_free(r.input[:1024]), nul_free(r.reason[:1024])) for r in rejected))
        for inp, reason in unique:
            stmt = select(RejectRow).where(RejectRow.input == inp, RejectRow.reason == reason)
            row = s.execute(stmt).scalar_one_or_none()
            if row is None:
                s.add(RejectRow(input=inp, reason=reason, times=1, first_seen=now, last_seen=now, run_id=run_id))
                report.rejects_new += 1
            else:
                row.times += 1
                row.last_seen = now
                row.run_id = run_id
                report.rejects_seen_again += 1

    # -- loading -------------------------------------------------------------------------------------------
    def load_digest(self) -> Digest:
        """Everything in the store as one ``Digest`` (articles by id, stories biggest first, rejects, counters)."""
        with self.session() as s:
            articles = [article_from_row(r) for r in s.scalars(select(ArticleRow).order_by(ArticleRow.id))]
            stories = [story_from_dict(b) for b in s.scalars(
                select(StoryRow.body).order_by(StoryRow.size.desc(), StoryRow.id))]
            rejected = [Rejected(r.input, r.reason) for r in s.scalars(select(RejectRow).order_by(RejectRow.id))]
            dropped: Counter[str] = Counter()
            for stats in s.scalars(select(RunRow.stats)):
                dropped.update(stats.get("dropped") or {})
            inputs = len({a.input for a in articles if a.input} | {r.input for r in rejected})
            storylines = [storyline_from_dict(b) for b in s.scalars(
                select(StorylineRow.body).order_by(StorylineRow.sort_time.desc(), StorylineRow.id))]
        stats = Stats(
            inputs=inputs,
            articles=len(articles),
            duplicates=sum(1 for a in articles if a.duplicate_of),
            rejected=len(rejected),
            stories=len(stories),
            dropped=dict(dropped),
            replaced_bytes=replaced_bytes(articles),
            charset_guessed=charset_guessed(articles),
        )
        return Digest(articles=articles, stories=stories, rejected=rejected, stats=stats, storylines=storylines)

    def article(self, article_id: str) -> Article:
        """One stored article; ``NotFoundError`` (a ``KeyError``) when there is none with that id."""
        with self.session() as s:
            row = s.get(ArticleRow, article_id)
            if row is None:
                raise NotFoundError(article_id)
            return article_from_row(row)

    def articles(self, article_ids: Iterable[str]) -> list[Article]:
        """The stored articles among ``article_ids``, in the order asked (unknown ids are left out)."""
        ids = list(dict.fromkeys(article_ids))
        found: dict[str, Article] = {}
        with self.session() as s:
            for chunk in _chunks(ids):
                for row in s.scalars(select(ArticleRow).where(ArticleRow.id.in_(chunk))):
                    found[row.id] = article_from_row(row)
        return [found[i] for i in ids if i in found]

    def article_homes(self) -> dict[str, str | None]:
        """Every stored article id with the id of the story it belongs to (None while pending)."""
        with self.session() as s:
            return {aid: sid for aid, sid in s.execute(select(ArticleRow.id, ArticleRow.story_id))}

    def source_names(self) -> list[str]:
        """The outlet display names stored articles show, in sort order (a new batch's names join these)."""
        with self.session() as s:
            return list(s.scalars(select(ArticleRow.source_name).distinct().order_by(ArticleRow.source_name)))

    def pending_articles(self) -> list[Article]:
        """Stored articles that belong to no story yet (saved with ``save_articles`` or by the web API)."""
        with self.session() as s:
            rows = s.scalars(select(ArticleRow).where(ArticleRow.story_id.is_(None)).order_by(ArticleRow.id))
            return [article_from_row(r) for r in rows]

    def story(self, story_id: str) -> Story:
        """The current version of one story; ``NotFoundError`` (a ``KeyError``) when there is none with that id."""
        return story_from_dict(self.story_body(story_id))

    def story_body(self, story_id: str) -> dict[str, Any]:
        """The current version of one story as a ``stories.json`` story object."""
        with self.session() as s:
            body = s.scalar(select(StoryRow.body).where(StoryRow.id == story_id))
        if body is None:
            raise NotFoundError(story_id)
        return body

    def story_version(self, story_id: str) -> tuple[int, datetime]:
        """(version, updated_at) of a story: cheap to poll for changes."""
        with self.session() as s:
            row = s.execute(select(StoryRow.version, StoryRow.updated_at).where(StoryRow.id == story_id)).first()
        if row is None:
            raise NotFoundError(story_id)
        return row.version, row.updated_at

    def story_history(self, story_id: str) -> list[StoryVersion]:
        """Every version of a story, oldest first (empty when the id was never saved)."""
        with self.session() as s:
            rows = s.scalars(select(StoryVersionRow).where(StoryVersionRow.story_id == story_id)
                             .order_by(StoryVersionRow.version))
            return [StoryVersion(r.story_id, r.version, r.saved_at, r.run_id, r.body) for r in rows]

    def story_as_of(self, story_id: str, when: datetime) -> StoryVersion | None:
        """The version of a story current at ``when`` (None when the story did not exist yet)."""
        when = to_utc_naive(when) or when
        with self.session() as s:
            row = s.scalars(select(StoryVersionRow)
                            .where(StoryVersionRow.story_id == story_id, StoryVersionRow.saved_at <= when)
                            .order_by(StoryVersionRow.version.desc()).limit(1)).first()
            return StoryVersion(row.story_id, row.version, row.saved_at, row.run_id, row.body) if row else None

    def stories_changed_since(self, when: datetime) -> list[str]:
        """Ids of the stories created or changed after ``when``, most recent first."""
        when = to_utc_naive(when) or when
        with self.session() as s:
            return list(s.scalars(select(StoryRow.id).where(StoryRow.updated_at > when)
                                  .order_by(StoryRow.updated_at.desc(), StoryRow.id)))

    def rejects(self, limit: int = 100, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """One page of rejected inputs, most recently seen first, and how many there are in all."""
        with self.session() as s:
            total = s.scalar(select(func.count()).select_from(RejectRow)) or 0
            rows = s.scalars(select(RejectRow).order_by(RejectRow.last_seen.desc(), RejectRow.id.desc())
                             .limit(limit).offset(offset))
            items = [{"input": r.input, "reason": r.reason, "times": r.times,
                      "first_seen": utc_iso(r.first_seen), "last_seen": utc_iso(r.last_seen)} for r in rows]
        return items, int(total)

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest saves into the store with their counters, newest first."""
        with self.session() as s:
            rows = s.scalars(select(RunRow).order_by(RunRow.id.desc()).limit(limit))
            return [{"id": r.id, "kind": r.kind, "started_at": utc_iso(r.started_at), "stats": r.stats,
                     "saved": r.saved} for r in rows]

    def generation(self) -> tuple[int, int]:
        """Changes exactly when the store does: the id of its latest save and how many of the latest
        ``GENERATION_WINDOW`` ids are saves. On PostgreSQL a save takes its run id when its transaction inserts it,
        so a save that began before another may commit after it: the count sees it land, the latest id alone
        would not. One query on the runs' primary key."""
        with self.session() as s:
            latest = select(func.max(RunRow.id)).scalar_subquery()
            row = s.execute(select(func.max(RunRow.id), func.count())
                            .where(RunRow.id > func.coalesce(latest, 0) - GENERATION_WINDOW)).one()
            return int(row[0] or 0), int(row[1] or 0)

    def story_generation(self) -> int:
        """Changes exactly when a save lands that could change what a story, a story list, a storyline or a stored
        article shows: every save but a POST that only added new articles (``kind`` "api", all its articles new).
        Those wait in no story until the worker groups them, in a save of its own, so the answers about stories the
        web app keeps (``web/cache.py``) outlive the posts of a busy feed; a post that changed a stored article
        counts. A count of such saves seen by this process: each run is read once (the runs landed since the last
        call; one that commits after a later one is read when it lands), otherwise one query, ``generation``."""
        return self.generations()[1]

    def generations(self) -> tuple[tuple[int, int], int]:
        """``generation()`` and ``story_generation()`` from one read: what the web app tags its answers with."""
        generation = self.generation()
        with self._generation_lock:
            state = self._story_generation
            if state.generation == generation:
                return generation, state.count
            # ids at or below the cursor are read; those above it are read when they commit (or fall out of the
            # window: a rolled-back save leaves a gap for good)
            cursor = state.cursor if state.generation is not None else max(0, generation[0] - GENERATION_WINDOW)
            with self.session() as s:
                rows = s.execute(select(RunRow.id, RunRow.kind, RunRow.stats, RunRow.saved)
                                 .where(RunRow.id > cursor).order_by(RunRow.id)).all()
            count, above = state.count, set(state.above)
            for run_id, kind, stats, saved in rows:
                if run_id in above:
                    continue
                above.add(run_id)
                only_new = kind == "api" and (saved or {}).get("articles_new") == (stats or {}).get("articles")
                count += not only_new
            while cursor + 1 in above:
                cursor += 1
                above.discard(cursor)
            if generation[0] - GENERATION_WINDOW > cursor:
                cursor = generation[0] - GENERATION_WINDOW
                above = {i for i in above if i > cursor}
            self._story_generation = _StoryGeneration(generation, count, cursor, frozenset(above))
            return generation, count

    def counts(self) -> dict[str, int]:
        """How many articles, duplicates, stories, pending articles and rejects the store holds."""
        with self.session() as s:
            def count(stmt: Any) -> int:
                return int(s.scalar(stmt) or 0)

            return {
                "articles": count(select(func.count()).select_from(ArticleRow)),
                "duplicates": count(select(func.count()).select_from(ArticleRow)
                                    .where(ArticleRow.duplicate_of.is_not(None))),
                "pending": count(select(func.count()).select_from(ArticleRow).where(ArticleRow.story_id.is_(None))),
                "stories": count(select(func.count()).select_from(StoryRow)),
                "rejected": count(select(func.count()).select_from(RejectRow)),
            }

    # -- blobs ---------------------------------------------------------------------------------------------
    # -- cross-run near-duplicates (dedup/stored.py) -------------------------------------------------------
    def stored_duplicate_links(self, article_ids: Sequence[str]) -> dict[str, str | None]:
        """The stored articles among ``article_ids`` with the original each points at (None for an original)."""
        with self.session() as s:
            return dedup_index.stored_duplicate_links(s, article_ids)

    def unindexed_articles(self, scheme: str, limit: int) -> list[Article]:
        """Up to ``limit`` stored articles without near-duplicate keys made under ``scheme``."""
        with self.session() as s:
            return dedup_index.unindexed_articles(s, scheme, limit)

    def put_dedup_keys(self, scheme: str, keys: Sequence[IndexedKey]) -> None:
        """Keep (replace) the near-duplicate keys of these articles."""
        with self.session() as s:
            dedup_index.put_dedup_keys(s, scheme, keys)

    def dedup_candidates(self, scheme: str, bands: Sequence[int]) -> dict[int, list[StoredSketch]]:
        """Stored articles in a story sharing one of ``bands`` (LSH band keys), by band."""
        with self.session() as s:
            return dedup_index.dedup_candidates(s, scheme, bands)

    def get_blob(self, key: str) -> bytes | None:
        """The bytes last stored under ``key``, or None when nothing was ever stored there."""
        if self._deferred is not None and key in self._deferred:
            return self._deferred[key]
        with self.session() as s:
            data = s.scalar(select(BlobRow.data).where(BlobRow.key == key))
        return bytes(data) if data is not None else None

    def put_blob(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` (replacing what was there), in one transaction (or with the next
        ``save_digest`` inside ``deferred_blobs()``)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"put_blob({key!r}, …) needs bytes, got {type(data).__name__}; serialize it first")
        if self._deferred is not None:
            self._deferred[key] = bytes(data)
            return
        with self.session() as s:
            self._write_blob(s, key, bytes(data))

    # -- the incremental clustering state's rows (``cluster/state_store.StateRows``; queries in ``state_rows``) ----
    def state_articles(self, ids: Sequence[str] | None, *, sketches: bool, terms: bool) -> list[tuple[Any, ...]]:
        """The clustering state's rows of these articles (all when None, in order of addition)."""
        with self.session() as s:
            return state_rows.state_articles(s, ids, sketches, terms)

    def state_window(self, first: float | None, last: float | None, since_seq: int) -> list[tuple[Any, ...]]:
        """The clustering state's articles published between ``first`` and ``last`` or added from ``since_seq``."""
        with self.session() as s:
            return state_rows.state_window(s, first, last, since_seq)

    def state_members(self, story_ids: Sequence[str]) -> list[tuple[str, str]]:
        """(article, story) of these stories in the clustering state, in order of addition."""
        with self.session() as s:
            return state_rows.state_members(s, story_ids)

    def state_stories(self, ids: Sequence[str] | None) -> list[tuple[Any, ...]]:
        """(id, created run, merged into, merge run) of these story ids in the clustering state (all when None)."""
        with self.session() as s:
            return state_rows.state_stories(s, ids)

    def state_duplicates(self, originals: Sequence[str] | None) -> list[tuple[str, str]]:
        """(duplicate, original) in the clustering state for these originals (all when None)."""
        with self.session() as s:
            return state_rows.state_duplicates(s, originals)

    def state_df(self, terms: Sequence[int] | None) -> list[tuple[int, int]]:
        """(term, document frequency) in the clustering state (all when None)."""
        with self.session() as s:
            return state_rows.state_df(s, terms)

    def put_state(self, delta: StateDelta) -> None:
        """Write the clustering state's changed rows (with the next ``save_digest`` inside ``deferred_blobs()``)."""
        if self._deferred is not None:
            self._deferred_state.append(delta)
            return
        with self.session() as s:
            self._put_state(s, delta)

    @staticmethod
    def _put_state(s: Session, delta: StateDelta) -> None:
        state_rows.put_state(s, delta)
        for chunk in _chunks(list(delta.drop_blobs)):
            s.execute(delete(BlobRow).where(BlobRow.key.in_(chunk)))

    # -- the storyline state's rows (``cluster/storyline_rows.StorylineRows``; queries in ``storyline_state``) ----
    def storyline_profiles(self, *, stories: Sequence[str] = (), lines: Sequence[str] = (),
                           every: bool = False) -> list[tuple[str, str, bool, str]]:
        """(story, storyline, retired, profile JSON) of these stories and of every member of these storylines
        (``every``: all of them)."""
        with self.session() as s:
            return storyline_state.profiles(s, stories, lines, every)

    def storyline_postings(self, names: Sequence[str]) -> list[tuple[str, str, str]]:
        """(name, story, its storyline) of the working stories whose profile has one of ``names``."""
        with self.session() as s:
            return storyline_state.postings(s, names)

    def storyline_terms(self, terms: Sequence[str]) -> list[tuple[str, int]]:
        """(term, number of working stories with it) of these storyline terms."""
        with self.session() as s:
            return storyline_state.terms(s, terms)

    def storyline_lines(self, *, ids: Sequence[str] = (), newest: int = 0,
                        ended_before: float | None = None) -> list[tuple[Any, ...]]:
        """Storyline-state rows of storylines: these ids, the ``newest`` working ones, those ended before a day."""
        with self.session() as s:
            return storyline_state.lines(s, ids, newest, ended_before)

    def put_storylines(self, delta: StorylineDelta) -> None:
        """Write the storyline state's changed rows (with the next ``save_digest`` inside ``deferred_blobs()``)."""
        if self._deferred is not None:
            self._deferred_lines.append(delta)
            return
        with self.session() as s:
            self._put_storylines(s, delta)

    @staticmethod
    def _put_storylines(s: Session, delta: StorylineDelta) -> None:
        storyline_state.put(s, delta)
        for chunk in _chunks(list(delta.drop_blobs)):
            s.execute(delete(BlobRow).where(BlobRow.key.in_(chunk)))

    @staticmethod
    def _write_blob(s: Session, key: str, data: bytes) -> None:
        row = s.get(BlobRow, key)
        if row is None:
            s.add(BlobRow(key=key, data=data, updated_at=utcnow()))
        else:
            row.data, row.updated_at = data, utcnow()


def _shown(given: str | os.PathLike[str] | None, url: str) -> str:
    """What to call the store in messages: what the user typed, with any password masked."""
    text = os.fspath(given) if given else url
    if "://" in text and "@" in text:
        from sqlalchemy.engine import make_url

        try:
            return make_url(text).render_as_string(hide_password=True)
        except SQLAlchemyError:
            return text.split("://", 1)[0] + "://***"
    return text


SQLITE_BUSY_MS = 30_000
"""How long a SQLite statement waits for another connection's write lock before it fails ("database is locked"):
the worker's write transaction holds it for well under a second (``Store.write_clock``, bench/load.py)."""


POOL_SIZE = 20
"""Connections a store keeps open: more than the threads of a server process that read at once (``web.threads``, 8,
plus the POST writer and the generation reader). Past it a connection is opened for one session and closed after:
on SQLite its pragmas run again, on PostgreSQL the server starts a process for it (bench/load.py, issue 14)."""


def _make_engine(url: str, echo: bool) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, pool_size=POOL_SIZE, max_overflow=POOL_SIZE,
                               connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                # WAL: readers (the web app) never wait for the writer (the worker), nor the writer for them
                mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                cursor.execute("PRAGMA synchronous=NORMAL")
                busy = cursor.execute("PRAGMA busy_timeout").fetchone()[0]  # set by the driver's timeout above
            finally:
                cursor.close()
            if mode.lower() not in ("wal", "memory") or busy != SQLITE_BUSY_MS:
                raise StoreError(f"SQLite would not use its write-ahead log (journal_mode {mode}, busy_timeout {busy} "
                                 "ms): readers would block the writer; put the store on a local disk (WAL needs "
                                 "shared memory, which network file systems lack)")

        return engine
    return create_engine(url, echo=echo, pool_size=POOL_SIZE, max_overflow=40, pool_pre_ping=True)
