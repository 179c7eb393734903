"""The storyline state as rows, so a batch reads and writes the storylines its stories can join, not all of them.

``storylines.py`` keeps its state as one JSON blob (``BLOB_KEY``), read and written whole by every batch: 10.3 MB
per batch at 100,000 stored articles. Kept as rows instead (``StorylineRows``; the store's tables
``storyline_profiles``, ``storyline_names``, ``storyline_terms``, ``storyline_lines``, migration 0006), a batch
loads only

- the profiles of its changed and merged-away stories, with all the members of their storylines (a retired
  storyline of theirs is brought back, as ``update_stored_storylines`` does);
- where candidate storylines come from: the working stories sharing a name with a changed story and their
  storylines, as ids (the inverted index ``storyline_names``: a story that shares no name with a storyline cannot
  join it); of the ``MAX_CANDIDATES`` storylines a story is then compared with, all the members (``hold_lines``:
  a storyline is compared by its members' days and latest stories);
- the document frequencies of the terms of what it loaded (``storyline_terms``) and the count of working stories
  (blob ``META_KEY``), so the IDF is the one of the whole working state;
- at the end, the storylines that retire now (their latest day before the horizon, ``storyline_lines``).

It runs the same ``update_storylines``, ``shown_and_gone`` and ``retire`` over that partial state
(``PartialStorylines``) and writes back the rows that changed (``StorylineDelta``), in the same transaction as the
stories. The storylines are identical to those of the blob path (``tests/test_storyline_rows.py``). A store whose
storylines are still the blobs of an earlier version is read in full once and written as rows; the blobs are then
dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from ..config import StorylineOptions
from ..errors import StoreError
from ..models import Storyline
from .state_store import BlobStore, read_meta
from .storylines import (
    ARCHIVE_PREFIX,
    BLOB_KEY,
    StorylineState,
    StoryProfile,
    _day,
    restore,
    retire,
    shown_and_gone,
    update_storylines,
)

FORMAT = 2
META_KEY = "storylines:meta"
"""Blob of the row format's counters: ``{"format": 2, "stories": <stories in the working state>}``."""


class ProfileRow(NamedTuple):
    """One story's row: its storyline, whether that storyline is retired, its profile (``StoryProfile.to_json``)."""

    story_id: str
    line: str
    retired: bool
    data: str


class LineRow(NamedTuple):
    """One storyline's row: retired or working, its members' latest publication (ISO, as in the profiles) and
    latest day (``storylines._day``), whether a member is undated (it never retires), its size."""

    id: str
    retired: bool
    last: str | None
    last_day: float | None
    undated: bool
    size: int


@dataclass
class StorylineDelta:
    """What one batch writes: rows upserted by key or deleted (``replace``: every old row deleted first)."""

    replace: bool = False
    profiles: list[ProfileRow] = field(default_factory=list)
    drop_profiles: list[str] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)
    """(name, story) postings of the working stories whose names changed (their old postings are deleted)."""
    renamed: list[str] = field(default_factory=list)
    """Stories whose postings are replaced by those in ``names`` (none left for those that left the working state)."""
    terms: list[tuple[str, int]] = field(default_factory=list)
    """(term, document frequency) changed; a frequency of 0 deletes the row."""
    lines: list[LineRow] = field(default_factory=list)
    drop_lines: list[str] = field(default_factory=list)
    drop_blobs: tuple[str, ...] = ()


class StorylineRows(BlobStore, Protocol):
    """Where the storyline rows live (``storyline.store.Store``; ``MemoryStorylineRows`` in memory)."""

    def storyline_profiles(self, *, stories: Sequence[str] = (), lines: Sequence[str] = (),
                           every: bool = False) -> Iterable[tuple]:
        """``ProfileRow`` fields of these stories and of every member of these storylines (``every``: all rows)."""
        ...

    def storyline_postings(self, names: Sequence[str]) -> Iterable[tuple[str, str, str]]:
        """(name, story, its storyline) of the working stories whose profile has one of ``names``."""
        ...

    def storyline_terms(self, terms: Sequence[str]) -> Iterable[tuple[str, int]]:
        """(term, document frequency) of these terms (absent: 0)."""
        ...

    def storyline_lines(self, *, ids: Sequence[str] = (), newest: int = 0,
                        ended_before: float | None = None) -> Iterable[tuple]:
        """``LineRow`` fields of these storylines (working or retired), plus the ``newest`` working ones by
        ``last``, plus the working ones whose members are all dated and ended before day ``ended_before``."""
        ...

    def put_storylines(self, delta: StorylineDelta) -> None:
        """Write ``delta`` (with the stories, in one transaction)."""
        ...


