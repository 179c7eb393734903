"""Large inputs built at run time from the real texts in ../shared/data (never copied into the repository).

Every ECB+ dev, DUC 2003 task-2 and MultiLing 2011 English document as it is, then seeded sentence-shuffled
variants (50-100 % of a document's sentences, each variant a distinct id ``<id>~v<k>``) until the count is reached.
Used by the crash-safety tests and bench/load.py.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

from conftest import DATA


def real_documents() -> list[tuple[str, str]]:
    """``(id, text)`` of every real document: ECB+ dev, DUC 2003 task 2, MultiLing 2011 English."""
    docs = []
    with open(DATA / "ecbplus" / "dev.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            docs.append((f"ecb/{record['id']}", record["text"]))
    for name in ("duc2003_task2", "multiling2011_en"):
        with open(DATA / "mds" / f"{name}.jsonl", encoding="utf-8") as handle:
            for line in handle:
                cluster = json.loads(line)
                doc_ids = cluster.get("doc_ids") or []
                for index, text in enumerate(cluster["documents"]):
                    doc_id = doc_ids[index] if index < len(doc_ids) else f"{cluster['id']}-{index}"
                    docs.append((f"{name.split('_')[0]}/{doc_id}", text))
    return docs


def real_articles(count: int, seed: int = 10) -> Iterator[dict[str, str]]:
    """``count`` JSONL records ``{id, text}``: the real documents first, then shuffled variants of them."""
    from storyline.text.sentences import split_spans

    rng = random.Random(seed)
    docs = real_documents()
    made = 0
    for doc_id, text in docs[:count]:
        made += 1
        yield {"id": doc_id, "text": text}
    spans = [split_spans(text) for _, text in docs]
    variant = 0
    while made < count:
        variant += 1
        for (doc_id, text), sentences in zip(docs, spans, strict=True):
            if made >= count:
                return
            keep = max(1, round(len(sentences) * rng.uniform(0.5, 1.0)))
            chosen = rng.sample(sentences, keep)
            made += 1
            yield {"id": f"{doc_id}~v{variant}", "text": " ".join(text[s:e] for s, e in chosen)}


def write_articles(folder: Path, count: int, per_file: int = 500, seed: int = 10) -> list[Path]:
    """Write ``count`` real-text articles as JSONL files of ``per_file`` lines under ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    lines: list[str] = []
    for record in real_articles(count, seed):
        lines.append(json.dumps(record, ensure_ascii=False))
        if len(lines) == per_file:
            paths.append(folder / f"part-{len(paths):04d}.jsonl")
            paths[-1].write_text("\n".join(lines) + "\n", encoding="utf-8")
            lines = []
    if lines:
        paths.append(folder / f"part-{len(paths):04d}.jsonl")
        paths[-1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths
