"""Storylines, the level above event stories (cluster/storylines.py), on real data and real stores.

Quality floors sit a little under what bench/clustering.py measured (docs/clustering.md, bench/RESULTS.md).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from fastapi.testclient import TestClient

from storehelp import BACKENDS, fresh_database
from storyline import Article, Settings
from storyline.cluster import ClusterState, assign, cluster_articles, story_id
from storyline.cluster.storyline_rows import StorylineDelta, stored_storylines
from storyline.cluster.storylines import (
    ARCHIVE_PREFIX,
    BLOB_KEY,
    MAX_POOLED,
    StorylineState,
    StoryProfile,
    average_link,
    group_stories,
    linked_groups,
    pair_scores,
    story_profile,
    update_stored_storylines,
    update_storylines,
)
from storyline.config import ClusterOptions, StorylineOptions
from storyline.errors import ConfigError
from storyline.models import Story
from storyline.output.html import render_html
from storyline.output.json import digest_to_dict, load_schema
from storyline.output.markdown import render_markdown
from storyline.service import add_articles
from storyline.store import Store
from storyline.web import create_app
from test_cluster import bcubed_f1

from conftest import ROOT

DATA = ROOT.parent / "shared" / "data"


def duc_dated(topics: set[str] | None = None) -> tuple[list[Article], dict[str, str]]:
    """DUC 2003 documents with the publication date of their doc id, and their TDT topic (the storyline gold)."""
    articles, topic = [], {}
    for line in (DATA / "mds" / "duc2003_task2.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if topics is not None and row["id"] not in topics:
            continue
        for doc_id, text in zip(row["doc_ids"], row["documents"], strict=True):
            m = re.search(r"(\d{4})(\d\d)(\d\d)", doc_id)
            assert m, doc_id
            aid = f"{row['id']}/{doc_id}"
            articles.append(Article(id=aid, text=text, source=doc_id[:3],
                                    published=datetime(int(m[1]), int(m[2]), int(m[3]), 12, tzinfo=UTC)))
            topic[aid] = row["id"]
    return articles, topic


def ecb_undated() -> tuple[list[Article], dict[str, str]]:
    rows = [json.loads(line) for line in (DATA / "ecbplus" / "dev.jsonl").open(encoding="utf-8")]
    return [Article(id=r["id"], text=r["text"]) for r in rows], {r["id"]: r["event"] for r in rows}


def event_stories(articles: list[Article]) -> list[Story]:
    by_id = {a.id: a for a in articles}
    stories = []
    for group in cluster_articles(articles):
        dates = [by_id[a].published for a in group if by_id[a].published]
        stories.append(Story(id=story_id(group), headline="", article_ids=sorted(group),
                             first_published=min(dates, default=None), last_published=max(dates, default=None)))
    return stories


def half_year_copies(
    topics: set[str] | None = None,
) -> tuple[list[Story], dict[str, Article], dict[str, list[Story]]]:
    """Two copies of DUC 2003's dated ``topics`` (all when None) half a year apart (ids ``…#0`` and ``…#1``): their
    event stories, the articles by id, and the stories by the day they begin."""
    base, _ = duc_dated(topics)
    stories: list[Story] = []
    by_id: dict[str, Article] = {}
    for copy in range(2):
        part = [Article(id=f"{a.id}#{copy}", text=a.text, published=a.published + timedelta(days=180 * copy))  # type: ignore[operator]
                for a in base]
        by_id.update({a.id: a for a in part})
        stories += event_stories(part)
    days: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        days[story.first_published.date().isoformat()].append(story)  # type: ignore[union-attr]
    return stories, by_id, days


def article_groups(lines: list[list[str]], stories: list[Story]) -> list[list[str]]:
    members = {s.id: s.article_ids for s in stories}
    return [[a for sid in line for a in members[sid]] for line in lines]


def test_duc_storylines_join_the_pieces_of_weeks_long_topics() -> None:
    articles, topic = duc_dated()
    stories = event_stories(articles)
    events = [s.article_ids for s in stories]
    lines = group_stories(stories, articles, StorylineOptions())
    storylines = bcubed_f1(article_groups(lines, stories), topic)
    rules = bcubed_f1(article_groups(group_stories(stories, articles, StorylineOptions(similarity="rules")),
                                     stories), topic)
    # measured 0.860 (average link, the default) and 0.832 (rules) against 0.703 for the events alone
    # (bench/clustering.py --storylines-only; held out over topic splits the default gains as much, --splits)
    assert storylines >= 0.85
    assert storylines >= rules + 0.02
    assert storylines >= bcubed_f1(events, topic) + 0.10
    assert sorted(s for line in lines for s in line) == sorted(s.id for s in stories)  # each story in exactly one


def test_average_link_joins_groups_by_their_mean_pair_score() -> None:
    """``similarity = "average"``: two groups join while the mean score of their compared story pairs is at least
    1.0 (the bar), so a story close to two storylines joins them; pairs not compared (NaN: weeks apart) do not
    count, and groups with no compared pair stay apart."""
    nan = float("nan")
    assert sorted(average_link(np.array([[nan, 2.0, 0], [2.0, nan, 0], [0, 0, nan]]))) == [[0, 1], [2]]
    chain = np.array([[nan, 3.0, 0.5], [3.0, nan, 3.0], [0.5, 3.0, nan]])  # a-b and b-c close: a, b, c join
    assert average_link(chain) == [[0, 1, 2]]
    weak = np.array([[nan, 3.0, 0.2], [3.0, nan, 1.5], [0.2, 1.5, nan]])  # mean of c's pairs 0.85: c stays alone
    assert sorted(average_link(weak)) == [[0, 1], [2]]
    months = np.array([[nan, 3.0, nan], [3.0, nan, 1.5], [nan, 1.5, nan]])  # a-c not compared: c joins by b
    assert average_link(months) == [[0, 1, 2]]
    assert sorted(average_link(np.array([[nan, nan], [nan, nan]]))) == [[0], [1]]


def test_pair_scores_read_days_as_the_rules_do() -> None:
    """Pairs days apart are scored against ``pair_threshold``, pairs beyond ``max_gap_days`` not at all (NaN), and
    pairs whose days overlap or are unknown against ``undated_threshold`` with the shared-names rule."""
    articles, _ = duc_dated({"d30025t", "d30048t"})
    by_id = {a.id: a for a in articles}
    stories = event_stories(articles)
    state = StorylineState()
    update_storylines(state, [story_profile(s, [by_id[a] for a in s.article_ids]) for s in stories], (),
                      StorylineOptions(similarity="rules"))
    ids = sorted(state.profiles, key=state.order)
    options = StorylineOptions()
    base = pair_scores(state, ids, options)
    strict = pair_scores(state, ids, StorylineOptions(pair_threshold=options.pair_threshold / 2))
    days = [state.profiles[sid].days() for sid in ids]
    apart = [[max(b[0] - a[1], a[0] - b[1]) for b in days] for a in days]  # type: ignore[index]
    pairs = [(i, j) for i in range(len(ids)) for j in range(len(ids)) if i != j]
    timed = [(i, j) for i, j in pairs if 0 < apart[i][j] <= options.max_gap_days]
    assert timed and all(abs(strict[i, j] - 2 * base[i, j]) < 1e-9 for i, j in timed)
    assert any(base[i, j] >= 1.0 for i, j in timed) and any(base[i, j] < 1.0 for i, j in timed)
    overlapping = [(i, j) for i, j in pairs if apart[i][j] <= 0]
    assert overlapping and all(strict[i, j] == base[i, j] for i, j in overlapping)
    narrow = pair_scores(state, ids, StorylineOptions(max_gap_days=1.0, retire_after_days=90.0))
    assert all(np.isnan(narrow[i, j]) == (apart[i][j] > 1.0) for i, j in pairs)


def test_linked_groups_are_average_link_on_the_parts_of_the_whole_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    """``linked_groups`` (what a batch runs) scores only the pairs that can reach the bar and the pairs inside each
    connected part, and gives the groups of ``average_link`` on each part of the whole ``pair_scores`` matrix:
    on DUC's event stories dated and again undated (pairs of near-identical
    undated copies join their dated originals by the shared-names path), under settings that take either path."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    from storyline.cluster import storylines

    articles, _ = duc_dated()
    by_id = {a.id: a for a in articles}
    stories = event_stories(articles)
    undated = [Story(id=s.id + "#u", headline="", article_ids=s.article_ids) for s in stories]
    state = StorylineState()
    for story in [*stories, *undated]:
        state._add(story_profile(story, [by_id[a] for a in story.article_ids]))
    ids = sorted(state.profiles, key=state.order)
    for options in (StorylineOptions(), StorylineOptions(undated_threshold=0.5),
                    StorylineOptions(min_shared_names=0, pair_threshold=0.2)):
        whole = pair_scores(state, ids, options)
        _, part = connected_components(csr_matrix(whole >= 1.0), directed=False)
        expected = []
        for label in range(int(part.max()) + 1):
            members = np.flatnonzero(part == label)
            expected += [[int(members[i]) for i in g] for g in average_link(whole[np.ix_(members, members)])]
        groups = linked_groups(state, ids, options)
        assert sorted(groups) == sorted(expected)
        monkeypatch.setattr(storylines, "BIG_GROUP", 2)  # every group as one dense matrix: the same numbers
        assert np.array_equal(pair_scores(state, ids, options), whole, equal_nan=True)
        assert sorted(linked_groups(state, ids, options)) == sorted(expected)
        monkeypatch.undo()
        joined = [{ids[i] for i in g} for g in groups if len(g) > 1]
        assert any(s.id in g and s.id + "#u" in g for s in stories for g in joined)  # by the shared-names path
        assert any(not any(sid.endswith("#u") for sid in g) for g in joined)  # dated ones by days apart


