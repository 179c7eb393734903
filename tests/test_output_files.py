"""The three report files are written alike: atomically, with the mode ``open()`` would give them (umask)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from storyline.models import Digest, Stats
from storyline.output import write_outputs


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_report_files_share_one_umask_respecting_mode(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        paths = write_outputs(Digest(articles=[], stories=[], rejected=[], stats=Stats()), tmp_path / "out")
    finally:
        os.umask(previous)
    modes = {name: stat.S_IMODE(path.stat().st_mode) for name, path in paths.items()}
    assert modes == dict.fromkeys(("json", "markdown", "html"), 0o666 & ~umask)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["index.html", "stories.json", "stories.md"]
