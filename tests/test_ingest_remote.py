"""fsspec inputs: file:// and memory:// URLs are listed and read like local folders; unknown schemes say why."""

from __future__ import annotations

import gzip
from pathlib import Path

import fsspec

from storyline.ingest import read_inputs


def test_file_url_folder_reads_like_a_local_folder(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "one.txt").write_text("A bridge opened in Norden on Friday after three years of work.")
    (tmp_path / "a" / "two.txt.gz").write_bytes(gzip.compress(b"The port of Arlow closed for two days this week."))
    (tmp_path / "a" / ".hidden.txt").write_text("A hidden file that must be skipped by the reader.")
    articles, rejected, files = read_inputs([f"file://{tmp_path / 'a'}"])
    assert not rejected and files == 2
    assert sorted(a.id for a in articles) == ["b/one.txt", "two.txt"]


def test_memory_filesystem_and_bad_urls() -> None:
    fs = fsspec.filesystem("memory")
    fs.pipe("/storyline-test/news/x.html", b"<html><head><title>Flood in Kelso</title></head><body><article><p>"
            b"The river rose two metres overnight and flooded forty homes in Kelso, the fire service said on "
            b"Sunday.</p><p>Residents were moved to the school hall.</p></article></body></html>")
    try:
        articles, rejected, _ = read_inputs(["memory://storyline-test/news"])
        assert [a.id for a in articles] == ["x.html"] and articles[0].title == "Flood in Kelso"
        _, rejected, _ = read_inputs(["nosuchscheme://bucket/key", "memory://storyline-test/missing"])
        reasons = [r.reason for r in rejected]
        assert "unknown URL scheme 'nosuchscheme'" in reasons[0]
        assert "no such file or folder" in reasons[1]
    finally:
        fs.rm("/storyline-test", recursive=True)