@dataclass(slots=True)
class PartialStorylines(StorylineState):
    """A ``StorylineState`` holding the part of the working state a batch needs; the rest stays in ``rows``."""

    rows: StorylineRows | None = None
    unloaded: int = 0
    """Working stories not loaded (their count, for the IDF)."""
    loaded_lines: set[str] = field(default_factory=set)
    """Storylines held whole here (memory, not the rows, says what they are now)."""
    before: dict[str, ProfileRow] = field(default_factory=dict)
    """The rows loaded, as they were: what the save compares with."""
    parsed: dict[str, StoryProfile] = field(default_factory=dict)
    """The profile each loaded row was read into: while a story still has that one, its row's data is unchanged."""
    lines_before: dict[str, LineRow] = field(default_factory=dict)
    df_before: dict[str, int] = field(default_factory=dict)
    archived: dict[str, list[StoryProfile]] = field(default_factory=dict)
    """Retired storylines held here: loaded to come back, retired by this batch, or (converting) all of them."""
    replace: bool = False
    drop_blobs: tuple[str, ...] = ()
    taken: dict[str, bool] = field(default_factory=dict)
    """Storyline ids not held here, and whether the rows hold them (they do not change before the save)."""

    def size(self) -> int:
        return len(self.profiles) + self.unloaded

    def newest(self) -> str | None:
        mine = StorylineState.newest(self)
        if self.rows is not None:
            for row in map(LineRow._make, self.rows.storyline_lines(newest=len(self.loaded_lines) + 1)):
                if row.id not in self.loaded_lines and row.last:
                    mine = max(mine, row.last) if mine else row.last
                    break
        return mine

    def used_elsewhere(self, line: str) -> bool:
        if self.rows is None or line in self.loaded_lines:
            return False
        if line not in self.taken:
            self.ask_lines([line])
        return self.taken[line]

    def ask_lines(self, lines: Sequence[str]) -> None:
        """Find out in one read which of ``lines`` the rows hold (``used_elsewhere`` then asks no more)."""
        wanted = sorted(set(lines) - self.taken.keys() - self.loaded_lines)
        if wanted and self.rows is not None:
            found = {LineRow._make(r).id for r in self.rows.storyline_lines(ids=wanted)}
            self.taken.update((line, line in found) for line in wanted)

    def hold_lines(self, lines: Sequence[str]) -> None:
        missing = sorted(set(lines) - self.loaded_lines)
        if not missing or self.rows is None:
            return
        self.lines_before.update((r.id, r) for r in map(LineRow._make, self.rows.storyline_lines(ids=missing)))
        before = set(self.profiles)
        self.hold(ProfileRow._make(r) for r in self.rows.storyline_profiles(lines=missing))
        self.fetch_terms([p for sid, p in self.profiles.items() if sid not in before])

    def hold(self, rows: Iterable[ProfileRow]) -> None:
        """Take the loaded working storylines' member rows into the state (their df is in the rows already)."""
        grown: set[str] = set()
        for row in rows:
            if row.story_id in self.before:
                continue
            self.before[row.story_id] = row
            profile = self.parsed[row.story_id] = StoryProfile.from_json(json.loads(row.data))
            if row.retired:
                self.archived.setdefault(row.line, []).append(profile)
                self.retired[row.story_id] = row.line
                continue
            self.profiles[profile.story_id] = profile
            for name in profile.names:
                self.postings[name].add(profile.story_id)
            self.storyline_of[profile.story_id] = row.line
            self.members.setdefault(row.line, []).append(profile.story_id)
            self.loaded_lines.add(row.line)
            self.unloaded -= 1
            grown.add(row.line)
        for line in grown:  # the others are in time order already
            self.members[line].sort(key=self.order)

    def fetch_terms(self, profiles: Iterable[StoryProfile]) -> None:
        """Load the document frequencies of these profiles' terms not loaded yet."""
        wanted = {kind + t for p in profiles for kind, terms in (("n:", p.names), ("w:", p.words)) for t in terms}
        wanted -= self.df_before.keys()
        if not wanted or self.rows is None:
            return
        found = dict(self.rows.storyline_terms(sorted(wanted)))
        for term in wanted:
            self.df_before[term] = found.get(term, 0)
            if found.get(term):
                self.df[term] = found[term]


