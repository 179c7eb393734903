"""Atom feeds of stories: all (``/feed.xml``), per source, per entity and per storyline, newest change first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..store import queries
from ..store.queries import StoryFilter

router = APIRouter(tags=["feeds"])

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50


def _stamp(value: str | None) -> str:
    when = datetime.fromisoformat(value) if value else datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.isoformat()


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def atom_feed(request: Request, title: str, self_path: str, cards: list[dict[str, Any]]) -> Response:
    """An Atom 1.0 document of story cards; every text goes through ElementTree's escaping."""
    ET.register_namespace("", ATOM)
    base = str(request.base_url).rstrip("/")
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", title)
    _sub(feed, "id", base + self_path)
    _sub(feed, "link", rel="self", href=base + self_path)
    _sub(feed, "link", rel="alternate", href=base + "/")
    _sub(feed, "updated", _stamp(max((c["updated_at"] for c in cards), default=None)))
    _sub(feed, "generator", "storyline")
    for card in cards:
        entry = _sub(feed, "entry")
        _sub(entry, "title", card["headline"] or card["id"])
        _sub(entry, "id", f"{base}/stories/{card['id']}")
        _sub(entry, "link", rel="alternate", href=f"{base}/stories/{card['id']}")
        _sub(entry, "updated", _stamp(card["updated_at"]))
        if card["first_published"]:
            _sub(entry, "published", _stamp(card["first_published"]))
        author = _sub(entry, "author")
        _sub(author, "name", ", ".join(card["sources"][:5]) or "storyline")
        _sub(entry, "summary", f"{card['lede']} ({card['size']} articles from {len(card['sources'])} sources)")
    xml = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + xml, media_type="application/atom+xml")


def _cards(request: Request, flt: StoryFilter) -> list[dict[str, Any]]:
    cards, _ = queries.list_stories(request.app.state.store, flt, FEED_SIZE, 0)
    return cards


@router.get("/feed.xml", summary="Atom feed of the latest changed stories")
def feed_all(request: Request) -> Response:
    return atom_feed(request, "storyline: latest stories", "/feed.xml", _cards(request, StoryFilter(sort="updated")))


@router.get("/sources/{name:path}/feed.xml", summary="Atom feed of the stories one source reports on")
def feed_source(request: Request, name: str) -> Response:
    cards = _cards(request, StoryFilter(source=name, sort="updated"))
    return atom_feed(request, f"storyline: stories from {name}", f"/sources/{quote(name, safe='')}/feed.xml", cards)


@router.get("/entities/{name:path}/feed.xml", summary="Atom feed of the stories naming one entity")
def feed_entity(request: Request, name: str) -> Response:
    cards = _cards(request, StoryFilter(entity=name, sort="updated"))
    return atom_feed(request, f"storyline: stories about {name}", f"/entities/{quote(name, safe='')}/feed.xml", cards)


@router.get("/storylines/{storyline_id}/feed.xml", summary="Atom feed of one storyline: follow a developing story")
def feed_storyline(request: Request, storyline_id: str) -> Response:
    line = queries.storyline_page(request.app.state.store, storyline_id)
    cards = sorted(line["stories"], key=lambda c: c["updated_at"] or "", reverse=True)
    return atom_feed(request, f"storyline: {line['headline']}", f"/storylines/{quote(storyline_id, safe='')}/feed.xml",
                     cards)
