"""The multi-document summarization sets in ../shared/data/mds as storyline Articles (read at run time, never copied).

DUC 2003 task 2 doc ids carry the publication day (APW19981016.0240); MultiLing 2011 documents are WikiNews
pages whose first line is the title and whose first dated line ('Saturday, January 8, 2005') is the date.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storyline.models import Article
from storyline.text.sentences import split_sentences

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mds"


@dataclass(frozen=True)
class DataSet:
    name: str
    file: str
    words: int
    """The word budget the data set's evaluations use."""


DATASETS = {
    "duc2003": DataSet("duc2003", "duc2003_task2.jsonl", 100),
    "multiling2011": DataSet("multiling2011", "multiling2011_en.jsonl", 250),
}

_DUC_DATE = re.compile(r"^[A-Z]{3}(\d{8})\.")
_WIKI_DATE = re.compile(r"^\s*(?:[A-Z][a-z]+day, )?([A-Z][a-z]+ \d{1,2}, \d{4})\s*$", re.MULTILINE)


@dataclass
class Cluster:
    id: str
    articles: list[Article]
    references: list[str]


def _article(doc_id: str, text: str) -> Article:
    title = None
    published = None
    match = _DUC_DATE.match(doc_id)
    if match:
        published = datetime.strptime(match.group(1), "%Y%m%d")
    head, sep, rest = text.partition("\n\n")
    if sep and "\n" not in head.strip() and len(head) < 200:
        title, text = head.strip(), rest
    date = _WIKI_DATE.search(text[:300])
    if published is None and date:
        try:
            published = datetime.strptime(date.group(1), "%B %d, %Y")
        except ValueError:
            published = None
    article = Article(id=doc_id, text=text, title=title, published=published)
    article.sentences = split_sentences(article.text, article.id)
    return article


def load(name: str, limit: int | None = None) -> list[Cluster]:
    """The clusters of data set ``name`` (first ``limit`` only when given), articles split into sentences."""
    dataset = DATASETS[name]
    clusters = []
    with open(DATA / dataset.file, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            articles = [_article(i, d) for i, d in zip(row["doc_ids"], row["documents"], strict=True)]
            clusters.append(Cluster(row["id"], articles, row["summaries"]))
            if limit is not None and len(clusters) >= limit:
                break
    return clusters
