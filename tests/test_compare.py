"""Comparing the sources of a story: the seeds' acceptance list, conflicts, entity merging, quotes, timeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from storyline.compare import Comparison, compare_story
from storyline.compare.entities import Mention, merge_mentions
from storyline.ingest import read_inputs
from storyline.models import Article
from storyline.text.sentences import split_sentences

from conftest import SEEDS

A000 = "000_2f5120fb859c3a0c.txt"
A004 = "004_aaedc645091e8ef2.txt"


def _articles(*articles: Article) -> list[Article]:
    for article in articles:
        article.sentences = split_sentences(article.text, article.id)
    return list(articles)


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    articles, _, _ = read_inputs([str(SEEDS)])
    return {a.id: a for a in _articles(*sorted(articles, key=lambda a: a.id))}


@pytest.fixture(scope="module")
def seed_comparison(seeds: dict[str, Article]) -> Comparison:
    return compare_story(list(seeds.values()))


def _cited(seeds: dict[str, Article], article_id: str, start: int, end: int) -> str:
    return seeds[article_id].text[start:end]


def _cites(seeds: dict[str, Article], claim, article_id: str, words: str) -> bool:  # type: ignore[no-untyped-def]
    return any(c.article_id == article_id and words in _cited(seeds, article_id, c.start, c.end)
               for c in claim.citations)  # fmt: skip


def test_seed_fact_both_sources_report_is_agreed(seeds: dict[str, Article], seed_comparison: Comparison) -> None:
    in_000, in_004 = "secret meetings with Venezuelan military", "discussed a coup with Venezuelan military officers"
    assert any(_cites(seeds, claim, A000, in_000) and _cites(seeds, claim, A004, in_004)
               for claim in seed_comparison.agreed)  # fmt: skip


@pytest.mark.parametrize(
    ("in_000", "in_004"),
    [
        ("later decided not", "later decided not to support"),
        ("In August 2017", "in August 2017 that the US was not ruling out a military"),
        ("drones filled with explosives", "failed drone attack"),
        ("the White House refused", "The White House has not confirmed"),
    ],
)
def test_seed_partial_paraphrases_below_the_bar_stay_only_one_source(
    seeds: dict[str, Article], seed_comparison: Comparison, in_000: str, in_004: str
) -> None:
    # Issue 7 listed these as agreed; each pair shares one point inside sentences that say more (agreement scores
    # 0.33-0.57, bar 0.61). Issue 17: below the bar a pair is not claimed as agreed, and neither sentence is
    # hidden: each is agreed (for another fact) or listed as only one source, never both.
    agreed, unique = seed_comparison.agreed, seed_comparison.unique
    assert not any(_cites(seeds, claim, A000, in_000) and _cites(seeds, claim, A004, in_004) for claim in agreed)
    for article_id, words in ((A000, in_000), (A004, in_004)):
        in_agreed = any(_cites(seeds, claim, article_id, words) for claim in agreed)
        in_unique = any(words in u.text for u in unique if u.article_id == article_id)
        assert in_agreed != in_unique, (article_id, words, in_agreed, in_unique)


@pytest.mark.parametrize(
    ("article_id", "words"),
    [
        (A000, "John Bolton, said there was no involvement"),
        (A000, "condemned political violence"),
        (A000, "land like a bomb"),
        (A000, "food and medicine shortage"),
        (A004, "threw grenades at the country’s supreme court"),
        (A004, "one million percent"),
        (A004, "Colombia, Chile, Spain and the US"),
        (A004, "it is all staged"),
    ],
)
def test_seed_facts_one_source_reports_are_unique(
    seeds: dict[str, Article], seed_comparison: Comparison, article_id: str, words: str
) -> None:
    spans = [u for u in seed_comparison.unique if u.article_id == article_id]
    assert any(words in u.text and u.text == _cited(seeds, article_id, u.start, u.end) for u in spans)
    other = A004 if article_id == A000 else A000
    assert not any(words in u.text for u in seed_comparison.unique if u.article_id == other)


def test_seed_agreed_facts_are_not_everything(seed_comparison: Comparison) -> None:
    agreed_text = " ".join(c.text for c in seed_comparison.agreed)
    for only_one_source in ("John Bolton", "land like a bomb", "grenades", "one million percent", "staged"):
        assert only_one_source not in agreed_text


@pytest.mark.parametrize(
    ("article_id", "speaker", "words"),
    [
        (A000, "Mari Carmen Aponte", "land like a bomb"),
        (A000, "John Bolton", "no involvement"),
        (A004, "the vice president", "numbers are being inflated"),
    ],
)
def test_seed_quotes_have_their_speakers(
    seeds: dict[str, Article], seed_comparison: Comparison, article_id: str, speaker: str, words: str
) -> None:
    quotes = [q for q in seed_comparison.quotes if q.article_id == article_id and words in q.text]
    assert quotes and quotes[0].speaker == speaker and not quotes[0].direct
    assert _cited(seeds, article_id, quotes[0].start, quotes[0].end) == quotes[0].text


def test_seed_entities_have_one_name_across_articles(seed_comparison: Comparison) -> None:
    maduro = [e for e in seed_comparison.entities if "Maduro" in e.name or "Maduro" in e.aliases]
    assert len(maduro) == 1
    assert maduro[0].name == "Nicolás Maduro" and maduro[0].type == "person"
    assert maduro[0].article_ids == [A000, A004] and maduro[0].count >= 5
    names = {e.name for e in seed_comparison.entities}
    assert {"John Bolton", "Mari Carmen Aponte", "International Monetary Fund", "White House"} <= names


def test_seed_timeline_keeps_unresolvable_dates_and_never_invents(seed_comparison: Comparison) -> None:
    events = {(e.article_id, e.expression): e for e in seed_comparison.timeline}
    assert events[(A000, "August 2017")].date == "2017-08" and events[(A000, "August 2017")].anchor is None
    assert events[(A004, "August 2017")].date == "2017-08"
    for key in ((A000, "August 4th"), (A004, "Last year"), (A004, "Earlier this year")):
        assert events[key].date is None and events[key].anchor == "unknown"
    assert [e.date for e in seed_comparison.timeline if e.date] == sorted(e.date for e in seed_comparison.timeline
                                                                           if e.date)  # fmt: skip


def test_seed_timeline_resolves_once_the_publication_date_is_known(seeds: dict[str, Article]) -> None:
    dated = [replace(a, published=datetime(2018, 9, 5)) for a in seeds.values()]
    events = {(e.article_id, e.expression): e for e in compare_story(dated).timeline}
    assert events[(A004, "Last year")].date == "2017" and events[(A004, "Last year")].anchor == "2018-09-05"
    assert events[(A000, "August 4th")].date == "2018-08-04"


def test_every_span_points_into_its_article(seeds: dict[str, Article], seed_comparison: Comparison) -> None:
    spans = [(c.article_id, c.start, c.end) for claim in seed_comparison.agreed for c in claim.citations]
    spans += [(s.article_id, s.start, s.end) for c in seed_comparison.conflicts for s in c.sides]
    spans += [(x.article_id, x.start, x.end) for x in [*seed_comparison.unique, *seed_comparison.quotes,
                                                       *seed_comparison.timeline]]  # fmt: skip
    for article_id, start, end in spans:
        assert 0 <= start < end <= len(seeds[article_id].text)


def test_different_figures_for_the_same_fact_conflict_and_similar_wording_does_not() -> None:
    a = Article(id="a", text="A magnitude 6.1 earthquake struck the town of Arlow on Tuesday, killing 42 people. "
                            "Rescue teams searched the rubble through the night.")  # fmt: skip
    b = Article(id="b", text="The earthquake that hit Arlow on Tuesday killed 57 people, officials said. "
                            "Rescuers searched collapsed buildings through the night.")  # fmt: skip
    c = Article(id="c", text="At least 40 people were killed when the earthquake hit Arlow on Tuesday. "
                            "Rescue teams worked through the night in the rubble.")  # fmt: skip
    result = compare_story(_articles(a, b, c))
    people = [x for x in result.conflicts if x.about.startswith("people")]
    values = sorted(tuple(sorted(s.value for s in x.sides)) for x in people)
    assert values == [("42 people", "57 people")]
    sides = people[0].sides
    assert {s.article_id for s in sides} == {"a", "b"}
    assert all(s.value in {"a": a, "b": b}[s.article_id].text[s.start : s.end] for s in sides)
    assert not any(x.about.startswith("date") for x in result.conflicts)


def test_conflicting_dates_are_flagged_in_the_timeline() -> None:
    a = Article(id="a", text="The ferry Northern Star sank near Kelso harbour on Tuesday with 30 passengers aboard.")
    b = Article(id="b", text="The ferry Northern Star sank near Kelso harbour on Wednesday with 30 passengers aboard.")
    result = compare_story(_articles(a, b))
    dates = [x for x in result.conflicts if x.about.startswith("date")]
    assert len(dates) == 1 and sorted(s.value for s in dates[0].sides) == ["Tuesday", "Wednesday"]
    assert all(event.conflict for event in result.timeline)


def test_entity_merging_titles_surnames_initialisms_and_places() -> None:
    text = "x" * 400
    surfaces = [("President Maduro", "person"), ("Nicolás Maduro", "person"), ("Maduro", "organization"),
                ("IMF", "organization"), ("the International Monetary Fund", "organization"), ("U.S.", "place"),
                ("the United States", "place"), ("John Smith", "person"), ("Mary Smith", "person"),
                ("Smith", "person")]  # fmt: skip
    mentions = [Mention("a" if i % 2 else "b", i * 20, i * 20 + len(s), s, k) for i, (s, k) in enumerate(surfaces)]
    assert all(m.end <= len(text) for m in mentions)
    entities, index = merge_mentions(mentions)
    by_name = {e.name: e for e in entities}
    assert set(by_name["Nicolás Maduro"].aliases) == {"President Maduro", "Maduro"}
    assert by_name["Nicolás Maduro"].type == "person" and by_name["Nicolás Maduro"].article_ids == ["a", "b"]
    assert by_name["International Monetary Fund"].aliases == ["IMF"]
    places = [e for e in entities if e.type == "place"]
    assert len(places) == 1 and {places[0].name, *places[0].aliases} == {"U.S.", "United States"}
    # "Smith" could be John or Mary: it stays apart rather than being merged into the wrong person.
    assert {"John Smith", "Mary Smith", "Smith"} <= set(by_name)
    assert len(index) == len(mentions)


def test_direct_quotes_with_speaker_after_before_and_continued() -> None:
    text = ('"We will rebuild every home in this town," Mayor Ana Ruiz said on Monday. '
            '"It will take years." The governor, Tom Hale, said: "Help is on the way for everyone." '
            'Officials called it "a tragedy" in a statement.')  # fmt: skip
    result = compare_story(_articles(Article(id="q", text=text)))
    direct = {q.text: q for q in result.quotes if q.direct}
    assert direct["We will rebuild every home in this town,"].speaker == "Ana Ruiz"
    assert direct["It will take years."].speaker == "Ana Ruiz"
    assert direct["Help is on the way for everyone."].speaker == "Tom Hale"
    assert "a tragedy" not in direct  # scare quotes and titles are not quotes
    for quote in result.quotes:
        assert text[quote.start : quote.end] == quote.text


def test_cli_writes_the_comparison_into_all_three_reports(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """End to end on the seeds (one story forced with a loose threshold): json validates, md and html show it."""
    import json

    import jsonschema

    from conftest import run_cli
    out = tmp_path / "out"
    run_cli("digest", str(SEEDS), "-o", str(out), "-q", "--threshold", "1.5")
    data = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(run_cli("schema").stdout))
    (story,) = data["stories"]
    assert story["agreed"] and story["unique"] and story["quotes"] and story["entities"] and story["timeline"]
    texts = {a["id"]: a["text"] for a in data["articles"]}
    for quote in story["quotes"]:
        assert texts[quote["article_id"]][quote["start"] : quote["end"]] == quote["text"]
    markdown = (out / "stories.md").read_text(encoding="utf-8")
    assert "agreed by 2 of 2 sources" in markdown and "**Quotes**" in markdown and "**Timeline**" in markdown
    assert "Mari Carmen Aponte" in (out / "index.html").read_text(encoding="utf-8")


def test_comparison_can_be_switched_off(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Through the environment layer of the settings, on the real CLI."""
    import json

    from conftest import run_cli

    (tmp_path / "a.txt").write_text("A dam broke in Lowtown on Monday, flooding forty homes. Nobody was hurt.")
    monkeypatch.setenv("STORYLINE_COMPARE_ENABLED", "false")
    run_cli("digest", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"), "-q")
    (story,) = json.loads((tmp_path / "out" / "stories.json").read_text(encoding="utf-8"))["stories"]
    assert story["summary"] and not story["quotes"] and not story["entities"] and not story["timeline"]


def test_quotes_quality_gate_on_labeled_ecb_documents() -> None:
    """bench/labels/compare_quotes.json: measured F1 0.847 (P 0.926, R 0.781; 0.780 before issue 19 item 13); the
    floor is 0.81."""
    import json

    from conftest import DATA, ROOT

    labels = json.loads((ROOT / "bench/labels/compare_quotes.json").read_text(encoding="utf-8"))
    texts = {}
    for line in (DATA / "ecbplus/dev.jsonl").open(encoding="utf-8"):
        doc = json.loads(line)
        if doc["id"] in labels["documents"]:
            texts[doc["id"]] = doc["text"]
    gold = labels["quotes"]
    used: set[int] = set()
    predicted = hits = 0
    for doc_id, text in texts.items():
        for quote in compare_story(_articles(Article(id=doc_id, text=text))).quotes:
            predicted += 1
            for i, g in enumerate(gold):
                overlap = min(quote.end, g["end"]) - max(quote.start, g["start"])
                shorter = min(quote.end - quote.start, g["end"] - g["start"])
                if i in used or g["doc"] != doc_id or overlap <= 0.5 * shorter:
                    continue
                used.add(i)
                if g["speaker"] is None:  # words of a document or vague source only: no speaker is right
                    hits += quote.speaker is None
                else:
                    hits += bool(quote.speaker) and g["speaker"].split()[-1].lower() in (quote.speaker or "").lower()
                break
    precision, recall = hits / predicted, hits / len(gold)
    assert 2 * precision * recall / (precision + recall) >= 0.81


@pytest.mark.parametrize("cross_lingual", ["off", "auto"])
def test_stories_in_other_languages_are_counted(cross_lingual: str) -> None:
    """Without a cross-lingual model a German story is left alone and counted; with one (the multilingual extra) it
    is compared, and its articles are counted as having entities by name only (there is no German spaCy pipeline)."""
    from storyline.config import Settings
    from storyline.models import Story
    from storyline.pipeline import DescribeStories, LocalExecutor, RunState

    german = _articles(Article(id="de", text="Am Montag brach in Lowtown ein Damm. Vierzig Häuser wurden überflutet.",
                               language="de"))  # fmt: skip
    settings = Settings(progress=False).with_overrides({"compare.cross_lingual": cross_lingual})
    state = RunState(settings=settings, articles=german,
                     stories=[Story(id="s", headline="", article_ids=["de"])])  # fmt: skip
    DescribeStories().run(state, LocalExecutor(progress=False))
    if cross_lingual == "off":
        assert state.dropped["stories not compared: no English article"] == 1
    else:
        assert "stories not compared: no English article" not in state.dropped
        assert state.dropped["articles with entities by name only: no spaCy pipeline for de"] == 1
        # German dates are read (issue 21): "Am Montag" is on the timeline, undated without a publication day
        assert [(t.expression, t.date) for t in state.stories[0].timeline] == [("Montag", None)]
    assert not state.stories[0].entities  # "Lowtown" alone: a German capital may be any noun
    if cross_lingual == "off":
        assert not state.stories[0].timeline
    assert state.stories[0].summary, "the story is still summarized"


def test_unknown_embedder_and_model_are_clear_errors() -> None:
    from storyline.config import CompareOptions
    from storyline.errors import ConfigError

    article = _articles(Article(id="x", text="A dam broke in Lowtown on Monday, flooding forty homes."))
    with pytest.raises(ConfigError, match=r"compare\.embedder must be one of auto, static, minilm, cascade; got 'no"):
        CompareOptions(embedder="nope")
    with pytest.raises(ConfigError, match=r"not installed.*compare\.spacy_model"):
        compare_story(article, CompareOptions(spacy_model="no_such_model"))


def test_figures_match_by_what_they_count_in_words_and_synonyms() -> None:
    from storyline.compare.quantities import find_quantities

    found = find_quantities("Fourteen people, including two firefighters, were hurt; sixty-five per cent of "
                            "traffic was down. The fire injured 12 people and burned for roughly six hours. "
                            "Of the 12 injured, two dozen were firefighters. It will cost $3.2 million.")  # fmt: skip
    got = {q.written: (q.unit, q.low, q.counts) for q in found}
    assert got["Fourteen people"] == ("peopl", 14, "injured")
    assert got["two firefighters"] == ("firef", 2, "injured")
    assert got["sixty-five per cent"] == ("percent", 65, None)
    assert got["12 people"] == ("peopl", 12, "injured")
    assert got["roughly six hours"][2] is None  # "injured" belongs to the nearer figure
    assert got["12 injured"] == ("peopl", 12, "injured")
    assert got["$3.2 million"] == ("$", 3.2e6, "cost")


def test_synonymous_counts_conflict_and_different_counts_do_not() -> None:
    a = Article(id="a", text="A fire swept through the Arlow cannery late Tuesday, and fourteen people were hurt, "
                            "officials said.")  # fmt: skip
    b = Article(id="b", text="Twelve people were injured when fire swept through the Arlow cannery on Tuesday, "
                            "the fire department said.")  # fmt: skip
    c = Article(id="c", text="Fire swept through the Arlow cannery on Tuesday, killing three people, the fire "
                            "department said.")  # fmt: skip
    result = compare_story(_articles(a, b, c))
    figures = [sorted(s.value for s in x.sides) for x in result.conflicts if not x.about.startswith("date")]
    assert figures == [["Twelve people", "fourteen people"]]


def test_dates_of_different_happenings_in_close_sentences_do_not_conflict() -> None:
    a = Article(id="a", text="The Arlow council voted on Monday night to build a flood barrier along the river.")
    b = Article(id="b", text="The Arlow council vote follows the flood of August 4th, when the river overtopped "
                            "its banks.")  # fmt: skip
    c = Article(id="c", text="The Arlow council voted on Tuesday night to build a flood barrier along the river.")
    result = compare_story(_articles(a, b, c))
    dates = [sorted(s.value for s in x.sides) for x in result.conflicts if x.about.startswith("date")]
    assert dates == [["Monday night", "Tuesday night"]]


def test_documents_and_vague_sources_are_not_speakers(seed_comparison: Comparison) -> None:
    speakers = {q.speaker for q in seed_comparison.quotes if q.speaker}
    assert not {"a report", "international media", "experts"} & speakers
    assert {"Mari Carmen Aponte", "John Bolton", "the vice president"} <= speakers
    text = ("A report said the talks had failed. Experts say the plan will not work. "
            "A report by the New York Times said the talks had failed. "
            "In a poll, 55 percent of voters said the plan was a mistake.")  # fmt: skip
    quotes = compare_story(_articles(Article(id="r", text=text))).quotes
    assert [(q.speaker, q.text) for q in quotes] == [(None, "the talks had failed"),
                                                     (None, "the plan will not work"),
                                                     ("New York Times", "the talks had failed"),
                                                     ("voters", "the plan was a mistake")]  # fmt: skip


def test_unknown_conflict_rule_is_a_clear_error() -> None:
    from storyline.config import CompareOptions
    from storyline.errors import ConfigError

    with pytest.raises(ConfigError, match=r"compare\.conflict_match must be one of counted, context; got 'fuzzy'"):
        CompareOptions(conflict_match="fuzzy")


def test_conflicts_quality_gate_on_labeled_duc_disaster_stories() -> None:
    """bench/labels/compare_conflicts.json, the two DUC 2003 dev stories (a dance-hall fire, a cold wave):
    measured 19 flagged, 10 of the 10 true conflicts found (P 0.53, R 1.00); floors P 0.40, R 0.85. These are
    stories the rules were shaped on: the held-out figures are in bench/RESULTS.md."""
    import itertools
    import json
    import re

    from conftest import DATA, ROOT

    labels = json.loads((ROOT / "bench/labels/compare_conflicts.json").read_text(encoding="utf-8"))
    gold = {(j["a"], j["a_start"], j["b"], j["b_start"]): j["conflict"] for j in labels["judgments"]}
    texts: dict[str, str] = {}
    for cluster in map(json.loads, (DATA / "mds/duc2003_task2.jsonl").open(encoding="utf-8")):
        texts.update(zip(cluster["doc_ids"], cluster["documents"], strict=True))
    stories = [s for s in labels["stories"] if s["set"] == "dev" and s["source"] == "duc2003_task2"]
    assert len(stories) == 2
    found: set[tuple[str, int, str, int]] = set()
    truth: set[tuple[str, int, str, int]] = set()
    for story in stories:
        articles = []
        for doc_id in story["ids"]:
            day = re.search(r"(19|20)\d{6}", doc_id)
            assert day, doc_id
            articles.append(Article(id=doc_id, text=texts[doc_id], published=datetime.strptime(day.group(0), "%Y%m%d")))
        for conflict in compare_story(_articles(*articles)).conflicts:
            # A conflict lists every article giving each of its two values: each cross-value pair is one finding.
            for a, b in itertools.combinations(sorted(conflict.sides, key=lambda s: (s.article_id, s.start)), 2):
                if a.article_id != b.article_id and a.value.lower() != b.value.lower():
                    found.add((a.article_id, a.start, b.article_id, b.start))
        truth |= {k for k, v in gold.items() if v and k[0] in story["ids"]}
    judged = found & set(gold)
    assert len(truth) == 10 and found <= set(gold), "labels changed or unjudged pairs: rerun bench/compare.py"
    assert len(found & truth) / len(judged) >= 0.40
    assert len(found & truth) / len(truth) >= 0.85


def test_a_name_is_typed_by_its_form_and_short_names_join_their_organization() -> None:
    # issue 19 item 13: "Quarry Lane" and "Ashford Vale" were people, "Dockside Road" an organization, "Calder &
    # Finch" apart from "Calder & Finch Furniture", "Councillor Abel Marsh" an organization apart from Abel Marsh
    surfaces = [("Quarry Lane", "person"), ("Quarry Lane", "person"), ("Ashford Vale", "person"),
                ("Ashford Vale's", "organization"), ("Dockside Road", "organization"), ("Cannery Way", "person"),
                ("Calder & Finch Furniture", "organization"), ("Calder & Finch", "organization"),
                ("Councillor Abel Marsh", "organization"), ("Abel Marsh", "person"), ("Ms. Diane Lane", "person"),
                ("Los Angeles", "place"), ("Los Angeles County", "place"), ("Red Crescent", "organization")]
    mentions = [Mention("a" if i % 2 else "b", i * 30, i * 30 + len(s), s, k) for i, (s, k) in enumerate(surfaces)]
    mentions.append(Mention("c", 0, 11, "LINDENFIELD", "place", dateline=True))
    mentions.append(Mention("d", 40, 51, "Lindenfield", "person"))
    entities, _ = merge_mentions(mentions)
    by_name = {e.name: e for e in entities}
    for place in ("Quarry Lane", "Ashford Vale", "Dockside Road", "Cannery Way", "Lindenfield"):
        assert by_name[place].type == "place", by_name[place]
    assert by_name["Lindenfield"].aliases == ["LINDENFIELD"]
    assert by_name["Calder & Finch Furniture"].aliases == ["Calder & Finch"]
    assert by_name["Abel Marsh"].type == "person" and by_name["Abel Marsh"].aliases == ["Councillor Abel Marsh"]
    assert by_name["Diane Lane"].type == "person"  # a titled mention stays a person
    assert by_name["Red Crescent"].type == "organization"
    assert {"Los Angeles", "Los Angeles County"} <= set(by_name)  # places nest: never merged by their first words


def test_a_dateline_names_a_place() -> None:
    # "ASHFORD VALE (Northgate Wire) —" was typed a person; here the model does not see "MILLBROOK" at all
    for text in ("MILLBROOK (Valley Courier) — Crews worked through the night at the warehouse on the edge of town.",
                 "ASHFORD VALE (Northgate Wire) — A river town of 9,400 people voted on Monday to build a wall."):
        entities = compare_story(_articles(Article(id="d", text=text))).entities
        place = text.split(" (", 1)[0]
        assert [(e.name, e.type) for e in entities if e.name.upper() == place] == [(place, "place")], entities


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("A firefighter was treated for heat exhaustion; no other injuries were reported.", None),
        ("Port Ellis officials said their own investigation into the fire was continuing.", "Port Ellis officials"),
        ("The study's co-author, Prof. Ines Haldor of the Lindenfield Museum of Natural History, said that museum "
         "drawers may hold older shells of the species.", "Ines Haldor"),
        ("Few of them were young, she said, which suggests the population is not replacing itself.", None),
    ],
)
def test_a_speaker_is_who_speaks_not_what_was_reported_or_where(text: str, speaker: str | None) -> None:
    # issue 19 item 13: speakers "no other injuries" (a passive's subject), "Port Ellis" (a place modifying
    # "officials"), "The study 's co" (the first of several subjects), "which" (a relative pronoun)
    lead = "PORT ELLIS — The fire at the Bramwell Cold Storage warehouse on Dockside Road burned for six hours. "
    article = Article(id="s", text=lead + text)
    quotes = [q for q in compare_story(_articles(article)).quotes if q.start >= len(lead)]
    if speaker is None:  # no one is named: the clause keeps no speaker (or is no quote at all)
        assert {q.speaker for q in quotes} <= {None}, [(q.speaker, q.text) for q in quotes]
    else:
        assert {q.speaker for q in quotes} == {speaker}, [(q.speaker, q.text) for q in quotes]


