"""The records that flow through storyline, from an input file to a cited story.

Everything derived from an article points back into ``Article.text`` with
``(article_id, start, end)`` character offsets, so any sentence shown anywhere
can be traced to the exact words of its source.
"""

from __future__ import annotations

import io
import pickle
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from functools import cache
from typing import Any, overload


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article: ``article.text[start:end] == text``."""

    article_id: str
    index: int
    start: int
    end: int
    text: str


UNKNOWN_SOURCE = "unknown source"
"""What an article with no outlet name and no URL shows as its source (its file name stays its id)."""


@dataclass(slots=True)
class Article:
    """One news article with its original text and whatever metadata the input had."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: datetime | None = None
    language: str | None = None
    author: str | None = None
    input: str | None = None
    duplicate_of: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def source_name(self) -> str:
        """A short name of the outlet for display: the source, the URL host, or ``"unknown source"``."""
        if self.source:
            return self.source
        if self.url:
            from urllib.parse import urlsplit

            try:
                host = urlsplit(self.url).hostname
            except ValueError:  # a malformed URL from the input (e.g. "http://[::1"): fall back to the id
                host = None
            if host:
                return host.removeprefix("www.")
        return UNKNOWN_SOURCE


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input (file, line, record) that could not become an article, and why."""

    input: str
    reason: str

    def __str__(self) -> str:
        return f"{self.input}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Citation:
    """A span of an article that supports a statement."""

    article_id: str
    start: int
    end: int
    score: float = 1.0


@dataclass(slots=True)
class SummarySentence:
    """A summary sentence: a real sentence of one article, cited by every article that supports it."""

    text: str
    citations: list[Citation]
    language: str | None = None
    """The language of the article the sentence is from (ISO 639-1; None when unknown)."""

    @property
    def single_source(self) -> bool:
        return len({c.article_id for c in self.citations}) <= 1


@dataclass(slots=True)
class Claim:
    """A fact stated by two or more sources (``agreed``)."""

    text: str
    citations: list[Citation]


@dataclass(frozen=True, slots=True)
class UniqueFact:
    """A statement only one article of a story makes (``unique``), ranked among its outlet's others."""

    article_id: str
    start: int
    end: int
    text: str
    rank: int = 0
    """1 = the outlet's most informative unique statement in this story (0: not ranked, stored before issue 17)."""
    shown: bool = True
    """Among the outlet's top ``compare.unique_shown``; the rest are behind "show all"."""
    speaker: str | None = None
    """Who is quoted, when the statement is (part of) a quote."""


@dataclass(slots=True)
class ConflictSide:
    value: str
    article_id: str
    start: int
    end: int


@dataclass(slots=True)
class Conflict:
    """The same fact reported with different values by different sources."""

    about: str
    sides: list[ConflictSide]


@dataclass(slots=True)
class Quote:
    speaker: str | None
    text: str
    direct: bool
    article_id: str
    start: int
    end: int


@dataclass(slots=True)
class Entity:
    name: str
    type: str
    aliases: list[str]
    article_ids: list[str]
    count: int = 0


@dataclass(slots=True)
class TimelineEvent:
    date: str | None
    expression: str
    text: str
    anchor: str | None
    article_id: str
    start: int
    end: int
    conflict: bool = False


@dataclass(slots=True)
class OutletCoverage:
    """One outlet that covered a story: how many of its articles, its first one (id and time) and its groups."""

    name: str
    articles: int
    first_article: str
    first_published: datetime | None
    groups: list[str] = field(default_factory=list)


@dataclass(slots=True)
class GroupCoverage:
    """One group of the user's ``sources.toml`` and the story's outlets in it (empty: the group did not cover it)."""

    name: str
    outlets: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CoverageBin:
    """Articles of a story published in ``[start, end)``: one bar of its "articles over time"."""

    start: datetime
    end: datetime
    articles: int


@dataclass(slots=True)
class Coverage:
    """Who covered a story: outlets in order of their first report, articles over time, coverage per group.

    ``one_group`` names the group when every grouped outlet of the story is in that one group and other groups
    exist (a "blindspot" of the others); outlets the user put in no group are listed in ``ungrouped``."""

    outlets: list[OutletCoverage] = field(default_factory=list)
    first: str | None = None
    over_time: list[CoverageBin] = field(default_factory=list)
    undated: int = 0
    unnamed: int = 0
    """Articles with no outlet at all ("unknown source"): counted here, not as one outlet."""
    groups: list[GroupCoverage] = field(default_factory=list)
    ungrouped: list[str] = field(default_factory=list)
    one_group: str | None = None


@dataclass(slots=True)
class Story:
    """Every article about one real-world event, with a cited summary and a comparison of sources."""

    id: str
    headline: str
    article_ids: list[str]
    summary: list[SummarySentence] = field(default_factory=list)
    agreed: list[Claim] = field(default_factory=list)
    unique: list[UniqueFact] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)
    first_published: datetime | None = None
    last_published: datetime | None = None
    coverage: Coverage | None = None
    languages: list[str] = field(default_factory=list)
    """The known languages of its articles, most articles first."""