def test_a_storyline_of_months_longer_than_its_compared_stories_grows_batch_by_batch() -> None:
    """Twelve copies of a DUC topic two weeks apart (a story going on for months), one batch each: the storylines
    grow past ``MAX_POOLED`` stories (older stories leave the regrouped region and follow their storyline) and are
    those of one batch over everything."""
    articles, _ = duc_dated({"d31041t"})
    by_id = {a.id: a for a in articles}
    base = [story_profile(s, [by_id[a] for a in s.article_ids]) for s in event_stories(articles)]

    def copy(n: int) -> list[StoryProfile]:
        out = []
        for p in base:
            q = StoryProfile.from_json(json.loads(json.dumps(p.to_json())))
            q.story_id += f"#{n}"
            q.first, q.last = ((datetime.fromisoformat(d) + timedelta(days=14 * n)).isoformat()  # type: ignore[arg-type]
                               for d in (p.first, p.last))
            out.append(q)
        return out

    daily, batch = StorylineState(), StorylineState()
    for n in range(12):
        update_storylines(daily, copy(n), (), StorylineOptions())
    update_storylines(batch, [q for n in range(12) for q in copy(n)], (), StorylineOptions())
    assert max(len(m) for m in daily.members.values()) > MAX_POOLED
    assert sorted(map(sorted, daily.members.values())) == sorted(map(sorted, batch.members.values()))