def test_a_sentence_is_placed_once_on_the_timeline() -> None:
    # issue 19 item 13: "released on Wednesday a description of ... Tuesday's fire" was listed twice, two dates
    text = ("Detectives in Millbrook released a description on Wednesday of a man they want to question about "
            "Tuesday's fire. Construction is scheduled to begin in March and to finish before the storms next year. "
            "The ferry sank on Tuesday with 30 passengers aboard.")  # fmt: skip
    article = Article(id="t", text=text, published=datetime(2026, 9, 16, 12, 0))
    timeline = compare_story(_articles(article)).timeline
    starts = [e.start for e in timeline]
    assert len(starts) == len(set(starts)) == 3, [(e.date, e.expression) for e in timeline]
    dates = {text[e.start : e.start + 20]: e.date for e in timeline}
    assert dates["Construction is sche"] == "2027-03"  # the most precise of "March" and "next year"
    assert dates["Detectives in Millbr"] in {"2026-09-15", "2026-09-16"}


def test_only_sentences_with_a_speech_verb_are_parsed_and_quotations_still_get_entities() -> None:
    from storyline.compare.nlp import annotate

    texts = ["Residents called it “a very bad idea for Lowtown” on Monday.", "Mayor Ana Ruiz said the dam would hold.",
             "the water rose all night."]
    quoted, said, plain = annotate(texts)
    assert not quoted.has_annotation("DEP") and quoted.has_annotation("ENT_IOB")
    assert said.has_annotation("DEP") and said.has_annotation("ENT_IOB")
    assert plain is None  # nothing there for the model: not even tokenized