def _meta(rows: BlobStore) -> dict | None:
    return read_meta(rows, META_KEY, FORMAT, "the stored storylines have")


def old_blob_keys(rows: BlobStore) -> tuple[str, ...]:
    """The blobs of a format-1 storyline state kept in ``rows`` (none when it keeps rows)."""
    raw = rows.get_blob(BLOB_KEY)
    if raw is None:
        return ()
    try:
        retired = json.loads(raw).get("retired", {})
    except ValueError as exc:
        raise StoreError(f"cannot read the stored storylines: {exc}; run `storyline regroup --db URL`") from exc
    return (BLOB_KEY, *(ARCHIVE_PREFIX + line for line in sorted(set(retired.values()))))


def _converted(rows: StorylineRows) -> PartialStorylines:
    """The whole storyline state of a store that keeps it as blobs (format 1), every part to be written as rows."""
    try:
        whole = StorylineState.from_json(rows.get_blob(BLOB_KEY))
    except ValueError as exc:
        raise StoreError(f"cannot read the stored storylines: {exc}; run `storyline regroup --db URL`") from exc
    state = PartialStorylines(profiles=whole.profiles, storyline_of=whole.storyline_of, members=whole.members,
                              df=whole.df, postings=whole.postings, retired=whole.retired, replace=True)
    keys = [BLOB_KEY]
    for line in sorted(set(whole.retired.values())):
        raw = rows.get_blob(ARCHIVE_PREFIX + line)
        if raw is None:
            raise StoreError(f"the stored storylines miss retired storyline {line!r}; "
                             "run `storyline regroup --db URL`")
        state.archived[line] = [StoryProfile.from_json(row) for row in json.loads(raw)]
        keys.append(ARCHIVE_PREFIX + line)
    state.loaded_lines = set(whole.members) | set(state.archived)
    state.drop_blobs = tuple(keys)
    return state


def load_storylines(rows: StorylineRows, profiles: Sequence[StoryProfile], gone: Sequence[str]) -> PartialStorylines:
    """The part of the stored storyline state that the changed stories ``profiles`` and the merged-away ``gone``
    can touch (all of it, to be rewritten as rows, when the store still keeps the format-1 blobs)."""
    meta = _meta(rows)
    if meta is None:
        if rows.get_blob(BLOB_KEY) is not None:
            return _converted(rows)
        return PartialStorylines(rows=rows)
    state = PartialStorylines(rows=rows, unloaded=int(meta["stories"]))
    ids = [*gone, *(p.story_id for p in profiles)]
    own = [ProfileRow._make(r) for r in rows.storyline_profiles(stories=ids)]
    lines = sorted({r.line for r in own})  # with the retired storylines of ``own``, to come back
    state.hold(ProfileRow._make(r) for r in rows.storyline_profiles(lines=lines))
    state.lines_before = {r.id: r for r in map(LineRow._make, rows.storyline_lines(ids=lines))}
    state.fetch_terms([*state.profiles.values(), *profiles, *(p for ps in state.archived.values() for p in ps)])
    # where candidate storylines come from: every working story sharing a name with a changed one, and its
    # storyline (ids only; the members of the candidates a story is compared with are loaded then, ``hold_lines``)
    for name, sid, line in rows.storyline_postings(sorted({name for p in profiles for name in p.names})):
        if sid not in state.before:
            state.postings[name].add(sid)
            state.storyline_of[sid] = line
    return state


