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


CRASH_IN_MIGRATION = """
import os, sys
from alembic.operations import Operations
original, made = Operations.create_table, []
def create_then_die(self, *args, **kwargs):
    made.append(1)
    if len(made) == 3:
        os._exit(9)  # like kill -9 while the store is being created
    return original(self, *args, **kwargs)
Operations.create_table = create_then_die
from storyline.store import Store
Store.open(sys.argv[1])
"""


def test_a_crash_while_creating_a_sqlite_store_leaves_it_openable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Found by the kill -9 test: CREATE TABLE ran outside a transaction, so a store killed while being created
    failed every later open with "table articles already exists"."""
    from storyline.store import Store

    db = tmp_path / "new.db"
    died = subprocess.run([sys.executable, "-c", CRASH_IN_MIGRATION, str(db)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, timeout=300)
    assert died.returncode == 9, died.stderr
    with Store.open(str(db)) as store:
        assert store.counts()["articles"] == 0
