"""Clustering quality on labeled news: storyline vs baselines, side by side, on the same inputs in one run.

    python bench/clustering.py            # ECB+ dev (events), DUC 2003 and MultiLing 2011 clusters
    python bench/clustering.py --minilm   # also the MiniLM + HDBSCAN baseline (slow: ~1 min per 500 articles)
    python bench/clustering.py --storylines-only   # only the storyline section (the level above events)
    python bench/clustering.py --figure-conflicts  # only: do ECB+ pairs of one event / sibling events share figures
    python bench/clustering.py --small-store       # only: rules vs learned storylines on 7 DUC topics, batch and daily
                                                   #   (the tests' 7 topics, then 10 random sets of 7)
    python bench/clustering.py --splits            # only: DUC's cross-validated storyline rows over 3 topic splits
    python bench/clustering.py --split-topics      # only: DUC topics split over storylines (defaults), and why
    python bench/clustering.py --event-mixes       # only: the event stories mixing two gold labels, what joins them
    python bench/clustering.py --ecb-dated         # only: ECB+ dated where its articles state their day
    python bench/clustering.py --magnitudes        # only: the event level with and without the magnitude rule,
                                                   #   ECB+ dev whole and by halves of its topics, DUC, MultiLing

Baselines: TF-IDF + average-link agglomerative with its threshold tuned with hindsight on the same data, and a
BERTopic-style embedding + HDBSCAN pipeline (static model2vec embeddings distilled from MiniLM; ``--minilm`` adds the
full transformer) with its ``min_cluster_size`` tuned with hindsight. storyline runs with its defaults (one threshold
for all sets), then with a threshold cross-validated across ECB+ topics (chosen on half of the topics, scored on the
other half, both ways), and in incremental mode with the articles in shuffled order fed in 4 runs.
Metrics: BCubed precision/recall/F1 and pairwise F1 against the event labels, and (ECB+) topic purity.

Storyline section (the level above events, ``cluster/storylines.py``): articles carry the publication dates of the
data (DUC 2003: the date in the doc id; MultiLing 2011: the WikiNews date line the text starts with; ECB+ has none),
so the event level splits articles more than 7 days apart as it does in use. Each level is scored against the gold of
its own granularity, all rows in one run: DUC 2003 topics (TDT, weeks long) and MultiLing clusters are storylines;
on ECB+ each topic's two events (two earthquakes...) must stay apart, so its gold is the event, and "event purity" is
the share of articles whose storyline holds only their own event's articles (the topic-pair check). "ECB+, all
dated one day" gives every ECB+ article the same date: the hardest case, two events of one kind in the same week.
Baselines: "storyline = event" (no storyline level), TF-IDF + average link over articles with its threshold chosen in
hindsight against the storyline gold, and a plain threshold: stories (their texts joined) under TF-IDF + average
link, threshold chosen in hindsight. Also: storylines built with the articles fed in publication order in daily
batches (incremental events, then incremental storylines), scored against the gold and against the batch run;
storylines with the threshold cross-validated over topics (chosen on half of the topics, scored on the other half,
both ways); and the storylines' own story similarity under batch average link tuned in hindsight (how far these
features go when every story is seen at once). "Topic-pair separation" (ECB+): of the article pairs of one topic but
different events, the share kept in different storylines.

The storylines' default (``similarity = "average"``: average link over story pairs, each batch regrouping what it
touches) runs beside ``similarity = "rules"`` (the default before: one story at a time against a storyline's pooled
profile), both with their threshold also cross-validated over topics (``pair_threshold`` / ``threshold``), and both
fed in daily batches. ``--splits`` also scores the two over eight splits of DUC's topics; ``--split-topics`` lists
the DUC topics the defaults still split over storylines, with what kept the pieces apart.

New evidence measured in the same incremental path (``group_stories`` with another ``StorySimilarity``): story
vectors (the mean sentence-encoder vector of a story's articles, ``static`` always, ``minilm`` with ``--minilm``,
which also runs MiniLM over each story's summary sentences instead) mixed into the storylines' similarity, (weight,
bar) cross-validated over DUC topics (chosen on half, scored on the other half) and, for the other sets, fitted on
all of DUC and applied unchanged (held-out sets); the same vectors
under batch average link tuned in hindsight (their ceiling); and "ceiling: event stories grouped by majority gold
label", the best any storyline level can score over today's event stories (a story mixing two labels stays mixed).
The event stories that mix gold labels (ECB+: a topic's two events; DUC: two topics) are listed on stderr.

The learned similarity (``storylines.similarity = "learned"``, ``bench/fit_storylines.py``): its shipped model
(fitted on DUC 2003: held out on the other sets, in-sample on DUC, as labelled), daily batches with it, and on DUC
the model fitted on ECB+ + MultiLing and the model fitted on half of DUC's topics, scored on the other half. DUC 2003
lists 9 documents under two topics (listed on stderr); the "each document once (extended B³)" rows score the main
DUC groupings again with each document once against all its topics (extended BCubed, Amigó et al. 2009).

Then (``--storylines-only`` prints them last; each has its own flag): the small stores (the tests' 7 DUC topics and
10 random sets of 7, ``--small-store``), DUC's cross-validated rows over three splits of its topics (``--splits``;
with the learned similarity's key-name feature and ECB+ dated where stated as more training), the event stories that
mix two gold labels with what joins them (``--event-mixes``), and ECB+ dated only where its articles state their
day (``--ecb-dated``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # bench.fit_storylines
DATA = ROOT.parent / "shared" / "data"

from sklearn.cluster import HDBSCAN, AgglomerativeClustering  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from storyline.cluster import cluster_articles, story_id  # noqa: E402
from storyline.cluster.incremental import ClusterState, assign  # noqa: E402
from storyline.cluster.storylines import (  # noqa: E402
    ARCHIVE_PREFIX,
    BLOB_KEY,
    MAX_POOLED,
    StorylineState,
    StorySimilarity,
    group_stories,
    similarity,
    story_profile,
    update_stored_storylines,
)
from storyline.config import ClusterOptions, StorylineOptions  # noqa: E402
from storyline.models import Article, Story  # noqa: E402

DEFAULT = ClusterOptions()


def load(name: str) -> tuple[list[Article], dict[str, str], dict[str, str]]:
    """Articles, event label and topic label per article id."""
    articles, event, topic = [], {}, {}
    if name == "ecb+ dev":
        for line in (DATA / "ecbplus" / "dev.jsonl").open(encoding="utf-8"):
            row = json.loads(line)
            articles.append(Article(id=row["id"], text=row["text"]))
            event[row["id"]], topic[row["id"]] = row["event"], row["topic"]
        return articles, event, topic
    file = {"duc 2003": "duc2003_task2.jsonl", "multiling 2011": "multiling2011_en.jsonl"}[name]
    for line in (DATA / "mds" / file).open(encoding="utf-8"):
        row = json.loads(line)
        for i, text in enumerate(row["documents"]):
            aid = f"{row['id']}/{i}"
            articles.append(Article(id=aid, text=text))
            event[aid] = topic[aid] = row["id"]
    return articles, event, topic


def bcubed(groups: list[list[str]], gold: dict[str, str]) -> tuple[float, float, float]:
    label = {aid: gi for gi, group in enumerate(groups) for aid in group}
    ours, theirs = defaultdict(set), defaultdict(set)
    for aid, g in gold.items():
        ours[label[aid]].add(aid)
        theirs[g].add(aid)
    p = sum(len(ours[label[a]] & theirs[g]) / len(ours[label[a]]) for a, g in gold.items()) / len(gold)
    r = sum(len(ours[label[a]] & theirs[g]) / len(theirs[g]) for a, g in gold.items()) / len(gold)
    return p, r, 2 * p * r / (p + r)


def pairwise_f1(groups: list[list[str]], gold: dict[str, str]) -> float:
    def pairs(sizes: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in sizes.values())

    label = {aid: gi for gi, group in enumerate(groups) for aid in group}
    both = pairs(Counter((label[a], g) for a, g in gold.items()))
    ours, theirs = pairs(Counter(label[a] for a in gold)), pairs(Counter(gold.values()))
    p, r = both / max(ours, 1), both / max(theirs, 1)
    return 2 * p * r / (p + r) if p + r else 0.0


def purity(groups: list[list[str]], topic: dict[str, str]) -> float:
    return sum(Counter(topic[a] for a in g).most_common(1)[0][1] for g in groups) / sum(len(g) for g in groups)


def pair_separation(groups: list[list[str]], event: dict[str, str], topic: dict[str, str]) -> float:
    """ECB+ topic-pair check: of the article pairs of one topic but different events (two earthquakes), the share
    put in different groups (1.0: no topic's two events share a storyline anywhere)."""
    label = {aid: gi for gi, group in enumerate(groups) for aid in group}
    by_topic: dict[str, list[str]] = defaultdict(list)
    for aid in event:
        by_topic[topic[aid]].append(aid)
    apart = total = 0
    for ids in by_topic.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                if event[a] != event[b]:
                    total += 1
                    apart += label[a] != label[b]
    return apart / total if total else 1.0


def groups_of(ids: list[str], labels: np.ndarray) -> list[list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for aid, label in zip(ids, labels, strict=True):
        out[int(label) if label >= 0 else -1 - len(out) - 10**6].append(aid)
    return list(out.values())


def best_average_link(matrix: np.ndarray, ids: list[str], gold: dict[str, str], thresholds: np.ndarray, *,
                      metric: str = "cosine", expand_to=None, label=lambda t: f"distance {t:.2f}",
                      ) -> tuple[list[list[str]], str]:
    """Average link over ``matrix`` (vectors, or distances with ``metric="precomputed"``) at every threshold; the
    grouping that scores best against ``gold`` (hindsight), with its setting. ``expand_to`` turns groups of ``ids``
    into groups of articles when the rows are stories."""
    best = None
    for threshold in thresholds:
        labels = AgglomerativeClustering(n_clusters=None, metric=metric, linkage="average",
                                         distance_threshold=threshold).fit_predict(matrix)
        groups = groups_of(ids, labels)
        if expand_to is not None:
            groups = expand_to(groups)
        f1 = bcubed(groups, gold)[2]
        if best is None or f1 > best[0]:
            best = (f1, groups, label(threshold))
    return best[1], best[2]


def tfidf_agglomerative(articles: list[Article], gold: dict[str, str]) -> tuple[list[list[str]], str]:
    """TF-IDF + average link, threshold tuned with hindsight on this very data."""
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english", max_df=0.5, min_df=2).fit_transform(
        [a.text for a in articles]).toarray()
    return best_average_link(matrix, [a.id for a in articles], gold, np.arange(0.5, 1.0, 0.02))


def embedding_hdbscan(articles: list[Article], gold: dict[str, str], embedder: str) -> tuple[list[list[str]], str]:
    """BERTopic-style: document embeddings + HDBSCAN (noise points are singletons), min size tuned with hindsight."""
    from storyline.embed import get_embedder

    vectors = get_embedder(embedder).encode([a.text for a in articles])
    best = None
    for size in (2, 3, 5):
        labels = HDBSCAN(min_cluster_size=size, metric="cosine").fit_predict(vectors)
        groups = groups_of([a.id for a in articles], labels)
        f1 = bcubed(groups, gold)[2]
        if best is None or f1 > best[0]:
            best = (f1, groups, f"min_cluster_size {size}")
    return best[1], best[2]


def topic_folds(topic: dict[str, str], seed: int = 0) -> list[tuple[set[str], set[str]]]:
    """The two (train, test) splits of 2-fold cross-validation over topics (shuffled with ``seed``, then alternated):
    every cross-validated row scores each half with a setting chosen on the other (seed 0; ``split_rows`` others)."""
    topics = sorted(set(topic.values()))
    random.Random(seed).shuffle(topics)
    halves = (set(topics[::2]), set(topics[1::2]))
    return [halves, halves[::-1]]


def story_topics(stories: list[Story], topic: dict[str, str]) -> dict[str, str]:
    """Each story's majority topic (its articles' most common)."""
    return {s.id: Counter(topic[a] for a in s.article_ids).most_common(1)[0][0] for s in stories}


def cross_validated(
    articles: list[Article], gold: dict[str, str], topic: dict[str, str]
) -> tuple[list[list[str]], str]:
    """storyline with its threshold chosen on half of the topics and applied to the other half (2-fold)."""
    grid = np.arange(0.55, 0.96, 0.05)
    out, chosen = [], []
    for train, test in topic_folds(topic):
        train_articles = [a for a in articles if topic[a.id] in train]
        train_gold = {a.id: gold[a.id] for a in train_articles}
        scores = [bcubed(cluster_articles(train_articles, ClusterOptions(threshold=t)), train_gold)[2] for t in grid]
        threshold = float(grid[int(np.argmax(scores))])
        chosen.append(f"{threshold:.2f}")
        out += cluster_articles([a for a in articles if topic[a.id] in test], ClusterOptions(threshold=threshold))
    return out, "thresholds " + "/".join(chosen)


def incremental_shuffled(articles: list[Article], runs: int = 4) -> list[list[str]]:
    order = articles[:]
    random.Random(0).shuffle(order)
    options = ClusterOptions()
    state = ClusterState.empty(options)
    size = -(-len(order) // runs)
    for start in range(0, len(order), size):
        assign(state, order[start : start + size], options)
    return list(state.groups().values())


MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
URL_DAY = re.compile(r"((?:19|20)\d\d)[/-]?([01]\d)[/-]?([0-3]\d)(?!\d)")
URL_MONTH_NAME = re.compile(r"/((?:19|20)\d\d)/([a-z]{3})/(\d\d?)/")


def stated_date(text: str) -> datetime | None:
    """The day an ECB+ article states for itself, if any: a date in its source URL (first line: ``/2013/09/09/``,
    ``2009-03-04``, ``ymd=20081216``, ``/2009/apr/28/``) or the first absolute full date of its first 400 characters
    (``text.dates``: "9 September 2013"). None when it states none (nearly every article of the ECB half)."""
    from storyline.text.dates import find_dates

    head = text[:400]
    url = head.split("\n", 1)[0]
    for m in (URL_DAY.search(url), URL_MONTH_NAME.search(url)):
        if m is None:
            continue
        month = int(m[2]) if m[2].isdigit() else MONTHS.get(m[2], 0)
        if 1 <= month <= 12 and 1 <= int(m[3]) <= 31:
            return datetime(int(m[1]), month, int(m[3]), 12, tzinfo=UTC)
    for mention in find_dates(head):
        if mention.anchor is None and mention.date and re.fullmatch(r"\d{4}-\d\d-\d\d", mention.date):
            year, month, day = map(int, mention.date.split("-"))
            return datetime(year, month, day, 12, tzinfo=UTC)
    return None


def dated(name: str, articles: list[Article]) -> list[Article]:
    """Copies of ``articles`` with the publication dates the data carries (DUC doc ids, MultiLing date lines; ECB+
    "dated where stated": ``stated_date``)."""
    out = []
    if name.startswith("duc"):
        ids = {}
        for line in (DATA / "mds" / "duc2003_task2.jsonl").open(encoding="utf-8"):
            row = json.loads(line)
            ids.update({f"{row['id']}/{i}": d for i, d in enumerate(row["doc_ids"])})
    for a in articles:
        when = None
        if name.startswith("duc"):
            m = re.search(r"(\d{4})(\d\d)(\d\d)", ids[a.id])
            when = datetime(int(m[1]), int(m[2]), int(m[3]), 12, tzinfo=UTC) if m else None
        elif name.startswith("multiling"):
            m = re.match(r"\s*(\d{4})/(\d\d)/(\d\d)", a.text)
            when = datetime(int(m[1]), int(m[2]), int(m[3]), 12, tzinfo=UTC) if m else None
        elif name.endswith("one day"):
            when = datetime(2020, 1, 1, 12, tzinfo=UTC)
        elif name.endswith("dated where stated"):
            when = stated_date(a.text)
        out.append(Article(id=a.id, text=a.text, published=when))
    return out


def stories_of(groups: list[list[str]], by_id: dict[str, Article]) -> list[Story]:
    stories = []
    for group in groups:
        dates = [by_id[a].published for a in group if by_id[a].published]
        stories.append(Story(id=story_id(group), headline="", article_ids=sorted(group),
                             first_published=min(dates, default=None), last_published=max(dates, default=None)))
    return stories


def expand(lines: list[list[str]], stories: list[Story]) -> list[list[str]]:
    """Storylines (groups of story ids) as groups of article ids."""
    members = {s.id: s.article_ids for s in stories}
    return [[a for sid in line for a in members[sid]] for line in lines]


def story_tfidf_threshold(stories: list[Story], by_id: dict[str, Article],
                          gold: dict[str, str]) -> tuple[list[list[str]], str]:
    """Plain threshold baseline: each story's texts joined, TF-IDF, average link, threshold chosen in hindsight."""
    if len(stories) < 2:
        return [s.article_ids for s in stories], "-"
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english", max_df=0.5).fit_transform(
        [" ".join(by_id[a].text for a in s.article_ids) for s in stories]).toarray()
    return best_average_link(matrix, [s.id for s in stories], gold, np.arange(0.5, 1.0, 0.02),
                             expand_to=lambda groups: expand(groups, stories))


RULES = StorylineOptions(similarity="rules")
"""The storylines as they were grouped before ``similarity = "average"`` (the baseline of the storyline rows)."""


def storylines_cross_validated(stories: list[Story], articles: list[Article], gold: dict[str, str],
                               topic: dict[str, str], seed: int = 0,
                               average: bool = False) -> tuple[list[list[str]], str]:
    """Storylines with ``threshold`` (``similarity = "rules"``; with ``average``, ``pair_threshold`` of the default
    average link; ``undated_threshold`` when no story is dated) chosen on half of the topics (grid, best B3 F1) and
    applied to the other half, both ways (2-fold over topics): what a threshold tuned on data of the same kind
    scores on unseen topics."""
    story_topic = story_topics(stories, topic)
    dated_stories = any(s.first_published for s in stories)
    base = StorylineOptions() if average else RULES
    name = ("pair_threshold" if average else "threshold") if dated_stories else "undated_threshold"
    grid = [round(t, 2) for t in (np.arange(0.3, 1.01, 0.05) if not dated_stories else
                                  np.arange(0.04, 0.41, 0.02) if average else np.arange(0.08, 0.41, 0.02))]
    out, chosen = [], []
    for train, test in topic_folds(topic, seed):
        part = [s for s in stories if story_topic[s.id] in train]
        part_gold = {a: gold[a] for s in part for a in s.article_ids}
        scores = [bcubed(expand(group_stories(part, articles, replace(base, **{name: t})), part), part_gold)[2]
                  for t in grid]
        best = max(scores)  # the middle of the best plateau, not its first point
        plateau = [t for t, f in zip(grid, scores, strict=True) if f >= best - 1e-9]
        threshold = plateau[len(plateau) // 2]
        chosen.append(f"{threshold:.2f}")
        rest = [s for s in stories if story_topic[s.id] in test]
        out += expand(group_stories(rest, articles, replace(base, **{name: threshold})), rest)
    return out, f"{name} " + "/".join(chosen)


def similarity_average_link(stories: list[Story], articles: list[Article],
                            gold: dict[str, str]) -> tuple[list[list[str]], str]:
    """The storylines' own story similarity (names, words, dates, shared-names rule) under batch average link with
    the threshold chosen in hindsight: how far these features go when all stories are seen at once."""
    by_id = {a.id: a for a in articles}
    state, options = StorylineState(), StorylineOptions()
    profiles = [story_profile(s, [by_id[a] for a in s.article_ids]) for s in stories]
    for profile in profiles:
        state._add(profile)
    n = len(stories)
    if n < 2:
        return [s.article_ids for s in stories], "-"
    distance = np.ones((n, n))
    np.fill_diagonal(distance, 0.0)
    for i in range(n):
        for j in range(i + 1, n):
            score = similarity(state, stories[i].id, [stories[j].id], options) * options.threshold
            distance[i, j] = distance[j, i] = max(0.0, 1.0 - score)
    return best_average_link(distance, [s.id for s in stories], gold, np.arange(0.60, 0.96, 0.02),
                             metric="precomputed", expand_to=lambda groups: expand(groups, stories),
                             label=lambda t: f"similarity {1 - t:.2f}")


def duc_topics_of_documents() -> tuple[dict[str, set[str]], set[str]]:
    """DUC 2003 lists 9 documents under two TDT topics each (the same doc id and text in both clusters): every
    article's topics (those of its doc id), and one article per doc id (its first listing)."""
    topics: dict[str, set[str]] = defaultdict(set)
    listings: dict[str, list[str]] = defaultdict(list)
    for line in (DATA / "mds" / "duc2003_task2.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        for i, doc_id in enumerate(row["doc_ids"]):
            topics[doc_id].add(row["id"])
            listings[doc_id].append(f"{row['id']}/{i}")
    labels = {aid: topics[doc_id] for doc_id, aids in listings.items() for aid in aids}
    return labels, {aids[0] for aids in listings.values()}


def extended_bcubed(groups: list[list[str]], labels: dict[str, set[str]]) -> tuple[float, float, float]:
    """Extended BCubed (Amigó et al., 2009) of a hard grouping against gold with several labels per item: a pair in
    one group is precise when it shares a label; a pair sharing labels is recalled, by 1 / the labels shared, when it
    is in one group (a document of two topics can be in one group only, so 1.0 is out of reach by design)."""
    group_of = {a: i for i, g in enumerate(groups) for a in g}
    items = list(group_of)
    precision = [np.mean([1.0 if labels[e] & labels[o] else 0.0 for o in groups[group_of[e]]]) for e in items]
    recall = [np.mean([1.0 / len(labels[e] & labels[o]) if group_of[o] == group_of[e] else 0.0
                       for o in items if labels[e] & labels[o]]) for e in items]
    p, r = float(np.mean(precision)), float(np.mean(recall))
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def majority_ceiling(events: list[list[str]], gold: dict[str, str]) -> list[list[str]]:
    """The best any storyline level can do over these event stories: each story put with the others of its majority
    gold label (a story that mixes two labels stays mixed: the event level's part of the error)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for group in events:
        groups[Counter(gold[a] for a in group).most_common(1)[0][0]] += group
    return list(groups.values())


def mixed_event_stories(events: list[list[str]], gold: dict[str, str]) -> list[str]:
    """The event stories holding articles of two or more gold labels (ECB+: a topic's two events, what costs it its
    topic-pair separation; DUC: two TDT topics, what the storyline level cannot undo): ``a xn + b xm`` per story."""
    out = []
    for group in events:
        counts = Counter(gold[a] for a in group)
        if len(counts) > 1:
            out.append(" + ".join(f"{label} x{n}" for label, n in counts.most_common()))
    return out


def story_vectors(stories: list[Story], by_id: dict[str, Article], embedder: str,
                  source: str = "articles") -> dict[str, np.ndarray]:
    """Each story's mean sentence-encoder vector (unit length) of its originals' titles and first 1,000 characters
    (``source="articles"``), or of its summary's sentences (``"summaries"``: ``summarize_story`` as the pipeline runs
    it, the citation check static to keep the run short; it does not change which sentences are chosen)."""
    from storyline.cluster.features import titled_text
    from storyline.config import SummaryOptions
    from storyline.embed import encode
    from storyline.summary import summarize_story
    from storyline.text.sentences import ensure_sentences

    texts: dict[str, list[str]] = {}
    for story in stories:
        originals = [by_id[a] for a in story.article_ids if by_id[a].duplicate_of is None] or [
            by_id[a] for a in story.article_ids]
        if source == "summaries":
            ensure_sentences(originals)
            summary, _ = summarize_story(originals, SummaryOptions(verifier="static"))
            texts[story.id] = [s.text for s in summary] or [titled_text(originals[0])[:1000]]
        else:
            texts[story.id] = [titled_text(a)[:1000] for a in originals]
    flat = [t for story in stories for t in texts[story.id]]
    vectors = encode(embedder, flat)
    out, at = {}, 0
    for story in stories:
        mean = vectors[at:at + len(texts[story.id])].mean(axis=0)
        at += len(texts[story.id])
        out[story.id] = mean / (np.linalg.norm(mean) or 1.0)
    return out


def with_vectors(vectors: dict[str, np.ndarray], weight: float, bar: float) -> StorySimilarity:
    """The storylines' similarity with story vectors as new evidence: ``(1 - weight) * similarity + weight *
    cos / bar``, cos against the mean vector of the storyline's latest stories, ``bar`` the cosine that alone would
    join. The rules (gap, shared names) still forbid what they forbid, and without dates on both sides (the
    ``undated_threshold`` regime) the similarity is left as it is."""

    def score(state: StorylineState, story: str, others, options: StorylineOptions) -> float:
        base = similarity(state, story, others, options)
        if base == 0.0 or state.profiles[story].days() is None or all(
                state.profiles[o].days() is None for o in others):
            return base
        pooled = np.mean([vectors[o] for o in sorted(others, key=state.order)[-MAX_POOLED:]], axis=0)
        cos = float(vectors[story] @ pooled / (np.linalg.norm(pooled) or 1.0))
        return (1 - weight) * base + weight * cos / bar

    return score


VECTOR_GRID = [(w, b) for w in (0.25, 0.5, 0.75) for b in (0.5, 0.6, 0.7, 0.8, 0.9)]


def fit_vector_setting(stories: list[Story], articles: list[Article], gold: dict[str, str],
                       vectors: dict[str, np.ndarray]) -> tuple[float, float]:
    """(weight, bar) of ``with_vectors`` with the best B3 F1 on these stories (the fit part)."""
    scored = [(bcubed(expand(group_stories(stories, articles, StorylineOptions(), with_vectors(vectors, w, b)),
                             stories), gold)[2], -w, b) for w, b in VECTOR_GRID]
    best = max(scored)
    return -best[1], best[2]


def vectors_cross_validated(stories: list[Story], articles: list[Article], gold: dict[str, str],
                            topic: dict[str, str], vectors: dict[str, np.ndarray]) -> tuple[list[list[str]], str]:
    """Storylines with story vectors, (weight, bar) chosen on half of the topics and scored on the other half."""
    story_topic = story_topics(stories, topic)
    out, chosen = [], []
    for train, test in topic_folds(topic):
        part = [s for s in stories if story_topic[s.id] in train]
        weight, bar = fit_vector_setting(part, articles, {a: gold[a] for s in part for a in s.article_ids}, vectors)
        chosen.append(f"{weight}/{bar}")
        rest = [s for s in stories if story_topic[s.id] in test]
        out += expand(group_stories(rest, articles, StorylineOptions(), with_vectors(vectors, weight, bar)), rest)
    return out, "weight/bar " + ", ".join(chosen)


LEARNED_TRAIN = {"duc 2003": ("ecb+ dev", "multiling 2011")}
"""The sets the learned similarity is fitted on to score each set (never the set itself): DUC 2003 by ECB+ and
MultiLing (the others are scored by ``storylines.LEARNED``, fitted on DUC 2003 by ``bench/fit_storylines.py``)."""


def learned_held_out(name: str, fitted: dict) -> tuple[StorySimilarity, str]:
    """The learned storyline similarity fitted on the sets ``LEARNED_TRAIN`` gives for ``name`` (cached in
    ``fitted``), and its setting as shown."""
    from bench.fit_storylines import fit, inputs

    train = LEARNED_TRAIN.get(name, ("duc 2003",))
    if train not in fitted:
        fitted[train] = fit(inputs(train))
    learned = fitted[train]
    return learned, f"fitted on {' + '.join(train)}, bar {learned.bar}"


def learned_cross_validated(stories: list[Story], articles: list[Article], gold: dict[str, str],
                            topic: dict[str, str], vectors: dict[str, np.ndarray] | None = None,
                            key_name: bool = False, seed: int = 0, extra_train: dict | None = None,
                            ) -> tuple[list[list[str]], str]:
    """The learned similarity fitted on the stories of half of the topics (pairs and bar) and scored on the other
    half, both ways: what it learns from dated topics of the same kind (with ``vectors``, the story-vector cosine as
    one more feature; with ``key_name``, whether the story's key name is the storyline's; ``seed``: the split;
    ``extra_train``: more training sets, name -> (stories, articles, gold), fitted beside the half)."""
    from bench.fit_storylines import fit

    story_topic = story_topics(stories, topic)
    out, chosen = [], []
    for train, test in topic_folds(topic, seed):
        part = [s for s in stories if story_topic[s.id] in train]
        learned = fit({"half": (part, articles, {a: gold[a] for s in part for a in s.article_ids}),
                       **(extra_train or {})}, vectors=vectors, key_name=key_name)
        chosen.append(f"{learned.bar}")
        rest = [s for s in stories if story_topic[s.id] in test]
        out += expand(group_stories(rest, articles, StorylineOptions(), learned), rest)
    return out, "bar " + "/".join(chosen)


def vectors_average_link(stories: list[Story], vectors: dict[str, np.ndarray], gold: dict[str, str],
                         ) -> tuple[list[list[str]], str]:
    """Story vectors alone under batch average link, stories more than ``max_gap_days`` apart kept apart, threshold
    chosen in hindsight: how far the new evidence goes when every story is seen at once."""
    if len(stories) < 2:
        return [s.article_ids for s in stories], "-"
    matrix = np.stack([vectors[s.id] for s in stories])
    distance = np.clip(1.0 - matrix @ matrix.T, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    gap = StorylineOptions().max_gap_days
    for i, a in enumerate(stories):
        for j, b in enumerate(stories):
            if a.first_published and b.first_published and a.last_published and b.last_published and max(
                    (b.first_published - a.last_published).days, (a.first_published - b.last_published).days) > gap:
                distance[i, j] = 2.0
    return best_average_link(distance, [s.id for s in stories], gold, np.arange(0.02, 0.8, 0.02),
                             metric="precomputed", expand_to=lambda groups: expand(groups, stories),
                             label=lambda t: f"cosine {1 - t:.2f}")


MAGNITUDE = re.compile(r"(?:magnitude|richter)\D{0,25}?(\d\.\d)|(\d\.\d)\s*(?:-|\s)?(?:magnitude|on the richter)", re.I)
SUM = re.compile(r"[$€£]\s?(\d+(?:\.\d+)?)\s*(million|billion|mn|bn|m)\b|(\d+(?:\.\d+)?)\s*(million|billion)\s*"
                 r"(?:dollars|euros|pounds)", re.I)


def figure_conflicts() -> list[tuple[str, str, int, int]]:
    """Would conflicting figures tell ECB+'s sibling events apart? For article pairs of one topic (same event, or
    its two sibling events) that both state an earthquake magnitude (or a sum of money): how often they share none."""
    rows = [json.loads(line) for line in (DATA / "ecbplus" / "dev.jsonl").open(encoding="utf-8")]
    figures = {}
    for row in rows:
        found: dict[str, set[str]] = {"magnitude": set(), "sum": set()}
        found["magnitude"] |= {m[1] or m[2] for m in MAGNITUDE.finditer(row["text"])}
        found["sum"] |= {f"{float(m[1] or m[3]):g}{(m[2] or m[4])[0].lower()}" for m in SUM.finditer(row["text"])}
        figures[row["id"]] = found
    counts: Counter[tuple[str, str, bool]] = Counter()
    by_topic: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_topic[row["topic"]].append(row)
    for members in by_topic.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                kind = "same event" if a["event"] == b["event"] else "sibling events"
                for unit in ("magnitude", "sum"):
                    x, y = figures[a["id"]][unit], figures[b["id"]][unit]
                    if x and y:
                        counts[(kind, unit, not x & y)] += 1
    return [(kind, unit, counts[(kind, unit, False)] + counts[(kind, unit, True)], counts[(kind, unit, True)])
            for kind in ("same event", "sibling events") for unit in ("magnitude", "sum")]


class MemoryBlobs(dict):
    """Blobs in memory, counting the bytes each batch writes."""

    written = 0

    def get_blob(self, key: str) -> bytes | None:
        return self.get(key)

    def put_blob(self, key: str, data: bytes) -> None:
        self.written += len(data)
        self[key] = data


def daily_storylines(articles: list[Article], line_options: StorylineOptions | None = None,
                     blobs: MemoryBlobs | None = None) -> list[list[str]]:
    """Events and storylines built incrementally: the articles in publication order, one batch per day, the
    storyline state kept in ``blobs`` between batches as the store keeps it."""
    options, line_options = ClusterOptions(), line_options or StorylineOptions()
    state, blobs = ClusterState.empty(options), blobs if blobs is not None else MemoryBlobs()
    by_id = {a.id: a for a in articles}
    days: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        days[a.published.date().isoformat() if a.published else ""].append(a)
    for day in sorted(days):
        assignment = assign(state, days[day], options)
        touched = {state.resolve(s) for s in assignment.story_of.values()}
        touched |= {state.resolve(new) for _, new in assignment.moved.values()}
        touched |= {state.resolve(old) for old, _ in assignment.moved.values() if state.resolve(old) in state.stories}
        stories = stories_of([state.stories[s].members for s in sorted(touched)], by_id)
        for story, sid in zip(stories, sorted(touched), strict=True):
            story.id = sid
        profiles = [story_profile(s, [by_id[a] for a in s.article_ids]) for s in stories]
        update_stored_storylines(blobs, profiles, [m.story_id for m in assignment.merges], line_options)
    lines = StorylineState.from_json(blobs.get_blob(BLOB_KEY))
    line_of = {**lines.retired, **lines.storyline_of}
    members: dict[str, list[str]] = defaultdict(list)
    for sid in state.stories:
        members[line_of.get(sid, sid)].append(sid)
    return [[a for sid in group for a in state.stories[sid].members] for group in members.values()]


def storyline_state_rows(copies: int = 4, shift_days: int = 180) -> list[tuple]:
    """The storyline state over a long replay: the event stories of DUC 2003 (three months of 1998) ``copies``
    times, each copy dated ``shift_days`` later (a year and a half of news from real texts, the copies 90 days
    apart, beyond ``max_gap_days``), fed to the stored storylines day by day (by first report), with retirement
    (defaults) and without (``retire_after_days`` beyond the replay: the whole state in one blob, as before)."""
    raw, _, topic = load("duc 2003")
    base = dated("duc 2003", raw)
    articles, gold, stories = [], {}, []
    for copy in range(copies):
        part = [Article(id=f"{a.id}#{copy}", text=a.text, published=a.published + timedelta(days=copy * shift_days))
                for a in base]
        articles += part
        gold.update({a.id: f"{topic[a.id.split('#')[0]]}#{copy}" for a in part})
        stories += stories_of(cluster_articles(part), {a.id: a for a in part})
    by_id = {a.id: a for a in articles}
    days: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        days[story.first_published.date().isoformat()].append(story)
    rows, groups = [], {}
    for method, options in (("storylines, retirement after 90 days (defaults)", StorylineOptions()),
                            ("one state blob (no retirement)", StorylineOptions(retire_after_days=10**6))):
        blobs = MemoryBlobs()
        start = time.perf_counter()
        for day in sorted(days):
            update_stored_storylines(blobs, [story_profile(s, [by_id[a] for a in s.article_ids]) for s in days[day]],
                                     (), options)
        seconds = time.perf_counter() - start
        lines = StorylineState.from_json(blobs.get_blob(BLOB_KEY))
        line_of = {**lines.retired, **lines.storyline_of}
        members: dict[str, list[str]] = defaultdict(list)
        for story in stories:
            members[line_of.get(story.id, story.id)] += story.article_ids
        groups[method] = list(members.values())
        retired = sum(len(v) for k, v in blobs.items() if k.startswith(ARCHIVE_PREFIX))
        rows.append((method, bcubed(groups[method], gold)[2], len(blobs[BLOB_KEY]), retired,
                     blobs.written / len(days), seconds))
    reference = {a: str(i) for i, g in enumerate(groups[rows[1][0]]) for a in g}
    return [(*row, bcubed(groups[row[0]], reference)[2]) for row in rows]


SMALL_STORE_TOPICS = frozenset({"d30025t", "d30048t", "d30003t", "d30028t", "d30044t", "d31009t", "d30040t"})
"""Seven DUC 2003 topics (the subset tests/test_storylines.py feeds day by day): a small store."""


def small_store_rows() -> list[tuple]:
    """Rules and learned similarity on a small store (``SMALL_STORE_TOPICS``): B³ F1 of the batch and of the daily
    run against the topics, and the daily run against its own batch run."""
    articles, gold, _, topic, _, stories, _ = storyline_inputs("duc 2003")
    part = [a for a in articles if topic[a.id] in SMALL_STORE_TOPICS]
    part_stories = [s for s in stories if topic[s.article_ids[0]] in SMALL_STORE_TOPICS]
    part_gold = {a.id: gold[a.id] for a in part}
    rows = []
    for similarity_name in ("average", "rules", "learned"):
        options = StorylineOptions(similarity=similarity_name)
        start = time.perf_counter()
        batch = expand(group_stories(part_stories, part, options), part_stories)
        daily = daily_storylines(part, options)
        reference = {a: str(i) for i, g in enumerate(batch) for a in g}
        rows.append((similarity_name, len(part_stories), bcubed(batch, part_gold)[2], bcubed(daily, part_gold)[2],
                     bcubed(daily, reference)[2], time.perf_counter() - start))
    return rows


SPLIT_SEEDS = (0, 1, 2)
"""The splits of DUC 2003's topics ``split_rows`` cross-validates over (seed 0 is the one of the main table)."""


ECB_STATED = "ecb+ dev, dated where stated"
"""ECB+ dev with each article dated only when it states its own day (``stated_date``): the input the event level
meets in use when a feed gives no dates."""


def ecb_stated_rows() -> list[tuple]:
    """ECB+ dev dated where stated: the event level (defaults) and the storylines (average link, the default; rules;
    learned, fitted on DUC) on it, against the events (B³ F1, topic-pair separation), beside the undated set. (set,
    level, dated articles, B³ F1, separation, mixed event stories, seconds)."""
    rows = []
    for name in ("ecb+ dev", ECB_STATED):
        articles, gold, event, topic, events, stories, seconds = storyline_inputs(name)
        n_dated = sum(1 for a in articles if a.published)
        mixed = len(mixed_event_stories(events, gold))
        rows.append((name, "events (defaults)", n_dated, bcubed(events, gold)[2],
                     pair_separation(events, event, topic), mixed, seconds))
        for similarity_name in ("average", "rules", "learned"):
            start = time.perf_counter()
            lines = expand(group_stories(stories, articles, StorylineOptions(similarity=similarity_name)), stories)
            rows.append((name, f"storylines, similarity = {similarity_name}", n_dated, bcubed(lines, gold)[2],
                         pair_separation(lines, event, topic), mixed, time.perf_counter() - start))
    return rows


def print_ecb_stated(rows: list[tuple]) -> None:
    print("\nECB+ dev dated where the articles state their day (ecb_stated_rows):\n")
    print("| set | level | dated articles | B³ F1 | topic-pair separation | event stories mixing two events | s |")
    print("|---|---|---|---|---|---|---|")
    for name, level, n_dated, f1, separation, mixed, seconds in rows:
        print(f"| {name} | {level} | {n_dated} | {f1:.3f} | {separation:.3f} | {mixed} | {seconds:.1f} |")


def split_rows() -> list[tuple]:
    """DUC 2003's cross-validated storyline rows over several splits of its topics (``SPLIT_SEEDS``): how much of a
    cross-validated figure is the split. (method, B³ F1 per seed, mean, seconds)."""
    articles, gold, _, topic, _, stories, _ = storyline_inputs("duc 2003")
    ecb = storyline_inputs(ECB_STATED)
    rows = []
    for method, run in (
            ("average link (default), pair_threshold cross-validated", lambda seed: storylines_cross_validated(
                stories, articles, gold, topic, seed, average=True)[0]),
            ("rules, threshold cross-validated", lambda seed: storylines_cross_validated(
                stories, articles, gold, topic, seed)[0]),
            ("learned similarity, cross-validated", lambda seed: learned_cross_validated(
                stories, articles, gold, topic, seed=seed)[0]),
            ("learned similarity + key name, cross-validated", lambda seed: learned_cross_validated(
                stories, articles, gold, topic, key_name=True, seed=seed)[0]),
            ("learned similarity, trained on the DUC half + ECB+ dated where stated, cross-validated",
             lambda seed: learned_cross_validated(stories, articles, gold, topic, seed=seed, extra_train={
                 ECB_STATED: (ecb[5], ecb[0], ecb[1])})[0]),
            ("learned similarity + key name, trained on the DUC half + ECB+ dated where stated, cross-validated",
             lambda seed: learned_cross_validated(stories, articles, gold, topic, key_name=True, seed=seed,
                                                  extra_train={ECB_STATED: (ecb[5], ecb[0], ecb[1])})[0])):
        start = time.perf_counter()
        scores = [bcubed(run(seed), gold)[2] for seed in SPLIT_SEEDS]
        rows.append((method, scores, float(np.mean(scores)), time.perf_counter() - start))
    return rows


MORE_SPLIT_SEEDS = tuple(range(8))
"""More splits for the fast rows (``more_split_rows``): a mean over three splits moves by ±0.01 with the split."""


def more_split_rows() -> list[tuple]:
    """DUC 2003's cross-validated rows of the average link and the rules over ``MORE_SPLIT_SEEDS``, with the
    thresholds each training half chose. (method, B³ F1 per seed, mean, chosen, seconds)."""
    articles, gold, _, topic, _, stories, _ = storyline_inputs("duc 2003")
    rows = []
    for method, average in (("average link (default), pair_threshold cross-validated", True),
                            ("rules, threshold cross-validated", False)):
        start = time.perf_counter()
        runs = [storylines_cross_validated(stories, articles, gold, topic, seed, average=average)
                for seed in MORE_SPLIT_SEEDS]
        scores = [bcubed(groups, gold)[2] for groups, _ in runs]
        chosen = sorted(float(t) for _, setting in runs for t in setting.split()[1].split("/"))
        rows.append((method, scores, float(np.mean(scores)), chosen, time.perf_counter() - start))
    return rows


def print_more_splits(rows: list[tuple]) -> None:
    print(f"\nDUC 2003, 2-fold cross-validation over topics, {len(MORE_SPLIT_SEEDS)} splits (more_split_rows):\n")
    print("| method | " + " | ".join(f"split {seed}" for seed in MORE_SPLIT_SEEDS) + " | mean | "
          "thresholds chosen (median) | s |")
    print("|---|" + "---|" * (len(MORE_SPLIT_SEEDS) + 3))
    for method, scores, mean, chosen, seconds in rows:
        print(f"| {method} | " + " | ".join(f"{f:.3f}" for f in scores) + f" | {mean:.3f} | "
              f"{min(chosen):.2f}–{max(chosen):.2f} ({float(np.median(chosen)):.2f}) | {seconds:.1f} |")


def split_topic_rows(options: StorylineOptions | None = None) -> list[tuple]:
    """What still splits DUC 2003's topics under ``options`` (the defaults): for each topic whose stories are in
    more than one storyline, each pair of its pieces (the stories of that topic in two storylines) with what kept
    them apart: days between them, distinctive names shared (in at most half of the stories), the mean
    ``pair_scores`` of their story pairs (1.0 = the bar; the whole storylines must reach it to join) and the mean
    over the two whole storylines; and each storyline holding articles of several topics. (kind, topic, text)."""
    from storyline.cluster.storylines import pair_scores

    options = options or StorylineOptions()
    articles, _, _, topic, _, stories, _ = storyline_inputs("duc 2003")
    by_id = {a.id: a for a in articles}
    state = StorylineState()
    for story in stories:
        state._add(story_profile(story, [by_id[a] for a in story.article_ids]))
    lines = group_stories(stories, articles, options)
    line_of = {sid: i for i, line in enumerate(lines) for sid in line}
    major = story_topics(stories, topic)
    ids = [s.id for s in stories]
    scores = pair_scores(state, ids, options)
    at = {sid: i for i, sid in enumerate(ids)}
    size = {s.id: len(s.article_ids) for s in stories}
    n = state.size()

    def mean_score(a: list[str], b: list[str]) -> float:
        return float(np.mean([scores[at[x], at[y]] for x in a for y in b]))

    def days(group: list[str]) -> tuple[float, float]:
        spans = [state.profiles[sid].days() for sid in group]
        return min(d[0] for d in spans), max(d[1] for d in spans)

    rows = []
    for t in sorted(set(major.values())):
        pieces: dict[int, list[str]] = defaultdict(list)
        for sid in ids:
            if major[sid] == t:
                pieces[line_of[sid]].append(sid)
        if len(pieces) < 2:
            continue
        keys = sorted(pieces, key=lambda k: days(pieces[k]))
        rows.append(("split", t, "; ".join(
            f"{chr(65 + i)}: {len(pieces[k])} stories / {sum(size[s] for s in pieces[k])} articles, "
            f"{state.profiles[min(pieces[k], key=state.order)].first[:10]}"  # type: ignore[index]
            + (f" (+{sum(size[s] for s in lines[k]) - sum(size[s] for s in pieces[k])} of other topics)"
               if len(lines[k]) > len(pieces[k]) else "") for i, k in enumerate(keys))))
        for i, a in enumerate(keys):
            for j, b in enumerate(keys[i + 1:], i + 1):
                (a0, a1), (b0, b1) = days(pieces[a]), days(pieces[b])
                names_a = {x for sid in pieces[a] for x in state.profiles[sid].names}
                shared = sorted({x for sid in pieces[b] for x in state.profiles[sid].names if x in names_a
                                 and state.df.get("n:" + x, 0) <= n / 2})
                rows.append(("pair", t, f"{chr(65 + i)}-{chr(65 + j)}: {max(b0 - a1, a0 - b1, 0):.0f} days apart, "
                             f"{len(shared)} distinctive names shared ({', '.join(shared[:4])}), mean pair score "
                             f"{mean_score(pieces[a], pieces[b]):.2f} (pieces) / {mean_score(lines[a], lines[b]):.2f} "
                             "(storylines)"))
    for line in lines:
        counts = Counter(topic[a] for sid in line for a in next(s for s in stories if s.id == sid).article_ids)
        if len(counts) > 1:
            rows.append(("mixed", "+".join(t for t, _ in counts.most_common()), ", ".join(
                f"{t} x{c}" for t, c in counts.most_common())))
    return rows


def print_split_topics(rows: list[tuple]) -> None:
    print("\nDUC 2003 under the defaults: topics split over storylines, what kept the pieces apart, and storylines "
          "mixing topics (split_topic_rows):\n")
    print("| kind | topic | what |")
    print("|---|---|---|")
    for kind, t, text in rows:
        print(f"| {kind} | {t} | {text} |")


def print_splits(rows: list[tuple]) -> None:
    print("\nDUC 2003, 2-fold cross-validation over topics, several splits (split_rows):\n")
    print("| method | " + " | ".join(f"B³ F1 split {seed}" for seed in SPLIT_SEEDS) + " | mean | s |")
    print("|---|" + "---|" * (len(SPLIT_SEEDS) + 2))
    for method, scores, mean, seconds in rows:
        print(f"| {method} | " + " | ".join(f"{f:.3f}" for f in scores) + f" | {mean:.3f} | {seconds:.1f} |")


def event_mix_rows() -> list[tuple]:
    """The event stories that mix gold labels (ECB+: a topic's two events; DUC 2003: two topics), what joins them:
    per story, each label's articles, how many of them state a year (a 19xx/20xx in their first 3,000 characters,
    their source URL included), the years they state, and the mean shared-neighbour similarity between the two
    labels' articles against the mean within each label (the event level merges at 1 - ``threshold``), and the share of
    the smaller label's articles with a shared neighbour among the other's (1.0: no single article bridges them)."""
    from storyline.cluster.constraints import facts_of
    from storyline.cluster.features import tfidf_vectors
    from storyline.cluster.neighbors import nearest_neighbors
    from storyline.cluster.snn import shared_neighbor_similarity

    year = re.compile(r"(?<!\d)(19[5-9]\d|20[0-2]\d)(?!\d)")
    rows = []
    for name in ("ecb+ dev", "duc 2003"):
        articles, gold, _, _, events, _, _ = storyline_inputs(name)
        ordered = sorted(articles, key=lambda a: a.id)
        row_of = {a.id: i for i, a in enumerate(ordered)}
        matrix = shared_neighbor_similarity(nearest_neighbors(tfidf_vectors(ordered, DEFAULT), facts_of(ordered),
                                                              DEFAULT)).toarray()
        by_id = {a.id: a for a in articles}
        for group in events:
            counts = Counter(gold[a] for a in group)
            if len(counts) < 2:
                continue
            (first, _), (second, _) = counts.most_common(2)
            halves = [[row_of[a] for a in group if gold[a] == label] for label in (first, second)]
            within = [float(matrix[np.ix_(h, h)][~np.eye(len(h), dtype=bool)].mean()) if len(h) > 1 else float("nan")
                      for h in halves]
            between = float(matrix[np.ix_(*halves)].mean())
            small, big = sorted(halves, key=len)
            linked = float((matrix[np.ix_(small, big)] > 0).any(axis=1).mean())
            stated = []
            for label in (first, second):
                found = [Counter(year.findall(by_id[a].text[:3000])) for a in group if gold[a] == label]
                years = sum(found, Counter())
                stated.append((sum(1 for f in found if f), len(found), "/".join(y for y, _ in years.most_common(2))))
            rows.append((name, first, second, stated, within, between, linked))
    return rows


def magnitude_rows() -> list[tuple]:
    """The event level (defaults) with and without ``constraints.conflicting_magnitudes`` (off: no pair conflicts),
    side by side: ECB+ dev whole and each half of its topics over three splits (``topic_folds``, seeds 0-2: the rule
    has no setting fitted on ECB+, so each half is another sample of sibling events), the same fed incrementally
    (shuffled, 4 runs), DUC 2003 and MultiLing 2011 undated (the event table's inputs) and dated (the storyline
    section's). (set, rule, B³ F1, topic-pair separation, event stories mixing two labels, seconds)."""
    from unittest import mock

    import storyline.cluster.batch as batch

    def no_conflict(vectors, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return np.zeros(len(rows), dtype=bool)

    inputs = []
    articles, event, topic = load("ecb+ dev")
    inputs.append(("ecb+ dev", articles, event, topic, False))
    for seed in range(3):
        for half, (part, _) in enumerate(topic_folds(topic, seed)):
            chosen = [a for a in articles if topic[a.id] in part]
            inputs.append((f"ecb+ dev, split {seed} half {half}", chosen, event, topic, False))
    inputs.append(("ecb+ dev, incremental, shuffled, 4 runs", articles, event, topic, True))
    for name in ("duc 2003", "multiling 2011"):
        raw, gold, _ = load(name)
        inputs.append((name, raw, gold, gold, False))
        inputs.append((f"{name}, dated", dated(name, raw), gold, gold, False))
    rows = []
    for name, chosen, gold, labels, incremental in inputs:
        part_gold = {a.id: gold[a.id] for a in chosen}
        for rule in ("off (main)", "on"):
            start = time.perf_counter()
            with mock.patch.object(batch, "conflicting_magnitudes", no_conflict) if rule.startswith("off") \
                    else contextlib.nullcontext():
                groups = incremental_shuffled(chosen) if incremental else cluster_articles(chosen)
            separation = pair_separation(groups, part_gold, labels) if name.startswith("ecb") else float("nan")
            rows.append((name, rule, bcubed(groups, part_gold)[2], separation,
                         len(mixed_event_stories(groups, part_gold)), time.perf_counter() - start))
    return rows


def print_magnitudes(rows: list[tuple]) -> None:
    print("\nThe event level with and without the magnitude rule (magnitude_rows):\n")
    print("| set | magnitude rule | B³ F1 | topic-pair separation | event stories mixing two labels | s |")
    print("|---|---|---|---|---|---|")
    for name, rule, f1, separation, mixed, seconds in rows:
        sep = "" if np.isnan(separation) else f"{separation:.3f}"
        print(f"| {name} | {rule} | {f1:.3f} | {sep} | {mixed} | {seconds:.1f} |")


def print_event_mixes(rows: list[tuple]) -> None:
    threshold = 1.0 - DEFAULT.threshold
    print(f"\nEvent stories mixing two gold labels (event_mix_rows; the event level merges at {threshold:.2f}):\n")
    print("| set | label a | label b | a: stating a year / articles (years) | b: stating a year / articles (years) | "
          "similarity within a | within b | between a and b | smaller side linked to the other |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, first, second, stated, within, between, linked in rows:
        cells = [f"{n}/{total} ({years or '-'})" for n, total, years in stated]
        inside = ["-" if np.isnan(w) else f"{w:.2f}" for w in within]
        print(f"| {name} | {first} | {second} | {cells[0]} | {cells[1]} | {inside[0]} | {inside[1]} | {between:.2f} | "
              f"{linked:.2f} |")


SUBSETS = 10
"""Random small stores (7 DUC 2003 topics each, seeds 0..9) ``small_store_subset_rows`` measures."""


def small_store_subset_rows() -> list[tuple]:
    """Rules and learned similarity on ``SUBSETS`` random stores of 7 DUC 2003 topics each (seeded), drawn from all 30
    topics and from the 26 that share no document with another topic (``duc_topics_of_documents``): the mean B³ F1
    of batch and daily runs against the topics, the mean and lowest agreement of the daily run with its batch. Each
    subset's event stories are clustered from its own articles, as a store of those topics would hold them."""
    articles, gold, _, topic, _, _, _ = storyline_inputs("duc 2003")
    labels, _ = duc_topics_of_documents()
    shared = {t for ts in labels.values() if len(ts) > 1 for t in ts}
    rows = []
    for pool_name, pool in (("all 30 topics", sorted(set(topic.values()))),
                            (f"the {len(set(topic.values()) - shared)} topics sharing no document",
                             sorted(set(topic.values()) - shared))):
        scores: dict[str, list[tuple[float, float, float]]] = {"average": [], "rules": [], "learned": []}
        start = time.perf_counter()
        for seed in range(SUBSETS):
            chosen = set(random.Random(seed).sample(pool, 7))
            part = [a for a in articles if topic[a.id] in chosen]
            part_gold = {a.id: gold[a.id] for a in part}
            part_stories = stories_of(cluster_articles(part), {a.id: a for a in part})
            for name in scores:
                options = StorylineOptions(similarity=name)
                batch = expand(group_stories(part_stories, part, options), part_stories)
                daily = daily_storylines(part, options)
                reference = {a: str(i) for i, g in enumerate(batch) for a in g}
                scores[name].append((bcubed(batch, part_gold)[2], bcubed(daily, part_gold)[2],
                                     bcubed(daily, reference)[2]))
        for name, found in scores.items():
            batch_f1, daily_f1, agree = (np.array(column) for column in zip(*found, strict=True))
            rows.append((pool_name, name, float(batch_f1.mean()), float(daily_f1.mean()), float(agree.mean()),
                         float(agree.min()), (time.perf_counter() - start) / len(scores)))
    return rows


def print_small_store_subsets(rows: list[tuple]) -> None:
    print(f"\n{SUBSETS} random stores of 7 DUC 2003 topics each, batch and daily (small_store_subset_rows):\n")
    print("| topics drawn from | similarity | mean B³ F1 batch | mean B³ F1 daily | mean daily vs its batch | "
          "lowest daily vs its batch | s |")
    print("|---|---|---|---|---|---|---|")
    for pool, name, batch, daily, agree, lowest, seconds in rows:
        print(f"| {pool} | {name} | {batch:.3f} | {daily:.3f} | {agree:.3f} | {lowest:.3f} | {seconds:.1f} |")


def print_small_store(rows: list[tuple]) -> None:
    print("\nA small store: 7 DUC 2003 topics, batch and daily (small_store_rows):\n")
    print("| similarity | stories | B³ F1 batch | B³ F1 daily | daily vs its batch | s |")
    print("|---|---|---|---|---|---|")
    for name, n, batch, daily, agree, seconds in rows:
        print(f"| {name} | {n} | {batch:.3f} | {daily:.3f} | {agree:.3f} | {seconds:.1f} |")


def print_state(rows: list[tuple]) -> None:
    print("\nStoryline state, DUC 2003 event stories x4, 180 days apart, fed day by day (storyline_state_rows):\n")
    print("| method | B³ F1 vs topics | B³ F1 vs one-blob run | working state at end KB | retired blobs KB | "
          "written per daily batch KB | s |")
    print("|---|---|---|---|---|---|---|")
    for method, f1, working, retired, per_batch, seconds, agree in rows:
        print(f"| {method} | {f1:.3f} | {agree:.3f} | {working / 1024:.0f} | {retired / 1024:.0f} | "
              f"{per_batch / 1024:.1f} | {seconds:.1f} |")


SETS = ("ecb+ dev", "ecb+ dev, all dated one day", "duc 2003", "multiling 2011")


def storyline_inputs(name: str) -> tuple[list[Article], dict[str, str], dict[str, str], dict[str, str],
                                         list[list[str]], list[Story], float]:
    """Dated articles, gold (storyline granularity), event and topic labels, event groups, stories, event seconds."""
    raw, event, topic = load(name.split(",")[0])
    articles = dated(name, raw)
    gold = event if name.startswith("ecb+") else topic
    start = time.perf_counter()
    events = cluster_articles(articles)
    seconds = time.perf_counter() - start
    return articles, gold, event, topic, events, stories_of(events, {a.id: a for a in articles}), seconds


VectorSource = tuple[str, str]
"""(embedder, "articles" or "summaries"): where story vectors come from (``story_vectors``)."""


def storyline_rows(sources: tuple[VectorSource, ...] = (("static", "articles"),)) -> list[tuple]:
    from storyline.embed import shared_vectors

    with shared_vectors():  # each text encoded once per embedder (the sets share texts: ECB+ twice, DUC twice)
        return storyline_set_rows(sources)


EACH_DOCUMENT_ONCE = ("storylines (defaults)", "storylines, similarity = rules (", "storylines, pair_threshold",
                      "storylines, similarity = learned", "storylines + learned",
                      "storyline = event", "ceiling",
                      "stories TF-IDF", "articles TF-IDF")
"""The DUC rows scored again with each document once against all its topics (``extended_bcubed``); the baselines keep
the threshold they chose against the one-label gold."""


def storyline_set_rows(sources: tuple[VectorSource, ...]) -> list[tuple]:
    rows = []
    fitted = {}  # source -> (weight, bar) fitted on all of DUC 2003, applied to the other sets
    fitted_learned: dict = {}  # training sets -> LearnedSimilarity fitted on them
    learned_vectors = {}  # source -> the learned similarity with the story-vector cosine, fitted on all of DUC
    from bench.fit_storylines import fit
    duc = storyline_inputs("duc 2003")
    learned_key_name = fit({"duc 2003": (duc[5], duc[0], duc[1])}, key_name=True)  # applied to the other sets
    for source in sources:
        articles, gold, _, _, _, stories, _ = storyline_inputs("duc 2003")
        vectors = story_vectors(stories, {a.id: a for a in articles}, *source)
        fitted[source] = fit_vector_setting(stories, articles, gold, vectors)
        learned_vectors[source] = fit({"duc 2003": (stories, articles, gold)}, vectors=vectors)
    for name in SETS:
        articles, gold, event, topic, events, stories, event_seconds = storyline_inputs(name)
        by_id = {a.id: a for a in articles}
        if not name.endswith("one day"):
            print(f"{name}: event stories mixing gold labels: " + ("; ".join(mixed_event_stories(events, gold))
                                                                   or "none"), file=sys.stderr)
        start = time.perf_counter()
        lines = expand(group_stories(stories, articles, StorylineOptions()), stories)
        line_seconds = time.perf_counter() - start
        start = time.perf_counter()
        learned_options = StorylineOptions(similarity="learned")
        learned_lines = expand(group_stories(stories, articles, learned_options), stories)
        learned_seconds = time.perf_counter() - start
        start = time.perf_counter()
        rules_lines = expand(group_stories(stories, articles, RULES), stories)
        rules_seconds = time.perf_counter() - start
        start = time.perf_counter()
        strict = expand(group_stories(stories, articles, replace(RULES, overlap_threshold=0.75)), stories)
        default = StorylineOptions()
        methods: list[tuple[str, list[list[str]], str, float]] = [
            ("storylines (defaults)", lines, f"similarity {default.similarity}, pair_threshold "
             f"{default.pair_threshold}", line_seconds),
            ("storylines, similarity = rules (the default before)", rules_lines, f"threshold {RULES.threshold}",
             rules_seconds),
            ("storylines, similarity = learned", learned_lines,
             "fitted on this set: in-sample" if name.startswith("duc") else "fitted on duc 2003", learned_seconds),
            ("storylines, similarity = rules, overlapping days at 0.75", strict, "overlap_threshold 0.75",
             time.perf_counter() - start),
            ("storyline = event (no storyline level)", events, "events, defaults", event_seconds),
        ]
        if not name.endswith("one day"):
            start = time.perf_counter()
            groups, setting = storylines_cross_validated(stories, articles, gold, topic)
            methods.insert(2, ("storylines, similarity = rules, threshold cross-validated (2-fold over topics)",
                               groups, setting, time.perf_counter() - start))
            start = time.perf_counter()
            groups, setting = storylines_cross_validated(stories, articles, gold, topic, average=True)
            methods.insert(2, ("storylines, pair_threshold cross-validated (2-fold over topics)", groups, setting,
                               time.perf_counter() - start))
        for source in sources:
            kind = f"{source[0]} {'story' if source[1] == 'articles' else 'summary'} vectors"
            start = time.perf_counter()
            vectors = story_vectors(stories, by_id, *source)
            vector_seconds = time.perf_counter() - start
            if name.startswith("duc"):
                groups, setting = vectors_cross_validated(stories, articles, gold, topic, vectors)
                method = f"storylines + {kind}, cross-validated (2-fold over topics)"
            else:
                weight, bar = fitted[source]
                groups = expand(group_stories(stories, articles, StorylineOptions(),
                                              with_vectors(vectors, weight, bar)), stories)
                method, setting = f"storylines + {kind}, fitted on DUC", f"weight/bar {weight}/{bar}"
            methods.append((method, groups, setting, time.perf_counter() - start))
            start = time.perf_counter()
            if name.startswith("duc"):
                groups, setting = learned_cross_validated(stories, articles, gold, topic, vectors)
                method = f"storylines + learned similarity + {kind}, DUC topics cross-validated (2-fold)"
            else:
                model = replace(learned_vectors[source], vectors=vectors)
                groups = expand(group_stories(stories, articles, StorylineOptions(), model), stories)
                method, setting = f"storylines + learned similarity + {kind}, fitted on DUC", f"bar {model.bar}"
            methods.append((method, groups, setting, time.perf_counter() - start))
            start = time.perf_counter()
            groups, setting = vectors_average_link(stories, vectors, gold)
            methods.append((f"stories: {kind} + average link (tuned)", groups, setting,
                            time.perf_counter() - start + vector_seconds))
        if name.startswith("duc"):  # the other sets' "similarity = learned" row is held out (fitted on DUC)
            start = time.perf_counter()
            learned, setting = learned_held_out(name, fitted_learned)
            methods.append(("storylines + learned similarity, held-out sets", expand(group_stories(
                stories, articles, StorylineOptions(), learned), stories), setting, time.perf_counter() - start))
            start = time.perf_counter()
            groups, setting = learned_cross_validated(stories, articles, gold, topic)
            methods.append(("storylines + learned similarity, DUC topics cross-validated (2-fold)", groups, setting,
                            time.perf_counter() - start))
            start = time.perf_counter()
            groups, setting = learned_cross_validated(stories, articles, gold, topic, key_name=True)
            methods.append(("storylines + learned similarity + key name, DUC topics cross-validated (2-fold)", groups,
                            setting, time.perf_counter() - start))
            start = time.perf_counter()
            methods.append(("storylines + learned similarity + key name, fitted on this set: in-sample", expand(
                group_stories(stories, articles, StorylineOptions(), learned_key_name), stories),
                f"bar {learned_key_name.bar}", time.perf_counter() - start))
        else:
            start = time.perf_counter()
            methods.append(("storylines + learned similarity + key name, fitted on duc 2003", expand(
                group_stories(stories, articles, StorylineOptions(), learned_key_name), stories),
                f"bar {learned_key_name.bar}", time.perf_counter() - start))
        start = time.perf_counter()
        groups, setting = similarity_average_link(stories, articles, gold)
        methods.append(("stories: storyline similarity + average link (tuned)", groups, setting,
                        time.perf_counter() - start))
        methods.append(("ceiling: event stories grouped by majority gold label", majority_ceiling(events, gold),
                        "hindsight", 0.0))
        start = time.perf_counter()
        groups, setting = story_tfidf_threshold(stories, by_id, gold)
        methods.append(("stories TF-IDF + average link (tuned)", groups, setting, time.perf_counter() - start))
        start = time.perf_counter()
        groups, setting = tfidf_agglomerative(articles, gold)
        methods.append(("articles TF-IDF + average link (tuned)", groups, setting, time.perf_counter() - start))
        if not name.endswith("one day"):
            start = time.perf_counter()
            daily = daily_storylines(articles)
            batch = {a: str(i) for i, g in enumerate(lines) for a in g}
            methods.insert(1, ("storylines, daily batches in publication order", daily,
                               f"B3 F1 vs batch {bcubed(daily, batch)[2]:.3f}", time.perf_counter() - start))
            start = time.perf_counter()
            daily = daily_storylines(articles, RULES)
            batch = {a: str(i) for i, g in enumerate(rules_lines) for a in g}
            methods.insert(3, ("storylines, similarity = rules, daily batches", daily,
                               f"B3 F1 vs its batch {bcubed(daily, batch)[2]:.3f}", time.perf_counter() - start))
            start = time.perf_counter()
            daily = daily_storylines(articles, learned_options)
            batch = {a: str(i) for i, g in enumerate(learned_lines) for a in g}
            methods.insert(3, ("storylines, similarity = learned, daily batches", daily,
                               f"B3 F1 vs its batch {bcubed(daily, batch)[2]:.3f}", time.perf_counter() - start))
        if name.startswith("duc"):
            labels, once = duc_topics_of_documents()
            print(f"{name}: documents listed under two topics: " + "; ".join(sorted(
                f"{a} ({'+'.join(sorted(t))})" for a, t in labels.items() if len(t) > 1 and a in once)),
                file=sys.stderr)
            for method, groups, setting, seconds in methods:
                if method.startswith(EACH_DOCUMENT_ONCE):
                    kept = [[a for a in g if a in once] for g in groups]
                    kept = [g for g in kept if g]
                    p, r, f1 = extended_bcubed(kept, labels)
                    rows.append((f"{name}, each document once (extended B³)", method, setting, p, r, f1,
                                 float("nan"), float("nan"), float("nan"), len(kept),
                                 sum(1 for g in kept if len(g) > 1), seconds))
        for method, groups, setting, seconds in methods:
            p, r, f1 = bcubed(groups, gold)
            shown = sum(1 for g in groups if len(g) > 1)
            rows.append((name, method, setting, p, r, f1, pairwise_f1(groups, gold),
                         purity(groups, event) if name.startswith("ecb+") else float("nan"),
                         pair_separation(groups, event, topic) if name.startswith("ecb+") else float("nan"),
                         len(groups), shown, seconds))
    return rows


def print_storylines(rows: list[tuple]) -> None:
    print("\nStorylines (the level above events), each set against the gold of its granularity:\n")
    print("| set | method | setting | B³ P | B³ R | B³ F1 | F1 / best baseline | pairwise F1 | event purity | "
          "topic-pair separation | groups | s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        name, method, setting, p, r, f1, pf1, pur, sep, n, _, sec = row
        baseline = max(x[5] for x in rows if x[0] == name and not x[1].startswith(("storylines", "ceiling")))
        pur_text = "" if np.isnan(pur) else f"{pur:.3f}"
        sep_text = "" if np.isnan(sep) else f"{sep:.3f}"
        pf1_text = "" if np.isnan(pf1) else f"{pf1:.3f}"
        print(f"| {name} | {method} | {setting} | {p:.3f} | {r:.3f} | {f1:.3f} | {f1 / baseline:.3f} | {pf1_text} | "
              f"{pur_text} | {sep_text} | {n} | {sec:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minilm", action="store_true",
                        help="also MiniLM + HDBSCAN and storylines with MiniLM story and summary vectors (slow)")
    parser.add_argument("--storylines-only", action="store_true", help="only the storyline section")
    parser.add_argument("--small-store", action="store_true",
                        help="only: rules and learned storyline similarity on 7 DUC topics (the tests' and 10 random "
                             "sets), batch and daily")
    parser.add_argument("--event-mixes", action="store_true",
                        help="only: the event stories mixing two gold labels, their stated years and similarities")
    parser.add_argument("--splits", action="store_true",
                        help="only: DUC 2003's cross-validated storyline rows over several splits of its topics")
    parser.add_argument("--split-topics", action="store_true",
                        help="only: DUC 2003's topics split over storylines under the defaults, and why")
    parser.add_argument("--ecb-dated", action="store_true",
                        help="only: ECB+ dev dated where the articles state their day, events and storylines")
    parser.add_argument("--magnitudes", action="store_true",
                        help="only: the event level with and without the magnitude rule (ECB+ by topic halves, DUC, "
                             "MultiLing)")
    parser.add_argument("--figure-conflicts", action="store_true",
                        help="only: how often ECB+ article pairs of one event / of sibling events disagree on figures")
    args = parser.parse_args()
    sources: tuple[VectorSource, ...] = (("static", "articles"),)
    if args.minilm:
        sources += (("minilm", "articles"), ("minilm", "summaries"))
    if args.figure_conflicts:
        print("| ECB+ article pairs of one topic | figure | pairs stating it on both sides | sharing none | share |")
        print("|---|---|---|---|---|")
        for kind, unit, pairs, conflicting in figure_conflicts():
            print(f"| {kind} | {unit} | {pairs} | {conflicting} | {conflicting / max(pairs, 1):.2f} |")
        return
    if args.event_mixes:
        print_event_mixes(event_mix_rows())
        return
    if args.magnitudes:
        print_magnitudes(magnitude_rows())
        return
    if args.split_topics:
        print_split_topics(split_topic_rows())
        return
    if args.splits:
        print_more_splits(more_split_rows())
        print_splits(split_rows())
        return
    if args.ecb_dated:
        print_ecb_stated(ecb_stated_rows())
        return
    if args.storylines_only:
        print_storylines(storyline_rows(sources))
        print_state(storyline_state_rows())
        print_small_store(small_store_rows())
        print_small_store_subsets(small_store_subset_rows())
        print_more_splits(more_split_rows())
        print_splits(split_rows())
        print_split_topics(split_topic_rows())
        print_event_mixes(event_mix_rows())
        print_ecb_stated(ecb_stated_rows())
        return
    if args.small_store:
        print_small_store(small_store_rows())
        print_small_store_subsets(small_store_subset_rows())
        return
    rows = []
    for name in ("ecb+ dev", "duc 2003", "multiling 2011"):
        articles, gold, topic = load(name)
        methods = [
            ("storyline (defaults)", lambda a=articles: (cluster_articles(a), f"distance {DEFAULT.threshold}")),
            ("storyline, incremental, shuffled, 4 runs", lambda a=articles: (incremental_shuffled(a), "defaults")),
            ("TF-IDF + average link (tuned)", lambda a=articles, g=gold: tfidf_agglomerative(a, g)),
            ("static emb. + HDBSCAN (tuned)", lambda a=articles, g=gold: embedding_hdbscan(a, g, "static")),
        ]
        if name == "ecb+ dev":
            methods.insert(1, ("storyline (threshold cross-validated on topics)",
                               lambda a=articles, g=gold, t=topic: cross_validated(a, g, t)))
        if args.minilm:
            methods.append(("MiniLM + HDBSCAN (tuned)", lambda a=articles, g=gold: embedding_hdbscan(a, g, "minilm")))
        for method, run in methods:
            start = time.perf_counter()
            groups, setting = run()
            seconds = time.perf_counter() - start
            p, r, f1 = bcubed(groups, gold)
            rows.append((name, method, setting, p, r, f1, pairwise_f1(groups, gold),
                         purity(groups, topic) if name == "ecb+ dev" else float("nan"), len(groups), seconds))
    print("| set | method | setting | B³ P | B³ R | B³ F1 | F1 / best baseline | pairwise F1 | topic purity | "
          "stories | s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        baseline = max(r[5] for r in rows if r[0] == row[0] and not r[1].startswith("storyline"))
        name, method, setting, p, r, f1, pf1, pur, n, sec = row
        pur_text = "" if np.isnan(pur) else f"{pur:.3f}"
        print(f"| {name} | {method} | {setting} | {p:.3f} | {r:.3f} | {f1:.3f} | {f1 / baseline:.3f} | {pf1:.3f} | "
              f"{pur_text} | {n} | {sec:.1f} |")
    print_storylines(storyline_rows(sources))
    print_state(storyline_state_rows())
    print_small_store(small_store_rows())
    print_small_store_subsets(small_store_subset_rows())
    print_splits(split_rows())
    print_event_mixes(event_mix_rows())
    print_ecb_stated(ecb_stated_rows())


if __name__ == "__main__":
    main()