@cache
def _record_reducers() -> dict[type, Callable[[Any], tuple[type, tuple[Any, ...]]]]:
    """A pickle ``dispatch_table`` for the dataclasses of this module: each record as ``(class, field values)``."""

    def reducer(kind: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
        names = tuple(f.name for f in fields(kind))
        return lambda record: (kind, tuple(getattr(record, name) for name in names))

    return {kind: reducer(kind) for kind in list(globals().values())
            if isinstance(kind, type) and is_dataclass(kind) and kind.__module__ == __name__}


class PackedStories(Sequence[Story]):
    """Stories kept as compressed pickles (zlib level 1 over pickle protocol 5, records as their class and field
    values), each unpacked when it is read.

    A one-shot digest's described stories at 100k articles took ~0.6 GB of the driver as ``Story`` records, held
    from the per-story stage to the end of the write (bench/RESULTS.md, issue 15); packed on the worker that
    described them they cross the pool and wait on the driver at a fraction of that, and the writers read them one
    at a time. Reading gives a new ``Story`` each time: to change stories, make a list of them (``list(stories)``).
    """

    __slots__ = ("_blobs",)

    def __init__(self, blobs: Iterable[bytes] = ()) -> None:
        self._blobs = list(blobs)

    @staticmethod
    def pack(story: Story) -> bytes:
        """One story as the compressed pickle this sequence holds: each record of this module pickled as its class
        and its fields' values (:func:`_record_reducers`), so unpacking calls the class once per record instead of
        the slotted dataclasses' ``__setstate__``: 1.6x faster to unpack (``bench/packed_stories.py``), and a
        digest reads every story six times (storylines, sort, three writers, the page's index)."""
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.dispatch_table = _record_reducers()
        pickler.dump(story)
        return zlib.compress(buffer.getvalue(), 1)

    @staticmethod
    def unpack(blob: bytes) -> Story:
        story = pickle.loads(zlib.decompress(blob))
        if not isinstance(story, Story):
            raise TypeError(f"a packed story unpacked to {type(story).__name__}, not Story")
        return story

    @classmethod
    def of(cls, stories: Iterable[Story]) -> PackedStories:
        return cls(cls.pack(story) for story in stories)

    @property
    def nbytes(self) -> int:
        """The bytes of the packed stories."""
        return sum(len(blob) for blob in self._blobs)

    def __len__(self) -> int:
        return len(self._blobs)

    @overload
    def __getitem__(self, index: int) -> Story: ...

    @overload
    def __getitem__(self, index: slice) -> list[Story]: ...

    def __getitem__(self, index: int | slice) -> Story | list[Story]:
        if isinstance(index, slice):
            return [self.unpack(blob) for blob in self._blobs[index]]
        return self.unpack(self._blobs[index])

    def __iter__(self) -> Iterator[Story]:
        return (self.unpack(blob) for blob in self._blobs)

    def sort(self, *, key: Callable[[Story], Any], reverse: bool = False) -> None:
        """Reorder in place as ``list.sort`` would (stable), unpacking each story once for its key."""
        keys = [key(story) for story in self]
        order = sorted(range(len(keys)), key=keys.__getitem__, reverse=reverse)
        self._blobs = [self._blobs[i] for i in order]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedStories):
            return self._blobs == other._blobs or list(self) == list(other)
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable (sort), as a list

    def __repr__(self) -> str:
        return f"PackedStories({len(self)} stories, {self.nbytes:,} bytes)"


@dataclass(slots=True)
class Storyline:
    """Event stories of one developing topic over days to months (``cluster/storylines.py``), in time order.

    ``summary`` is one lead sentence of each of (some of) its stories, in time order, with the stories' citations.
    """

    id: str
    headline: str
    story_ids: list[str]
    summary: list[SummarySentence] = field(default_factory=list)
    first_published: datetime | None = None
    last_published: datetime | None = None


def replaced_bytes(articles: Iterable[Article]) -> int:
    """The undecodable input bytes replaced by U+FFFD in ``articles`` (their ``meta["replaced_bytes"]``)."""
    return sum(int(a.meta.get("replaced_bytes") or 0) for a in articles)


def charset_guessed(articles: Iterable[Article]) -> int:
    """How many of ``articles`` were decoded in a charset charset-normalizer guessed (``meta["charset_guessed"]``)."""
    return sum(1 for a in articles if a.meta.get("charset_guessed"))


@dataclass(slots=True)
class Stats:
    inputs: int = 0
    articles: int = 0
    duplicates: int = 0
    rejected: int = 0
    stories: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    replaced_bytes: int = 0
    """Undecodable input bytes that became U+FFFD, summed over the articles' ``meta["replaced_bytes"]``."""
    charset_guessed: int = 0
    """Articles whose input declared no charset and was not UTF-8, so its charset was guessed (detected)."""


@dataclass(slots=True)
class Digest:
    """The result of a run: articles, stories, rejects and counters."""

    articles: list[Article]
    stories: Sequence[Story]
    """A list, or (the default stages of a one-shot run) :class:`PackedStories`: each read unpacks a new record."""
    rejected: list[Rejected]
    stats: Stats
    storylines: list[Storyline] = field(default_factory=list)
    """Storylines of two or more stories that this run made or changed (all of them in a run without a store)."""
    storylines_gone: list[str] = field(default_factory=list)
    """Storylines this run left with fewer than two stories (no longer shown)."""

    def article(self, article_id: str) -> Article:
        for article in self.articles:
            if article.id == article_id:
                return article
        raise KeyError(article_id)
