"""Shared fixtures: paths to the real data in ../shared and a runner for the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
DATA = SHARED / "data"
DEMO = ROOT / "demo" / "corpus"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def pytest_configure(config: pytest.Config) -> None:
    if not SEEDS.is_dir() or not DATA.is_dir():
        raise pytest.UsageError(f"real test data not found at {SHARED}: clone with ../shared beside the checkout")


def run_cli(*args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real ``storyline`` command in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-m", "storyline.cli", *args],
        capture_output=True,
        text=True,
        input=input,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"storyline {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def digest_to(tmp_path: Path, *inputs: str | Path, extra: tuple[str, ...] = ()) -> dict:
    out = tmp_path / "out"
    run_cli("digest", *map(str, inputs), "-o", str(out), "-q", *extra)
    return json.loads((out / "stories.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seeds_digest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return digest_to(tmp_path_factory.mktemp("seeds"), SEEDS)
