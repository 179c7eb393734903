"""Outlet names (issue 17): shown source names per real outlet, today's rule (``Article.source_name`` as read) beside
the normalized names of ``text/outlets.py``, on the demo corpus and the seeds, in one run.

Gold outlet of a demo article: its id prefix (``hl-``) or its folder (``harbor-ledger/``), labels by id only.
A perfect result is one shown name per outlet (names == outlets) and no two outlets under one name (merged = 0).

    PYTHONPATH=src python bench/outlets.py
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from storyline.ingest import read_inputs
from storyline.models import Article
from storyline.text.outlets import name_outlets, outlet_host

ROOT = Path(__file__).resolve().parents[1]
GOLD = {"hl": "harbor", "harbor-ledger": "harbor", "ms": "morning", "morning-signal": "morning", "rd": "riverside",
        "nw": "northgate", "vc": "valley", "valley-courier": "valley"}


def gold(article: Article) -> str:
    head = article.id.split("/", 1)[0] if "/" in article.id else article.id.split("-", 1)[0]
    return GOLD.get(head, "none")


def before(article: Article) -> str:
    """Today's rule on main before issue 17: the source as read, else the URL host, else the id (file name)."""
    return article.source or outlet_host(article.url) or article.id


def score(articles: list[Article], shown: Callable[[Article], str]) -> tuple[int, int, int, int]:
    """(outlets, shown names, names shared by two outlets, articles showing their id as source)."""
    names: dict[str, set[str]] = defaultdict(set)
    owners: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        names[gold(a)].add(shown(a))
        owners[shown(a)].add(gold(a))
    ids = sum(1 for a in articles if shown(a) == a.id)
    return len(names), sum(len(n) for n in names.values()), sum(1 for o in owners.values() if len(o) > 1), ids


def main() -> None:
    print("| corpus | rule | outlets | shown names | merged | file names shown | ms |")
    print("|---|---|---|---|---|---|---|")
    for label, path in (("demo", ROOT / "demo" / "corpus"), ("seeds", ROOT.parent / "shared" / "seeds")):
        articles, _, _ = read_inputs([str(path)])
        old = score(articles, before)
        print(f"| {label} | today (as read, id fallback) | {old[0]} | {old[1]} | {old[2]} | {old[3]} | - |")
        start = time.perf_counter()
        name_outlets(articles)
        ms = (time.perf_counter() - start) * 1000
        new = score(articles, lambda a: a.source_name)
        print(f"| {label} | normalized (text/outlets.py) | {new[0]} | {new[1]} | {new[2]} | {new[3]} | {ms:.1f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
