"""Incremental clustering: a corpus fed in two halves keeps its story ids; the seeds meet across runs."""

from __future__ import annotations

from pathlib import Path

from conftest import SEEDS
from storyline.cluster.incremental import ClusterState, assign
from storyline.cluster.state_store import SqliteBlobs, load_state, save_state
from storyline.config import ClusterOptions, Settings
from storyline.ingest import read_inputs
from storyline.pipeline import ClusterStories, FindDuplicates, SplitSentences, run_pipeline
from test_cluster import duc_articles, ecb_articles


def run_half(db: Path, articles: list, options: ClusterOptions) -> ClusterState:
    blobs = SqliteBlobs(db)
    state = load_state(blobs, options)
    assign(state, articles, options)
    save_state(blobs, state)
    return load_state(SqliteBlobs(db), options)


def test_two_halves_keep_ids_and_the_seeds_meet(tmp_path: Path) -> None:
    seeds, _, _ = read_inputs([str(SEEDS)])
    seeds.sort(key=lambda a: a.id)
    others = duc_articles()
    options = ClusterOptions()
    db = tmp_path / "state.db"
    first = run_half(db, [seeds[0], *others[::2]], options)
    ids_after_first = {aid: first.article_story[aid] for aid in first.article_story}
    second = run_half(db, [seeds[1], *others[1::2]], options)
    for aid, sid in ids_after_first.items():
        assert second.resolve(second.article_story[aid]) == second.resolve(sid)
        assert sid in second.stories or sid in second.merged_into
    assert second.article_story[seeds[1].id] == ids_after_first[seeds[0].id]
    seed_story = second.stories[ids_after_first[seeds[0].id]]
    assert sorted(seed_story.members) == sorted(a.id for a in seeds)
    assert len(second.stories) >= 15


def test_feeding_the_same_articles_again_changes_nothing(tmp_path: Path) -> None:
    articles, _ = ecb_articles({"1"})
    options = ClusterOptions()
    state = ClusterState.empty(options)
    assign(state, articles, options)
    before = state.groups()
    again = assign(state, articles, options)
    assert state.groups() == before
    assert sorted(again.already_known) == sorted(a.id for a in articles)


def test_pipeline_stage_gives_stable_story_ids_across_runs(tmp_path: Path) -> None:
    seeds, _, _ = read_inputs([str(SEEDS)])
    seeds.sort(key=lambda a: a.id)
    blobs = SqliteBlobs(tmp_path / "state.db")
    stages = lambda: [SplitSentences(), FindDuplicates(), ClusterStories(blobs=blobs)]  # noqa: E731
    settings = Settings(progress=False)
    first = run_pipeline([seeds[0]], settings, stages=stages())
    second = run_pipeline([seeds[1]], settings, stages=stages())
    assert first.stories[0].id == second.stories[0].id
