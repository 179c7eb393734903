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
            # re-cited from the comparison: French sentences an agreed fact holds cite the English report too
            assert any({c["article_id"][-2:] for c in s["citations"]} == {"en", "fr"} for s in story["summary"])
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


def test_the_story_page_and_api_take_the_readers_language(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from fastapi.testclient import TestClient

    from storyline.config import Settings
    from storyline.service import add_articles
    from storyline.store import Store
    from storyline.web import create_app

    rows = reports("M0092", ("en", "fr"))  # one report and its translation: one story with the extra
    articles = [Article(id=r["id"], title=r["title"], text=r["text"], language=r["lang"],
                        published=datetime.fromisoformat(r["published"]).replace(tzinfo=UTC)) for r in rows]
    settings = Settings(progress=False).with_overrides({"compare.enabled": False, "scale.engine": "local",
                                                        "summary.language": "en", "web.worker": False})
    with Store.open(str(tmp_path / "store.db")) as store:
        add_articles(store, articles, settings)
        client = TestClient(create_app(store, settings))
        (story,) = client.get("/api/stories").json()["items"]
        stored = client.get(f"/api/stories/{story['id']}").json()
        assert {s["language"] for s in stored["summary"]} == {"en"} and "summary_language" not in stored
        french = client.get(f"/api/stories/{story['id']}?lang=fr").json()
        assert french["summary_language"] == "fr" and {s["language"] for s in french["summary"]} == {"fr"}
        assert all(c["article_id"] == "M0092.fr" for s in french["summary"] for c in s["citations"])
        assert client.get(f"/api/stories/{story['id']}?lang=de").json()["summary"] == stored["summary"]
        assert client.get(f"/api/stories/{story['id']}?lang=French").status_code == 422
        page = client.get(f"/stories/{story['id']}?lang=fr").text
        assert f'<span class="text" lang="fr">{french["summary"][0]["text"]}' in page.replace("&#39;", "'")
        assert 'href="?lang=en"' in page and 'aria-current="true">fr</a>' in page


def test_a_summary_in_the_readers_language_is_cited_from_the_stored_comparison(tmp_path: Path) -> None:
    """?lang= makes the summary again after the comparison: each sentence an agreed fact holds cites that fact's
    articles in both languages (its "N sources" is the comparison's agreement), a unique one only itself."""
    from datetime import UTC, datetime

    from fastapi.testclient import TestClient

    from storyline.config import Settings
    from storyline.service import add_articles
    from storyline.store import Store
    from storyline.web import create_app

    rows = reports("M0036", ("en", "fr"))  # a short report and its translation
    articles = [Article(id=r["id"], title=r["title"], text=r["text"], language=r["lang"],
                        published=datetime.fromisoformat(r["published"]).replace(tzinfo=UTC)) for r in rows]
    settings = Settings(progress=False).with_overrides({"scale.engine": "local", "summary.language": "en",
                                                        "web.worker": False})
    with Store.open(str(tmp_path / "store.db")) as store:
        add_articles(store, articles, settings)
        client = TestClient(create_app(store, settings))
        (story,) = client.get("/api/stories").json()["items"]
        stored = client.get(f"/api/stories/{story['id']}").json()
        french = client.get(f"/api/stories/{story['id']}?lang=fr").json()
    agreed = [c for c in stored["agreed"] if {x["article_id"] for x in c["citations"]} == {"M0036.en", "M0036.fr"}]
    assert agreed, "the comparison agrees across the two languages"
    assert {s["language"] for s in french["summary"]} == {"fr"}
    for sentence in french["summary"]:
        own = sentence["citations"][0]
        fact = [c for c in agreed if any(x["article_id"] == "M0036.fr" and x["start"] <= own["start"] < x["end"]
                                         for x in c["citations"])]  # fmt: skip
        cited = {c["article_id"] for c in sentence["citations"]}
        assert cited == ({"M0036.en", "M0036.fr"} if fact else {"M0036.fr"}), sentence
    assert any(not s["single_source"] for s in french["summary"])