def test_group_stories_uses_the_similarity_it_is_given() -> None:
    """The storyline similarity is a parameter (benchmarks measure new evidence in the same incremental path): a
    similarity that forbids every join leaves each story alone, one that always passes joins candidates."""
    articles, _ = duc_dated({"d30025t", "d30048t"})
    stories = event_stories(articles)
    default = group_stories(stories, articles, StorylineOptions())
    assert any(len(line) > 1 for line in default)
    assert all(len(line) == 1 for line in group_stories(stories, articles, StorylineOptions(),
                                                        lambda state, story, others, options: 0.0))
    joined = group_stories(stories, articles, StorylineOptions(), lambda state, story, others, options: 2.0)
    assert len(joined) < len(default)


def test_ecb_plus_two_events_of_one_topic_stay_in_different_storylines() -> None:
    articles, event = ecb_undated()
    stories = event_stories(articles)
    groups = article_groups(group_stories(stories, articles, StorylineOptions()), stories)
    pure = sum(Counter(event[a] for a in g).most_common(1)[0][1] for g in groups) / len(event)
    events = [s.article_ids for s in stories]
    # measured 0.978 and 0.955, as the event level: undated stories join only at undated_threshold 0.75
    assert pure >= 0.97
    assert bcubed_f1(groups, event) >= bcubed_f1(events, event) - 0.005


