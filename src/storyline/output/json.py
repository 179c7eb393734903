"""``stories.json``: the digest as plain JSON; its schema is ``storyline/schema/stories.schema.json``."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from .._version import __version__
from ..models import Digest
from ..serialize import article_to_dict, story_to_dict, storyline_to_dict, to_plain

SCHEMA_VERSION = 1

__all__ = ["SCHEMA_VERSION", "article_to_dict", "digest_to_dict", "load_schema", "story_to_dict", "write_atomic",
           "write_json"]


def digest_to_dict(digest: Digest) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"storyline {__version__}",
        "stats": to_plain(digest.stats),
        "stories": [story_to_dict(s) for s in digest.stories],
        "storylines": [storyline_to_dict(line) for line in digest.storylines],
        "articles": [article_to_dict(a) for a in digest.articles],
        "rejected": [{"input": r.input, "reason": r.reason} for r in digest.rejected],
    }


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` as JSON atomically (see ``write_atomic``), encoded piece by piece: the same text as
    ``json.dumps(data, ensure_ascii=False, indent=1)`` without holding it whole (at 100k articles the string was
    ~0.5-1 GB beside the digest)."""
    write_atomic(path, json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(data))


def write_atomic(path: Path, text: str | Iterable[str]) -> None:
    """Write ``text`` (a string, or its pieces in order) to ``path`` so a reader never sees half a file: a temporary
    file beside it, then a rename.

    The temporary file is created with mode 0666 less the umask, as ``open()`` would create ``path`` itself
    (``tempfile.mkstemp`` would make it 0600, unreadable to the web server or a colleague).
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_schema() -> dict[str, Any]:
    """The JSON Schema of ``stories.json``."""
    text = resources.files("storyline.schema").joinpath("stories.schema.json").read_text(encoding="utf-8")
    return json.loads(text)