def test_spacy_multiplies_on_numpy_and_annotates_as_with_blis() -> None:
    """``load_spacy`` builds the pipeline on NumPy's BLAS (~0.66x the CPU of blis, bench/spacy_speed.py); on real
    sentences every tag, dependency, head and entity is the one the blis-built pipeline gives."""
    import importlib
    import json

    from storyline.compare.nlp import annotate, load_spacy, needs_parse
    from storyline.config import CompareOptions

    from conftest import DATA

    model = CompareOptions().spacy_model
    nlp = load_spacy(model)
    encoders = [nlp.get_pipe("tok2vec").model, nlp.get_pipe("ner").model.get_ref("tok2vec")]
    assert all(not node.ops.use_blis for encoder in encoders for node in encoder.walk())
    with (DATA / "ecbplus/dev.jsonl").open(encoding="utf-8") as handle:
        texts = [t for line, _ in zip(handle, range(30), strict=False)
                 for s in split_sentences(json.loads(line)["text"]) if needs_parse(t := s.text)][:60]  # fmt: skip
    blis = importlib.import_module(model).load(exclude=["lemmatizer", "attribute_ruler"])
    assert blis.get_pipe("ner").model.ops.use_blis

    def signature(doc):  # type: ignore[no-untyped-def]
        return [(t.tag_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_) for t in doc]

    assert len(texts) == 60
    assert [signature(d) for d in annotate(texts, model)] == [signature(d) for d in blis.pipe(texts)]


