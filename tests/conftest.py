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


@pytest.fixture(scope="session")
def demo_digest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return digest_to(tmp_path_factory.mktemp("demo"), DEMO)


# --- PostgreSQL tests (store and web): run against STORYLINE_TEST_POSTGRES; never skipped silently -------------
POSTGRES_ENV = "STORYLINE_TEST_POSTGRES"
POSTGRES_HOWTO = f'export {POSTGRES_ENV}="$(.ci/start-postgres.sh)"'


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a PostgreSQL URL: in CI the postgres tests stay and fail loudly; locally they are deselected."""
    if os.environ.get(POSTGRES_ENV) or _in_ci():
        return
    postgres = [item for item in items if item.get_closest_marker("postgres")]
    if postgres:
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        config.hook.pytest_deselected(items=postgres)
        config.stash[_DESELECTED] = len(postgres)


_DESELECTED = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    count = config.stash.get(_DESELECTED, 0)
    if count:
        terminalreporter.write_line(
            f"{count} PostgreSQL tests deselected: {POSTGRES_ENV} is not set; run them with {POSTGRES_HOWTO}",
            yellow=True,
        )
