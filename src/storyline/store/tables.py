"""The store's tables (SQLAlchemy 2 declarative); the Alembic migrations create exactly these.

``stories.body`` holds the story as it appears in ``stories.json`` (summary, citations, agreed/unique/conflicts,
quotes, entities, timeline); the narrow tables beside it (articles.story_id, citations, story_entities) exist so the
web app can filter and link without parsing JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    insert,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import Insert
from sqlalchemy.sql.schema import Table


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


def insert_rows(row: type[Base]) -> Insert:
    """A Core ``INSERT`` into ``row``'s table: with a list of dicts it is one plain executemany, without the ORM's
    bulk-insert bookkeeping per row (less Python inside the write transaction than ``insert(row)``)."""
    return insert(cast(Table, row.__table__))


class ArticleRow(Base):
    """One article with its original text; ``story_id`` is the story it belongs to now (None = not grouped yet)."""

    __tablename__ = "articles"
    id: Mapped[str] = mapped_column(String(512), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(512))
    source_name: Mapped[str] = mapped_column(String(512))
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    published_iso: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(32))
    author: Mapped[str | None] = mapped_column(Text)
    input: Mapped[str | None] = mapped_column(Text)
    duplicate_of: Mapped[str | None] = mapped_column(String(512), index=True)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    story_id: Mapped[str | None] = mapped_column(String(128), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime)
    run_id: Mapped[int | None] = mapped_column(Integer)
    pending_job: Mapped[int | None] = mapped_column(Integer, index=True)
    """The write job (``jobs.id``) that still has to group this article; cleared when a save groups it."""
    # covering indexes: the source and language filters of the story list never read an article's text
    __table_args__ = (
        Index("ix_articles_source_story", "source_name", "story_id"),
        Index("ix_articles_language_story", "language", "story_id"),
    )


class StoryRow(Base):
    """A story now: its latest version's body plus the columns the story list sorts and filters on."""

    __tablename__ = "stories"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    headline: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    first_published: Mapped[datetime | None] = mapped_column(DateTime)
    last_published: Mapped[datetime | None] = mapped_column(DateTime)
    sort_time: Mapped[datetime] = mapped_column(DateTime)
    """``last_published``, or when the story was first stored if no article has a date: the 'newest' order."""
    lede: Mapped[str] = mapped_column(Text)
    """The first summary sentence, for story lists without reading ``body``."""
    one_group: Mapped[str | None] = mapped_column(Text, nullable=True)
    """``coverage.one_group`` of the body (the group that alone covered the story), for story lists and
    ``blindspot`` without reading ``body``."""
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    body_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # one index per order of the story list, all scanned backwards (newest / biggest / recently updated first)
    __table_args__ = (
        Index("ix_stories_newest", "sort_time", "id"),
        Index("ix_stories_biggest", "size", "sort_time", "id"),
        Index("ix_stories_updated", "updated_at", "id"),
        Index("ix_stories_first_published", "first_published"),
    )


class StoryVersionRow(Base):
    """Every distinct state a story has had (its summary history), newest has the highest ``version``."""

    __tablename__ = "story_versions"
    story_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    saved_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    run_id: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class CitationRow(Base):
    """A citation of the current summary of a story: which article span supports sentence ``position``."""

    __tablename__ = "citations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    story_id: Mapped[str] = mapped_column(String(128), index=True)
    position: Mapped[int] = mapped_column(Integer)
    article_id: Mapped[str] = mapped_column(String(512), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)


class StoryEntityRow(Base):
    """An entity named in a story (from the comparison), for entity pages and the entity filter."""

    __tablename__ = "story_entities"
    story_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(512), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)
    __table_args__ = (Index("ix_story_entities_name", "name", "story_id"),)


class RejectRow(Base):
    """An input that could not become an article; the same (input, reason) is stored once and counted."""

    __tablename__ = "rejects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    input: Mapped[str] = mapped_column(String(1024))
    reason: Mapped[str] = mapped_column(String(1024))
    times: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime, index=True)
    run_id: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("input", "reason", name="uq_rejects_input_reason"),)


