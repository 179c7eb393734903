"""Model outputs kept across stories and batches (``embed.keep_outputs``, ``live.kept_sentences``): a story described
again after one article joined runs the models only on that article's sentences and gives the story a fresh
describe gives (issue 14)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from storyline.compare.nlp import kept_docs
from storyline.config import LiveOptions, Settings
from storyline.embed import KeptOutputs, encode, keep_outputs, kept_vectors
from storyline.errors import ConfigError
from storyline.models import Article, Story
from storyline.pipeline import describe_members
from storyline.serialize import story_to_dict
from storyline.text.sentences import split_sentences

from conftest import DATA


@pytest.fixture(autouse=True)
def _nothing_kept_after():  # type: ignore[no-untyped-def]
    """Each test starts and ends with nothing kept (the process-wide stores are shared by every test)."""
    keep_outputs(0)
    yield
    keep_outputs(0)


def _topic(topic: str, count: int) -> list[Article]:
    """The first ``count`` ECB+ dev documents of one topic, their sentences split."""
    articles = []
    with open(DATA / "ecbplus" / "dev.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["topic"] == topic and len(articles) < count:
                articles.append(Article(id=record["id"], text=record["text"],
                                        sentences=split_sentences(record["text"], record["id"])))
    return articles


def _describe(members: list[Article], settings: Settings, kept: int) -> dict:
    story = Story(id="s-test", headline="", article_ids=[a.id for a in members])
    return story_to_dict(describe_members((story, members), settings.summary, settings.compare, kept=kept))


def test_a_story_one_article_joined_is_described_as_afresh_with_the_models_run_on_that_article_only() -> None:
    settings = Settings()  # defaults: MiniLM citation check and alignment, spaCy entities and quotes
    members = _topic("1", 9)
    fresh = _describe(members, settings, kept=0)
    assert len(kept_vectors) == 0 and len(kept_docs) == 0  # kept=0 keeps nothing

    _describe(members[:-1], settings, kept=1000)  # the story before its last article joined (an earlier batch)
    assert len(kept_vectors) > 0 and len(kept_docs) > 0
    before = kept_vectors.hits, kept_vectors.misses, kept_docs.hits, kept_docs.misses
    again = _describe(members, settings, kept=1000)
    assert again == fresh  # summary, citations, comparison, entities, quotes: the same to the character
    vector_hits, vector_misses = kept_vectors.hits - before[0], kept_vectors.misses - before[1]
    doc_hits, doc_misses = kept_docs.hits - before[2], kept_docs.misses - before[3]
    new_texts = {s.text for s in members[-1].sentences} - {s.text for a in members[:-1] for s in a.sentences}
    # the models run on the joining article's sentences and on the few whose reading changed (the summary's
    # sentences go to spaCy first, a new summary's units are new texts to encode); the rest was kept
    assert doc_misses >= 1 and vector_misses >= 1
    assert doc_hits > 2 * doc_misses and vector_hits > 2 * vector_misses, (doc_hits, doc_misses, len(new_texts))


def test_kept_vectors_equal_the_vectors_encoded_afresh() -> None:
    texts = [s.text for a in _topic("13", 3) for s in a.sentences]
    afresh = encode("static", texts)
    keep_outputs(100)
    encode("static", texts[::2])  # kept from a batch of other texts
    assert np.array_equal(encode("static", texts), afresh)


def test_kept_outputs_drop_the_least_recently_used_beyond_the_limit() -> None:
    kept = KeptOutputs("test")
    kept.resize(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the most recent
    kept.put("c", 3)
    assert kept.get("b") is None and kept.get("a") == 1 and kept.get("c") == 3 and len(kept) == 2
    kept.resize(0)
    kept.put("d", 4)
    assert len(kept) == 0 and kept.get("d") is None


def test_kept_sentences_is_checked_when_loaded() -> None:
    with pytest.raises(ConfigError, match="kept_sentences"):
        LiveOptions(kept_sentences=-1)


def test_a_story_one_article_joined_reads_its_earlier_members_analyses_from_what_the_process_kept() -> None:
    """Beside the model outputs, the per-sentence and per-article analyses of a story's members (summary terms,
    the comparison's content stems, dates and figures) are kept (``embed.kept_call``): described again after one
    article joined, the story is the one a fresh describe gives, and only the joining article's are computed."""
    from datetime import UTC, datetime, timedelta

    from storyline.compare import article_dates, kept_dates, kept_quantities, kept_stems
    from storyline.summary.index import kept_terms
    from storyline.text.dates import find_dates

    analyses = (kept_terms, kept_stems, kept_dates, kept_quantities)
    settings = Settings()
    members = _topic("1", 9)
    for day, article in enumerate(members):  # dated, so relative dates resolve against each article's own day
        article.published = datetime(2008, 9, 1, 12, tzinfo=UTC) + timedelta(days=day)
    fresh = _describe(members, settings, kept=0)
    assert all(len(kept) == 0 for kept in analyses)

    _describe(members[:-1], settings, kept=1000)
    before = {kept.name: (kept.hits, kept.misses) for kept in analyses}
    assert _describe(members, settings, kept=1000) == fresh
    counts = {kept.name: (kept.hits - before[kept.name][0], kept.misses - before[kept.name][1]) for kept in analyses}
    assert counts["article dates"] == (len(members) - 1, 1), counts  # the joining article's dates only
    for name, (hits, misses) in counts.items():
        assert misses >= 1 and hits > 2 * misses, (name, hits, misses)

    joined = members[-1]  # the same text on another day: its relative dates resolve again, not from the kept ones
    later = Article(id=joined.id, text=joined.text, published=joined.published + timedelta(days=40))
    assert article_dates(later) == find_dates(later.text, later.published.date())
    assert article_dates(joined) == find_dates(joined.text, joined.published.date())
