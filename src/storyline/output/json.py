"""``stories.json``: the digest as plain JSON; its schema is ``storyline/schema/stories.schema.json``."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, overload

from .._version import __version__
from ..models import Digest, Story
from ..serialize import article_to_dict, story_to_dict, storyline_to_dict, to_plain

SCHEMA_VERSION = 1

__all__ = ["SCHEMA_VERSION", "StoryDicts", "article_to_dict", "digest_to_dict", "json_pieces", "load_schema",
           "story_to_dict", "write_atomic", "write_json"]


class StoryDicts(Sequence[dict[str, Any]]):
    """A digest's stories as ``stories.json`` objects, each made when it is read and dropped after: the writers
    read them one at a time, so a run does not hold every story's dicts at once (at 100k articles, with the
    comparison on, ~14 KB per article beside the ``Story`` records themselves: bench/RESULTS.md, issue 15)."""

    def __init__(self, stories: Sequence[Story]) -> None:
        self.stories = stories

    def __len__(self) -> int:
        return len(self.stories)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [story_to_dict(s) for s in self.stories[index]]
        return story_to_dict(self.stories[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (story_to_dict(s) for s in self.stories)


def digest_to_dict(digest: Digest, *, lazy: bool = False) -> dict[str, Any]:
    """The digest as the ``stories.json`` object; with ``lazy`` its ``stories`` are a :class:`StoryDicts` (what
    the writers take: ``write_outputs``), else a list."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"storyline {__version__}",
        "stats": to_plain(digest.stats),
        "stories": StoryDicts(digest.stories) if lazy else [story_to_dict(s) for s in digest.stories],
        "storylines": [storyline_to_dict(line) for line in digest.storylines],
        "articles": [article_to_dict(a) for a in digest.articles],
        "rejected": [{"input": r.input, "reason": r.reason} for r in digest.rejected],
    }


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` as JSON atomically (see ``write_atomic``), encoded piece by piece (:func:`json_pieces`): the
    same text as ``json.dumps(data, ensure_ascii=False, indent=1)`` without holding it whole (at 100k articles the
    string was ~0.5-1 GB beside the digest)."""
    write_atomic(path, json_pieces(data))


def json_pieces(data: dict[str, Any]) -> Iterator[str]:
    """``json.dumps(data, ensure_ascii=False, indent=1)`` in pieces, its top-level values one after another and the
    items of a :class:`StoryDicts` value one story at a time (each encoded, then indented two levels: JSON text
    never holds a raw newline inside a string, so indenting every line is exact)."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=1)
    if not data:
        yield "{}"
        return
    for n, (key, value) in enumerate(data.items()):
        yield ("{" if n == 0 else ",") + "\n " + encoder.encode(key) + ": "
        if isinstance(value, StoryDicts):
            if not value:
                yield "[]"
                continue
            for i, item in enumerate(value):
                yield ("[" if i == 0 else ",") + "\n  " + encoder.encode(item).replace("\n", "\n  ")
            yield "\n ]"
        else:
            for piece in encoder.iterencode(value):
                yield piece.replace("\n", "\n ")
    yield "\n}"


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