def test_cascade_runs_minilm_on_a_bounded_set_and_links_as_minilm_on_all(seeds: dict[str, Article]) -> None:
    """The seeds (33 units): the cascade encodes at most ``cascade_units`` sentences with MiniLM (both sentences of
    the pairs closest to a threshold), and finds the same agreed, unique and conflicting claims as MiniLM on every
    sentence (``auto``); static embeddings alone link two pairs MiniLM keeps apart (docs/compare.md)."""
    import numpy as np

    from storyline.compare import align
    from storyline.config import CompareOptions

    articles = list(seeds.values())
    units = [u for a in articles for u in align.split_units(a)]
    stems = [align.content_stems(u.text) for u in units]
    options = CompareOptions()
    assert options.embedder == "cascade" and options.cascade_units == 12
    static = align._cosines("static", [u.text for u in units], options.static_shift)
    cheap = align.paraphrase_scores(units, static, stems, options.embedding_weight)
    chosen = align.undecided_units(units, static, cheap, options, stems)
    assert len(chosen) == options.cascade_units
    unbounded = align.undecided_units(units, static, cheap, replace(options, cascade_units=0), stems)
    assert set(chosen) < set(unbounded)
    wide = align.undecided_units(units, static, cheap, replace(options, cascade_margin=1.0, cascade_units=0), stems)
    assert np.array_equal(wide, np.arange(len(units)))
    cascade = compare_story(articles, options)
    minilm = compare_story(articles, CompareOptions(embedder="auto"))
    def facts(comparison: Comparison) -> list[list[tuple[str, int, int]]]:  # the cited spans, not their scores
        return [[(c.article_id, c.start, c.end) for c in claim.citations] for claim in comparison.agreed]

    assert facts(cascade) == facts(minilm) and cascade.unique == minilm.unique
    assert len(compare_story(articles, CompareOptions(embedder="static")).agreed) > len(cascade.agreed)
    assert cascade.conflicts == minilm.conflicts


