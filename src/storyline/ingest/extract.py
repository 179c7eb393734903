"""Main-text extraction from an HTML page: a precision pass, and second opinions only when it looks doubtful.

The page is parsed once; metadata (title, author, date, site name, URL) is read once from that tree. A
precision-leaning trafilatura pass is the answer unless its text is short (few characters, or a small share of the
page's visible text): its failure mode is losing the article, not adding boilerplate. Only then does a
recall-leaning pass run; a precision text that still holds half the recall text stays, and otherwise
readability-lxml gives a third opinion and the medoid wins: the candidate that agrees most with the other two
(4-word shingle F1, the benchmark's own measure of overlap). Finally a leading line that repeats the page title or
description is dropped, because the title is kept in ``Article.title``.
See ``bench/extraction.py`` for the measured effect of each step.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lxml import html as lxml_html
from lxml.etree import ParserError

from ..config import IngestOptions

_LOG = logging.getLogger(__name__)
_TOKEN = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
_KEEP_PRECISION = 0.5
"""A doubtful precision text at least this share of the recall text's length was trimming boilerplate: it stays."""
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


@dataclass(slots=True)
class PageMetadata:
    """What the page says about itself (meta tags, JSON-LD, bylines, htmldate's date)."""

    title: str | None
    author: str | None
    date: str | None
    sitename: str | None
    url: str | None
    description: str | None


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


MAX_DEPTH = 200
"""Elements nested deeper than this are unwrapped before parsing (libxml2 stops at 256 and drops the rest)."""
_PARSER_DEPTH = 255
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^>]*>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class NestedTooDeep(ValueError):
    """Markup nested past the parser's depth limit even after unwrapping."""


def tree_depth(tree: lxml_html.HtmlElement) -> int:
    """The deepest element's number of ancestors plus one (1 for a lone root)."""
    from lxml import etree

    depth = deepest = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def flatten_deep(html: str, limit: int = MAX_DEPTH) -> str:
    """``html`` with the start and end tags of elements nested deeper than ``limit`` removed; all text kept.

    A page nested hundreds of levels deep (hostile, or a broken generator) would otherwise lose everything
    below libxml2's depth limit. Tags are matched the way a tolerant parser would: void elements open nothing,
    and an end tag closes up to its nearest open element of that name.
    """
    out: list[str] = []
    stack: list[str] = []
    unwrapped: Counter[str] = Counter()
    pos = 0
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        keep = True
        if name in _VOID or match.group(0).endswith("/>"):
            pass
        elif not closing:
            if len(stack) >= limit:
                unwrapped[name] += 1
                keep = False
            else:
                stack.append(name)
        elif unwrapped[name]:
            unwrapped[name] -= 1
            keep = False
        elif name in stack:
            while stack.pop() != name:
                pass
        if not keep:
            out.append(html[pos : match.start()])
            out.append(" ")
            pos = match.end()
    out.append(html[pos:])
    return "".join(out)


def parse_page(html: str) -> tuple[lxml_html.HtmlElement | None, str]:
    """The parsed tree of a whole page and the markup it came from (unwrapped when nested too deep).

    Raises ``NestedTooDeep`` when even the unwrapped markup passes the parser's limit.
    """
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None or tree_depth(tree) < _PARSER_DEPTH:
        return tree, html
    html = flatten_deep(html)
    tree = load_html(html)
    if tree is not None and tree_depth(tree) >= _PARSER_DEPTH:
        raise NestedTooDeep(f"HTML nested more than {_PARSER_DEPTH} elements deep even after unwrapping "
                            f"elements below depth {MAX_DEPTH}; the parser would drop the text below it")
    return tree, html


def extract_main_text(html: str, url: str | None, options: IngestOptions) -> MainText | None:
    """The main text and metadata of ``html`` (already decoded), or ``None`` when it holds no article text.

    Raises ``NestedTooDeep`` for markup nested too deep to parse whole (see ``parse_page``).
    """
    tree, html = parse_page(html)
    if tree is None:
        return None
    meta = page_metadata(tree, url)
    if options.html_consensus:
        method, text = _adaptive_text(html, tree, meta.url or url, options)
    else:
        method, text = "trafilatura-recall", _trafilatura_text(tree, meta.url or url, recall=True)
    text = drop_leading_headings(text, meta.title, meta.description)
    if not text.strip():
        return None
    return MainText(text=text, method=method, title=meta.title, author=meta.author, date=meta.date,
                    sitename=meta.sitename, url=meta.url, description=meta.description,
                    html_language=_html_lang(tree))


