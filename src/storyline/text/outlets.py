"""Outlet identity: one name per outlet, whatever the input called it (docs/ingest.md, "Outlet names").

An outlet reaches storyline under several spellings: ``"Harbor Ledger"`` from a JSONL record, ``harbor-ledger`` from
a folder, ``www.harborledger.com`` from a URL, ``"The Morning Signal"`` from a feed title. :func:`outlet_key` folds
them to one key (case, punctuation, a leading "The", slugs, ``www.`` and the top-level domain of a host);
:func:`name_outlets` then gives every article of a key the same display name, chosen deterministically: a name from
``sources.toml``, then a name the store already holds, then a name from the input's metadata, then a folder slug,
then a URL host; among equals the most frequent, then the first in sort order. An article with no outlet at all
shows as ``"unknown source"`` (``Article.source_name``), never as its file name, which stays its id.

The original name is kept in ``Article.meta["source_original"]`` whenever it changes, and the user's groups from
``sources.toml`` in ``Article.meta["groups"]``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from ..config import Outlet
from ..models import UNKNOWN_SOURCE, Article

__all__ = ["UNKNOWN_SOURCE", "name_outlets", "outlet_host", "outlet_key"]

_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}")
_HOST_PREFIXES = frozenset({"www", "m", "amp", "mobile"})
# trailing host labels that name a registry, not the outlet ("harborledger.co.uk" -> "harborledger")
_SUFFIXES = frozenset({"com", "org", "net", "co", "gov", "edu", "info", "news", "biz", "ac", "io"})
_WORD = re.compile(r"[^\W_]+")

# ranks of where a display name comes from: lower wins
_CONFIGURED, _STORED, _METADATA, _FOLDER, _HOSTNAME = range(5)


def outlet_host(url: str | None) -> str | None:
    """The host of ``url`` without ``www.`` (``"https://www.harborledger.com/x"`` -> ``"harborledger.com"``)."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:  # a malformed URL from the input (e.g. "http://[::1")
        return None
    if not host:
        return None
    labels = host.rstrip(".").split(".")
    while len(labels) > 2 and labels[0] in _HOST_PREFIXES:
        labels = labels[1:]
    return ".".join(labels) or None


def outlet_key(name: str) -> str:
    """The identity of an outlet name: ``"The Morning Signal"``, ``"morning-signal"`` and
    ``"www.morningsignal.com"`` all give ``"morningsignal"``; an empty key means no usable name."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    if _HOST.fullmatch(text):
        labels = text.split(".")
        while len(labels) > 1 and labels[0] in _HOST_PREFIXES:
            labels = labels[1:]
        while len(labels) > 1 and (labels[-1] in _SUFFIXES or len(labels[-1]) == 2):
            labels = labels[:-1]
        text = " ".join(labels)
    words = _WORD.findall(text)
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return "".join(words)


def _candidate(article: Article) -> tuple[str, int] | None:
    """The name the input gave the article's outlet, with the rank of where it came from."""
    given = article.meta.get("source_original", article.source)
    if isinstance(given, str) and given.strip():
        ranks = {"folder": _FOLDER, "url host": _HOSTNAME}
        return given.strip(), ranks.get(str(article.meta.get("source_from")), _METADATA)
    host = outlet_host(article.url)
    return (host, _HOSTNAME) if host else None


def name_outlets(articles: Iterable[Article], outlets: Sequence[Outlet] = (), stored: Iterable[str] = ()) -> int:
    """Give every article of one outlet the same ``source`` (in place) and return how many sources changed.

    ``outlets`` are the user's (``sources.toml``); ``stored`` the display names a store already holds, so a new
    batch joins the names readers already see. Re-running on named articles changes nothing.
    """
    articles = list(articles)
    choices: dict[str, list[tuple[int, int, str]]] = {}  # key -> (rank, -count, name)
    groups: dict[str, tuple[str, ...]] = {}
    for outlet in outlets:
        for spelling in (outlet.name, *outlet.aliases):
            key = outlet_key(spelling)
            if key and key not in groups:
                choices[key] = [(_CONFIGURED, 0, outlet.name)]
                groups[key] = outlet.groups
    for name in stored:
        key = outlet_key(name)
        if key and name != UNKNOWN_SOURCE:
            choices.setdefault(key, []).append((_STORED, 0, name))
    given: dict[str, tuple[str, int] | None] = {a.id: _candidate(a) for a in articles}
    counts: Counter[tuple[str, int, str]] = Counter()
    for found in given.values():
        if found and outlet_key(found[0]):
            counts[(outlet_key(found[0]), found[1], found[0])] += 1
    for (key, rank, name), count in counts.items():
        choices.setdefault(key, []).append((rank, -count, name))
    display = {key: min(options)[2] for key, options in choices.items()}
    changed = 0
    for article in articles:
        found = given[article.id]
        key = outlet_key(found[0]) if found else ""
        if not key:
            continue
        name = display[key]
        if key in groups:
            article.meta["groups"] = list(groups[key])
        else:
            article.meta.pop("groups", None)
        if article.source != name:
            if article.source is not None and "source_original" not in article.meta:
                article.meta["source_original"] = article.source
            if article.source is None:
                article.meta.setdefault("source_from", "url host")
            article.source = name
            changed += 1
    return changed
