"""The article store: SQLite by default, PostgreSQL for teams, one ``Store`` interface over both.

>>> from storyline.store import Store
>>> store = Store.open("stories.db")          # doctest: +SKIP
>>> store.save_digest(digest)                 # doctest: +SKIP
>>> everything = store.load_digest()          # doctest: +SKIP

See docs/store-api.md.
"""

from __future__ import annotations

import os

from ..models import Digest
from .repository import SaveReport, Store, StoryVersion
from .url import default_database_path, resolve_url

__all__ = ["SaveReport", "Store", "StoryVersion", "default_database_path", "persist_digest", "resolve_url"]


def persist_digest(digest: Digest, url_or_path: str | os.PathLike[str] | None) -> tuple[Digest, SaveReport]:
    """Save ``digest`` into the store and return everything the store now holds (what ``digest --db`` reports)."""
    with Store.open(url_or_path) as store:
        report = store.save_digest(digest)
        return store.load_digest(), report
