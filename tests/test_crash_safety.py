"""kill -9 in the middle of `storyline digest --db`, on SQLite and PostgreSQL: after a re-run the store holds exactly
what an uninterrupted run stores (nothing lost, nothing duplicated), and re-ingesting the same input changes nothing.

Runs bench/crash.py on a smaller input (real texts from ../shared/data, built in a temporary folder); larger runs
are in bench/RESULTS.md. STORYLINE_CRASH_ARTICLES sets the size (default 200). The source comparison stage is
switched off here (STORYLINE_COMPARE_ENABLED=false): it only adds fields to the story bodies the store saves in the
same transaction, and it would make each of the six runs several times slower (its own tests cover it).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import POSTGRES_ENV, ROOT

ARTICLES = os.environ.get("STORYLINE_CRASH_ARTICLES", "200")


@pytest.mark.parametrize("backend", [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)])
def test_kill_9_during_digest_db_loses_and_duplicates_nothing(backend: str) -> None:
    if backend == "postgres" and not os.environ.get(POSTGRES_ENV):
        pytest.fail(f"{POSTGRES_ENV} is not set: this test needs a PostgreSQL server")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "crash.py"), "--articles", ARTICLES, "--backend", backend],
        capture_output=True, text=True, timeout=1800, env={**os.environ, "STORYLINE_COMPARE_ENABLED": "false"},
    )
    report = result.stdout + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "crash: PASS" in result.stdout, report
    assert result.stdout.count("| yes |") == 3, report  # three kills, each where it was aimed
    assert "articles lost: 0; duplicated or unexpected: 0" in result.stdout, report
    assert "re-ingest reported 0 new articles, 0 new and 0 changed stories" in result.stdout, report