def test_overlap_threshold_keeps_same_week_sibling_events_apart() -> None:
    """Every ECB+ article dated the same day (two earthquakes in one week): under the rules with ``overlap_threshold``
    a story that overlaps a storyline's days needs near-identical coverage to join, as a pair of stories of the same
    days does under average link (the default), so the siblings stay apart."""
    articles, event = ecb_undated()
    articles = [Article(id=a.id, text=a.text, published=datetime(2020, 1, 1, 12, tzinfo=UTC)) for a in articles]
    stories = event_stories(articles)
    for options in (StorylineOptions(similarity="rules", overlap_threshold=0.75), StorylineOptions()):
        groups = article_groups(group_stories(stories, articles, options), stories)
        pure = sum(Counter(event[a] for a in g).most_common(1)[0][1] for g in groups) / len(event)
        assert pure >= 0.97  # measured 0.978, as the event level (rules without overlap_threshold 0.784)
        assert bcubed_f1(groups, event) >= bcubed_f1([s.article_ids for s in stories], event) - 0.005


def test_learned_similarity_keeps_most_same_week_sibling_events_apart_held_out() -> None:
    """The learned similarity (``similarity = "learned"``, fitted on DUC 2003 only, so ECB+ is held out) keeps most
    of ECB+'s sibling events apart when all are dated the same day, without ``overlap_threshold``; the rules merge
    them."""
    articles, event = ecb_undated()
    articles = [Article(id=a.id, text=a.text, published=datetime(2020, 1, 1, 12, tzinfo=UTC)) for a in articles]
    stories = event_stories(articles)
    learned = bcubed_f1(article_groups(group_stories(stories, articles, StorylineOptions(similarity="learned")),
                                       stories), event)
    rules = bcubed_f1(article_groups(group_stories(stories, articles, StorylineOptions(similarity="rules")),
                                     stories), event)
    assert learned >= 0.93  # measured 0.942 (bench/clustering.py --storylines-only)
    assert learned >= rules + 0.05  # rules 0.856


def test_learned_similarity_links_duc_topics_and_reads_undated_stories_by_the_rules() -> None:
    """On DUC 2003 (the set it was fitted on, so a floor, not a claim) the learned similarity joins the pieces of
    topics at least as well as the rules; undated ECB+ stories are linked by the rules (``undated_threshold``)."""
    articles, topic = duc_dated()
    stories = event_stories(articles)
    learned = group_stories(stories, articles, StorylineOptions(similarity="learned"))
    assert bcubed_f1(article_groups(learned, stories), topic) >= 0.84  # measured 0.852 (rules 0.832)
    assert sorted(s for line in learned for s in line) == sorted(s.id for s in stories)
    ecb, _ = ecb_undated()
    ecb_stories = event_stories(ecb)
    assert sorted(map(sorted, group_stories(ecb_stories, ecb, StorylineOptions(similarity="learned")))) == sorted(
        map(sorted, group_stories(ecb_stories, ecb, StorylineOptions(similarity="rules"))))


def daily_and_batch(articles: list[Article], options: StorylineOptions,
                    ) -> tuple[list[list[str]], list[list[str]], StorylineState, dict[str, str]]:
    """Storylines of ``articles`` fed day by day in publication order (incremental events, then
    ``update_storylines``) and in one batch, as article groups; the final daily state and each story's first
    storyline."""
    by_id = {a.id: a for a in articles}
    batch = article_groups(group_stories(event_stories(articles), articles, options), event_stories(articles))
    state, lines = ClusterState.empty(ClusterOptions()), StorylineState()
    days: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        days[a.published.date().isoformat()].append(a)  # type: ignore[union-attr]
    seen_ids: dict[str, str] = {}
    for day in sorted(days):
        assignment = assign(state, days[day], ClusterOptions())
        touched = sorted({state.resolve(s) for s in assignment.story_of.values()}
                         | {state.resolve(new) for _, new in assignment.moved.values()})
        profiles = []
        for sid in touched:
            members = state.stories[sid].members
            dates = [by_id[a].published for a in members]
            story = Story(id=sid, headline="", article_ids=members, first_published=min(dates),  # type: ignore
                          last_published=max(dates))  # type: ignore[type-var]
            profiles.append(story_profile(story, [by_id[a] for a in members]))
        update_storylines(lines, profiles, [m.story_id for m in assignment.merges], options)
        for sid, line in lines.storyline_of.items():
            seen_ids.setdefault(sid, line)
    daily = [[a for sid in members for a in state.stories[sid].members] for members in lines.members.values()]
    return daily, batch, lines, seen_ids


