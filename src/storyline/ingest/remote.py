"""Inputs named by fsspec URLs (``file://``, ``memory://``, ``s3://``, ``zip://`` ...): listed and read through
fsspec when the filesystem package for the scheme is installed; http(s) URLs go to the fetcher instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..errors import InputError

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")


def is_remote(raw: str) -> bool:
    """True for ``scheme://...`` other than http(s) (those are fetched politely, not read through fsspec)."""
    match = _SCHEME.match(raw)
    return match is not None and match.group(1).lower() not in ("http", "https")


def _filesystem(raw: str) -> tuple[Any, str]:
    """fsspec's filesystem object and the path inside it; ``InputError`` when the scheme cannot be served."""
    try:
        import fsspec
        from fsspec.core import url_to_fs
    except ImportError as exc:
        raise InputError(raw, "fsspec is not installed", "pip install fsspec (and s3fs, gcsfs ... for clouds)") from exc
    match = _SCHEME.match(raw)
    if match is None:
        raise InputError(raw, "not a URL", "use a local path or an fsspec URL such as s3://bucket/folder")
    scheme = match.group(1).lower()
    if scheme not in fsspec.available_protocols():
        raise InputError(raw, f"unknown URL scheme {scheme!r}", "use a local path or an fsspec URL")
    try:
        return url_to_fs(raw)
    except ImportError as exc:
        raise InputError(raw, f"the filesystem package for {scheme}:// is not installed ({exc})",
                         "install it (e.g. pip install s3fs for s3://) or copy the files locally") from exc
    except (OSError, ValueError) as exc:
        raise InputError(raw, f"cannot open ({exc})") from exc


def iter_remote_files(raw: str, limit: int) -> Iterator[tuple[str, str]]:
    """``(url, relative id)`` of every file at ``raw`` (a file or a folder, recursively; hidden files skipped)."""
    fs, root = _filesystem(raw)
    protocol = raw.split("://", 1)[0]
    try:
        if fs.isdir(root):
            names = sorted(fs.find(root))
        elif fs.isfile(root):
            names = [root]
        else:
            raise InputError(raw, "no such file or folder")
    except OSError as exc:
        raise InputError(raw, f"cannot list ({exc})") from exc
    base = root.rstrip("/")
    for count, name in enumerate(names):
        relative = name[len(base):].lstrip("/") if name != root else name.rsplit("/", 1)[-1]
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        if count >= limit:
            raise InputError(raw, f"more than {limit:,} files (ingest.max_files)")
        yield f"{protocol}://{name}" if protocol != "file" else f"file://{name}", relative


def read_remote(url: str, max_bytes: int) -> bytes:
    """Up to ``max_bytes + 1`` bytes of the file at ``url``."""
    fs, path = _filesystem(url)
    try:
        with fs.open(path, "rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(url, f"cannot read ({exc})") from exc


__all__ = ["is_remote", "iter_remote_files", "read_remote"]