def _adaptive_text(html: str, tree: lxml_html.HtmlElement, url: str | None,
                   options: IngestOptions) -> tuple[str, str]:
    """``(method, text)``: the precision pass, with a recall pass and readability only when it looks doubtful.

    The precision pass is right on most pages; its failure mode is dropping the article (empty or a caption
    left). So it is the answer unless it is short: under ``ingest.html_min_chars`` characters or under
    ``ingest.html_min_share`` of the page's visible text. Then a recall pass runs; if the precision text still
    holds at least ``_KEEP_PRECISION`` of the recall text's length it was only trimming boilerplate and stays,
    otherwise readability-lxml gives a third opinion and the medoid of the three wins.
    """
    precise = _trafilatura_text(tree, url, recall=False)
    if not _looks_short(precise, tree, options):
        return "trafilatura-precision", precise
    recall = _trafilatura_text(tree, url, recall=True)
    if precise.strip() and len(precise) >= _KEEP_PRECISION * len(recall):
        return "trafilatura-precision", precise
    candidates = [("readability", readability_text(html)), ("trafilatura-recall", recall),
                  ("trafilatura-precision", precise)]
    return medoid([c for c in candidates if c[1].strip()] or candidates)


def _looks_short(text: str, tree: lxml_html.HtmlElement, options: IngestOptions) -> bool:
    """Whether an extraction is too short to trust: few characters, or a small share of the page's text."""
    if len(text) < options.html_min_chars:
        return True
    body = tree.find("body")
    visible = len(_SPACES.sub(" ", (body if body is not None else tree).text_content()))
    return len(text) < options.html_min_share * visible


def _trafilatura_text(tree: lxml_html.HtmlElement, url: str | None, *, recall: bool) -> str:
    """One fast trafilatura pass over ``tree`` (it works on its own copy): recall- or precision-leaning."""
    from trafilatura import bare_extraction

    found: Any = bare_extraction(tree, url=url, fast=True, favor_recall=recall, favor_precision=not recall,
                                 include_comments=False, include_tables=recall)
    return (found.text or "") if found is not None else ""


def page_metadata(tree: lxml_html.HtmlElement, url: str | None) -> PageMetadata:
    """Title, author, date, site name, canonical URL and description of a parsed page, each looked for once.

    The steps of trafilatura's ``extract_metadata`` that storyline keeps; categories, tags, licence and host name
    are not used and not computed (they cost about a third of the metadata time).
    """
    from htmldate import find_date
    from trafilatura.metadata import (
        META_URL,
        examine_meta,
        extract_author,
        extract_meta_json,
        extract_sitename,
        extract_title,
        extract_url,
    )

    found = examine_meta(tree)
    if found.author and " " not in found.author:  # a user name, not a person (trafilatura's rule)
        found.author = None
    try:
        found = extract_meta_json(tree, found)
    except Exception as exc:  # trafilatura's JSON-LD reader has bugs on odd data; the meta tags stand
        _LOG.warning("JSON-LD metadata ignored (%s: %s)", type(exc).__name__, exc)
    title = found.title or extract_title(tree)
    author = found.author or extract_author(tree)
    page_url = found.url or extract_url(tree, url)
    date = find_date(tree, url=page_url, original_date=True, extensive_search=True, max_date=_today())
    sitename = found.sitename or extract_sitename(tree)
    if sitename:
        sitename = sitename.lstrip("@")
        if sitename and "." not in sitename and not sitename[0].isupper():
            sitename = sitename.title()
    elif page_url and (match := META_URL.match(page_url)):
        sitename = match[1]
    return PageMetadata(title, author, date, sitename or None, page_url, found.description)


def _html_lang(tree: lxml_html.HtmlElement) -> str | None:
    root = tree.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    return lang.strip() if lang else None


def _today() -> str:
    """Today as YYYY-MM-DD: htmldate's latest acceptable publication date."""
    from datetime import date

    return date.today().isoformat()


def fragment_text(html: str) -> str:
    """Plain text of an HTML fragment (a feed entry's content), one line per block element."""
    try:
        tree = lxml_html.fragment_fromstring(html, create_parent="div")
        if tree_depth(tree) >= _PARSER_DEPTH:
            tree = lxml_html.fragment_fromstring(flatten_deep(html), create_parent="div")
    except (ParserError, ValueError):
        return " ".join(html.split())
    for element in list(tree.iter("script", "style")):
        element.drop_tree()
    return _block_text(tree)


__all__ = [
    "MAX_DEPTH",
    "MainText",
    "NestedTooDeep",
    "PageMetadata",
    "agreement",
    "drop_leading_headings",
    "extract_main_text",
    "flatten_deep",
    "fragment_text",
    "medoid",
    "page_metadata",
    "parse_page",
    "readability_text",
    "tree_depth",
]
