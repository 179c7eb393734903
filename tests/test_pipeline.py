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


def test_the_cross_lingual_vectors_encoded_on_the_pool_are_the_drivers() -> None:
    """The clustering's cross-lingual model (e5) runs on the pool's workers, one text a task item
    (``pipeline.encode_on``): the vectors are those of encoding all texts together in this process, bit for bit,
    so the stories stay the same while the driver's one core no longer encodes every article alone."""
    import json

    import numpy as np

    from storyline.config import ScaleOptions
    from storyline.embed import encode
    from storyline.pipeline import encode_on
    from storyline.scale.process import ProcessExecutor

    lines = (DATA / "multilingual" / "multiling2011_dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"][:300] for line in lines[:4]]  # one article in en, ar, cs, el
    here = encode("e5", texts)
    with ProcessExecutor(ScaleOptions(engine="process", workers=2), progress=False) as executor:
        pooled = encode_on(executor, "e5", texts)
        assert executor.started  # the texts went to the workers
    assert pooled.dtype == here.dtype and np.array_equal(pooled, here)
    assert np.array_equal(encode_on(LocalExecutor(progress=False), "e5", texts), here)
