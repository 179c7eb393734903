"""The one write path: the only code that uses the pipeline and the store together.

Every writer goes through ``add_articles`` (``live.py``): ``digest --db`` (``digest.py``), ``watch`` (``watch.py``),
the worker that drains what the web API accepted (``worker.py``) and Python callers. It runs the incremental
assignment against the clustering state kept in the store, re-describes only the stories the batch touched, keeps
story ids stable, records merges as redirects, and commits articles, stories and clustering state in one
transaction, holding the store's writer lock. ``regroup.py`` is the explicit full rebuild (maintenance).
"""

from __future__ import annotations

from .live import GroupingError, add_articles, incremental_stages

__all__ = ["GroupingError", "add_articles", "incremental_stages"]
