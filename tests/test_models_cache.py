"""Models built once per machine (embed.build_once) and the ``storyline models`` command, with real processes and
the real cache layout."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

from click.testing import CliRunner

from storyline.cli import main
from storyline.embed import build_once


def _build_slowly(artifact: str, count: str) -> None:
    """One process's attempt: count the build, take a while, write the artifact whole (as the real builders do)."""
    def build() -> None:
        with open(count, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        time.sleep(1.0)
        partial = Path(artifact + ".partial")
        partial.write_text("model", encoding="utf-8")
        partial.rename(artifact)

    build_once(Path(artifact), build, "a test model")


def test_processes_started_together_build_once(tmp_path: Path) -> None:
    artifact, count = tmp_path / "models" / "model.bin", tmp_path / "builds.txt"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_build_slowly, args=(str(artifact), str(count))) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert artifact.read_text(encoding="utf-8") == "model"
    assert len(count.read_text(encoding="utf-8").split()) == 1  # one build; the other two waited for it


def test_a_built_model_is_not_built_again(tmp_path: Path, caplog) -> None:
    artifact = tmp_path / "model.bin"
    calls: list[int] = []

    def build() -> None:
        calls.append(1)
        artifact.write_text("model", encoding="utf-8")

    with caplog.at_level("WARNING", logger="storyline"):
        build_once(artifact, build, "a test model")
        build_once(artifact, build, "a test model")
    assert calls == [1]
    assert "building a test model once for this machine" in caplog.text  # the first run says what it waits for
    assert caplog.text.count("building") == 1


def test_models_command_lists_what_is_built_and_where(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STORYLINE_CACHE", str(tmp_path))
    fresh = CliRunner().invoke(main, ["models"])
    assert fresh.exit_code == 0, fresh.output
    lines = fresh.output.splitlines()
    assert any(line.startswith("static sentence model") and "not built yet" in line and str(tmp_path) in line
               for line in lines)
    assert any(line.startswith("language identification arrays") and "not built yet" in line for line in lines)
    from storyline.ingest.language import unpack_model

    unpack_model()  # the cheap one, built through what the command's --build calls; then listed as built
    listed = CliRunner().invoke(main, ["models"])
    assert any(line.startswith("language identification arrays") and ": built," in line
               for line in listed.output.splitlines())
