"""Story summaries: real spans with exact offsets, word budget, order, dangling sentences, citations, headlines."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from storyline.config import SummaryOptions
from storyline.ingest import read_inputs
from storyline.models import Article
from storyline.summary import choose_headline, summarize_story
from storyline.summary.dangling import is_dangling
from storyline.summary.index import index_story, word_count
from storyline.text.sentences import split_sentences

from conftest import SEEDS


def _article(article_id: str, text: str, published: str | None = None, title: str | None = None) -> Article:
    article = Article(id=article_id, text=text, title=title,
                      published=datetime.fromisoformat(published) if published else None)
    article.sentences = split_sentences(text, article_id)
    return article


@pytest.fixture(scope="module")
def seeds() -> list[Article]:
    articles, rejected, _ = read_inputs([str(SEEDS)])
    assert not rejected
    for article in articles:
        article.sentences = split_sentences(article.text, article.id)
    return articles


def _check_offsets(summary, articles: list[Article]) -> None:
    by_id = {a.id: a for a in articles}
    for sentence in summary:
        own = sentence.citations[0]
        assert by_id[own.article_id].text[own.start:own.end] == sentence.text
        assert own.score == 1.0
        cited = [c.article_id for c in sentence.citations]
        assert len(cited) == len(set(cited)), "one citation per article"
        for citation in sentence.citations:
            span = by_id[citation.article_id].text[citation.start:citation.end]
            assert span.strip() == span and len(span.split()) >= 4
            assert 0.0 <= citation.score <= 1.0


def test_seed_summary_is_real_spans_within_the_budget(seeds: list[Article]) -> None:
    for words in (40, 100):
        summary, centrality = summarize_story(seeds, SummaryOptions(words=words, verifier="static"))
        assert summary
        assert sum(word_count(s.text) for s in summary) <= words
        _check_offsets(summary, seeds)
        assert set(centrality) == {a.id for a in seeds}
    short, _ = summarize_story(seeds, SummaryOptions(words=40, verifier="static"))
    long, _ = summarize_story(seeds, SummaryOptions(words=100, verifier="static"))
    assert len(short) < len(long)


def test_the_lead_fact_of_the_seeds_opens_the_summary(seeds: list[Article]) -> None:
    summary, _ = summarize_story(seeds, SummaryOptions(verifier="static"))
    assert "secret meetings with Venezuelan military officials" in summary[0].text


def test_a_restated_sentence_cites_every_article_that_states_it() -> None:
    shared = "The Kelso ferry ran aground on a sandbank near the harbour entrance on Sunday morning."
    articles = [
        _article("a", f"{shared} All 40 passengers were taken off by lifeboat. The ferry company apologised."),
        _article("b", f"Passengers spent four hours on deck. {shared} Tugs refloated the ship at high tide."),
        _article("c", f"{shared} The coast guard said nobody was hurt. An inquiry will look at the pilot's route."),
        _article("d", "Rail strikes closed three lines in the north on Sunday. Unions said talks would resume."),
    ]
    for verifier in ("static", "minilm"):
        summary, _ = summarize_story(articles, SummaryOptions(words=60, verifier=verifier))
        _check_offsets(summary, articles)
        grounding = next(s for s in summary if s.text == shared)
        assert {c.article_id for c in grounding.citations} == {"a", "b", "c"}, verifier
        assert all(c.score >= 0.9 for c in grounding.citations)
        rail = [s for s in summary if "Rail" in s.text or "Unions" in s.text]
        assert all(s.single_source for s in rail)


def test_wire_datelines_and_leftover_markup_are_cut_out_of_the_span() -> None:
    text = ("LONDON (AP) _ British police arrested the former ruler at a clinic in the capital on Friday night. "
            "</P> <P> His lawyers said they would appeal the arrest warrant before a judge on Monday morning.")
    article = _article("wire", text)
    index = index_story([article], SummaryOptions())
    texts = [s.text for s in index.sentences]
    assert texts == ["British police arrested the former ruler at a clinic in the capital on Friday night.",
                     "His lawyers said they would appeal the arrest warrant before a judge on Monday morning."]
    for sentence in index.sentences:
        assert text[sentence.start:sentence.end] == sentence.text


@pytest.mark.parametrize(("text", "dangling"), [
    ("However, the bridge stayed closed for a week.", True),
    ("He added that the repairs would cost more.", True),
    ("They said the dam was safe.", True),
    ("\"It was terrible,\" she added later.", True),
    ("The mayor added two more buses to the route.", False),
    ("Heavy rain flooded the valley on Monday.", False),
    ("Hebron's market reopened on Tuesday.", False),
    ("Last year, a rebel officer threw grenades at the court.", True),
    ("Voters, however, appeared reluctant to criticise the government.", True),
    ("\"We appreciate your respect for her privacy at this time.\"", True),
    ("\"Polar bears don't need a listing.", True),
    ("You know what they say, the third time is the charm.\"", True),
    ("on Tuesday, 16 December 2008 13:45.", True),
    ("\"Tara Reid has checked herself into a treatment center,\" her spokesman told reporters.", False),
    ("iPhone sales rose by a third in the last quarter.", False),
    ("The judge, James Bodiford, handed down the maximum sentence.", False),
])
def test_dangling_openers(text: str, dangling: bool) -> None:
    assert is_dangling(text) is dangling


def test_a_dangling_sentence_only_follows_its_antecedent() -> None:
    base = ("Floods closed the Norden bridge on Monday after the river rose three metres. "
            "However, the Norden bridge reopened on Tuesday after engineers checked the river piers.")
    others = [
        _article(f"o{i}", "The Norden bridge reopened on Tuesday after engineers checked the river piers. "
                          f"Traffic on the river road was light in the morning, report {i} said.")
        for i in range(3)
    ]
    articles = [_article("base", base), *others]
    summary, _ = summarize_story(articles, SummaryOptions(words=60, verifier="static"))
    texts = [s.text for s in summary]
    for position, text in enumerate(texts):
        if text.startswith("However"):
            assert position > 0 and texts[position - 1].startswith("Floods closed")


def test_sentences_follow_the_chronology_of_their_articles() -> None:
    later = _article("later", "The dam was repaired on Friday, officials in Lowtown said, and the road reopened.",
                     "2024-05-10T09:00:00")
    earlier = _article("earlier", "A dam broke in Lowtown on Monday and flooded forty homes near the river bank.",
                       "2024-05-06T09:00:00")
    summary, _ = summarize_story([later, earlier], SummaryOptions(words=60, verifier="static"))
    assert [s.citations[0].article_id for s in summary] == ["earlier", "later"]


def test_headline_is_a_title_or_the_best_real_first_sentence() -> None:
    untitled = _article("u", "https://news.example/story/123\nA ferry ran aground near Kelso on Sunday with forty "
                              "people on board. All were rescued.")
    assert choose_headline([untitled], {"u": 1.0}).startswith("A ferry ran aground near Kelso")
    titled = _article("t", "Some body text that says a ferry ran aground near Kelso.", title="Ferry aground at Kelso")
    assert choose_headline([untitled, titled], {"u": 1.0, "t": 0.5}) == "Ferry aground at Kelso"


def test_empty_story_and_options_validation(seeds: list[Article]) -> None:
    summary, centrality = summarize_story([_article("x", "Too short.")])
    assert summary == [] and centrality == {"x": 0.0}
    from storyline.errors import ConfigError

    with pytest.raises(ConfigError, match=r"summary\.verifier must be one of auto, static, minilm; got 'nli'"):
        summarize_story(seeds, replace(SummaryOptions(), verifier="nli"))


def test_small_stories_use_their_own_prior(seeds: list[Article]) -> None:
    from storyline.summary.select import PRIOR, SMALL_PRIOR, prior_weights

    small = index_story(seeds, SummaryOptions())
    assert prior_weights(small) is SMALL_PRIOR
    text = "The river rose three metres at Norden on Monday and closed the bridge."
    four = [_article(f"a{k}", text) for k in range(4)]
    assert prior_weights(index_story(four, SummaryOptions())) is PRIOR


def test_the_seed_summary_has_no_sentence_without_its_antecedent(seeds: list[Article]) -> None:
    for words in (100, 117):
        summary, _ = summarize_story(seeds, SummaryOptions(words=words, verifier="static"))
        texts = [s.text for s in summary]
        assert not any(t.startswith(("Last year", "Just a few weeks ago")) for t in texts), texts
        for position, sentence in enumerate(summary):
            if is_dangling(sentence.text):  # only right after the sentence before it in its article
                own, before = sentence.citations[0], summary[position - 1].citations[0]
                article = next(a for a in seeds if a.id == own.article_id)
                assert position > 0 and before.article_id == own.article_id
                assert article.text[before.end:own.start].strip() == "", texts


def test_a_sentence_an_earlier_choice_cites_is_a_repeat() -> None:
    from storyline.models import Citation
    from storyline.summary.select import _restated

    story = [
        _article("a", "A storm flooded the harbour town of Kelso on Monday night. Ferries stopped running at noon."),
        _article("b", "Floods hit Kelso's harbour after Monday's storm, officials said. The mayor asked for calm."),
    ]
    index = index_story(story, SummaryOptions(min_sentence_words=3))
    first, second = index.of_article(0)[0], index.of_article(1)[0]
    own = [index.sentences[int(i)] for i in (first, second)]
    cites_second = Citation(own[1].article_id, own[1].start, own[1].end, 0.8)
    citations = [[Citation(own[0].article_id, own[0].start, own[0].end, 1.0), cites_second],
                 [Citation(own[1].article_id, own[1].start, own[1].end, 1.0)]]
    assert _restated(index, [int(first), int(second)], citations) == [int(second)]  # chosen later: the repeat
    assert _restated(index, [int(second), int(first)], citations[::-1]) == []  # cited only by a later choice
    assert _restated(index, [int(first), int(second)], [citations[0][:1], citations[1]]) == []


def test_the_seed_summary_states_no_fact_twice_and_adds_to_the_lead(seeds: list[Article]) -> None:
    """With the MiniLM citations (the default for 2-3 articles) no summary sentence supports another one, and the
    sentence after the lead's facts is one that adds to them (a core term) rather than a second outlet's lead."""
    summary, _ = summarize_story(seeds, SummaryOptions(verifier="minilm"))
    own = {(s.citations[0].article_id, s.citations[0].start, s.citations[0].end) for s in summary}
    for sentence in summary:
        assert not own & {(c.article_id, c.start, c.end) for c in sentence.citations[1:]}, [s.text for s in summary]
    assert any("not ruling out a military" in s.text for s in summary), [s.text for s in summary]


@pytest.mark.parametrize(("text", "full", "bare"), [
    ("Whitlock said her department had no information linking the two fires.", set(), {"Whitlock"}),
    ("Whitlock's crews stayed at the warehouse overnight.", set(), {"Whitlock"}),
    ("Fire Chief Dana Whitlock said the sprinklers worked.", {"Dana", "Whitlock"}, set()),
    ("Chief Whitlock said the sprinklers worked.", {"Whitlock"}, set()),
    ("Dr. Whitlock said the sprinklers worked.", set(), {"Whitlock"}),  # an honorific does not say who
    ("The Whitlock Street depot was closed.", set(), set()),  # the start of a longer name
    ("Police said the fire started at the loading dock.", set(), set()),  # 'police' is a common word here
    ("Okafor said the pumps would drain the street.", set(), set()),  # never named in full before
])
def test_surnames_named_alone_or_in_full(text: str, full: set[str], bare: set[str]) -> None:
    from storyline.summary.dangling import first_full_mentions, name_uses

    before = ("Millbrook Police and Fire Chief Dana Whitlock reached the warehouse at 3:40 p.m. on Tuesday. "
              "North African traders and House Democrats were not involved. ")
    common = {"police", "the", "said", "fire", "house", "street"}
    first = first_full_mentions(before, common)
    assert first == {"Dana": before.index("Chief Dana"), "Whitlock": before.index("Dana Whitlock")}
    uses = name_uses(text, len(before), first, set(first))
    assert (set(uses.full), set(uses.bare)) == (full, bare)
    assert name_uses(text, 0, first, set(first)).bare == frozenset()  # a mention after the sentence introduces nobody


def test_a_bare_surname_comes_only_after_the_full_name() -> None:
    from storyline.summary.dangling import NameUse
    from storyline.summary.order import chronological
    from storyline.summary.scoring import score_sentences
    from storyline.summary.select import select_sentences, story_name_uses

    lead = "A fire destroyed the Calder furniture warehouse in Millbrook on Tuesday afternoon, the town said."
    story = [
        _article("signal", f"{lead} Fire Chief Dana Whitlock reached the street with four engines on Quarry Lane. "
                           "Whitlock said the fire spread through foam cushions faster than sprinklers could work."),
        *[_article(f"o{k}", f"{lead} Stacked foam cushions filled the building, report {k} said. "
                            f"The sprinklers could not contain the fire, witness {k} said.") for k in range(3)],
    ]
    options = SummaryOptions(words=25, verifier="static")
    index = index_story(story, options)
    scores = score_sentences(index)
    texts = [s.text for s in index.sentences]
    uses = story_name_uses(index)
    bare = [i for i in range(len(index)) if uses[i].bare]
    full = [i for i in range(len(index)) if "Whitlock" in uses[i].full]
    assert [texts[i][:13] for i in bare] == ["Whitlock said"] and [texts[i][:10] for i in full] == ["Fire Chief"]
    # The same story as if the sentence the plain selection takes second named Whitlock alone, and the lead in full:
    nobody = NameUse(frozenset(), frozenset())
    plain = select_sentences(index, scores, options, names=[nobody] * len(index))
    second = plain[1]
    names = [NameUse(frozenset(), frozenset({"Whitlock"})) if i == second else nobody for i in range(len(index))]
    assert second not in select_sentences(index, scores, options, names=names)
    names[plain[0]] = NameUse(frozenset({"Whitlock"}), frozenset())
    chosen = select_sentences(index, scores, options, names=names)
    assert second in chosen
    # In summary order a sentence with a bare surname comes after the one naming that person in full.
    lead_first = chronological(index, plain[:2])
    assert lead_first == plain[:2]
    swapped = [NameUse(frozenset(), frozenset({"Whitlock"})) if i == plain[0] else nobody for i in range(len(index))]
    swapped[second] = NameUse(frozenset({"Whitlock"}), frozenset())
    assert chronological(index, plain[:2], swapped) == [second, plain[0]]


def test_claim_features_match_the_pairwise_definition(seeds) -> None:
    """The citation check's static features of a claim against every sentence, as sparse products over the story's
    term matrices, equal each pair's features computed from the two sentences' terms alone."""
    import math

    from storyline.summary.attribution import FEATURES, claim_features

    index = index_story(seeds, SummaryOptions(embedder="tfidf"))
    assert len(index.articles) == 2 and len(index) > 10
    checked = 0
    for i in range(len(index)):
        claim = index.terms[i]
        rows = claim_features(index, i)
        assert rows.shape == (len(index), len(FEATURES))
        weights = {w: index.idf[w] for w in claim.vocabulary}
        total = math.fsum(weights.values())
        for j in range(len(index)):
            other = index.terms[j]
            expected = [
                float(index.vectors[j] @ index.vectors[i]),
                math.fsum(weights[w] for w in other.vocabulary if w in weights) / total if total else 0.0,
                len(claim.names & other.names) / len(claim.names) if claim.names else 0.5,
                float(bool(claim.numbers and other.numbers and not claim.numbers.isdisjoint(other.numbers))),
                float(bool(claim.numbers and other.numbers and claim.numbers.isdisjoint(other.numbers))),
                min(len(claim.bigrams & other.bigrams), 3) / 3,
            ]
            assert rows[j] == pytest.approx(expected, rel=1e-12, abs=1e-6), (i, j)
            checked += rows[j, 1] > 0
        assert rows[i, 1] == (1.0 if total else 0.0)  # a sentence covers all of its own words, exactly
    assert checked > len(index)  # pairs that share words were compared, not only empty rows


def test_tfidf_vectors_are_scikit_learns_matrix_without_scikit_learn() -> None:
    """The summary's TF-IDF (non-English stories, ``embedder = "tfidf"``) is the very CSR matrix of scikit-learn's
    TfidfVectorizer with its settings (data, column order, each row's entry order, float64), on the sentences of real
    stories in seven languages, so citations, redundancy and centrality are unchanged bit for bit; and the rows are
    the identity when every text is stop words only."""
    import json

    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    from storyline.summary.vectors import tfidf_vectors

    from conftest import DATA

    by_topic: dict[str, list[str]] = {}
    with (DATA / "multilingual" / "multiling2011_dev.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            language = doc["id"].rsplit(".", 1)[-1]
            by_topic.setdefault(f"{doc['id'][:5]}.{language}", []).extend(
                s.text for s in split_sentences(doc["text"], doc["id"]))
    stories = [texts for _, texts in sorted(by_topic.items())]
    assert len(stories) >= 21
    for texts in [*stories, ["The cat sat.", "A CAT sat, the cat SAT!", "", "Ünïcode wörds and ÉCOLE"]]:
        ours = tfidf_vectors(texts)
        expected = sparse.csr_matrix(TfidfVectorizer(sublinear_tf=True, stop_words="english",
                                                     token_pattern=r"(?u)\b\w+\b").fit_transform(texts))
        assert ours.shape == expected.shape and ours.dtype == expected.dtype == np.float64
        assert np.array_equal(ours.indptr, expected.indptr)
        assert np.array_equal(ours.indices, expected.indices)
        assert np.array_equal(ours.data, expected.data)
    only_stop_words = tfidf_vectors(["it is", "the of and"])
    assert np.array_equal(only_stop_words.toarray(), np.eye(2))
