"""Sample sentence pairs of ECB+ dev and MultiLing stories for the agreement labels (bench/labels/compare_agree.json).

    python bench/agree_sample.py /tmp/agree/candidates.jsonl     # pairs with their text, to read (never committed)

Stories: ECB+ dev events and MultiLing 2011 clusters cut to 2-5 articles. Pairs of sentences of different articles
are drawn per story from bands of today's alignment score (high, mid, low-mid) and from today's rare-word links, so
both sure and doubtful pairs are judged. The labels keep ids and offsets only.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared"

from storyline.compare.align import content_stems, split_units, unit_similarity  # noqa: E402
from storyline.compare.claims import link_units  # noqa: E402
from storyline.config import CompareOptions  # noqa: E402
from storyline.models import Article  # noqa: E402
from storyline.text.sentences import split_sentences  # noqa: E402

BANDS = ((0.6, 9.0, 6), (0.5, 0.6, 5), (0.4, 0.5, 5), (0.3, 0.4, 3))
"""(low, high, pairs drawn per story) over today's score; plus up to 2 rare-word links below the agree bar."""


def agree_stories() -> list[dict]:
    """The labelled stories: ``{"name", "source", "ids"}`` (14 ECB+ dev events, 5 MultiLing clusters, 2-5 articles)."""
    events: dict[str, list[str]] = {}
    for line in (SHARED / "data/ecbplus/dev.jsonl").open(encoding="utf-8"):
        doc = json.loads(line)
        events.setdefault(doc["event"], []).append(doc["id"])
    usable = [e for e in sorted(events) if len(events[e]) >= 2]
    stories = []
    for k, event in enumerate(usable[1::4][:14]):
        size = 2 + k % 4
        stories.append({"name": event, "source": "ecbplus", "ids": events[event][:size]})
    clusters = list(map(json.loads, (SHARED / "data/mds/multiling2011_en.jsonl").open(encoding="utf-8")))
    for k, cluster in enumerate(clusters[::2]):
        stories.append({"name": cluster["id"], "source": "multiling2011_en", "ids": cluster["doc_ids"][: 3 + k % 3]})
    return stories


def texts() -> dict[str, str]:
    """Every document text by id (ECB+ dev and MultiLing English)."""
    found = {}
    for line in (SHARED / "data/ecbplus/dev.jsonl").open(encoding="utf-8"):
        doc = json.loads(line)
        found[doc["id"]] = doc["text"]
    for cluster in map(json.loads, (SHARED / "data/mds/multiling2011_en.jsonl").open(encoding="utf-8")):
        found.update(zip(cluster["doc_ids"], cluster["documents"], strict=True))
    return found


def story_articles(story: dict, by_id: dict[str, str]) -> list[Article]:
    articles = []
    for doc_id in story["ids"]:
        article = Article(id=doc_id, text=by_id[doc_id])
        article.sentences = split_sentences(article.text, doc_id)
        articles.append(article)
    return articles


def main(path: str) -> None:
    rng = random.Random(17)
    by_id = texts()
    options = CompareOptions()
    rows = []
    for story in agree_stories():
        articles = story_articles(story, by_id)
        units = [u for a in articles for u in split_units(a)]
        stems = [content_stems(u.text) for u in units]
        score, cosine = unit_similarity(units, options, stems)
        alignment = link_units(units, score, cosine, options, stems)
        pairs = [(i, j) for i in range(len(units)) for j in range(i + 1, len(units))
                 if units[i].article_id != units[j].article_id]  # fmt: skip
        chosen: list[tuple[int, int]] = []
        for low, high, n in BANDS:
            band = [p for p in pairs if low <= score[p] < high]
            chosen += rng.sample(band, min(n, len(band)))
        anchors = [p for p in pairs if alignment.linked[p] and score[p] < options.agree and p not in chosen]
        chosen += rng.sample(anchors, min(2, len(anchors)))
        for i, j in chosen:
            a, b = units[i], units[j]
            rows.append({"story": story["name"], "a": a.article_id, "a_start": a.start, "a_end": a.end,
                         "b": b.article_id, "b_start": b.start, "b_end": b.end, "score": round(float(score[i, j]), 3),
                         "cosine": round(float(cosine[i, j]), 3), "a_text": a.text, "b_text": b.text})  # fmt: skip
        print(story["name"], len(articles), "articles", len(units), "units", len(chosen), "pairs", file=sys.stderr)
    rng.shuffle(rows)
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    print(f"{len(rows)} pairs written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
