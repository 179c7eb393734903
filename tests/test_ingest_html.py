"""HTML extraction quality on the real article-extraction benchmark, metadata and languages on real pages."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from storyline.config import IngestOptions
from storyline.ingest import read_inputs
from storyline.ingest.extract import agreement, drop_leading_headings, medoid
from storyline.ingest.html import extract_html

from conftest import DATA, ROOT

sys.path.insert(0, str(ROOT / "bench"))
from extraction import benchmark_scores, load_extraction_pages, run_system

SUBSET = 30
F1_FLOOR = 0.95
"""Measured 0.9586 on the first 30 pages (0.969 on all 100, bench/RESULTS.md); a regression fails, noise does not."""


def test_extraction_f1_floor_and_not_below_trafilatura_on_a_subset() -> None:
    html, gold, urls = load_extraction_pages(SUBSET)
    ours = benchmark_scores(gold, run_system("storyline", html, urls)[0])
    trafilatura = benchmark_scores(gold, run_system("trafilatura (default)", html, urls)[0])
    assert ours["f1"] >= F1_FLOOR, ours
    assert ours["f1"] >= trafilatura["f1"], (ours, trafilatura)


def test_the_benchmark_metric_matches_its_definition() -> None:
    gold = {"a": "one two three four five", "b": "alpha beta gamma delta"}
    exact = benchmark_scores(gold, dict(gold))
    assert exact == {"f1": 1.0, "precision": 1.0, "recall": 1.0}
    half = benchmark_scores({"a": "one two three four five"}, {"a": "one two three four"})
    assert half["precision"] == 1.0 and half["recall"] == 0.5


def test_consensus_helpers() -> None:
    assert agreement("the cat sat on the mat", "the cat sat on the mat") == 1.0
    assert agreement("the cat sat on the mat", "") == 0.0
    chosen = medoid([("a", "x y z w v"), ("b", "one two three four five six"), ("c", "one two three four five")])
    assert chosen[0] in ("b", "c")
    assert drop_leading_headings("Big News\nThe body.", "Big news!") == "The body."
    assert drop_leading_headings("Only line", "Only line") == "Only line"


def test_metadata_pages_give_title_date_and_language() -> None:
    folder = DATA / "ingest" / "metadata"
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    items = sorted(gold.items())[:20]
    titles = dates = german = kept = left_out = 0
    for url, item in items:
        raw = gzip.decompress((folder / "html" / item["file"]).read_bytes())
        page = extract_html(raw, item["file"], url=url)
        assert page is not None, url
        titles += page.title == item["title"]
        dates += bool(item["date"]) and page.published is not None and page.published.date().isoformat() == item["date"]
        german += page.language == "de"
        text = " ".join(page.text.split())
        kept += sum(" ".join(s.split()) in text for s in item["with"])
        left_out += sum(" ".join(s.split()) not in text for s in item["without"])
    # measured on these 20 pages: titles 12, dates 12 of 16, German 13, with 57/60, without 58/60
    assert titles >= 11 and dates >= 11 and german >= 12
    assert kept >= 55 and left_out >= 56


def test_language_kept_for_non_english_pages() -> None:
    html, _, urls = load_extraction_pages()
    languages = {}
    for key in sorted(html)[:40]:
        page = extract_html(html[key], key, url=urls[key] or None, options=IngestOptions())
        if page is not None:
            languages[key] = page.language
    assert set(languages.values()) > {"en"}
    assert sum(1 for v in languages.values() if v == "en") > len(languages) / 2


def test_parallel_reading_gives_the_same_articles_in_the_same_order(tmp_path: Path) -> None:
    source = DATA / "ingest" / "extraction" / "html"
    for path in sorted(source.iterdir())[:8]:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    serial = read_inputs([str(tmp_path)], IngestOptions(workers=1))
    parallel = read_inputs([str(tmp_path)], IngestOptions(workers=2))
    assert [(a.id, a.text, a.language) for a in serial[0]] == [(a.id, a.text, a.language) for a in parallel[0]]
    assert serial[1] == parallel[1] and serial[2] == parallel[2] == 8
