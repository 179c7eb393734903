"""The storyline state as rows (cluster/storyline_rows.py): the same storylines as the blob path on DUC 2003 fed
day by day, a batch reads only the storylines it can join, and a store of the blob format converts on its next
write; in memory, SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from storehelp import BACKENDS, fresh_database
from storyline import Article
from storyline.cluster.storyline_rows import META_KEY, MemoryStorylineRows, StorylineDelta, update_storyline_rows
from storyline.cluster.storylines import (
    ARCHIVE_PREFIX,
    BLOB_KEY,
    StorylineState,
    story_profile,
    update_stored_storylines,
)
from storyline.config import StorylineOptions
from storyline.models import Story
from storyline.store import Store
from test_storylines import _Blobs, half_year_copies


@functools.cache
def _days() -> tuple[list[list[Any]], dict[str, Article]]:
    """Two copies of DUC 2003's 30 topics half a year apart (the first copy's storylines retire), as daily batches of
    story profiles; on the last day, a story of the first copy changes (its retired storyline comes back) and two
    stories are merged away (``gone``)."""
    stories, by_id, days = half_year_copies()

    def profiles(group: list[Story]) -> list[Any]:
        return [story_profile(s, [by_id[a] for a in s.article_ids]) for s in group]

    batches: list[list[Any]] = [[profiles(days[day]), []] for day in sorted(days)]
    first = sorted((s for s in stories if s.article_ids[0].endswith("#0")), key=lambda s: -len(s.article_ids))
    second = sorted((s for s in stories if s.article_ids[0].endswith("#1")), key=lambda s: -len(s.article_ids))
    batches.append([profiles(first[:1]), [second[-1].id, second[-2].id]])
    return batches, by_id


def _plain(result: tuple[list[Any], list[str]]) -> tuple[list[tuple[Any, ...]], list[str]]:
    shown, gone = result
    return [(s.id, s.headline, tuple(s.story_ids), tuple(x.text for x in s.summary), s.first_published,
             s.last_published) for s in shown], gone


class CountingRows(MemoryStorylineRows):
    """Rows in memory that count the profiles each batch reads."""

    def __init__(self) -> None:
        super().__init__()
        self.read = 0

    def storyline_profiles(self, *, stories: Any = (), lines: Any = ()) -> list[Any]:  # type: ignore[override]
        found = super().storyline_profiles(stories=stories, lines=lines)
        self.read += len(found)
        return found


def test_rows_give_the_storylines_of_the_blob_path_batch_by_batch() -> None:
    batches, _ = _days()
    options = StorylineOptions()
    blobs, rows = _Blobs(), CountingRows()
    reads, working = [], []
    for profiles, gone in batches:
        expected = _plain(update_stored_storylines(blobs, profiles, gone, options))
        rows.read = 0
        assert _plain(update_storyline_rows(rows, profiles, gone, options)) == expected
        reads.append(rows.read)
        working.append(sum(1 for r in rows.profiles.values() if not r.retired))
    # the retired storylines left the working state, and the changed story's one came back in the last batch
    state = StorylineState.from_json(blobs[BLOB_KEY])
    assert state.retired and {sid for sid, r in rows.profiles.items() if r.retired} == set(state.retired)
    assert {sid: r.line for sid, r in rows.profiles.items() if not r.retired} == state.storyline_of
    assert rows.terms == {t: n for t, n in state.df.items() if n}  # the IDF of the working state
    assert json.loads(rows.blobs[META_KEY])["stories"] == len(state.profiles)
    assert {n: sids for n, sids in rows.names.items() if sids} == {n: s for n, s in state.postings.items() if s}
    # a batch reads the storylines its stories can join, not the working state, and not more as the store grows:
    # the second copy's days read what the first copy's did, with twice the stories stored
    assert sum(read < count for read, count in zip(reads, working, strict=True)) >= 0.8 * len(batches)
    # (the second copy's first day also takes the first copy's storylines out: they retire)
    half = (len(batches) - 1) // 2
    assert sum(reads[half + 1 : -1]) <= 1.05 * sum(reads[1:half])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_store_converts_the_blob_state_on_its_next_write_and_keeps_agreeing(backend: str, tmp_path: Path) -> None:
    batches, _ = _days()
    options = StorylineOptions()
    half = len(batches) // 2 + 5  # into the second copy: the blobs hold retired storylines too
    blobs = _Blobs()
    expected = [_plain(update_stored_storylines(blobs, p, g, options)) for p, g in batches]
    with fresh_database(backend, tmp_path) as url, Store.open(url) as store:
        old = _Blobs()
        for profiles, gone in batches[:half]:  # an earlier version's store: the state as blobs
            update_stored_storylines(old, profiles, gone, options)
        for key, data in old.items():
            store.put_blob(key, data)
        assert any(k.startswith(ARCHIVE_PREFIX) for k in old)  # retired storylines too
        got = []
        for number, (profiles, gone) in enumerate(batches[half : half + 12]):
            with store.deferred_blobs():  # as the live path writes: with the stories, one transaction
                got.append(_plain(update_storyline_rows(store, profiles, gone, options)))
                store.save_digest(_empty_digest())
            if number == 0:
                assert store.get_blob(BLOB_KEY) is None and store.get_blob(META_KEY) is not None
                assert not [k for k in old if k.startswith(ARCHIVE_PREFIX) and store.get_blob(k) is not None]
        assert got == expected[half : half + 12]


def test_a_delta_writes_only_the_rows_that_changed() -> None:
    batches, _ = _days()
    options = StorylineOptions()
    rows = MemoryStorylineRows()
    for profiles, gone in batches[:-3]:
        update_storyline_rows(rows, profiles, gone, options)
    deltas: list[StorylineDelta] = []
    put = rows.put_storylines
    rows.put_storylines = lambda delta: (deltas.append(delta), put(delta))  # type: ignore[method-assign,assignment,func-returns-value]
    update_storyline_rows(rows, *batches[-3][:1], batches[-3][1], options)
    changed = {p.story_id for p in batches[-3][0]}
    written = {r.story_id for r in deltas[0].profiles}
    assert changed <= written | set(deltas[0].drop_profiles)
    assert len(written) < len(rows.profiles) / 2  # not the whole state


def _empty_digest() -> Any:
    from storyline.models import Digest, Stats

    return Digest(stories=[], articles=[], rejected=[], stats=Stats())
