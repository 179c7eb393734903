"""The default stages of a one-shot digest, beside the stage lists of the live path."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from storyline.config import Settings
from storyline.ingest import read_inputs
from storyline.pipeline import ClusterStories, DescribeStories, FindDuplicates, LocalExecutor, run_pipeline
from storyline.text.sentences import split_sentences

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


def test_the_per_story_stage_drops_the_sentences_it_split_and_keeps_those_it_was_given(tmp_path: Path) -> None:
    """The per-story task splits its members' sentences and drops them once the story is described, so a worker
    holds one story's sentences, not its batch's (an eighth of a 100k input with two workers); articles split
    before the stage (the live path's ``SplitSentences``) keep theirs. The story is the same either way."""
    from storyline.models import Article, Story
    from storyline.pipeline import describe_members
    from storyline.text.sentences import ensure_sentences

    lines = (DATA / "ecbplus" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    (tmp_path / "three.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, _, _ = read_inputs([str(tmp_path / "three.jsonl")])
    settings = Settings()
    summary = replace(settings.summary, embedder="tfidf", verifier="static")
    compare = replace(settings.compare, enabled=False)

    def job() -> tuple[Story, list[Article]]:
        return Story(id="s", headline="", article_ids=[a.id for a in articles]), articles

    unsplit = describe_members(job(), summary, compare)
    assert unsplit.summary and all(a.sentences == [] for a in articles)
    ensure_sentences(articles)
    given = [list(a.sentences) for a in articles]
    split = describe_members(job(), summary, compare)
    assert [a.sentences for a in articles] == given and all(given)
    assert split.summary == unsplit.summary and split.headline == unsplit.headline


def test_a_one_shot_digest_keeps_its_described_stories_packed_with_the_same_files(tmp_path: Path) -> None:
    """The default stages return the described stories as ``PackedStories`` (compressed pickles, packed where they
    were described): at 100k articles the driver held ~0.6 GB of ``Story`` records from the per-story stage to the
    end of the write (issue 15). Unpacked they are the records the live path's stage list gives, sorted the same,
    and the report files are the bytes a list of them gives."""
    import pickle

    from storyline.models import PackedStories
    from storyline.output import write_outputs

    lines = (DATA / "ecbplus" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:12]
    (tmp_path / "twelve.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, _, _ = read_inputs([str(tmp_path / "twelve.jsonl")])
    settings = replace(Settings(), progress=False)
    settings = replace(settings, summary=replace(settings.summary, embedder="tfidf", verifier="static"))
    packed = run_pipeline(articles, settings, executor=LocalExecutor(progress=False))
    records = run_pipeline(articles, settings, executor=LocalExecutor(progress=False),
                           stages=[FindDuplicates(), ClusterStories(), DescribeStories(keep_outputs=False)])
    assert isinstance(packed.stories, PackedStories) and isinstance(records.stories, list)
    assert len(packed.stories) == len(records.stories) >= 2
    assert list(packed.stories) == records.stories and packed.stories == records.stories
    assert any(s.agreed or s.quotes or s.entities for s in packed.stories)  # the comparison's fields travel too
    assert packed.stories[1] == records.stories[1] and packed.stories[-2:] == records.stories[-2:]
    assert packed.stories[0] is not packed.stories[0]  # a new record each read
    assert 0 < packed.stories.nbytes < sum(len(pickle.dumps(s)) for s in records.stories)
    written = {name: write_outputs(digest, tmp_path / name) for name, digest in (("p", packed), ("r", records))}
    for kind in ("json", "markdown", "html"):
        assert written["p"][kind].read_bytes() == written["r"][kind].read_bytes()
    backwards = PackedStories.of(records.stories)
    backwards.sort(key=lambda s: s.id, reverse=True)
    assert [s.id for s in backwards] == sorted((s.id for s in records.stories), reverse=True)
    assert backwards != packed.stories and backwards == sorted(records.stories, key=lambda s: s.id, reverse=True)


@pytest.mark.parametrize("topic", ["1", "12", "25"])
def test_the_summary_leaves_to_the_comparison_the_citations_it_cites_again(topic: str) -> None:
    """With the comparison on, the summary's sentences are cited again from its alignment
    (``compare.claims.cite_summary``), so their MiniLM citation check verifies only what the repeat check reads
    (does a sentence cite one chosen after it): the described story is the one the full check gives, to the
    character, with fewer MiniLM runs (issue 15)."""
    from storyline.embed import keep_outputs, kept_vectors
    from storyline.models import Article, Story
    from storyline.pipeline import compare_members, describe_members, recited_articles, summarize_members
    from storyline.serialize import story_to_dict

    members = []
    with open(DATA / "ecbplus" / "dev.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["topic"] == topic and len(members) < 4:
                members.append(Article(id=record["id"], text=record["text"],
                                       sentences=split_sentences(record["text"], record["id"])))  # fmt: skip
    settings = Settings()  # defaults: MiniLM citation check, the comparison on
    assert settings.summary.verifier == "auto" and settings.compare.enabled

    def job() -> tuple[Story, list[Article]]:
        return Story(id="s", headline="", article_ids=[a.id for a in members]), members

    keep_outputs(100_000)  # every text each run encodes is kept: its misses count the texts encoded
    try:
        kept_vectors.clear()
        full = summarize_members(job(), settings.summary)  # every article's best span for every sentence
        assert any(len(s.citations) > 1 for s in full.summary)
        reference = story_to_dict(compare_members((full, members), settings.compare))
        encoded_full = kept_vectors.misses
        kept_vectors.clear()
        lazy = summarize_members(job(), settings.summary, recited_articles(members, settings.compare))
        assert [s.text for s in lazy.summary] == [s.text for s in full.summary]
        assert all(len(s.citations) == 1 for s in lazy.summary)  # its own span: the comparison cites the rest
        assert story_to_dict(compare_members((lazy, members), settings.compare)) == reference
        encoded_lazy = kept_vectors.misses
    finally:
        keep_outputs(0)
        kept_vectors.clear()
    assert encoded_lazy < encoded_full
    described = story_to_dict(describe_members(job(), settings.summary, settings.compare))
    assert described.pop("coverage") and reference.pop("coverage") is None  # the stage adds the coverage
    assert described == reference
