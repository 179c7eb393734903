"""Article-extraction benchmark: storyline's HTML ingest against trafilatura, readability-lxml, jusText and
Resiliparse on the scrapinghub article-extraction-benchmark pages in ../shared/data, plus publication-date
accuracy on the htmldate and trafilatura evaluation pages.

    python bench/extraction.py            # all pages, every system, dates too
    python bench/extraction.py --limit 30 --no-dates

The metric is the benchmark's own (its evaluate.py): 4-word shingles of \\w+ tokens, true/false positives and
negatives per page normalized by their sum, precision and recall averaged over pages, F1 of the averages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "ingest"
sys.path.insert(0, str(ROOT / "src"))

_TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


# ---- the benchmark's metric ------------------------------------------------------------------------------------
def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_matching(true: str, pred: str) -> tuple[float, float, float]:
    """Per-page (tp, fp, fn) over shingles, normalized so that long pages do not weigh more."""
    a, b = _shingles(true), _shingles(pred)
    tp = fp = fn = 0.0
    for key in set(a) | set(b):
        t, p = a.get(key, 0), b.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def benchmark_scores(gold: dict[str, str], predicted: dict[str, str]) -> dict[str, float]:
    """Precision and recall averaged over pages and the F1 of the averages (the benchmark's evaluate.py)."""
    if gold.keys() != predicted.keys():
        raise ValueError("prediction keys do not match the gold keys")
    rows = [shingle_matching(gold[k], predicted[k]) for k in gold]
    precision = statistics.mean([_precision(*r) for r in rows if r[0] + r[1] > 0])
    recall = statistics.mean([_recall(*r) for r in rows if r[0] + r[2] > 0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


# ---- data ------------------------------------------------------------------------------------------------------
def load_extraction_pages(limit: int | None = None) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """``(html, gold body, url)`` by page id, in id order, the first ``limit`` pages when given."""
    folder = DATA / "extraction"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    html = {k: gzip.decompress((folder / "html" / f"{k}.html.gz").read_bytes()).decode("utf-8", "replace") for k in ids}
    return html, {k: truth[k]["articleBody"] for k in ids}, {k: truth[k].get("url") or "" for k in ids}


# ---- systems ---------------------------------------------------------------------------------------------------
def run_storyline(html: str, url: str) -> str:
    from storyline.ingest.readers.html import extract_html

    page = extract_html(html, "bench", url=url or None)
    return page.text if page else ""


def run_storyline_fast(html: str, url: str) -> str:
    from storyline.config import IngestOptions
    from storyline.ingest.readers.html import extract_html

    page = extract_html(html, "bench", url=url or None, options=IngestOptions(html_consensus=False))
    return page.text if page else ""


def run_trafilatura(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url or None) or ""


def run_readability(html: str, url: str) -> str:
    from storyline.ingest.extract import readability_text

    return readability_text(html)


def run_justext(html: str, url: str) -> str:
    import justext

    paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist("English"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def run_resiliparse(html: str, url: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return extract_plain_text(HTMLTree.parse(html), main_content=True)


SYSTEMS: dict[str, Callable[[str, str], str]] = {
    "storyline": run_storyline,
    "storyline (html_consensus=false: one recall pass)": run_storyline_fast,
    "trafilatura (default)": run_trafilatura,
    "readability-lxml": run_readability,
    "justext": run_justext,
    "resiliparse": run_resiliparse,
}


def _warm(fn: Callable[[str, str], str]) -> None:
    fn("<html><body><article><p>" + "Warm up the imports and models. " * 20 + "</p></article></body></html>", "")


def _run_one(args: tuple[str, str, str]) -> str:
    name, html, url = args
    return SYSTEMS[name](html, url)


def _cpu(children: bool = False) -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_system(name: str, html: dict[str, str], urls: dict[str, str],
               workers: int = 1) -> tuple[dict[str, str], float, float]:
    """Predictions of one system, its wall time and its CPU time (imports and model loads excluded).

    CPU seconds are the fair speed figure on a shared machine: wall time grows with other people's load.
    """
    fn = SYSTEMS[name]
    _warm(fn)
    if workers > 1:
        with ProcessPoolExecutor(workers, initializer=_warm, initargs=(fn,)) as pool:
            list(pool.map(_warm, [fn] * workers))
            start, cpu = time.perf_counter(), _cpu(children=True)
            texts = list(pool.map(_run_one, [(name, html[k], urls[k]) for k in html], chunksize=4))
            wall = time.perf_counter() - start
        # children's CPU is only counted once they exit, so the warm-up is included: a slight overestimate
        return dict(zip(html, texts, strict=True)), wall, _cpu(children=True) - cpu
    start, cpu = time.perf_counter(), _cpu()
    out = {k: fn(html[k], urls[k]) for k in html}
    return out, time.perf_counter() - start, _cpu() - cpu


def read_folder_in_parallel(ids: set[str], workers: int) -> tuple[dict[str, str], float, float]:
    """The real ingest path over the .html.gz files: ``read_inputs_parallel`` on the process engine with
    ``scale.workers`` processes (what ``storyline digest`` does)."""
    import tempfile

    from storyline.config import IngestOptions, ScaleOptions
    from storyline.ingest import read_inputs
    from storyline.scale import open_executor
    from storyline.scale.reading import read_inputs_parallel

    with tempfile.TemporaryDirectory() as folder:
        for key in sorted(ids):
            (Path(folder) / f"{key}.html.gz").symlink_to(DATA / "extraction" / "html" / f"{key}.html.gz")
        read_inputs([str(next(iter(Path(folder).iterdir())))])  # warm imports and the language model
        start, cpu = time.perf_counter(), _cpu() + _cpu(children=True)
        with open_executor(ScaleOptions(engine="process", workers=workers, min_parallel_bytes=0),
                           progress=False) as executor:
            articles, _, _ = read_inputs_parallel([folder], IngestOptions(), executor)
        wall, cpu = time.perf_counter() - start, _cpu() + _cpu(children=True) - cpu
    out = {key: "" for key in ids}
    out.update({a.id.removesuffix(".html"): a.text for a in articles if a.id.removesuffix(".html") in ids})
    return out, wall, cpu


# ---- snippets: a second set of pages, other sites and languages ------------------------------------------------
def snippet_scores(names: list[str]) -> dict[str, tuple[float, float, float]]:
    """Per system: share of `with` snippets found, share of `without` snippets left out, pages per CPU-second.

    trafilatura's evaluation pages in ingest/metadata (200, mostly German and English): for each page a few
    snippets of article text that must be in the extraction and of boilerplate that must not.
    """
    from storyline.ingest.decode import decode_text

    folder = DATA / "metadata"
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    pages = []
    for url, item in sorted(gold.items()):
        raw = (folder / "html" / item["file"]).read_bytes()
        raw = gzip.decompress(raw) if item["file"].endswith(".gz") else raw
        pages.append((decode_text(raw, url), url, item.get("with") or [], item.get("without") or []))
    results = {}
    for name in names:
        fn = SYSTEMS[name]
        for html, url, _, _ in pages:  # untimed pass: one-time caches (dateparser compiles its patterns per
            fn(html, url)               # language on first use, 3.8 s here) are not charged to whoever runs first
        found = kept_out = wanted = unwanted = 0
        cpu = 0.0
        for html, url, with_, without in pages:
            start = _cpu()
            text = fn(html, url)
            cpu += _cpu() - start
            found += sum(1 for x in with_ if x in text)
            kept_out += sum(1 for x in without if x not in text)
            wanted, unwanted = wanted + len(with_), unwanted + len(without)
        results[name] = (found / wanted, kept_out / unwanted, len(pages) / cpu)
    return results


# ---- dates -----------------------------------------------------------------------------------------------------
def load_date_pages(limit: int | None = None) -> list[tuple[bytes, str, str]]:
    """``(html bytes, url, gold YYYY-MM-DD)`` from the htmldate and trafilatura evaluation sets."""
    rows = []
    for folder in ("dates", "metadata"):
        gold = json.loads((DATA / folder / "gold.json").read_text(encoding="utf-8"))
        for url, item in sorted(gold.items()):
            if not isinstance(item.get("date"), str) or not item["date"]:
                continue
            raw = (DATA / folder / "html" / item["file"]).read_bytes()
            raw = gzip.decompress(raw) if item["file"].endswith(".gz") else raw
            rows.append((raw, url, str(item["date"])[:10]))
    return rows[:limit] if limit else rows


def date_accuracy(rows: list[tuple[bytes, str, str]]) -> dict[str, tuple[float, float]]:
    """Exact-day accuracy and pages per CPU-second: storyline's HTML reader, htmldate extensive and fast."""
    from htmldate import find_date

    from storyline.ingest.decode import decode_text
    from storyline.ingest.readers.html import extract_html

    def ours(raw: bytes, url: str) -> str | None:
        page = extract_html(raw, url, url=url)
        return page.published.date().isoformat() if page and page.published else None

    def htmldate_ext(raw: bytes, url: str) -> str | None:
        return find_date(decode_text(raw, url), url=url, original_date=True, extensive_search=True)

    def htmldate_fast(raw: bytes, url: str) -> str | None:
        return find_date(decode_text(raw, url), url=url, original_date=True, extensive_search=False)

    results = {}
    for name, fn in (("storyline", ours), ("htmldate (extensive)", htmldate_ext), ("htmldate (fast)", htmldate_fast)):
        start = _cpu()
        hits = sum(1 for raw, url, gold in rows if (fn(raw, url) or "")[:10] == gold)
        results[name] = (hits / len(rows), len(rows) / (_cpu() - start))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (by id)")
    parser.add_argument("--workers", type=int, default=2, help="processes for storyline's parallel throughput row")
    parser.add_argument("--no-dates", action="store_true", help="skip the publication-date table")
    args = parser.parse_args(argv)

    html, gold, urls = load_extraction_pages(args.limit)
    print(f"article-extraction-benchmark: {len(html)} pages")
    rows = []
    predictions: dict[str, dict[str, str]] = {}
    for name in SYSTEMS:
        out, wall, cpu = run_system(name, html, urls)
        predictions[name] = out
        rows.append((name, benchmark_scores(gold, out), len(html) / wall, len(html) / cpu))
    if args.workers > 1:
        out, wall, cpu = read_folder_in_parallel(set(html), args.workers)
        rows.append((f"storyline read_inputs_parallel, scale.workers={args.workers}", benchmark_scores(gold, out),
                     len(html) / wall, len(html) / cpu * args.workers))
    best_peer = max(r[1]["f1"] for r in rows if not r[0].startswith("storyline"))
    base_speed = next(r[3] for r in rows if r[0] == "trafilatura (default)")
    print("\n| system | F1 | precision | recall | F1 / best peer | pages/s (wall) | pages per CPU-s "
          "| CPU speed / trafilatura |")
    print("|---|---|---|---|---|---|---|---|")
    for name, s, wall_speed, cpu_speed in rows:
        print(f"| {name} | {s['f1']:.4f} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1'] / best_peer:.3f} "
              f"| {wall_speed:.1f} | {cpu_speed:.1f} | {cpu_speed / base_speed:.2f} |")
    if args.workers > 1:
        print(f"(last row: all CPU of the run incl. process start-up; pages per CPU-s times {args.workers} "
              f"= the rate {args.workers} free cores would give)")

    from storyline.ingest.readers.html import extract_html

    methods = Counter(extract_html(html[k], "bench", url=urls[k] or None).method for k in html)
    print("\nstoryline's winning extractor per page: " + ", ".join(f"{m} {n}" for m, n in methods.most_common()))

    names = ["storyline", "storyline (html_consensus=false: one recall pass)", "trafilatura (default)",
             "readability-lxml"]
    print("\nsnippets on trafilatura's evaluation pages (ingest/metadata, 200 pages, other sites and languages)")
    print("| system | article snippets found | boilerplate snippets left out | mean | pages per CPU-s |")
    print("|---|---|---|---|---|")
    for name, (found, left_out, speed) in snippet_scores(names).items():
        print(f"| {name} | {found:.3f} | {left_out:.3f} | {(found + left_out) / 2:.3f} | {speed:.1f} |")

    if not args.no_dates:
        date_rows = load_date_pages()
        print(f"\npublication dates: {len(date_rows)} pages with a gold date (htmldate + trafilatura eval sets)")
        print("| system | exact-day accuracy | pages per CPU-s |")
        print("|---|---|---|")
        for name, (accuracy, speed) in date_accuracy(date_rows).items():
            print(f"| {name} | {accuracy:.3f} | {speed:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
