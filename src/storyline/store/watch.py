"""Keep a store growing: read new files in watched folders and new entries of feeds, then regroup the stories.

Files are remembered by path, size and modification time (blob ``watch:seen``), so a round reads only what is new
or changed; articles already stored with the same text are not counted as new. A feed that cannot be fetched or
parsed becomes a reject with the reason, and the next round tries it again.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from ..config import Settings
from ..errors import InputError
from ..ingest import InputCounter, iter_input_files, read_file
from ..ingest.base import ReadContext
from ..ingest.detect import detect_format, get_reader
from ..models import Article, Rejected
from .repository import SaveReport, Store
from .update import GroupingError, add_and_regroup

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
    """Why the stories could not be regrouped this round (the new articles are stored and stay pending)."""


def read_opml(path: str | os.PathLike[str]) -> list[str]:
    """The feed URLs (``xmlUrl`` of every outline) of an OPML subscription list."""
    name = os.fspath(path)
    try:
        root = ET.parse(name).getroot()
    except (OSError, ET.ParseError) as exc:
        raise InputError(name, f"not a readable OPML file ({exc})", "export your subscriptions as OPML") from exc
    if root.tag.lower() != "opml":
        raise InputError(name, f"not OPML (root element <{root.tag}>)", "pass an .opml subscription list to --feeds")
    urls = [o.attrib["xmlUrl"].strip() for o in root.iter("outline") if o.attrib.get("xmlUrl", "").strip()]
    if not urls:
        raise InputError(name, "the OPML file lists no feed (no outline with an xmlUrl)")
    return list(dict.fromkeys(urls))


def _scan_folders(folders: Sequence[str], seen: dict[str, str], settings: Settings,
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
        for item in read_file(file, settings.ingest):
            if isinstance(item, Rejected):
                result.rejected.append(item)
            else:
                articles.append(item)
    result.rejected.extend(r for r in counter.rejected_inputs if r.reason != "folder holds no files")
    return articles


def _read_feeds(urls: Sequence[str], settings: Settings, result: WatchRound) -> list[Article]:
    import httpx

    articles: list[Article] = []
    headers = {"user-agent": "storyline-watch (+https://github.com/storyline)"}
    with httpx.Client(timeout=settings.watch.timeout, follow_redirects=True, headers=headers) as client:
        for url in urls:
            result.feeds += 1
            try:
                response = client.get(url)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                result.rejected.append(Rejected(url, f"cannot fetch feed: {exc}"))
                continue
            data = response.content[: settings.ingest.max_bytes + 1]
            if len(data) > settings.ingest.max_bytes:
                result.rejected.append(Rejected(url, f"feed larger than {settings.ingest.max_bytes:,} bytes"))
                continue
            ctx = ReadContext(name=url, default_id=url, options=settings.ingest, url=url)
            try:
                reader = get_reader(detect_format(data, url))
                for item in reader(data, ctx):
                    (result.rejected.append(item) if isinstance(item, Rejected) else articles.append(item))
            except InputError as exc:
                result.rejected.append(Rejected(url, exc.reason))
            except Exception as exc:  # a reader bug on one feed must not stop the watcher: count it with its reason
                result.rejected.append(Rejected(url, f"cannot read feed: {type(exc).__name__}: {exc}"))
    return articles


def watch_round(store: Store, folders: Sequence[str], feeds: Sequence[str], settings: Settings) -> WatchRound:
    """One pass over the folders and feeds: store what is new and regroup the stories if anything was."""
    result = WatchRound()
    raw = store.get_blob(SEEN_KEY)
    seen: dict[str, str] = json.loads(raw) if raw else {}
    found = _scan_folders(folders, seen, settings, result) if folders else []
    if feeds:
        found += _read_feeds(feeds, settings, result)
    unique = list({a.id: a for a in found}.values())
    stored = {a.id: a.text for a in store.articles(a.id for a in unique)}
    new = [a for a in unique if stored.get(a.id) != a.text]
    result.already_stored = len(unique) - len(new)
    result.articles = len(new)
    if new or result.rejected:
        try:
            result.saved = add_and_regroup(store, new, result.rejected, settings, kind="watch")
        except GroupingError as exc:
            result.error = str(exc)
    store.put_blob(SEEN_KEY, json.dumps(seen, sort_keys=True).encode())
    return result


def watch(store: Store, folders: Sequence[str], feeds: Sequence[str], settings: Settings, *,
          rounds: int | None = None, report: Callable[[WatchRound], None] | None = None) -> None:
    """Run ``watch_round`` every ``settings.watch.interval`` seconds (forever, or ``rounds`` times)."""
    done = 0
    while rounds is None or done < rounds:
        started = time.monotonic()
        result = watch_round(store, folders, feeds, settings)
        if report:
            report(result)
        done += 1
        if rounds is not None and done >= rounds:
            break
        time.sleep(max(0.0, settings.watch.interval - (time.monotonic() - started)))