def test_spacy_reads_a_bounded_ranked_set_of_a_story_sentences() -> None:
    """compare.model_sentences: the summary's sentences first, then speech with quotation marks, other speech,
    article leads, figures; a text several articles share takes one place; sentences with no possible name are
    never read; 0 = every sentence that needs the model."""
    from storyline.compare.nlp import model_sentences

    texts = [
        "Smoke rose over Millbrook on Tuesday.",  # 0: a lead
        "Fire chief Dana Whitlock said the cause is unknown.",  # 1: speech
        "\u201cWe lost everything,\u201d said Ana Ruiz.",  # 2: speech with quotation marks
        "Crews from Ashford arrived at 4 p.m.",  # 3: a figure
        "Neighbours in Lindenfield watched.",  # 4: the rest
        "the roof fell in.",  # 5: no name can be here
        "Smoke rose over Millbrook on Tuesday.",  # 6: a copy of 0 in another article (its lead)
    ]
    positions = [0, 5, 6, 7, 8, 9, 0]
    assert model_sentences(texts, positions, budget=0) == {0, 1, 2, 3, 4, 6}
    assert model_sentences(texts, positions, first=[4], budget=2) == {4, 2}
    assert model_sentences(texts, positions, budget=3) == {2, 1, 0, 6}  # the copy shares its text's place
    assert model_sentences(texts, positions, budget=4) == {2, 1, 0, 6, 3}


