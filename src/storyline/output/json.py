"""``stories.json``: the digest as plain JSON; its schema is ``storyline/schema/stories.schema.json``."""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from .. import __version__
from ..models import Article, Digest, Story

SCHEMA_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def article_to_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source_name,
        "url": article.url,
        "published": article.published.isoformat() if article.published else None,
        "language": article.language,
        "author": article.author,
        "duplicate_of": article.duplicate_of,
        "input": article.input,
        "replaced_bytes": int(article.meta.get("replaced_bytes") or 0),
        "text": article.text,
    }


def story_to_dict(story: Story) -> dict[str, Any]:
    data = _plain(story)
    data["first_published"] = story.first_published.isoformat() if story.first_published else None
    data["last_published"] = story.last_published.isoformat() if story.last_published else None
    for sentence in data["summary"]:
        sentence["single_source"] = len({c["article_id"] for c in sentence["citations"]}) <= 1
    for entity in data["entities"]:
        entity.pop("count", None) if entity.get("count") is None else None
    return data


def digest_to_dict(digest: Digest) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"storyline {__version__}",
        "stats": _plain(digest.stats),
        "stories": [story_to_dict(s) for s in digest.stories],
        "articles": [article_to_dict(a) for a in digest.articles],
        "rejected": [{"input": r.input, "reason": r.reason} for r in digest.rejected],
    }


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` as JSON atomically (see ``write_atomic``)."""
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader never sees half a file: a temporary file beside it, then a rename.

    The temporary file is created with mode 0666 less the umask, as ``open()`` would create ``path`` itself
    (``tempfile.mkstemp`` would make it 0600, unreadable to the web server or a colleague).
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_schema() -> dict[str, Any]:
    """The JSON Schema of ``stories.json``."""
    text = resources.files("storyline.schema").joinpath("stories.schema.json").read_text(encoding="utf-8")
    return json.loads(text)