class RunRow(Base):
    """One save into the store (a digest, a watch round, an API ingest) with its counters."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved: Mapped[dict[str, Any]] = mapped_column(JSON)


class BlobRow(Base):
    """Opaque bytes other components keep between runs (the clustering ANN index and state, watch bookkeeping)."""

    __tablename__ = "blobs"
    key: Mapped[str] = mapped_column(String(256), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class DedupKeyRow(Base):
    """An article's MinHash signature for near-duplicate checks across runs (``dedup/stored.py``).

    ``scheme`` names the dedup settings the signature and bands were made with; keys of another scheme are rebuilt.
    """

    __tablename__ = "dedup_keys"
    article_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    scheme: Mapped[str] = mapped_column(String(64))
    shingles: Mapped[int] = mapped_column(Integer)
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class DedupBandRow(Base):
    """One LSH band key of an article: articles sharing a key are near-duplicate candidates."""

    __tablename__ = "dedup_bands"
    band: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    __table_args__ = (Index("ix_dedup_bands_article_id", "article_id"),)


class SearchDocRow(Base):
    """The searchable text of a story or an article.

    On SQLite the migration adds an FTS5 index (``search_fts``, external content, kept in sync by triggers); on
    PostgreSQL a generated ``tsv`` tsvector column with a GIN index. Neither is declared here: they are
    dialect-specific DDL in the migration.
    """

    __tablename__ = "search_docs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[str] = mapped_column(String(512))
    body: Mapped[str] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_search_docs_kind_ref"),)


class StoryRedirectRow(Base):
    """A story merged into another: its old id keeps answering with a redirect to ``into`` (followed to the end)."""

    __tablename__ = "story_redirects"
    old_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    into: Mapped[str] = mapped_column(String(128), index=True)
    run_id: Mapped[int | None] = mapped_column(Integer)
    merged_at: Mapped[datetime] = mapped_column(DateTime)


class JobRow(Base):
    """One write accepted by the API (``POST /api/articles``, ``/api/ingest``): its articles wait in ``articles``
    with ``pending_job`` set until the worker groups them. ``state`` is pending, running, done or failed."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    articles: Mapped[int] = mapped_column(Integer)
    """Articles the job has to group."""
    grouped: Mapped[int] = mapped_column(Integer)
    """Articles of the job grouped so far (committed batches)."""
    rejected: Mapped[int] = mapped_column(Integer)
    """Articles refused when the job was posted (counted with their reasons in ``rejects``)."""
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    saved: Mapped[dict[str, Any]] = mapped_column(JSON)


class StorylineRow(Base):
    """A storyline of two or more stories now (``cluster/storylines.py``): its ``stories.json`` body plus the columns
    the storyline list sorts on. Storylines of one story are not stored (they are not shown)."""

    __tablename__ = "storylines"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    headline: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    """Stories in it."""
    first_published: Mapped[datetime | None] = mapped_column(DateTime)
    last_published: Mapped[datetime | None] = mapped_column(DateTime)
    sort_time: Mapped[datetime] = mapped_column(DateTime)
    """``last_published``, or when it was first stored if no story has a date: the 'newest' order."""
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_storylines_newest", "sort_time", "id"),)


class StorylineStoryRow(Base):
    """A story's storyline (a story is in at most one); ``position`` is its place in time order."""

    __tablename__ = "storyline_stories"
    story_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    storyline_id: Mapped[str] = mapped_column(String(128), index=True)
    position: Mapped[int] = mapped_column(Integer)


class ClusterArticleRow(Base):
    """One article in the incremental clustering state (``cluster/state_store.py``): its story now, publication
    time (``stamp``, Unix seconds; the date window a batch loads), dense sketch (float16) and top term counts."""

    __tablename__ = "cluster_articles"
    id: Mapped[str] = mapped_column(String(512), primary_key=True)
    story_id: Mapped[str] = mapped_column(String(128), index=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    """Order of addition (the latest ``RECENT_ARTICLES`` are candidates whatever their date)."""
    stamp: Mapped[float | None] = mapped_column(Float, index=True)
    language: Mapped[str | None] = mapped_column(String(32))
    sketch: Mapped[bytes] = mapped_column(LargeBinary)
    terms: Mapped[bytes] = mapped_column(LargeBinary)
    counts: Mapped[bytes] = mapped_column(LargeBinary)


class ClusterStoryRow(Base):
    """A story id the clustering state used: the run that created it, and where it went when merged away."""

    __tablename__ = "cluster_stories"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    created: Mapped[int] = mapped_column(Integer)
    merged_into: Mapped[str | None] = mapped_column(String(128))
    merged_run: Mapped[int | None] = mapped_column(Integer)


class ClusterDuplicateRow(Base):
    """A near-duplicate in the clustering state: it follows ``original``'s story."""

    __tablename__ = "cluster_duplicates"
    article_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    original: Mapped[str] = mapped_column(String(512), index=True)


class ClusterTermRow(Base):
    """The document frequency of one hashed term over the clustered articles (the incremental IDF)."""

    __tablename__ = "cluster_terms"
    term: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    df: Mapped[int] = mapped_column(Integer)


class StorylineProfileRow(Base):
    """One story in the storyline state (``cluster/storyline_rows.py``): its storyline, whether that storyline is
    retired, and its profile (``StoryProfile.to_json``, JSON text)."""

    __tablename__ = "storyline_profiles"
    story_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    line: Mapped[str] = mapped_column(String(128), index=True)
    retired: Mapped[bool] = mapped_column(Boolean)
    data: Mapped[str] = mapped_column(Text)


class StorylineNameRow(Base):
    """A name a working story's profile has (the inverted index candidate storylines come from)."""

    __tablename__ = "storyline_names"
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    story_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)


class StorylineTermRow(Base):
    """The number of working stories whose profile has a name (``n:``) or word (``w:``): the storylines' IDF."""

    __tablename__ = "storyline_terms"
    term: Mapped[str] = mapped_column(Text, primary_key=True)
    df: Mapped[int] = mapped_column(Integer)


class StorylineLineRow(Base):
    """One storyline of the state, working or retired: its members' latest publication (ISO text and day) and
    whether one is undated (then it never retires)."""

    __tablename__ = "storyline_lines"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    retired: Mapped[bool] = mapped_column(Boolean)
    last: Mapped[str | None] = mapped_column(String(64), index=True)
    last_day: Mapped[float | None] = mapped_column(Float, index=True)
    undated: Mapped[bool] = mapped_column(Boolean)
    size: Mapped[int] = mapped_column(Integer)
