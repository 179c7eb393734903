"""Batch clustering on real data: seeds form one story, unrelated stories stay apart, quality floor on ECB+."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from storyline.cluster import cluster_articles, story_id
from storyline.cluster.constraints import conflicting_magnitudes, facts_of
from storyline.cluster.features import entity_phrases, magnitude_tokens, tfidf_vectors
from storyline.cluster.linkage import average_linkage
from storyline.cluster.neighbors import approximate_neighbors, exact_neighbors, nearest_neighbors
from storyline.cluster.snn import shared_neighbor_similarity
from storyline.config import ClusterOptions
from storyline.ingest import read_inputs
from storyline.models import Article

from conftest import DATA, SEEDS


def bcubed_f1(groups: list[list[str]], gold: dict[str, str]) -> float:
    """BCubed F1 of ``groups`` against ``gold`` labels."""
    label = {aid: gi for gi, group in enumerate(groups) for aid in group}
    ours, theirs = defaultdict(set), defaultdict(set)
    for aid, g in gold.items():
        ours[label[aid]].add(aid)
        theirs[g].add(aid)
    p = r = 0.0
    for aid, g in gold.items():
        inter = len(ours[label[aid]] & theirs[g])
        p += inter / len(ours[label[aid]])
        r += inter / len(theirs[g])
    p, r = p / len(gold), r / len(gold)
    return 2 * p * r / (p + r)


def ecb_articles(topics: set[str]) -> tuple[list[Article], dict[str, str]]:
    rows = [json.loads(line) for line in (DATA / "ecbplus" / "dev.jsonl").open(encoding="utf-8")]
    rows = [r for r in rows if r["topic"] in topics]
    return [Article(id=r["id"], text=r["text"]) for r in rows], {r["id"]: r["event"] for r in rows}


def duc_articles(step: int = 9) -> list[Article]:
    """Every ``step``-th DUC 2003 document: different TDT events, unrelated to the seeds."""
    docs = []
    for line in (DATA / "mds" / "duc2003_task2.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        pairs = zip(row["doc_ids"], row["documents"], strict=True)
        docs += [Article(id=f"{row['id']}/{doc_id}", text=text) for doc_id, text in pairs]
    return docs[::step]


def test_the_two_seed_articles_form_one_story(seeds_digest: dict) -> None:
    assert len(seeds_digest["stories"]) == 1
    assert len(seeds_digest["stories"][0]["article_ids"]) == 2


def test_seeds_stay_together_and_unrelated_stories_stay_apart() -> None:
    seeds, _, _ = read_inputs([str(SEEDS)])
    others = duc_articles()
    groups = cluster_articles(seeds + others, ClusterOptions())
    seed_ids = {a.id for a in seeds}
    with_seeds = [g for g in groups if seed_ids & set(g)]
    assert len(with_seeds) == 1 and set(with_seeds[0]) == seed_ids
    assert len(groups) >= 15  # 34 documents from 30 different events, far from all merged


def test_two_different_events_of_one_topic_stay_apart() -> None:
    articles, gold = ecb_articles({"1"})  # two different celebrities entering rehab
    groups = cluster_articles(articles, ClusterOptions())
    events_per_group = [{gold[a] for a in g} for g in groups if len(g) > 1]
    assert all(len(events) == 1 for events in events_per_group)


def sibling_quakes_mixed(groups: list[list[str]], gold: dict[str, str]) -> int:
    """Articles of ECB+ topic 20's 2008 earthquake (``20_ecb``) in a story with its 2005 one (``20_ecbplus``)."""
    return sum(sum(gold[a] == "20_ecb" for a in g) for g in groups if {"20_ecb", "20_ecbplus"} <= {gold[a] for a in g})


def test_two_earthquakes_of_one_island_stay_apart() -> None:
    # ECB+ topic 20: two Qeshm island earthquakes, 2005 (magnitude 5.9) and 2008 (5.6), beside topic 24's articles;
    # without the magnitude rule the five 2008 reports join the 2005 story, with it one stays (its 5.2 and 5.4 are
    # stated by no other article here, so their weight is zero).
    articles, gold = ecb_articles({"20", "24"})
    assert sibling_quakes_mixed(cluster_articles(articles, ClusterOptions()), gold) <= 1


def test_conflicting_magnitudes_on_real_reports() -> None:
    articles, _ = ecb_articles({"20", "24"})
    row = {a.id: i for i, a in enumerate(articles)}
    assert magnitude_tokens("A magnitude-5.2 quake struck; it measured 5.9 on the Richter scale, not 15.9 km deep") \
        == "magnitude_5_2 magnitude_5_9"
    vectors = tfidf_vectors(articles, ClusterOptions())
    pairs = [("20_2ecb", "20_6ecbplus"),  # 5.6 against 5.9: two earthquakes
             ("20_2ecb", "20_3ecb"),  # 5.6 both
             ("20_11ecbplus", "20_4ecbplus"),  # 6.1 and 5.9 against 6.0 and 6.4: within 0.2 (a revised figure)
             ("20_10ecbplus", "20_2ecb"),  # no magnitude on one side
             ("24_1ecbplus", "24_2ecbplus")]  # no magnitude on either side
    found = conflicting_magnitudes(vectors, np.array([row[a] for a, _ in pairs]), np.array([row[b] for _, b in pairs]))
    assert found.tolist() == [True, False, False, False, False]


