"""The web app: story list, story pages with clickable citations, JSON API, Atom feeds, live updates."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