def test_names_found_by_the_model_are_matched_in_unread_sentences() -> None:
    """entities.mentions_by_name: the model's names, matched by their words (the longer name first, whole words
    only, case kept) with the type the model gave them most often."""
    from storyline.compare.entities import mentions_by_name

    known = [Mention("a", 0, 14, "Nicolás Maduro", "person"), Mention("a", 30, 36, "Maduro", "person"),
             Mention("a", 50, 57, "Caracas", "place"), Mention("a", 60, 67, "Caracas", "organization"),
             Mention("a", 70, 77, "Caracas", "place")]  # fmt: skip
    found = mentions_by_name(known, [("b", 100, "Nicolás Maduro left Caracas; Maduros and caracas are not names.")])
    assert [(m.start, m.end, m.surface, m.kind) for m in found] == [
        (100, 114, "Nicolás Maduro", "person"), (120, 127, "Caracas", "place")]  # fmt: skip
    assert mentions_by_name([], [("b", 0, "Maduro")]) == []


def test_spacy_budget_goes_to_sentences_with_names_not_yet_read() -> None:
    """Past speech, a sentence whose capitalized words all appear in sentences already read waits behind one with
    a new name: names found once are matched by their words elsewhere (``entities.mentions_by_name``)."""
    from storyline.compare.nlp import model_sentences

    texts = ["Smoke rose over Millbrook on Tuesday.",  # 0: a lead
             "Millbrook crews worked through Tuesday.",  # 1: nothing new to find
             "Neighbours in Lindenfield watched."]  # 2: a new name  # fmt: skip
    assert model_sentences(texts, [0, 2, 3], budget=2) == {0, 2}
    assert model_sentences(texts, [0, 2, 3], budget=3) == {0, 1, 2}  # the budget left reads it too