def stored_storylines(rows: StorylineRows) -> StorylineState:
    """The whole stored storyline state (every row; the format-1 blobs when not converted yet): the working stories'
    profiles and storylines, and in ``retired`` the storyline of each story of a retired one. For tests, benchmarks
    and maintenance; a batch never reads it all."""
    if _meta(rows) is None:
        return StorylineState.from_json(rows.get_blob(BLOB_KEY))
    state = StorylineState()
    for row in map(ProfileRow._make, rows.storyline_profiles(every=True)):
        if row.retired:
            state.retired[row.story_id] = row.line
        else:
            state._add(StoryProfile.from_json(json.loads(row.data)))
            state._join(row.story_id, row.line)
    return state


def _line_row(line: str, members: Sequence[StoryProfile], retired: bool) -> LineRow:
    lasts = [p.last for p in members if p.last]
    days = [p.days() for p in members]
    dated = [d[1] for d in days if d is not None]
    return LineRow(line, retired, max(lasts) if lasts else None, max(dated) if dated else None,
                   any(d is None for d in days), len(members))


def save_storylines(rows: StorylineRows, state: PartialStorylines) -> StorylineDelta:
    """Write what changed in ``state`` since it was loaded (everything, when it was converted from blobs)."""
    delta = StorylineDelta(replace=state.replace, drop_blobs=state.drop_blobs)

    def data(profile: StoryProfile) -> str:
        if state.parsed.get(profile.story_id) is profile:  # the profile read from the row: the row's own data
            return state.before[profile.story_id].data
        return json.dumps(profile.to_json(), separators=(",", ":"))

    now: dict[str, ProfileRow] = {}
    for sid, profile in state.profiles.items():
        now[sid] = ProfileRow(sid, state.storyline_of[sid], False, data(profile))
    for line, members in state.archived.items():
        for profile in members:
            now[profile.story_id] = ProfileRow(profile.story_id, line, True, data(profile))
    for sid, row in now.items():
        old = state.before.get(sid)
        if old == row and not state.replace:
            continue
        delta.profiles.append(row)
        names_before = None if old is None or old.retired else list(json.loads(old.data)[1])
        names_now = None if row.retired else list(state.profiles[sid].names)
        if state.replace or names_before != names_now:
            delta.renamed.append(sid)
            delta.names += [(name, sid) for name in names_now or ()]
    for sid in state.before:
        if sid not in now:
            delta.drop_profiles.append(sid)
            delta.renamed.append(sid)
    terms = state.df_before.keys() | {t for t, n in state.df.items() if n} if not state.replace else \
        {t for t, n in state.df.items() if n}
    delta.terms = [(t, max(state.df.get(t, 0), 0)) for t in sorted(terms)
                   if state.replace or state.df.get(t, 0) != state.df_before.get(t, 0)]
    held = state.loaded_lines | set(state.members) | set(state.archived)
    for line in sorted(held):
        if line in state.members:
            line_row = _line_row(line, [state.profiles[sid] for sid in state.members[line]], False)
        elif line in state.archived:
            line_row = _line_row(line, state.archived[line], True)
        else:
            if not state.replace:
                delta.drop_lines.append(line)
            continue
        if state.replace or state.lines_before.get(line) != line_row:
            delta.lines.append(line_row)
    rows.put_storylines(delta)
    rows.put_blob(META_KEY, json.dumps({"format": FORMAT, "stories": state.size()}).encode())
    return delta


def update_storyline_rows(rows: StorylineRows, profiles: Sequence[StoryProfile], gone: Iterable[str],
                          options: StorylineOptions, *,
                          before_shown: Callable[[], None] | None = None) -> tuple[list[Storyline], list[str]]:
    """``storylines.update_stored_storylines`` over rows: load the part of the state the changed stories
    ``profiles`` and the ``gone`` ones can touch, bring back their retired storylines, update, build the records of
    the changed storylines, retire what the next batches no longer need, write back the changed rows. Returns
    ``shown_and_gone`` of the changed storylines. ``before_shown`` is called once the grouping is done and before
    anything is built or written from the profiles: it may still fill their headline and lede (which the grouping
    does not read), e.g. when the stories are being described meanwhile (``pipeline.GroupStorylines``)."""
    gone = list(gone)
    state = load_storylines(rows, profiles, gone)
    for line in sorted({state.retired[sid] for sid in [*gone, *(p.story_id for p in profiles)]
                        if sid in state.retired}):
        back = state.archived.pop(line, None)
        if back is None:
            raise StoreError(f"the stored storylines miss retired storyline {line!r}; run `storyline regroup --db URL`")
        restore(state, line, back)
        state.loaded_lines.add(line)
    touched = update_storylines(state, profiles, gone, options)
    if before_shown is not None:
        before_shown()
    result = shown_and_gone(state, touched, options)
    newest = state.newest()
    if newest is not None and state.rows is not None:  # the storylines that retire now, to be taken out whole
        horizon = _day(newest) - options.retire_after_days
        state.hold_lines([r.id for r in map(LineRow._make, state.rows.storyline_lines(ended_before=horizon))])
    for line, members in retire(state, options).items():
        state.archived[line] = members
    save_storylines(rows, state)
    return result


