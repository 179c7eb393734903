"""The reader's language (issue 21): summaries prefer it and mark each sentence's language; stories list theirs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.config import SummaryOptions
from storyline.errors import ConfigError
from storyline.models import Article
from storyline.summary import summarize_story
from storyline.text.sentences import ensure_sentences
from storyline.text.tokens import tokens

from conftest import DATA, run_cli

MULTI = DATA / "multilingual" / "multiling2011_dev.jsonl"


def reports(group: str, languages: tuple[str, ...]) -> list[dict]:
    rows = [json.loads(line) for line in MULTI.open(encoding="utf-8")]
    return [r for r in rows if r["doc_group"] == group and r["lang"] in languages]


def as_articles(rows: list[dict]) -> list[Article]:
    articles = [Article(id=r["id"], title=r["title"], text=r["text"], language=r["lang"]) for r in rows]
    ensure_sentences(articles)
    return articles


def test_summary_prefers_the_readers_language_and_marks_each_sentence() -> None:
    articles = as_articles(reports("M0030", ("en", "fr", "cs")))
    for language in ("fr", "cs", "en"):
        summary, centrality = summarize_story(articles, SummaryOptions(language=language))
        assert summary and {s.language for s in summary} == {language}
        source = next(a for a in articles if a.language == language)
        assert all(s.text in source.text for s in summary)
        assert set(centrality) == {a.id for a in articles}
    mixed, _ = summarize_story(articles, SummaryOptions())
    by_id = {a.id: a for a in articles}
    assert all(s.language == by_id[s.citations[0].article_id].language for s in mixed)


def test_a_language_no_article_is_in_falls_back_to_every_article() -> None:
    articles = as_articles(reports("M0030", ("en", "fr")))
    summary, _ = summarize_story(articles, SummaryOptions(language="es"))
    assert summary and {s.language for s in summary} <= {"en", "fr"}


def test_summary_language_is_checked_when_loaded() -> None:
    with pytest.raises(ConfigError, match=r"summary\.language must be an ISO 639-1 code"):
        SummaryOptions(language="Spanish")


def test_words_of_every_script_are_tokens() -> None:
    # Before issue 21 the tokenizer knew only A-Z: Greek, Hindi, Arabic and Hebrew sentences had no words at all.
    assert tokens("Ο Πρωθυπουργός μίλησε") == ["Ο", "Πρωθυπουργός", "μίλησε"]
    assert tokens("ओलंपिक मशाल") == ["ओलंपिक", "मशाल"]  # vowel signs stay inside their word
    assert tokens("الشعلة الأولمبية") == ["الشعلة", "الأولمبية"]
    assert tokens("Zürich's café, rock-'n'-roll") == ["Zürich's", "café", "rock-'n'-roll"]


def test_digest_records_each_storys_languages_and_the_cli_takes_language(tmp_path: Path) -> None:
    rows = reports("M0030", ("en", "fr")) + reports("M0041", ("en", "fr"))
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps({k: r[k] for k in ("id", "title", "text", "published")}) for r in rows),
                      encoding="utf-8")
    out = tmp_path / "out"
    run_cli("digest", str(source), "-o", str(out), "-q", "--language", "fr", "--engine", "local")
    digest = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    languages = {a["id"]: a["language"] for a in digest["articles"]}
    assert set(languages.values()) == {"en", "fr"}
    for story in digest["stories"]:
        assert story["languages"] == sorted({languages[a] for a in story["article_ids"]})
        if "fr" in story["languages"]:
            assert {s["language"] for s in story["summary"]} == {"fr"}
    # with the multilingual extra each report and its translation are one story
    assert sorted(len(s["article_ids"]) for s in digest["stories"]) == [2, 2]
    bad = run_cli("digest", str(source), "-o", str(out), "-q", "--language", "French", check=False)
    assert bad.returncode != 0 and "summary.language" in bad.stderr


@pytest.mark.parametrize("language", ["el", "ar", "hi"])
def test_a_story_in_another_script_gets_a_full_summary(language: str) -> None:
    # Before issue 21 the English sentence model made every Greek sentence look alike: 1 sentence of 115 was kept.
    path = DATA / "multilingual" / "multiling2011_dev_summaries.jsonl"
    inputs = [json.loads(line) for line in path.open(encoding="utf-8")]
    item = next(i for i in inputs if i["lang"] == language)
    articles = [Article(id=str(k), text=d["text"], title=d.get("title"), language=language)
                for k, d in enumerate(item["documents"])]
    ensure_sentences(articles)
    summary, _ = summarize_story(articles, SummaryOptions(words=250))
    assert len(summary) >= 5
    assert sum(len(s.text.split()) for s in summary) >= 150