def test_daily_batches_in_publication_order_give_the_batch_storylines() -> None:
    articles, topic = duc_dated({"d30025t", "d30048t", "d30003t", "d30028t", "d30044t", "d31009t", "d30040t"})
    daily, batch, lines, seen_ids = daily_and_batch(articles, StorylineOptions())
    agreement = bcubed_f1(daily, {a: str(i) for i, g in enumerate(batch) for a in g})
    assert agreement >= 0.93, agreement
    assert bcubed_f1(daily, topic) >= bcubed_f1(batch, topic) - 0.05
    # a story that was in a storyline of several stories keeps that id while it stays in it
    shown_first = {sid: line for sid, line in seen_ids.items() if len(lines.members.get(line, [])) > 1}
    kept = sum(lines.storyline_of.get(sid) == line for sid, line in shown_first.items())
    assert shown_first and kept / len(shown_first) >= 0.9


def test_learned_similarity_daily_batches_give_its_batch_storylines_on_topics_sharing_no_document() -> None:
    """The learned similarity fed day by day agrees with its own batch run on a store of 7 DUC topics that share no
    document with another topic (the first of ``bench/clustering.py --small-store``'s random sets from those
    topics) better than on the 7 topics above, two of which hold the same documents."""
    articles, topic = duc_dated({"d30010t", "d30042t", "d30056t", "d31001t", "d31009t", "d31010t", "d31041t"})
    daily, batch, _, _ = daily_and_batch(articles, StorylineOptions(similarity="learned"))
    agreement = bcubed_f1(daily, {a: str(i) for i, g in enumerate(batch) for a in g})
    assert agreement >= 0.94, agreement  # measured 0.955 (rules 0.987; on the 7 topics above 0.916)
    assert bcubed_f1(daily, topic) >= 0.95  # measured 1.000 (rules 0.973), its batch 0.955


def test_the_state_round_trips_through_json_and_rejects_another_format() -> None:
    articles, _ = duc_dated({"d30025t", "d30003t"})
    stories = event_stories(articles)
    by_id = {a.id: a for a in articles}
    state = StorylineState()
    update_storylines(state, [story_profile(s, [by_id[a] for a in s.article_ids]) for s in stories], (),
                      StorylineOptions())
    again = StorylineState.from_json(state.to_json())
    assert again.members == state.members and again.storyline_of == state.storyline_of
    assert again.df == +state.df
    with pytest.raises(ValueError, match="format"):
        StorylineState.from_json(b'{"format": 99, "profiles": [], "storyline_of": {}}')


class _Blobs(dict):
    """Blobs in memory, as the store keeps them."""

    def get_blob(self, key: str) -> bytes | None:
        return self.get(key)

    def put_blob(self, key: str, data: bytes) -> None:
        self[key] = data