class MemoryStorylineRows:
    """``StorylineRows`` in memory (tests, benchmarks), blobs included."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.profiles: dict[str, ProfileRow] = {}
        self.names: dict[str, set[str]] = {}
        self.terms: dict[str, int] = {}
        self.lines: dict[str, LineRow] = {}

    def get_blob(self, key: str) -> bytes | None:
        return self.blobs.get(key)

    def put_blob(self, key: str, data: bytes) -> None:
        self.blobs[key] = data

    def storyline_profiles(self, *, stories: Sequence[str] = (), lines: Sequence[str] = (),
                           every: bool = False) -> list[ProfileRow]:
        if every:
            return list(self.profiles.values())
        wanted = set(lines)
        found = {sid: self.profiles[sid] for sid in stories if sid in self.profiles}
        found.update((r.story_id, r) for r in self.profiles.values() if r.line in wanted)
        return list(found.values())

    def storyline_postings(self, names: Sequence[str]) -> list[tuple[str, str, str]]:
        return [(name, sid, self.profiles[sid].line) for name in names for sid in sorted(self.names.get(name, ()))]

    def storyline_terms(self, terms: Sequence[str]) -> list[tuple[str, int]]:
        return [(t, self.terms[t]) for t in terms if t in self.terms]

    def storyline_lines(self, *, ids: Sequence[str] = (), newest: int = 0,
                        ended_before: float | None = None) -> list[LineRow]:
        found = {i: self.lines[i] for i in ids if i in self.lines}
        working = [r for r in self.lines.values() if not r.retired]
        if newest:
            found.update((r.id, r) for r in sorted((r for r in working if r.last), key=lambda r: r.last or "",
                                                    reverse=True)[:newest])
        if ended_before is not None:
            found.update((r.id, r) for r in working if not r.undated and r.last_day is not None
                         and r.last_day < ended_before)
        rows = list(found.values())
        return sorted(rows, key=lambda r: r.last or "", reverse=True) if newest else rows

    def as_delta(self, drop_blobs: tuple[str, ...] = ()) -> StorylineDelta:
        """Every row held here, as one ``replace`` delta (a rebuild's state written into a store)."""
        return StorylineDelta(replace=True, profiles=list(self.profiles.values()),
                              names=[(n, sid) for n, stories in sorted(self.names.items()) for sid in sorted(stories)],
                              terms=sorted(self.terms.items()), lines=list(self.lines.values()),
                              drop_blobs=drop_blobs)

    def put_storylines(self, delta: StorylineDelta) -> None:
        if delta.replace:
            self.profiles.clear()
            self.names.clear()
            self.terms.clear()
            self.lines.clear()
        for key in delta.drop_blobs:
            self.blobs.pop(key, None)
        for sid in delta.renamed:
            for stories in self.names.values():
                stories.discard(sid)
        for name, sid in delta.names:
            self.names.setdefault(name, set()).add(sid)
        for sid in delta.drop_profiles:
            self.profiles.pop(sid, None)
        self.profiles.update((r.story_id, r) for r in delta.profiles)
        for term, df in delta.terms:
            if df:
                self.terms[term] = df
            else:
                self.terms.pop(term, None)
        for line in delta.drop_lines:
            self.lines.pop(line, None)
        self.lines.update((r.id, r) for r in delta.lines)


__all__ = ["FORMAT", "META_KEY", "LineRow", "MemoryStorylineRows", "PartialStorylines", "ProfileRow",
           "StorylineDelta", "StorylineRows", "load_storylines", "old_blob_keys", "save_storylines",
           "stored_storylines", "update_storyline_rows"]
