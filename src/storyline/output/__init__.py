"""Writers for a digest: ``stories.json``, ``stories.md`` and a self-contained ``index.html``."""

from __future__ import annotations

from pathlib import Path

from ..models import Digest
from .html import html_pieces, render_html
from .json import digest_to_dict, write_atomic, write_json
from .markdown import markdown_pieces, render_markdown

__all__ = ["digest_to_dict", "render_html", "render_markdown", "write_atomic", "write_json", "write_outputs"]


def write_outputs(digest: Digest, out: str | Path) -> dict[str, Path]:
    """Write the three report files into ``out`` (created if missing) and return their paths."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": folder / "stories.json",
        "markdown": folder / "stories.md",
        "html": folder / "index.html",
    }
    data = digest_to_dict(digest, lazy=True)  # each story's dict made when a writer reads it, not all at once
    write_json(data, paths["json"])
    write_atomic(paths["markdown"], markdown_pieces(data))
    write_atomic(paths["html"], html_pieces(data))
    return paths
