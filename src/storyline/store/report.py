"""What one save changed (``SaveReport``): every write of the store returns one and records it with its run."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["SaveReport"]


@dataclass(slots=True)
class SaveReport:
    """What one save changed: new and updated articles, new/changed/unchanged/emptied stories, new rejects."""

    run_id: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    stories_new: int = 0
    stories_changed: int = 0
    stories_unchanged: int = 0
    stories_emptied: int = 0
    rejects_new: int = 0
    rejects_seen_again: int = 0
    storylines_saved: int = 0
    """Storylines (of two or more stories) written because the save changed them."""

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
