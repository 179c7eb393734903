"""Update summaries (`summarize_update`) and the `storyline summarize` command, incl. --since, on real seeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from storyline.config import SummaryOptions
from storyline.ingest import read_inputs
from storyline.models import Article, SummarySentence
from storyline.summary import summarize_story, summarize_update
from storyline.text.sentences import split_sentences

from conftest import SEEDS, run_cli

SINCE = datetime(2024, 5, 8, tzinfo=UTC)


def _article(article_id: str, text: str, published: str | None) -> Article:
    article = Article(id=article_id, text=text, published=datetime.fromisoformat(published) if published else None)
    article.sentences = split_sentences(text, article_id)
    return article


def _story() -> list[Article]:
    return [
        _article("mon", "A dam broke in Lowtown on Monday and flooded forty homes near the river bank. "
                        "Firefighters rescued twelve people from rooftops during the night.",
                 "2024-05-06T08:00:00+00:00"),
        _article("tue", "Forty homes flooded in Lowtown after the dam broke on Monday, the council said. "
                        "Twelve people were rescued from rooftops by firefighters.", "2024-05-07T08:00:00+00:00"),
        _article("fri", "Forty homes flooded in Lowtown after the dam broke on Monday, the council said. "
                        "Engineers found that a cracked spillway gate caused the Lowtown dam failure.",
                 "2024-05-10T08:00:00+00:00"),
        _article("sat", "Engineers found that a cracked spillway gate caused the Lowtown dam failure, the report said. "
                        "The regional government promised two million euros to rebuild the flooded homes.",
                 "2024-05-11T08:00:00+00:00"),
        _article("undated", "Lowtown residents held a vigil for the flooded streets by the river on Sunday evening.",
                 None),
    ]


def test_update_says_only_what_the_new_articles_add() -> None:
    articles = _story()
    update = summarize_update(articles, SINCE, (), SummaryOptions(words=60, verifier="static"))
    assert update.new_article_ids == ["fri", "sat"]
    assert update.undated_article_ids == ["undated"]
    texts = [s.text for s in update.summary]
    assert texts, "the new articles report new facts"
    assert all(s.citations[0].article_id in {"fri", "sat"} for s in update.summary)
    assert not any("Forty homes flooded" in t for t in texts), "already reported before --since"
    assert any("spillway gate" in t for t in texts)
    by_id = {a.id: a for a in articles}
    for sentence in update.summary:
        for c in sentence.citations:
            assert by_id[c.article_id].text[c.start:c.end]


def test_update_does_not_repeat_the_previous_summary() -> None:
    articles = _story()
    first = summarize_update(articles, SINCE, (), SummaryOptions(words=60, verifier="static"))
    gate = next(s for s in first.summary if "spillway gate" in s.text)
    again = summarize_update(articles, SINCE, [gate], SummaryOptions(words=60, verifier="static"))
    assert all("spillway gate" not in s.text for s in again.summary)
    assert any("two million euros" in s.text for s in again.summary)


def test_update_with_nothing_new_is_empty_and_naive_times_are_utc() -> None:
    articles = _story()
    update = summarize_update(articles, datetime(2024, 6, 1), [SummarySentence("x", [])], SummaryOptions())
    assert update.summary == [] and update.new_article_ids == []
    everything = summarize_update(articles, datetime(2000, 1, 1), (), SummaryOptions(words=100, verifier="static"))
    full, _ = summarize_story(articles, SummaryOptions(words=100, verifier="static"))
    assert everything.summary and len(everything.new_article_ids) == 4
    assert {s.text for s in everything.summary} <= {s.text for s in full} | {
        s.text for a in articles for s in a.sentences}


def test_cli_summarize_json_cites_both_seed_articles_for_the_lead() -> None:
    """Seeds acceptance: one summary sentence cites both seed articles, with offsets of the supporting spans."""
    data = json.loads(run_cli("summarize", str(SEEDS), "--format", "json", "-q").stdout)
    bodies = {a.id: a.text for a in read_inputs([str(SEEDS)])[0]}
    assert data["summary"] and sum(len(s["text"].split()) for s in data["summary"]) <= 100
    both = [s for s in data["summary"] if len({c["article_id"] for c in s["citations"]}) == 2]
    assert both, "a fact both outlets report cites both"
    for sentence in data["summary"]:
        assert sentence["single_source"] == (len({c["article_id"] for c in sentence["citations"]}) == 1)
        own = sentence["citations"][0]
        assert bodies[own["article_id"]][own["start"]:own["end"]] == sentence["text"]
    support = both[0]["citations"][1]
    span = bodies[support["article_id"]][support["start"]:support["end"]]
    assert "Trump administration" in span and "Venezuelan military" in span
    assert 0.5 <= support["score"] < 1.0


def test_cli_text_format_words_and_single_source_marker() -> None:
    lines = run_cli("summarize", str(SEEDS), "-q", "--words", "60", "--verify", "static").stdout.strip().splitlines()
    assert lines and sum(len(line.rsplit(" [", 1)[0].split()) for line in lines) <= 60
    assert all(line.endswith(("]", "(single source)")) for line in lines)


def test_cli_since_over_jsonl_files_and_bad_since(tmp_path: Path) -> None:
    lines = [json.dumps({"id": a.id, "text": a.text, "published": a.published.isoformat() if a.published else None})
             for a in _story()]
    path = tmp_path / "story.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    out = json.loads(run_cli("summarize", str(path), "--since", "2024-05-08", "--format", "json", "-q",
                             "--verify", "static").stdout)
    assert out["new_articles"] == ["fri", "sat"] and out["undated_articles"] == ["undated"]
    assert {s["citations"][0]["article_id"] for s in out["summary"]} <= {"fri", "sat"}
    bad = run_cli("summarize", str(path), "--since", "last tuesday", check=False)
    assert bad.returncode == 2
    assert "--since 'last tuesday'" in bad.stderr and "ISO 8601" in bad.stderr


def test_cli_since_over_a_store_lists_what_each_changed_story_adds(tmp_path: Path) -> None:
    story = _story()
    old = [a for a in story if a.id in {"mon", "tue"}]
    for name, batch in (("first.jsonl", old), ("all.jsonl", story)):
        (tmp_path / name).write_text("\n".join(
            json.dumps({"id": a.id, "text": a.text, "published": a.published.isoformat() if a.published else None})
            for a in batch), encoding="utf-8")
    db = str(tmp_path / "stories.db")
    run_cli("digest", str(tmp_path / "first.jsonl"), "--db", db, "-q")
    run_cli("digest", str(tmp_path / "all.jsonl"), "--db", db, "-q")
    out = json.loads(run_cli("summarize", "--db", db, "--since", "2024-05-08", "--format", "json", "-q",
                             "--verify", "static").stdout)
    assert out["since"].startswith("2024-05-08")
    flood = [s for s in out["stories"] if "fri" in s["new_articles"]]
    assert len(flood) == 1 and set(flood[0]["new_articles"]) <= {"fri", "sat"}
    assert flood[0]["summary"] and all(s["citations"][0]["article_id"] in {"fri", "sat"} for s in flood[0]["summary"])
    both = run_cli("summarize", str(tmp_path / "all.jsonl"), "--db", db, "--since", "2024-05-08", check=False)
    assert both.returncode == 2 and "not both" in both.stderr
