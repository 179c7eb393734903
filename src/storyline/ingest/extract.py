"""Main-text extraction from an HTML page: trafilatura twice, readability-lxml when they disagree.

Two trafilatura passes run on one parsed tree: one that favours recall (the answer by default) and one that
favours precision. When their texts agree, either is right and the page costs two fast passes. When they
disagree, readability-lxml gives a third opinion and the medoid wins: the candidate that agrees most with the
other two (4-word shingle F1, the benchmark's own measure of overlap). Finally a leading line that repeats the
page title or description is dropped, because the title is kept in ``Article.title``.
See ``bench/extraction.py`` for the measured effect of each step.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lxml import html as lxml_html
from lxml.etree import ParserError

from ..config import IngestOptions

_TOKEN = re.compile(r"\w+")
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "br", "section",
           "article", "dd", "dt", "figcaption", "table", "ul", "ol")


@dataclass(slots=True)
class MainText:
    """The chosen text and how it was chosen (``method`` names the winning extractor, for counters)."""

    text: str
    method: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    url: str | None = None
    description: str | None = None
    html_language: str | None = None


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Counts of the ``n``-word shingles of ``\\w+`` tokens (a short text gives its one shorter shingle)."""
    tokens = _TOKEN.findall(text)
    if len(tokens) <= n:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(zip(*(tokens[i:] for i in range(n)), strict=False))


def agreement(a: str, b: str) -> float:
    """Shingle F1 of two texts: 1.0 for the same words in the same order, 0.0 for nothing in common."""
    if not a or not b:
        return 0.0
    sa, sb = shingles(a), shingles(b)
    common = sum((sa & sb).values())
    total = sum(sa.values()) + sum(sb.values())
    return 2 * common / total if total else 0.0


def medoid(candidates: list[tuple[str, str]]) -> tuple[str, str]:
    """The ``(method, text)`` that agrees most with all the others (the first one on ties)."""
    best, best_score = candidates[0], -1.0
    for i, (method, text) in enumerate(candidates):
        score = sum(agreement(text, other) for j, (_, other) in enumerate(candidates) if j != i)
        if score > best_score:
            best, best_score = (method, text), score
    return best


def _words(text: str | None) -> str:
    return " ".join(_TOKEN.findall((text or "").lower()))


def drop_leading_headings(text: str, *headings: str | None) -> str:
    """``text`` without leading lines that repeat one of ``headings`` (title, description) word for word."""
    known = {_words(h) for h in headings} - {""}
    lines = text.split("\n")
    while len(lines) > 1 and (not lines[0].strip() or _words(lines[0]) in known):
        lines.pop(0)
    return "\n".join(lines).strip()


def readability_text(html: str) -> str:
    """The main text readability-lxml finds, one line per block element."""
    from readability import Document
    from readability.readability import Unparseable

    try:
        summary = Document(html).summary(html_partial=True)
        tree = lxml_html.fragment_fromstring(summary, create_parent="div")
    except (Unparseable, ParserError, ValueError):
        return ""
    return _block_text(tree)


def _block_text(tree: lxml_html.HtmlElement) -> str:
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def extract_main_text(html: str, url: str | None, options: IngestOptions) -> MainText | None:
    """The main text and metadata of ``html`` (already decoded), or ``None`` when it holds no article text."""
    from trafilatura import bare_extraction
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return None
    recall: Any = bare_extraction(tree, url=url, fast=True, favor_recall=True, include_comments=False,
                             with_metadata=True, date_extraction_params=_date_params())
    if recall is None:
        meta_title = meta_description = None
        recall_text = ""
    else:
        meta_title, meta_description = recall.title, recall.description
        recall_text = recall.text or ""
    method, text = "trafilatura-recall", recall_text
    if options.html_consensus:
        precise: Any = bare_extraction(tree, url=url, fast=True, favor_precision=True, include_comments=False,
                                  include_tables=False)
        precise_text = (precise.text or "") if precise is not None else ""
        if agreement(recall_text, precise_text) < options.html_agreement:
            candidates = [("readability", readability_text(html)), ("trafilatura-recall", recall_text),
                          ("trafilatura-precision", precise_text)]
            method, text = medoid([c for c in candidates if c[1].strip()] or candidates)
    text = drop_leading_headings(text, meta_title, meta_description)
    if not text.strip():
        return None
    result = MainText(text=text, method=method)
    if recall is not None:
        result.title, result.author, result.date = recall.title, recall.author, recall.date
        result.sitename, result.url, result.description = recall.sitename, recall.url, recall.description
    result.html_language = _html_lang(tree)
    return result


def _html_lang(tree: lxml_html.HtmlElement) -> str | None:
    root = tree.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    return lang.strip() if lang else None


def _date_params() -> dict[str, object]:
    from datetime import datetime

    return {"original_date": True, "extensive_search": True, "max_date": datetime.now().strftime("%Y-%m-%d")}




def fragment_text(html: str) -> str:
    """Plain text of an HTML fragment (a feed entry's content), one line per block element."""
    try:
        tree = lxml_html.fragment_fromstring(html, create_parent="div")
    except (ParserError, ValueError):
        return " ".join(html.split())
    for element in list(tree.iter("script", "style")):
        element.drop_tree()
    return _block_text(tree)


__all__ = [
    "MainText",
    "agreement",
    "drop_leading_headings",
    "extract_main_text",
    "fragment_text",
    "medoid",
    "readability_text",
]