def test_word_lookups_answer_as_the_regular_expressions_they_stand_for() -> None:
    """``needs_parse`` looks speech verbs up word by word and ``may_hold_figure`` skips the figure scan of a
    sentence without digits or number words: both say what the regular expressions would."""
    from storyline.compare.nlp import _SPEECH_CUE, needs_parse
    from storyline.compare.quantities import _QUANTITY, may_hold_figure

    texts = ["He SAID so.", "According  to them, it held.", "ſaid the man", "accordingly, to be fair", "re-said it",
             "said_x", "TWEETED!", "according\nto X", "accordingto", "The dam held.", "Sixty-five people", "ſix ran",
             "a thousand times", "A dozen eggs", "no figure here at all", "in 2019", "Fourteen were hurt",
             "twentyone", "the seventh day", "“We lost everything,” she told reporters."]  # fmt: skip
    assert [needs_parse(t) for t in texts] == [bool(_SPEECH_CUE.search(t)) for t in texts]
    assert sum(needs_parse(t) for t in texts) == 7
    for text in texts:
        assert may_hold_figure(text) or not _QUANTITY.search(text), text
    assert not may_hold_figure("no figure here at all") and not may_hold_figure("the seventh day")


def test_according_to_gives_the_source_as_speaker_before_or_after_the_claim() -> None:
    # "according to" is looked for only in sentences whose text has the word (quotes._according_to): both places
    text = ("PORT ELLIS — The fire burned for six hours. The blaze destroyed forty homes in the valley, according "
            "to Sheriff Dana Reyes. According to the Port Ellis fire chief, the warehouse had no sprinklers at all.")
    quotes = {q.text: q.speaker for q in compare_story(_articles(Article(id="a", text=text))).quotes}
    assert quotes == {"The blaze destroyed forty homes in the valley": "Dana Reyes",
                      "the warehouse had no sprinklers at all": "the Port Ellis fire chief"}


