"""Inputs named by fsspec URLs (``s3://bucket/2024/``, ``gs://...``, ``file:///data/``): listed on the driver,
read by whichever worker gets the file, so no file's bytes pass through the driver."""

from __future__ import annotations

import re
from typing import Any

from ..errors import InputError

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_GLOB = re.compile(r"[*?\[]")


def is_url(path: str) -> bool:
    """True for ``scheme://...`` inputs read through fsspec; http(s) pages are not files to list (ingest fetches)."""
    return bool(_URL.match(path)) and not path.lower().startswith(("http://", "https://"))


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError as exc:
        raise InputError(url, "reading URLs needs fsspec", "pip install 'storyline[dask]'") from exc
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        hint = "install the fsspec backend it names"
        raise InputError(url, f"no fsspec filesystem for this URL ({exc})", hint) from exc


def list_url(url: str) -> list[tuple[str, str]]:
    """``(url, relative name)`` of every file under ``url`` (a file, a folder or a glob), hidden ones skipped."""
    fs, root = _filesystem(url)
    try:
        if _GLOB.search(root):
            paths = sorted(p for p in fs.glob(root) if fs.isfile(p))
            base = root[: _GLOB.search(root).start()].rsplit("/", 1)[0]  # type: ignore[union-attr]
        elif fs.isdir(root):
            paths = sorted(fs.find(root))
            base = root.rstrip("/")
        elif fs.isfile(root):
            return [(url, root.rsplit("/", 1)[-1])]
        else:
            raise InputError(url, "no such file or folder")
    except OSError as exc:
        raise InputError(url, f"cannot list: {exc}") from exc
    found = []
    for path in paths:
        relative = path[len(base) :].lstrip("/") if path.startswith(base) else path.rsplit("/", 1)[-1]
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        found.append((fs.unstrip_protocol(path), relative))
    if not found:
        raise InputError(url, "folder holds no files")
    return found


def read_url(url: str, limit: int) -> bytes:
    """At most ``limit`` bytes of the file at ``url``."""
    import fsspec

    try:
        with fsspec.open(url, "rb") as handle:
            return handle.read(limit)
    except (OSError, ValueError) as exc:
        raise InputError(url, f"cannot read: {exc}") from exc