def test_quality_floor_on_ecb_subset() -> None:
    articles, gold = ecb_articles({"1", "3", "12", "18", "24", "30"})
    f1 = bcubed_f1(cluster_articles(articles, ClusterOptions()), gold)
    assert f1 >= 0.90, f1  # measured 0.922 on these six topics (bench/clustering.py runs all of ECB+ dev)


def test_result_does_not_depend_on_input_order() -> None:
    articles, _ = ecb_articles({"3", "5"})
    shuffled = articles[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(map(sorted, cluster_articles(articles))) == sorted(map(sorted, cluster_articles(shuffled)))


def test_without_a_cross_lingual_model_different_languages_never_share_a_story() -> None:
    # The same-language rule; with a cross-lingual model (issue 21) languages may meet: test_cluster_multilingual.py.
    text = "The central bank raised interest rates by half a point on Tuesday, citing stubborn inflation in Ruritania."
    articles = [Article(id="a", text=text, language="en"), Article(id="b", text=text + " ", language="de"),
                Article(id="c", text=text + "  ", language=None)]
    groups = cluster_articles(articles, ClusterOptions(cross_lingual="off"))
    assert not any({"a", "b"} <= set(g) for g in groups)


def test_articles_far_apart_in_time_never_share_a_story() -> None:
    text = "Floods hit Lowtown after the Ruritania river dam broke, forcing two hundred families from their homes."
    day = datetime(2024, 3, 1)
    articles = [
        Article(id="a", text=text, published=day),
        Article(id="b", text=text + " More.", published=day + timedelta(days=30)),
        Article(id="c", text=text + " Again.", published=day + timedelta(days=1)),
    ]
    groups = cluster_articles(articles, ClusterOptions(max_days=7))
    assert not any({"a", "b"} <= set(g) for g in groups)
    assert any({"a", "c"} <= set(g) for g in groups)


def test_sparse_average_linkage_equals_scikit_learn() -> None:
    articles, _ = ecb_articles({"7", "8"})
    options = ClusterOptions()
    vectors = tfidf_vectors(articles, options)
    similarity = shared_neighbor_similarity(nearest_neighbors(vectors, facts_of(articles), options))
    ours = average_linkage(similarity, 1 - options.threshold)
    dense = 1.0 - similarity.toarray()
    np.fill_diagonal(dense, 0.0)
    theirs = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                     distance_threshold=options.threshold).fit_predict(dense)
    pairs = lambda labels: {(i, j) for i in range(len(labels)) for j in range(i) if labels[i] == labels[j]}  # noqa: E731
    assert pairs(ours) == pairs(theirs)


def test_hnsw_neighbours_match_exact_search() -> None:
    articles, _ = ecb_articles({"9", "10"})
    vectors = tfidf_vectors(articles, ClusterOptions())
    exact = exact_neighbors(vectors, 5)
    approx = approximate_neighbors(vectors, 5, ClusterOptions())
    overlap = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(exact.indices, approx.indices, strict=True)])
    assert overlap >= 0.9, overlap


def test_entity_phrases_find_names_not_sentence_starts() -> None:
    assert entity_phrases("The Indian Navy captured pirates in the Gulf of Aden. They said Lindsay Lohan left.") == [
        "indian navy", "gulf of aden", "lindsay lohan"]


def test_story_ids_come_from_the_founding_article() -> None:
    assert story_id(["b", "a"]) == story_id(["a"]) != story_id(["b"])


def test_token_hasher_counts_as_scikit_learns_hashing_vectorizer() -> None:
    """Clustering hashes words without importing scikit-learn (issue 15: ~1 CPU s of start-up); the counts must be
    the very matrix HashingVectorizer gave, or hashed counts stored by earlier runs would change meaning."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer

    from storyline.cluster import features
    from storyline.text.tokens import english_stop_words

    from realtexts import real_articles

    assert english_stop_words() == ENGLISH_STOP_WORDS
    texts = [r["text"] for r in real_articles(60)] + ["Ünïcödé Straße 東京 Tōkyō ÉLAN naïve", "", "a an the"]
    for language in ("", "de"):
        others = {w for w in features.language_stop_words(language) if features._IS_WORD.fullmatch(w)}
        stop = sorted(ENGLISH_STOP_WORDS | others) if others else "english"
        reference = HashingVectorizer(n_features=features.N_FEATURES, stop_words=stop, alternate_sign=False,
                                      norm=None, token_pattern=features._WORD).transform(texts)
        ours = features.TokenHasher(features._WORD, frozenset(ENGLISH_STOP_WORDS | others)).transform(texts)
        assert reference.nnz > 1000
        for part in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(reference, part), getattr(ours, part)), (language, part)
    entities = [features._entity_tokens(t) for t in texts]
    reference = HashingVectorizer(n_features=features.N_FEATURES, alternate_sign=False, norm=None,
                                  token_pattern=r"ent_\w+", lowercase=False).transform(entities)
    ours = features._entity_hasher().transform(entities)
    assert reference.nnz > 100 and (reference != ours).nnz == 0
