"""Exports of one story or of a search as JSON, Markdown or CSV (downloads, for people who keep their own notes)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from fastapi.responses import Response

from ..output.markdown import render_markdown
from ..serialize import article_to_dict
from ..store import Store, queries

__all__ = ["EXPORT_FORMATS", "export_search", "export_story"]

EXPORT_FORMATS = {"json": "application/json", "md": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def _download(content: str, fmt: str, name: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "export"
    return Response(content, media_type=EXPORT_FORMATS[fmt],
                    headers={"content-disposition": f'attachment; filename="{safe}.{fmt}"'})


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a CSV cell as a formula (OWASP's CSV injection list)."""


def to_csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        # a cell starting with = + - @ (or a tab or carriage return before one) is a formula to spreadsheets:
        # prefix it so it stays text
        writer.writerow([f"'{c}" if isinstance(c, str) and c[:1] in _FORMULA_START else c for c in row])
    return buffer.getvalue()


def export_story(store: Store, story_id: str, fmt: str) -> Response:
    """The story (``stories.json`` fields) with its articles; CSV has one row per citation of the summary."""
    body = store.story_body(story_id)
    articles = [article_to_dict(a) for a in store.articles(body["article_ids"])]
    by_id = {a["id"]: a for a in articles}
    if fmt == "json":
        return _download(json.dumps({"story": body, "articles": articles}, ensure_ascii=False, indent=1), fmt, story_id)
    if fmt == "md":
        stats = {"stories": 1, "articles": len(articles), "duplicates": sum(1 for a in articles if a["duplicate_of"]),
                 "rejected": 0}
        data = {"stats": stats, "stories": [body], "articles": articles, "rejected": []}
        return _download(render_markdown(data), fmt, story_id)
    rows: list[list[Any]] = [["story_id", "headline", "sentence", "text", "article_id", "source", "start", "end",
                              "cited_text"]]
    for position, sentence in enumerate(body.get("summary", [])):
        for c in sentence.get("citations", []):
            article = by_id.get(c["article_id"])
            cited = article["text"][c["start"]:c["end"]] if article else ""
            rows.append([story_id, body.get("headline", ""), position, sentence["text"], c["article_id"],
                         article["source"] if article else "", c["start"], c["end"], cited])
    return _download(to_csv(rows), fmt, story_id)


def export_search(store: Store, q: str, fmt: str, limit: int) -> Response:
    """The stories matching ``q`` (best first, at most ``limit``); CSV has one row per story."""
    found = queries.search(store, q, limit, 0)
    stories = found["stories"]
    if fmt == "json":
        return _download(json.dumps({"q": q, **found}, ensure_ascii=False, indent=1), fmt, f"search-{q}")
    if fmt == "md":
        lines = [f"# Stories matching “{q}”", "", f"{found['stories_total']} stories, "
                 f"{found['articles_total']} articles.", ""]
        for card in stories:
            lines += [f"## {card['headline']}", "",
                      f"`{card['id']}` · {card['size']} articles · {', '.join(card['sources'])}", ""]
            if card["lede"]:
                lines += [card["lede"], ""]
        text = "\n".join(lines).replace("<", "&lt;").replace(">", "&gt;")
        return _download(text, fmt, f"search-{q}")
    rows: list[list[Any]] = [["story_id", "headline", "articles", "first_published", "last_published", "sources",
                              "lede"]]
    rows += [[c["id"], c["headline"], c["size"], c["first_published"], c["last_published"], "; ".join(c["sources"]),
              c["lede"]] for c in stories]
    return _download(to_csv(rows), fmt, f"search-{q}")
