"""Keep a store growing: read new files in watched folders and new entries of feeds, add them to the stories.

Files are remembered by path, size and modification time (blob ``watch:seen``), so a round reads only what is new
or changed; articles already stored with the same text are not counted as new. Feeds are read through ``ingest``:
the same polite ``Fetcher`` as ``digest --fetch`` (SSRF guard, robots.txt, per-host delay, retries, size cap,
conditional-GET cache; the ``[fetch]`` settings), the same feed readers, and teaser entries replaced by their
linked page. A feed that cannot be fetched or read becomes a reject with the reason; the next round tries again.
New articles go through the one write path (``live.add_articles``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..errors import InputError
from ..ingest import InputCounter, InputFile, iter_input_files, read_file
from ..ingest.fetch import Fetcher
from ..ingest.readers.feeds import opml_feed_urls
from ..models import Article, Rejected
from ..pipeline import Executor
from ..store import SaveReport, Store
from .live import GroupingError, add_articles

__all__ = ["WatchRound", "read_opml", "watch", "watch_round"]

SEEN_KEY = "watch:seen"


@dataclass(slots=True)
class WatchRound:
    """What one round found: files and feeds read, new articles, rejects, and what the save changed."""

    files: int = 0
    feeds: int = 0
    articles: int = 0
    already_stored: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    saved: SaveReport = field(default_factory=SaveReport)
    error: str | None = None
    """Why the stories could not be updated this round (the new articles are stored and stay pending)."""


def read_opml(path: str | os.PathLike[str]) -> list[str]:
    """The feed URLs of an OPML subscription list (``ingest.readers.feeds.opml_feed_urls``); ``InputError`` if none."""
    name = os.fspath(path)
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        raise InputError(name, f"not a readable OPML file ({exc.strerror or exc})") from exc
    return opml_feed_urls(data, name)


def _scan_folders(folders: Sequence[str], seen: dict[str, str], settings: Settings, fetcher: Fetcher | None,
                  result: WatchRound) -> list[Article]:
    counter = InputCounter()
    articles: list[Article] = []
    for file in iter_input_files(folders, settings.ingest, counter):
        try:
            stat = Path(file.path).stat()
        except OSError as exc:
            result.rejected.append(Rejected(file.path, f"cannot stat: {exc.strerror}"))
            continue
        signature = f"{stat.st_size}:{stat.st_mtime_ns}"
        if seen.get(file.path) == signature:
            continue
        seen[file.path] = signature
        result.files += 1
        for item in read_file(file, settings.ingest, fetcher):
            (result.rejected.append(item) if isinstance(item, Rejected) else articles.append(item))
    result.rejected.extend(r for r in counter.rejected_inputs if r.reason != "folder holds no files")
    return articles


def _read_feeds(urls: Sequence[str], settings: Settings, fetcher: Fetcher, result: WatchRound) -> list[Article]:
    """Every entry of every feed, read as ``digest --fetch`` reads a feed URL (teaser pages fetched)."""
    articles: list[Article] = []
    for url in urls:
        result.feeds += 1
        try:
            for item in read_file(InputFile(url, url, "url"), settings.ingest, fetcher):
                (result.rejected.append(item) if isinstance(item, Rejected) else articles.append(item))
        except Exception as exc:  # a reader bug on one feed must not stop the watcher: count it with its reason
            result.rejected.append(Rejected(url, f"cannot read feed: {type(exc).__name__}: {exc}"))
    return articles


def watch_round(store: Store, folders: Sequence[str], feeds: Sequence[str], settings: Settings, *,
                fetcher: Fetcher | None = None, executor: Executor | None = None) -> WatchRound:
    """One pass over the folders and feeds: store what is new and add it to the stories."""
    result = WatchRound()
    own = fetcher is None and (bool(feeds) or settings.fetch.enabled)
    fetcher = Fetcher(settings.fetch) if own else fetcher
    try:
        raw = store.get_blob(SEEN_KEY)
        seen: dict[str, str] = json.loads(raw) if raw else {}
        # folders fetch only with fetch.enabled; feeds always do (their entries are teasers and links)
        folder_fetcher = fetcher if settings.fetch.enabled else None
        found = _scan_folders(folders, seen, settings, folder_fetcher, result) if folders else []
        if feeds:
            assert fetcher is not None
            found += _read_feeds(feeds, settings, fetcher, result)
    finally:
        if own and fetcher is not None:
            fetcher.close()
    unique = list({a.id: a for a in found}.values())
    stored = {a.id: a.text for a in store.articles(a.id for a in unique)}
    new = [a for a in unique if stored.get(a.id) != a.text]
    result.already_stored = len(unique) - len(new)
    result.articles = len(new)
    if new or result.rejected:
        try:
            result.saved = add_articles(store, new, settings, rejected=result.rejected, kind="watch",
                                        executor=executor)
        except GroupingError as exc:
            result.error = str(exc)
            store.save_articles(new, result.rejected, kind="watch")  # kept, pending: nothing read is lost
    store.put_blob(SEEN_KEY, json.dumps(seen, sort_keys=True).encode())
    return result


def watch(store: Store, folders: Sequence[str], feeds: Sequence[str], settings: Settings, *,
          rounds: int | None = None, report: Callable[[WatchRound], None] | None = None) -> None:
    """Run ``watch_round`` every ``settings.watch.interval`` seconds (forever, or ``rounds`` times), with one
    fetcher for every round (its robots.txt answers, per-host pacing and conditional-GET cache carry over) and one
    executor (``settings.scale``: the touched stories' summaries on every core, by processes that keep their models
    and kept model outputs from round to round)."""
    from ..pipeline import model_packages
    from ..scale import open_executor

    done = 0
    fetcher = Fetcher(settings.fetch) if feeds or settings.fetch.enabled else None
    try:
        with open_executor(settings.scale, progress=settings.progress,
                           preload=model_packages(settings)) as executor:
            while rounds is None or done < rounds:
                started = time.monotonic()
                result = watch_round(store, folders, feeds, settings, fetcher=fetcher, executor=executor)
                if report:
                    report(result)
                done += 1
                if rounds is not None and done >= rounds:
                    break
                time.sleep(max(0.0, settings.watch.interval - (time.monotonic() - started)))
    finally:
        if fetcher is not None:
            fetcher.close()
