"""Clustering quality on labeled news: storyline vs baselines, side by side, on the same inputs in one run.

    python bench/clustering.py            # ECB+ dev (events), DUC 2003 and MultiLing 2011 clusters
    python bench/clustering.py --minilm   # also the MiniLM + HDBSCAN baseline (slow: ~1 min per 500 articles)
    python bench/clustering.py --storylines-only   # only the storyline section (the level above events)

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
batches (incremental events, then incremental storylines), scored against the gold and against the batch run.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data"

from sklearn.cluster import HDBSCAN, AgglomerativeClustering  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from storyline.cluster import cluster_articles, story_id  # noqa: E402
from storyline.cluster.incremental import ClusterState, assign  # noqa: E402
from storyline.cluster.storylines import (  # noqa: E402
    StorylineState,
    group_stories,
    story_profile,
    update_storylines,
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


def groups_of(ids: list[str], labels: np.ndarray) -> list[list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for aid, label in zip(ids, labels, strict=True):
        out[int(label) if label >= 0 else -1 - len(out) - 10**6].append(aid)
    return list(out.values())


def tfidf_agglomerative(articles: list[Article], gold: dict[str, str]) -> tuple[list[list[str]], str]:
    """TF-IDF + average link, threshold tuned with hindsight on this very data."""
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english", max_df=0.5, min_df=2).fit_transform(
        [a.text for a in articles]).toarray()
    best = None
    for threshold in np.arange(0.5, 1.0, 0.02):
        labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                         distance_threshold=threshold).fit_predict(matrix)
        groups = groups_of([a.id for a in articles], labels)
        f1 = bcubed(groups, gold)[2]
        if best is None or f1 > best[0]:
            best = (f1, groups, f"distance {threshold:.2f}")
    return best[1], best[2]


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


def cross_validated(
    articles: list[Article], gold: dict[str, str], topic: dict[str, str]
) -> tuple[list[list[str]], str]:
    """storyline with its threshold chosen on half of the topics and applied to the other half (2-fold)."""
    topics = sorted(set(topic.values()))
    random.Random(0).shuffle(topics)
    folds = [set(topics[::2]), set(topics[1::2])]
    grid = np.arange(0.55, 0.96, 0.05)
    out, chosen = [], []
    for train, test in ((folds[0], folds[1]), (folds[1], folds[0])):
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


def dated(name: str, articles: list[Article]) -> list[Article]:
    """Copies of ``articles`` with the publication dates the data carries (DUC doc ids, MultiLing date lines)."""
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
    best = None
    for threshold in np.arange(0.5, 1.0, 0.02):
        labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                         distance_threshold=threshold).fit_predict(matrix)
        groups = expand(groups_of([s.id for s in stories], labels), stories)
        f1 = bcubed(groups, gold)[2]
        if best is None or f1 > best[0]:
            best = (f1, groups, f"distance {threshold:.2f}")
    return best[1], best[2]


def daily_storylines(articles: list[Article]) -> list[list[str]]:
    """Events and storylines built incrementally: the articles in publication order, one batch per day."""
    options, line_options = ClusterOptions(), StorylineOptions()
    state, lines = ClusterState.empty(options), StorylineState()
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
        update_storylines(lines, profiles, [m.story_id for m in assignment.merges], line_options)
    return [[a for sid in members for a in state.stories[sid].members] for members in lines.members.values()]


def storyline_rows() -> list[tuple]:
    rows = []
    for name in ("ecb+ dev", "ecb+ dev, all dated one day", "duc 2003", "multiling 2011"):
        raw, event, topic = load(name.split(",")[0])
        articles = dated(name, raw)
        gold = event if name.startswith("ecb+") else topic
        by_id = {a.id: a for a in articles}
        start = time.perf_counter()
        events = cluster_articles(articles)
        event_seconds = time.perf_counter() - start
        stories = stories_of(events, by_id)
        start = time.perf_counter()
        lines = expand(group_stories(stories, articles, StorylineOptions()), stories)
        line_seconds = time.perf_counter() - start
        methods: list[tuple[str, list[list[str]], str, float]] = [
            ("storylines (defaults)", lines, f"threshold {StorylineOptions().threshold}", line_seconds),
            ("storyline = event (no storyline level)", events, "events, defaults", event_seconds),
        ]
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
        for method, groups, setting, seconds in methods:
            p, r, f1 = bcubed(groups, gold)
            shown = sum(1 for g in groups if len(g) > 1)
            rows.append((name, method, setting, p, r, f1, pairwise_f1(groups, gold),
                         purity(groups, event) if name.startswith("ecb+") else float("nan"), len(groups), shown,
                         seconds))
    return rows


def print_storylines(rows: list[tuple]) -> None:
    print("\nStorylines (the level above events), each set against the gold of its granularity:\n")
    print("| set | method | setting | B³ P | B³ R | B³ F1 | F1 / best baseline | pairwise F1 | event purity | "
          "groups | s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        name, method, setting, p, r, f1, pf1, pur, n, _, sec = row
        baseline = max(x[5] for x in rows if x[0] == name and not x[1].startswith("storylines"))
        pur_text = "" if np.isnan(pur) else f"{pur:.3f}"
        print(f"| {name} | {method} | {setting} | {p:.3f} | {r:.3f} | {f1:.3f} | {f1 / baseline:.3f} | {pf1:.3f} | "
              f"{pur_text} | {n} | {sec:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minilm", action="store_true", help="also run MiniLM + HDBSCAN (slow)")
    parser.add_argument("--storylines-only", action="store_true", help="only the storyline section")
    args = parser.parse_args()
    if args.storylines_only:
        print_storylines(storyline_rows())
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
    print_storylines(storyline_rows())


if __name__ == "__main__":
    main()