def test_old_storylines_retire_from_the_working_state_and_come_back_when_a_story_changes() -> None:
    """Two copies of three DUC topics half a year apart, fed day by day: the first copy's storylines leave the
    working state for blobs of their own, the storylines are those of one state holding everything, and a changed
    story of a retired storyline brings it back under the same id."""
    stories, by_id, days = half_year_copies({"d30025t", "d30048t", "d30044t"})
    runs = {}
    for retire_after in (90.0, 10.0**6):
        blobs, options = _Blobs(), StorylineOptions(retire_after_days=retire_after)
        for day in sorted(days):
            update_stored_storylines(blobs, [story_profile(s, [by_id[a] for a in s.article_ids]) for s in days[day]],
                                     (), options)
        runs[retire_after] = blobs
    retiring, whole = (StorylineState.from_json(runs[k][BLOB_KEY]) for k in (90.0, 10.0**6))
    assert not whole.retired and not any(k.startswith(ARCHIVE_PREFIX) for k in runs[10.0**6])
    first_copy = {s.id for s in stories if s.article_ids[0].endswith("#0")}
    assert retiring.retired and set(retiring.retired) <= first_copy
    assert not first_copy & set(retiring.profiles)  # the first copy's profiles left the working state
    assert len(runs[90.0][BLOB_KEY]) < 0.7 * len(runs[10.0**6][BLOB_KEY])
    for line in set(retiring.retired.values()):
        assert ARCHIVE_PREFIX + line in runs[90.0]
    def shown(state: StorylineState) -> dict[str, str]:  # stories in storylines of two or more, retired or not
        line_of = {**state.retired, **state.storyline_of}
        sizes = Counter(line_of.values())
        return {sid: line for sid, line in line_of.items() if sizes[line] >= 2}

    assert shown(retiring) == shown(whole) and shown(whole)  # the same storylines, same ids
    # a story of a retired storyline changes: its storyline comes back, same id, with all its stories
    sid, line = sorted(retiring.retired.items())[0]
    story = next(s for s in stories if s.id == sid)
    back, gone = update_stored_storylines(runs[90.0], [story_profile(story, [by_id[a] for a in story.article_ids])],
                                          (), StorylineOptions())
    assert [x.id for x in back] == [line] and not gone
    assert sorted(back[0].story_ids) == sorted(s for s, home in whole.storyline_of.items() if home == line)
    # and a store that lost a retired storyline's blob says so
    del runs[90.0][ARCHIVE_PREFIX + line]
    with pytest.raises(ValueError, match="retired storyline"):
        update_stored_storylines(runs[90.0], [story_profile(story, [by_id[a] for a in story.article_ids])], (),
                                 StorylineOptions())


@pytest.mark.parametrize("setting, value", [("threshold", "0"), ("threshold", "1.5"), ("undated_threshold", "-1"),
                                            ("max_gap_days", "0"), ("summary_stories", "0"),
                                            ("min_shared_names", "-1"), ("retire_after_days", "30"),
                                            ("overlap_threshold", "1.5"), ("similarity", "neural"),
                                            ("pair_threshold", "0")])
def test_bad_storyline_settings_fail_at_load(setting: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"storylines.{setting}"):
        Settings.load(env={f"STORYLINE_STORYLINES_{setting.upper()}": value})


def _settings() -> Settings:
    return Settings(progress=False).with_overrides({"compare.enabled": False, "scale.engine": "local"})


