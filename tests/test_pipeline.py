"""The default stages of a one-shot digest, beside the stage lists of the live path."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from storyline.config import Settings
from storyline.ingest import read_inputs
from storyline.pipeline import ClusterStories, DescribeStories, FindDuplicates, LocalExecutor, run_pipeline

from conftest import DATA


def test_a_one_shot_digest_keeps_no_model_outputs_the_live_path_does(tmp_path: Path) -> None:
    """A digest describes each story once, so its default stages keep no sentence vectors or spaCy docs for later
    stories (they were ~0.17 GB per worker at 100k articles, asked for again 6 times in 18,359); the live path's
    ``DescribeStories()`` still keeps them for the next batch. The stories are the same either way."""
    from storyline import embed

    lines = (DATA / "ecbplus" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:4]
    (tmp_path / "four.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, _, _ = read_inputs([str(tmp_path / "four.jsonl")])
    settings = replace(Settings(), progress=False, compare=replace(Settings().compare, enabled=False))
    settings = replace(settings, live=replace(settings.live, kept_sentences=500))
    one_shot = run_pipeline(articles, settings, executor=LocalExecutor(progress=False))
    assert one_shot.stories and all(len(kept) == 0 for kept in embed._KEPT)
    live = run_pipeline(articles, settings, executor=LocalExecutor(progress=False),
                        stages=[FindDuplicates(), ClusterStories(), DescribeStories()])
    assert len(embed.kept_vectors) > 0
    assert [s.summary for s in live.stories] == [s.summary for s in one_shot.stories]
    embed.keep_outputs(0)
