"""One account per story (issue 17): the summary's "N sources", "Agreed" and "Only one source" read one alignment,
on the demo corpus and the seeds as `storyline digest` writes them."""

from __future__ import annotations

import re

import pytest

from storyline.compare.unique import is_boilerplate

SHOWN = 4
"""``compare.unique_shown``'s default."""


@pytest.fixture(params=["demo_digest", "seeds_digest"])
def digest(request: pytest.FixtureRequest) -> dict:
    return request.getfixturevalue(request.param)


def _overlaps(citation: dict, item: dict) -> bool:
    return citation["article_id"] == item["article_id"] and citation["start"] < item["end"] and \
        item["start"] < citation["end"]  # fmt: skip


def _sources(citations: list[dict]) -> set[str]:
    return {c["article_id"] for c in citations}


def test_no_sentence_is_both_agreed_and_unique(digest: dict) -> None:
    checked = 0
    for story in digest["stories"]:
        for item in story["unique"]:
            for claim in story["agreed"]:
                assert not any(_overlaps(c, item) for c in claim["citations"]), (item["text"], claim["text"])
                checked += 1
    assert checked, "the digest has agreed and unique statements to compare"


def test_summary_sources_are_the_agreed_sources_of_that_fact(digest: dict) -> None:
    several = 0
    for story in digest["stories"]:
        if not story["agreed"] and not story["unique"]:
            continue  # not compared (one article)
        for sentence in story["summary"]:
            own = {**sentence["citations"][0], "end": sentence["citations"][0]["end"]}
            claims = [claim for claim in story["agreed"] if any(_overlaps(c, own) for c in claim["citations"])]
            assert len(claims) <= 1, sentence["text"]
            if claims:
                assert _sources(sentence["citations"]) == _sources(claims[0]["citations"]), sentence["text"]
                several += 1
            else:
                assert _sources(sentence["citations"]) == {own["article_id"]}, sentence["text"]
                assert sentence["single_source"]
    assert several, "some summary sentence is stated by several sources"


def test_the_issue_example_reads_the_same_in_the_summary_and_under_agreed(demo_digest: dict) -> None:
    story = next(s for s in demo_digest["stories"] if "Millbrook" in s["headline"])
    sentence = next(s for s in story["summary"] if "3:20 p.m." in s["text"])
    claim = next(c for c in story["agreed"] if c["text"] == sentence["text"])
    assert len(_sources(sentence["citations"])) == len(_sources(claim["citations"])) >= 3
    assert all(0 < c["score"] <= 1 for c in claim["citations"])  # how sure, per source


def test_only_one_source_is_ranked_per_outlet_without_bare_quotes_or_boilerplate(digest: dict) -> None:
    articles = {a["id"]: a for a in digest["articles"]}
    ranked = 0
    for story in digest["stories"]:
        ranks: dict[str, list[int]] = {}
        for item in story["unique"]:
            article = articles[item["article_id"]]
            assert article["text"][item["start"] : item["end"]] == item["text"]
            outlet = article["source"] if article["source"] and article["source"] != "unknown source" else article["id"]
            ranks.setdefault(outlet, []).append(item["rank"])
            assert item["shown"] == (item["rank"] <= SHOWN)
            assert not is_boilerplate(item["text"])
            if re.match(r"[\"“‘']", item["text"]):
                assert item["speaker"], ("a quote without its speaker", item["text"])
        for outlet, found in ranks.items():
            assert found == list(range(1, len(found) + 1)), (outlet, found)
            ranked += len(found)
    assert ranked


def test_the_bare_quote_of_the_issue_carries_its_speaker(demo_digest: dict) -> None:
    items = [u for s in demo_digest["stories"] for u in s["unique"] if "evidence does not show one" in u["text"]]
    assert items and all(u["speaker"] == "Dana Whitlock" for u in items)


def test_seed_story_lists_few_statements_per_outlet_first(seeds_digest: dict) -> None:
    (story,) = [s for s in seeds_digest["stories"] if len(s["article_ids"]) == 2]
    shown = [u for u in story["unique"] if u["shown"]]
    assert 0 < len(shown) <= SHOWN * 2 < len(story["unique"])
