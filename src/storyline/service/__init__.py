"""The service layer: the only code that uses the pipeline and the store together.

``digest.py`` holds the batch runs: ``digest()`` and ``summarize()`` (the Python API, ``storyline.digest``) and
``digest_into_store()`` (``storyline digest --db``). Every writer goes through ``add_articles`` (``live.py``):
``digest --db``, ``watch`` (``watch.py``), the worker that drains what the web API accepted (``worker.py``) and
Python callers. It runs the incremental assignment against the clustering state kept in the store, re-describes
only the stories the batch touched, keeps story ids stable, records merges as redirects, and commits articles,
stories and clustering state in one transaction, holding the store's writer lock. ``regroup.py`` is the explicit
full rebuild (maintenance).

``import storyline`` loads ``digest.py`` only; the live path (and with it the store and SQLAlchemy) is loaded
when one of its names is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .digest import digest, digest_into_store, summarize

if TYPE_CHECKING:
    from .live import GroupingError, add_articles, incremental_stages

__all__ = ["GroupingError", "add_articles", "digest", "digest_into_store", "incremental_stages", "summarize"]

_LIVE = {"GroupingError", "add_articles", "incremental_stages"}


def __getattr__(name: str) -> Any:
    """The live path's names, imported on first use (PEP 562), so ``import storyline`` needs no database driver."""
    if name in _LIVE:
        from . import live

        return getattr(live, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
