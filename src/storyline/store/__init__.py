"""The article store: SQLite by default, PostgreSQL for teams, one ``Store`` interface over both.

>>> from storyline.store import Store
>>> store = Store.open("stories.db")          # doctest: +SKIP
>>> store.save_digest(digest)                 # doctest: +SKIP
>>> everything = store.load_digest()          # doctest: +SKIP

See docs/store-api.md.
"""

from __future__ import annotations

from .report import SaveReport
from .repository import Store, StoryVersion
from .url import default_database_path, resolve_url

__all__ = ["SaveReport", "Store", "StoryVersion", "default_database_path", "resolve_url"]

