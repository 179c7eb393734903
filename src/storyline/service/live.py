"""``add_articles``: new articles join the stored stories incrementally, in one transaction with the writer lock.

The cost of a batch grows with the batch and with the stories it touches (their members are loaded, re-summarized
and re-compared): the clustering state (``cluster/state_store.py``) is kept as rows, of which a batch loads those
of its date window and the latest additions, finds the candidate stories among them, fetches only those stories'
members and writes back only the rows it added or changed; only the touched stories are described again
(``pipeline.ClusterStories``). bench/live.py counts the state bytes a batch reads and writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..config import Settings
from ..errors import StoreError
from ..ingest import keep_first_of_each_id
from ..models import Article, Digest, Rejected
from ..pipeline import (
    ClusterStories,
    DescribeStories,
    Executor,
    FindDuplicates,
    GroupStorylines,
    Stage,
    run_pipeline,
)
from ..store import SaveReport, Store

__all__ = ["GroupingError", "add_articles", "group_into_store", "incremental_stages"]


class GroupingError(StoreError):
    """The articles could not be grouped into stories; they stay stored (pending) and the reason is reported."""


def incremental_stages(store: Store) -> tuple[list[Stage], ClusterStories]:
    """The pipeline of the live path, built explicitly over ``store``: cross-run near-duplicates against the stored
    articles, incremental clustering against the stored state, then the touched stories' summaries and comparison on
    the executor while this process groups them into storylines over the stored storyline state (saved in the same
    transaction as the stories). No stage splits sentences before the describe, which splits each story's members
    where it runs (no earlier stage reads them). Returns the stages and the clustering stage (which holds the run's
    merges afterwards)."""
    cluster = ClusterStories(rows=store, load_articles=store.articles)
    return [FindDuplicates(stored=store), cluster,
            GroupStorylines(rows=store, cluster=cluster, describe=DescribeStories())], cluster


def group_into_store(store: Store, articles: Sequence[Article], settings: Settings, *,
                     rejected: Sequence[Rejected] = (), inputs: int | None = None, kind: str = "api",
                     executor: Executor | None = None) -> tuple[Digest, SaveReport]:
    """``add_articles``, also returning the digest of the run (the touched stories with all their articles)."""
    # an id given twice in one batch is kept once, the later copy rejected with the reason (as ingest does)
    unique, twice = keep_first_of_each_id(articles)
    articles, rejected = unique, [*rejected, *twice]
    with store.writer(holder=kind, wait=settings.live.writer_wait):
        stages, cluster = incremental_stages(store)
        # the clustering state is written with the stories, in save_digest's transaction (crash safety)
        with store.deferred_blobs():
            try:
                result = run_pipeline(list(articles), settings, rejected=rejected,
                                      inputs=len(articles) if inputs is None else inputs,
                                      stages=stages, executor=executor, stored_outlets=store.source_names())
            except ValueError as exc:  # e.g. no article has a content word: the clustering has no vocabulary
                raise GroupingError(f"could not group {len(articles)} articles into stories: {exc}") from exc
            report = store.save_digest(result, kind=kind, merges=cluster.merges, as_stored=cluster.loaded)
    return result, report


def add_articles(store: Store, articles: Sequence[Article], settings: Settings | None = None, *,
                 rejected: Sequence[Rejected] = (), kind: str = "api",
                 executor: Executor | None = None) -> SaveReport:
    """Add ``articles`` to the stories of ``store`` and save everything in one transaction; ``rejected`` are
    recorded with their reasons. Articles already stored with the same id are updated, never duplicated.

    >>> from storyline.service import add_articles           # doctest: +SKIP
    >>> add_articles(Store.open("news.db"), articles)        # doctest: +SKIP
    """
    settings = settings or Settings()
    if not articles:
        return store.save_articles([], rejected, kind=kind) if rejected else SaveReport()
    _, report = group_into_store(store, articles, settings, rejected=rejected, kind=kind, executor=executor)
    return report