@pytest.mark.parametrize("backend", BACKENDS)
def test_live_path_stores_storylines_with_stable_ids_and_no_duplicates(backend: str, tmp_path: Path) -> None:
    """Brazil's election and IMF rescue (weeks of DUC 2003 topic d30025t) beside an unrelated topic, added in two
    batches by the live path; the store's storylines, the web pages and stories.json agree."""
    articles, topic = duc_dated({"d30025t", "d30003t"})
    early = [a for a in articles if a.published and a.published < datetime(1998, 10, 20, tzinfo=UTC)]
    late = [a for a in articles if a not in early]
    assert early and late
    settings = _settings()
    with fresh_database(backend, tmp_path) as url, Store.open(url) as store:
        add_articles(store, early, settings)
        first_ids = set(store.storyline_ids())
        report = add_articles(store, late, settings)
        assert report.storylines_saved >= 1
        ids = store.storyline_ids()
        assert ids
        whole = store.load_digest()
        lines = whole.storylines
        assert [line.id for line in lines] and sorted(line.id for line in lines) == sorted(ids)
        home = store.storyline_of([s.id for s in whole.stories])
        for line in lines:  # each shown storyline: 2+ stories of one topic, in time order, each linked back
            assert len(line.story_ids) >= 2
            assert len({topic[a] for s in whole.stories if s.id in line.story_ids for a in s.article_ids}) == 1
            firsts = [next(s.first_published for s in whole.stories if s.id == sid) for sid in line.story_ids]
            assert firsts == sorted(firsts)
            assert all(home[sid] == line.id for sid in line.story_ids)
            cited = {c.article_id for sentence in line.summary for c in sentence.citations}
            assert cited and cited <= {a.id for a in whole.articles}
        assert sum(len(line.story_ids) for line in lines) == len(home)  # a story is in at most one storyline
        assert first_ids <= set(ids)  # a storyline shown after the first batch is still shown, same id
        # the same batch again changes nothing and duplicates nothing
        again = add_articles(store, late, settings)
        assert store.storyline_ids() == ids
        assert again.articles_new == 0
        assert stored_storylines(store).members.keys() >= set(ids)
        data = digest_to_dict(store.load_digest())
        jsonschema.validate(data, load_schema())
        assert [line["id"] for line in data["storylines"]] == [line.id for line in lines]
        markdown, html = render_markdown(data), render_html(data)
        assert "## Storylines" in markdown and all(f"`{line.id}`" in markdown for line in lines)
        assert all(f'id="{line.id}"' in html and f'href="#{line.story_ids[-1]}"' in html for line in lines)

        client = TestClient(create_app(store, settings))
        line = lines[0]
        page = client.get(f"/storylines/{line.id}")
        assert page.status_code == 200 and line.headline[:30] in page.text.replace("&#39;", "'")
        assert all(f"/stories/{sid}" in page.text for sid in line.story_ids)
        assert line.id in client.get(f"/stories/{line.story_ids[0]}").text
        api = client.get(f"/api/storylines/{line.id}").json()
        assert [s["id"] for s in api["stories"]] == line.story_ids
        listed = client.get("/api/storylines").json()
        assert {item["id"] for item in listed["items"]} == set(ids)
        feed = client.get(f"/storylines/{line.id}/feed.xml")
        assert feed.status_code == 200 and feed.text.count("<entry>") == len(line.story_ids)
        word = max(re.findall(r"[A-Za-z]{4,}", line.headline), key=len)  # the main search finds storylines too
        found = client.get("/api/search", params={"q": word}).json()
        assert line.id in [x["id"] for x in found["storylines"]] and found["storylines_total"] >= 1
        assert found["storylines"][0]["story_ids"] and found["storylines"][0]["size"] >= 2
        assert f'href="/storylines/{line.id}"' in client.get("/search", params={"q": word}).text
        nothing = client.get("/api/search", params={"q": "zzzunknownword"}).json()
        assert nothing["storylines"] == [] and nothing["storylines_total"] == 0
        late_since = client.get(f"/storylines/{line.id}", params={"since": "2100-01-01"})
        assert late_since.status_code == 200 and "new since" in late_since.text
        assert client.get("/storylines/sl-nope").status_code == 404
        assert client.get("/api/storylines/sl-nope").status_code == 404


@pytest.mark.parametrize("backend", BACKENDS)
def test_retired_storylines_live_in_the_store_and_survive_regroup(backend: str, tmp_path: Path) -> None:
    """Brazil's election (October) retires once the late stories of December arrive (retire_after_days 45): its
    profiles leave the working state (rows marked retired) in the same transaction as the stories, it stays shown,
    and regroup rebuilds the working state and the retired rows with the same storylines."""
    from storyline.service.regroup import regroup

    articles, _ = duc_dated({"d30025t", "d30003t"})
    early = [a for a in articles if a.published and a.published < datetime(1998, 10, 20, tzinfo=UTC)]
    late = [a for a in articles if a not in early]
    settings = _settings().with_overrides({"storylines.retire_after_days": 45.0})
    with fresh_database(backend, tmp_path) as url, Store.open(url) as store:
        add_articles(store, early, settings)
        add_articles(store, late, settings)
        ids = store.storyline_ids()
        state = stored_storylines(store)
        retired = set(state.retired.values())
        assert retired & set(ids), "an October storyline retires once December's stories are in"
        assert store.get_blob(BLOB_KEY) is None and not state.retired.keys() & state.profiles.keys()
        assert set(ids) <= retired | set(state.members)
        shown = {line.id: line.story_ids for line in store.load_digest().storylines}
        store.put_storylines(StorylineDelta(drop_profiles=sorted(state.retired)))  # lost: regroup writes them anew
        assert not stored_storylines(store).retired
        regroup(store, settings)
        again = stored_storylines(store)
        assert again.retired == state.retired
        assert {line.id: line.story_ids for line in store.load_digest().storylines} == shown
