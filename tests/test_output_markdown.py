"""``stories.md`` and the Markdown export: every field is literal text, whatever it holds (tests/hostile)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from storyline.output.markdown import render_markdown

HOSTILE = json.loads((Path(__file__).parent / "hostile" / "markup_fields.json").read_text(encoding="utf-8"))
ALLOWED = {"h1", "h2", "p", "ul", "li", "em", "strong", "code"}


def stories_json(value: str) -> dict:
    """A stories.json with every section filled, each text field (ids too) holding ``value``."""
    aid, other = value, value + " 2"
    cite = {"article_id": aid, "start": 0, "end": 5}
    story = {
        "id": value, "headline": value, "article_ids": [aid, other],
        "summary": [{"text": value, "citations": [cite, {**cite, "article_id": other}], "single_source": False}],
        "agreed": [{"text": value, "citations": [cite, {**cite, "article_id": other}]}],
        "unique": [{"text": value, "article_id": aid}],
        "conflicts": [{"about": value, "sides": [{"value": value, "article_id": aid},
                                                  {"value": value, "article_id": other}]}],
        "quotes": [{"speaker": value, "text": value, "direct": True, "article_id": aid, "start": 0, "end": 5}],
        "entities": [{"name": value, "aliases": [value], "type": value, "article_ids": [aid]}],
        "timeline": [{"date": value, "expression": value, "anchor": "published", "text": value, "article_id": aid,
                      "conflict": True}],
    }
    articles = [{"id": i, "title": value, "text": value, "source": value, "duplicate_of": dup}
                for i, dup in ((aid, None), (other, aid))]
    return {"stats": {"stories": 1, "articles": 2, "duplicates": 1, "rejected": 1}, "stories": [story],
            "articles": articles, "rejected": [{"input": value, "reason": value}]}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.found.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.found.append(("!--", []))

    def handle_pi(self, data: str) -> None:
        self.found.append(("?", []))


@pytest.mark.parametrize("value", HOSTILE)
def test_no_html_tag_or_markdown_syntax_survives_in_any_field(value: str) -> None:
    markdown = render_markdown(stories_json(value))
    rendered = MarkdownIt("commonmark", {"html": True}).render(markdown)
    tags = Tags()
    tags.feed(rendered)
    assert {tag for tag, _ in tags.found} <= ALLOWED, rendered
    assert not any(attrs for _, attrs in tags.found), rendered
    # Emphasis and code are only the renderer's own: one <strong> per section title, <em> per source list.
    assert rendered.count("<h2>") == 2 and rendered.count("<h1>") == 1
    # Not even a viewer that shows the file raw sees a tag: every "<" is an entity.
    assert "<" not in markdown


def test_an_id_with_backticks_stays_inside_its_code_span() -> None:
    markdown = render_markdown(stories_json("a`b``c"))
    rendered = MarkdownIt("commonmark").render(markdown)
    assert "<code>a`b``c</code>" in rendered


def test_two_unnamed_sources_are_told_apart_and_counts_read_right() -> None:
    """Two articles with no outlet (the seeds) cite as "unknown source 1" / "2" in Markdown and index.html, not
    as two identical "unknown source" labels; "1 story", "1 article" in the singular. stories.json is unchanged."""
    from storyline.output.html import render_html

    data = stories_json("x")
    for article in data["articles"]:
        article.update(source="unknown source", duplicate_of=None)
    data["stats"].update(stories=1, articles=2, duplicates=0)
    data["stories"][0]["entities"][0]["article_ids"] = ["x"]
    text = render_markdown(data)
    assert "unknown source 1 \\[0:5\\], unknown source 2 \\[0:5\\]" in text
    assert "1 story from 2 articles (0 duplicates" in text
    assert "x, 1 article\n" in text
    page = render_html(data)
    assert ">unknown source 1</button>" in page and ">unknown source 2</button>" in page
    assert "1 story · 2 articles · 0 duplicates" in page
    assert data["articles"][0]["source"] == "unknown source"  # the data itself is not relabelled

    data["articles"][1]["source"] = "Harbor Ledger"  # one unnamed article alone keeps the plain label
    assert "unknown source \\[0:5\\], Harbor Ledger \\[0:5\\]" in render_markdown(data)


def test_source_labels_number_only_unnamed_articles_in_the_given_order() -> None:
    from storyline.output.story_view import source_labels

    briefs = [{"id": "b", "source_name": "unknown source"}, {"id": "a", "source_name": "Harbor Ledger"},
              {"id": "c", "source_name": None}]
    assert source_labels(briefs, key="source_name") == {
        "b": "unknown source 1", "a": "Harbor Ledger", "c": "unknown source 2"}
    assert source_labels(briefs[:2], key="source_name") == {"b": "unknown source", "a": "Harbor Ledger"}
