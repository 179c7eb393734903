"""Every ingest limit end to end through the real CLI: the input over the limit is rejected, the reason (naming the
setting to raise) is in stories.json and on stderr, and the rest of the run goes on."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import run_cli

BODY = "The harbour authority said the ferry would resume service on Monday after repairs to the ramp."


def digest_with(tmp_path: Path, inputs: list[Path], config: str) -> tuple[dict, str]:
    settings = tmp_path / "settings.toml"
    settings.write_text(config)
    out = tmp_path / "out"
    result = run_cli("digest", *map(str, inputs), "-o", str(out), "--config", str(settings))
    return json.loads((out / "stories.json").read_text(encoding="utf-8")), result.stderr


def reasons(data: dict) -> dict[str, str]:
    return {Path(r["input"].split(" (id ")[0]).name: r["reason"] for r in data["rejected"]}


def test_article_longer_than_max_article_chars_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "short.txt").write_text(BODY)
    (tmp_path / "long.txt").write_text(BODY * 20)
    data, stderr = digest_with(tmp_path, [tmp_path / "short.txt", tmp_path / "long.txt"],
                               "[ingest]\nmax_article_chars = 1000\n")
    assert [a["id"] for a in data["articles"]] == ["short.txt"]
    why = reasons(data)["long.txt"]
    assert "text longer than 1,000 characters" in why and "ingest.max_article_chars" in why
    assert "long.txt" in stderr and "ingest.max_article_chars" in stderr


def test_article_shorter_than_min_article_chars_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text(BODY)
    (tmp_path / "tiny.txt").write_text("Too short.")
    data, _ = digest_with(tmp_path, [tmp_path / "ok.txt", tmp_path / "tiny.txt"], "[ingest]\nmin_article_chars = 20\n")
    assert "shorter than 20 characters" in reasons(data)["tiny.txt"]


def test_files_over_max_files_are_each_rejected_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(5):
        (folder / f"{i}.txt").write_text(f"Article {i}. {BODY}")
    data, _ = digest_with(tmp_path, [folder], "[ingest]\nmax_files = 3\n")
    assert data["stats"]["articles"] == 3 and data["stats"]["inputs"] == 3
    over = reasons(data)
    assert sorted(over) == ["3.txt", "4.txt"]
    assert all("over the limit of 3 files (ingest.max_files)" in why for why in over.values())


def test_max_files_also_counts_files_named_on_the_command_line(tmp_path: Path) -> None:
    files = []
    for i in range(3):
        files.append(tmp_path / f"{i}.txt")
        files[-1].write_text(f"Article {i}. {BODY}")
    data, _ = digest_with(tmp_path, files, "[ingest]\nmax_files = 2\n")
    assert data["stats"]["articles"] == 2
    assert "ingest.max_files" in reasons(data)["2.txt"]


def test_gzip_over_the_decompression_ratio_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "ok.txt.gz").write_bytes(gzip.compress(BODY.encode()))
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * 3_000_000))  # ~1000x
    data, stderr = digest_with(tmp_path, [tmp_path / "ok.txt.gz", tmp_path / "bomb.txt.gz"],
                               "[ingest]\nmax_decompression_ratio = 200\n")
    assert [a["id"] for a in data["articles"]] == ["ok.txt"]
    why = reasons(data)["bomb.txt.gz"]
    assert "gzip expands past" in why and "ratio cap 200x" in why and "ingest.max_decompression_ratio" in why
    assert "bomb.txt.gz" in stderr


def test_file_over_max_bytes_is_rejected_before_reading_it_all(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text(BODY)
    (tmp_path / "big.txt").write_text(BODY * 100)
    (tmp_path / "big.txt.gz").write_bytes(gzip.compress((BODY * 100).encode()))
    data, _ = digest_with(tmp_path, [tmp_path / "ok.txt", tmp_path / "big.txt", tmp_path / "big.txt.gz"],
                          "[ingest]\nmax_bytes = 5000\nmax_decompression_ratio = 1000\n")
    assert [a["id"] for a in data["articles"]] == ["ok.txt"]
    why = reasons(data)
    assert "larger than 5,000 bytes" in why["big.txt"] and "ingest.max_bytes" in why["big.txt"]
    assert "expands past 5,000 bytes" in why["big.txt.gz"] and "ingest.max_bytes" in why["big.txt.gz"]


def test_limits_can_be_set_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "long.txt").write_text(BODY * 20)
    (tmp_path / "ok.txt").write_text(BODY)
    monkeypatch.setenv("STORYLINE_INGEST_MAX_ARTICLE_CHARS", "500")
    data, _ = digest_with(tmp_path, [tmp_path / "ok.txt", tmp_path / "long.txt"], "")
    assert "text longer than 500 characters" in reasons(data)["long.txt"]


@pytest.mark.parametrize("setting,value", [("max_files", "many"), ("max_bytes", "1e")])
def test_a_bad_limit_value_is_a_clear_error(tmp_path: Path, setting: str, value: str) -> None:
    (tmp_path / "ok.txt").write_text(BODY)
    (tmp_path / "settings.toml").write_text(f'[ingest]\n{setting} = "{value}"\n')
    result = run_cli("digest", str(tmp_path / "ok.txt"), "-o", str(tmp_path / "out"),
                     "--config", str(tmp_path / "settings.toml"), check=False)
    assert result.returncode == 2
    assert f"ingest.{setting} must be a number" in result.stderr and "Traceback" not in result.stderr
