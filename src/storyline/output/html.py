"""``index.html``: one self-contained page (no external assets) with stories, cited summaries and articles.

Everything from articles is escaped by Jinja2's autoescape; citation offsets are converted to UTF-16 units
so the page's script highlights exactly the cited span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from .story_view import counted, coverage_svg, label_unnamed, story_index, timeline_axis, unique_by_outlet
from .times import time_tag


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


_HTTP_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def http_url(url: str | None) -> str | None:
    """``url`` when it is a plain http(s) URL, else ``None``: article URLs are untrusted, never link javascript:."""
    if url and _HTTP_URL.fullmatch(url):
        return url
    return None


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("storyline.output", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["time_tag"] = time_tag
    env.filters["coverage_svg"] = coverage_svg  # the same layout as the web's story page (story_view.py)
    env.filters["timeline_axis"] = timeline_axis
    env.filters["unique_by_outlet"] = unique_by_outlet
    env.filters["counted"] = counted
    return env


def render_html(data: dict[str, Any], title: str = "storyline report") -> str:
    """The whole page as one string (``html_pieces`` joined)."""
    return "".join(html_pieces(data, title))


def html_pieces(data: dict[str, Any], title: str = "storyline report") -> Iterator[str]:
    """The page in the pieces Jinja2 renders it in, so a writer need not hold it whole (it holds every article's
    text: ~0.5 GB at 100k articles). ``data["stories"]`` may be a ``StoryDicts``: the table of contents and the
    storylines read only ``story_index``, so the page makes each story's dict once, where it shows the story."""
    articles = label_unnamed(data["articles"])

    def cite(citation: dict[str, Any]) -> dict[str, Any]:
        text = articles[citation["article_id"]]["text"]
        return {
            **citation,
            "source": articles[citation["article_id"]]["source"],
            "start16": _utf16(text, citation["start"]),
            "end16": _utf16(text, citation["end"]),
        }

    return _environment().get_template("report.html.j2").generate(
        title=title, data=data, articles=articles, cite=cite, http_url=http_url, index=story_index(data["stories"]),
        source_of=lambda article_id: articles[article_id]["source"] if article_id in articles else article_id,
        duplicates=[a["id"] for a in data["articles"] if a["duplicate_of"]],
    )