def test_figures_tried_where_they_can_start_match_what_searching_through_finds() -> None:
    """English figures are matched only at digits, currency signs, number words and a qualifier's length before them
    (``quantities._english_figures``): the same matches as ``_QUANTITY.finditer`` on real news, whole and in a
    middle slice, and on word salad of qualifiers, number and scale words, signs and odd letters ("ſix", "İ")."""
    import random

    from storyline.compare import quantities

    from realtexts import real_documents

    def searched(text: str, start: int, end: int) -> list[tuple[tuple[int, int], dict]]:
        return [(m.span(), m.groupdict()) for m in quantities._QUANTITY.finditer(text, start, end)]

    def tried(text: str, start: int, end: int) -> list[tuple[tuple[int, int], dict]]:
        return [(m.span(), m.groupdict()) for m in quantities._english_figures(text, start, end)]

    found = 0
    for _, text in real_documents()[::6]:
        third = len(text) // 3
        for start, end in ((0, len(text)), (third, 2 * third)):
            expected = searched(text, start, end)
            assert tried(text, start, end) == expected
            found += len(expected)
    assert found > 1000
    words = [*quantities._QUALIFIERS, *sorted(quantities._NUMBER_START), *"hundred a dozen thousand million m bn "
             "percent % $ € £ 1,200 3.5 40 2,000.5 people ſix İ ı sixty-five , .".split()]
    rng = random.Random(3)
    for _ in range(3000):
        parts = [rng.choice(words) for _ in range(rng.randint(1, 7))]
        parts = [p.upper() if rng.random() < 0.1 else p.capitalize() if rng.random() < 0.2 else p for p in parts]
        text = "".join(p + rng.choice([" ", "  ", "", "\n", "-", ", "]) for p in parts)
        assert tried(text, 0, len(text)) == searched(text, 0, len(text)), text


def _ecb_event(event: str) -> list[Article]:
    """The ECB+ dev articles of one event, sentences split (real texts: figures, dates and paraphrases)."""
    import json

    from conftest import DATA

    with open(DATA / "ecbplus" / "dev.jsonl", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    return _articles(*(Article(id=r["id"], text=r["text"], source=r["id"]) for r in records if r["event"] == event))


def test_pair_scores_by_blocks_of_rows_are_the_whole_matrix_formulas_to_the_bit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The alignment's pair scores are made by blocks of rows (``align.BLOCK_PAIRS``) so that a big story holds no
    n x n intermediates (issue 15). On 22 real articles of one event, with blocks of one row, every matrix equals
    the whole-matrix expressions (float32, bit for bit), the cascade picks the same units, and the comparison (agreed,
    unique, conflicts, the summary's citations) is the one of blocks that hold the whole story."""
    import numpy as np

    from storyline.compare import align, claims
    from storyline.config import CompareOptions

    articles = _ecb_event("13_ecb")
    units = [u for a in articles for u in align.split_units(a)]
    stems = [align.content_stems(u.text, u.language) for u in units]
    n, options = len(units), CompareOptions()
    assert n > 150
    whole = compare_story(articles, options)
    static = align._cosines("static", [u.text for u in units], options.static_shift)
    vectors = __import__("storyline.embed", fromlist=["encode"]).encode("static", [u.text for u in units])
    assert np.array_equal(static, np.clip(vectors @ vectors.T - options.static_shift, 0.0, 1.0).astype(np.float32))
    # the formulas as they were written on whole matrices
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    rows = [i for i, s in enumerate(stems) for _ in s]
    cols = [vocabulary.setdefault(w, len(vocabulary)) for s in stems for w in s]
    matrix = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, len(vocabulary)))
    shared = np.asarray((matrix @ matrix.T).toarray(), dtype=np.float32)
    ids = np.array([u.article_id for u in units])
    other = ids[:, None] != ids[None, :]
    sizes = np.array([len(s) for s in stems], dtype=np.float32)
    total = sizes[:, None] + sizes[None, :]
    lexical = np.divide(2 * shared, total, out=np.zeros((n, n), dtype=np.float32), where=total > 0)
    lexical[~other] = 0.0
    covered = np.array([max(len(s), align.MIN_COVERED) for s in stems], dtype=np.float32)
    coverage = shared / np.minimum(covered[:, None], covered[None, :])
    coverage[~other] = 0.0
    weight = options.embedding_weight
    cheap = weight * static + (1.0 - weight) * lexical

    monkeypatch.setattr(align, "BLOCK_PAIRS", 1)  # one row a block
    align.forget_shared()
    assert np.array_equal(align.lexical_similarity(units, stems), lexical)
    assert np.array_equal(align.stem_coverage(units, stems), coverage)
    assert np.array_equal(align.paraphrase_scores(units, static, stems, weight), cheap)
    chosen = align.undecided_units(units, static, cheap, options, stems)
    assert len(chosen) == options.cascade_units
    score, cosine = align.unit_similarity(units, options, stems)
    refined = static.copy()
    refined[np.ix_(chosen, chosen)] = align._cosines("minilm", [units[i].text for i in chosen], 0.0)
    assert np.array_equal(cosine, refined)
    assert np.array_equal(score, weight * refined + (1.0 - weight) * lexical)
    alignment = claims.link_units(units, score, cosine, options, stems)
    agree = options.agree_weight
    assert np.array_equal(alignment.agreement, (agree * refined + (1.0 - agree) * coverage).astype(np.float32))
    facts = np.array([align.states_fact(u.text, u.language) for u in units], dtype=bool)
    linked = (alignment.agreement >= options.agree) & other & facts[:, None] & facts[None, :]
    assert np.array_equal(alignment.linked, linked) and linked.any()
    one_row = compare_story(articles, options)
    assert one_row == whole and whole.agreed and whole.unique and whole.conflicts
    assert not align._last_shared, "a compared story's shared-stem counts are not kept for the next story"
