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


KILL_DURING_DIGEST = """
import os, sys
from storyline.cluster import state_store
from storyline.store.repository import Store
if sys.argv[1] == "after-grouping":  # the clustering state is computed, the stories not yet saved
    saved = state_store.save_state
    def save_then_die(blobs, state):
        saved(blobs, state)
        os._exit(9)
    state_store.save_state = save_then_die
else:  # between the writes of two clustering-state blobs
    written, wrote = [], Store._write_blob
    def write_then_die(s, key, data):
        written.append(key)
        if len(written) == 2:
            os._exit(9)
        return wrote(s, key, data)
    Store._write_blob = staticmethod(write_then_die)
from storyline.cli import main
main(sys.argv[2:])
"""


def test_a_kill_between_grouping_and_saving_leaves_no_clustering_state(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Found by bench/crash.py at 10,000 articles: `digest --db` wrote its clustering state (three blobs, each in
    its own transaction) while grouping; a kill -9 between two of them, or before the stories were saved, left a
    state that the store's stories did not match, and the next run failed "clustering state has no ANN index"."""
    from storyline.store import Store

    from realtexts import write_articles

    inputs = [str(p) for p in write_articles(tmp_path / "in", 40, seed=3)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "STORYLINE_COMPARE_ENABLED": "false",
           "STORYLINE_SUMMARY_VERIFIER": "static"}

    def digest(db: str, kill: str | None = None) -> subprocess.CompletedProcess[str]:
        args = ["digest", *inputs, "--db", db]
        command = [sys.executable, "-c", KILL_DURING_DIGEST, kill, *args] if kill else \
            [sys.executable, "-m", "storyline.cli", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)

    def content(db: str) -> tuple[dict[str, int], list[tuple[str, int]], bytes | None]:
        with Store.open(db) as store:
            stories = sorted((s.id, len(s.article_ids)) for s in store.load_digest().stories)
            return store.counts(), stories, store.get_blob("cluster:meta")

    reference, crashed = str(tmp_path / "reference.db"), str(tmp_path / "crashed.db")
    assert digest(reference).returncode == 0
    for kill in ("after-grouping", "between-blobs"):
        died = digest(crashed, kill)
        assert died.returncode == 9, died.stderr[-2000:]
        counts, stories, state = content(crashed)
        assert counts["articles"] == 0 and stories == [] and state is None, kill
    recovered = digest(crashed)
    assert recovered.returncode == 0, recovered.stderr[-2000:]
    assert content(crashed) == content(reference)
    assert "0 new articles, 0 new and 0 changed stories" in digest(crashed).stderr
