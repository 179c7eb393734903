"""Turn what a user passes as ``--db`` (a path, ``sqlite:///…``, ``postgresql://…``, nothing) into a SQLAlchemy URL."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import StoreError

__all__ = ["default_database_path", "resolve_url"]


def default_database_path() -> Path:
    """``$XDG_DATA_HOME/storyline/storyline.db`` (``~/.local/share/storyline/storyline.db`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "storyline" / "storyline.db"


def resolve_url(url_or_path: str | os.PathLike[str] | None) -> str:
    """A SQLAlchemy URL; SQLite files get their folder created, PostgreSQL URLs get the psycopg 3 driver."""
    raw = "" if url_or_path is None else os.fspath(url_or_path).strip()
    if not raw:
        raw = str(default_database_path())
    if raw.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    if raw.startswith("postgresql+"):
        return raw
    if raw.startswith("sqlite:"):
        if raw in {"sqlite:", "sqlite://", "sqlite:///:memory:"}:
            raise StoreError(
                f"cannot use {raw!r} as the store: an in-memory database vanishes with each connection; "
                "pass a file path such as stories.db"
            )
        return raw
    if "://" in raw:
        scheme = raw.split("://", 1)[0]
        raise StoreError(
            f"cannot open store {raw!r}: unsupported database {scheme!r}; "
            "pass a SQLite file path (e.g. stories.db) or a postgresql://user@host/dbname URL"
        )
    path = Path(raw).expanduser()
    if path.is_dir():
        raise StoreError(f"cannot open store {raw!r}: it is a folder; pass a file path such as {path / 'stories.db'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot open store {raw!r}: cannot create its folder ({exc.strerror})") from exc
    return "sqlite:///" + str(path.resolve())
