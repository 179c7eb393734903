"""Small dev stories (2-3 articles): subsets of DUC 2003 and MultiLing 2011 clusters and of ECB+ dev events.

Read at run time from ../shared (never copied). The subsets are drawn with a fixed seed, so the same ids come
back every run; the hand labels in ``bench/labels/small_stories.jsonl`` refer to the ECB+ ones by article id and
character offsets into the article text as stored in ``ecbplus/dev.jsonl``.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass

from bench.mds import DATA as MDS_DATA
from bench.mds import Cluster, load
from storyline.models import Article
from storyline.text.sentences import split_sentences

ECB = MDS_DATA.parent / "ecbplus" / "dev.jsonl"
WORDS = 117
"""The small-story budget (the issue's held-out stories: editor summaries of about 117 words)."""


@dataclass
class SmallStory:
    id: str
    articles: list[Article]
    references: list[str]
    """Human summaries (of the whole cluster the subset comes from); empty for ECB+."""


def mds_small(name: str, seed: int = 20) -> list[SmallStory]:
    """Per cluster of ``name``: one random subset of 2 articles and one of 3, with the cluster's references."""
    rng = random.Random(seed)
    out = []
    for cluster in load(name):
        for size in (2, 3):
            picked = sorted(rng.sample(range(len(cluster.articles)), size))
            out.append(_subset(cluster, picked))
    return out


def _subset(cluster: Cluster, picked: list[int]) -> SmallStory:
    sid = f"{cluster.id}:{'+'.join(str(i) for i in picked)}"
    return SmallStory(sid, [cluster.articles[i] for i in picked], cluster.references)


def ecb_small(seed: int = 20) -> list[SmallStory]:
    """Per ECB+ dev event with 2+ articles: a random subset of 2 or 3 of its articles (no references)."""
    rng = random.Random(seed)
    events: dict[str, list[dict]] = defaultdict(list)
    with ECB.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            events[row["event"]].append(row)
    out = []
    for event in sorted(events, key=lambda e: (int(e.split("_")[0]), e)):
        rows = events[event]
        if len(rows) < 2:
            continue
        size = min(rng.choice([2, 3]), len(rows))
        picked = sorted(rng.sample(range(len(rows)), size))
        articles = []
        for i in picked:
            article = Article(id=rows[i]["id"], text=rows[i]["text"])
            article.sentences = split_sentences(article.text, article.id)
            articles.append(article)
        out.append(SmallStory(event, articles, []))
    return out
