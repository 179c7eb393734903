"""What ``storyline digest --db`` does: read the inputs, add their articles to the store's stories (``live.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from ..config import Settings
from ..errors import NothingToReadError
from ..models import Article, Digest
from ..store import SaveReport, Store
from .live import group_into_store

__all__ = ["digest_into_store"]


def digest_into_store(store: Store, paths: Sequence[str], settings: Settings,
                      articles: Sequence[Article] = ()) -> tuple[Digest, SaveReport]:
    """Read ``paths`` (and take ``articles``), group them into the stored stories and save it all in one
    transaction. Returns the run's digest (the stories it touched) and what the save changed."""
    from ..pipeline import model_packages
    from ..scale import open_executor
    from ..scale.reading import read_inputs_parallel

    given = list(articles)
    with open_executor(settings.scale, progress=settings.progress, preload=model_packages(settings)) as executor:
        read, rejected, files = read_inputs_parallel(paths, settings.ingest, executor, settings.fetch)
        given += read
        if paths and not given:
            raise NothingToReadError(
                "no article could be read from " + ", ".join(paths) + ": " + "; ".join(str(r) for r in rejected[:5])
            )
        return group_into_store(store, given, settings, rejected=rejected, inputs=len(articles) + files,
                                kind="digest", executor=executor)
