"""Crash safety of `storyline digest --db` and of `storyline worker`: kill -9 mid-run, re-run, compare with a clean run.

    python bench/crash.py                      # 10,000 articles; SQLite, and PostgreSQL with STORYLINE_TEST_POSTGRES
    python bench/crash.py --articles 300 --backend sqlite      # what tests/test_crash_safety.py runs
    python bench/crash.py --command worker --articles 1000 --backend sqlite   # the worker that drains API jobs

The input (JSONL files of 500 real articles: ECB+, DUC 2003, MultiLing 2011 texts from ../shared/data and seeded
sentence-shuffled variants) is built at run time in a temporary folder. For each backend, on the same input:

1. reference: one uninterrupted `storyline digest INPUT --db REF` run;
2. crashes into a second store: the same command killed with SIGKILL (a) while it reads and groups the articles,
   before it opens the store, then (b) and (c) twice in a row inside the store's write transaction (detected from
   outside: SQLite's write lock is held / PostgreSQL holds a row lock on ``articles``);
3. recovery: the same command again, to completion;
4. re-ingest: the same command once more.

With ``--command worker`` the command is ``storyline worker --db STORE --once`` and each store first receives the
same write jobs, as ``POST /api/articles`` makes them (the input read and validated by ``ingest``, submitted with
``Store.jobs.submit`` in jobs of 500 articles; the worker groups them in batches, ``live.batch_size`` or all that
wait up to ``live.max_batch_size``, one transaction per batch, computed before it opens). The kills are (a) while
the worker groups a batch after at least one batch was committed, and (b), (c) inside a batch's write transaction;
the recovery is the next worker, which must take up the job the killed one left running. It also checks that every
job ends done with all its articles grouped.

It checks that after the recovery the store holds exactly the reference's articles (none lost, none duplicated),
stories, story versions, citations, entities and rejects, and that the re-ingest changes none of it (and reports
0 new articles and 0 new or changed stories). Prints a table; exit status 1 on any difference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from realtexts import write_articles  # noqa: E402

TABLES = {
    "articles": "SELECT id, text, title, source, url, published_iso, language, author, input, duplicate_of, story_id "
                "FROM articles",
    "stories": "SELECT id, headline, size, version, body_hash FROM stories",
    "story_versions": "SELECT story_id, version, body FROM story_versions",
    "citations": "SELECT story_id, position, article_id, start, \"end\" FROM citations",
    "story_entities": "SELECT story_id, name, type, count FROM story_entities",
    "rejects": "SELECT input, reason FROM rejects",
    "search_docs": "SELECT kind, ref_id FROM search_docs",
}


@dataclass
class Kill:
    """One kill -9: where it was aimed, whether it landed there, and how long the process had run."""

    aim: str
    landed: bool
    after: float
    committed_runs: int


COMMAND = "digest"
"""Which command is killed: ``digest`` (``storyline digest INPUT --db``) or ``worker`` (``storyline worker --once``)."""
JOB_SIZE = 500


def command(inputs: list[Path], db: str) -> list[str]:
    if COMMAND == "worker":
        return [sys.executable, "-m", "storyline.cli", "worker", "--db", db, "--once", "-q"]
    return [sys.executable, "-m", "storyline.cli", "digest", *map(str, inputs), "--db", db, "-q"]


def submit_jobs(inputs: list[Path], db: str) -> int:
    """Store the input as write jobs (what ``POST /api/articles`` does), in jobs of ``JOB_SIZE``; how many jobs."""
    from storyline.config import IngestOptions
    from storyline.ingest import read_inputs
    from storyline.store import Store

    articles, rejected, _ = read_inputs([str(p) for p in inputs], IngestOptions())
    with Store.open(db) as store:
        for start in range(0, len(articles), JOB_SIZE):
            store.jobs.submit(articles[start : start + JOB_SIZE], rejected if start == 0 else [], kind="api")
    return (len(articles) + JOB_SIZE - 1) // JOB_SIZE


def job_states(db: str) -> list[tuple[str, int, int]]:
    """``(state, articles, grouped)`` of every job, oldest first."""
    with _closing(_connect(db)) as conn:
        return [tuple(r) for r in conn.execute("SELECT state, articles, grouped FROM jobs ORDER BY id").fetchall()]


def grouping_after_a_batch(db: str) -> Callable[[float], bool]:
    """True once a batch was committed (some article has a story) while no write transaction is open."""
    inside = writing(db)

    def when(_: float) -> bool:
        try:
            with _closing(_connect(db)) as conn:
                grouped = conn.execute("SELECT count(*) FROM articles WHERE story_id IS NOT NULL").fetchone()[0]
        except (sqlite3.Error, _pg_error()):
            return False
        return bool(grouped) and not inside(0.0)

    return when


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def run_to_end(inputs: list[Path], db: str) -> float:
    """Run the command to its end; its stderr goes to a file, so a leftover worker holding it cannot hang us."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as stderr:
        done = subprocess.run(command(inputs, db), env=environment(), stdout=subprocess.DEVNULL, stderr=stderr)
        stderr.seek(0)
        text = stderr.read()
    if done.returncode != 0:
        lines = [line for line in text.splitlines() if "resource_tracker" not in line and "warnings.warn" not in line]
        raise SystemExit(f"crash: `storyline {COMMAND}` failed ({done.returncode}):\n" + "\n".join(lines)[-4000:])
    return time.monotonic() - started


def run_and_kill(inputs: list[Path], db: str, aim: str, when: Callable[[float], bool], limit: float) -> Kill:
    """Start the command, kill -9 it as soon as ``when(elapsed)`` is true; ``aim`` names the moment."""
    # Its own process group: the kill takes its worker processes too, as a crash of the machine would (killed
    # alone, the command left its process pool's workers running).
    process = subprocess.Popen(command(inputs, db), env=environment(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    started = time.monotonic()
    try:
        while process.poll() is None:
            elapsed = time.monotonic() - started
            if when(elapsed):
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return Kill(aim, True, elapsed, committed_runs(db))
            if elapsed > limit:
                break
            time.sleep(0.005)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return Kill(aim, False, time.monotonic() - started, committed_runs(db))


# --- what the store holds, read straight from the database -------------------------------------------------------


def _connect(db: str):  # type: ignore[no-untyped-def]
    if db.startswith("postgresql"):
        import psycopg

        return psycopg.connect(db, autocommit=True)
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)


def committed_runs(db: str) -> int:
    """Rows in ``runs`` (one per committed save); 0 when the store does not exist yet."""
    if not db.startswith("postgresql") and not Path(db).exists():
        return 0
    try:
        with _closing(_connect(db)) as conn:
            return int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])
    except (sqlite3.Error, _pg_error()):
        return 0  # the tables do not exist yet: the store was never migrated


def snapshot(db: str) -> dict[str, list[str]]:
    """Every table's rows (content columns only: no timestamps or run ids), each row hashed, sorted."""
    tables: dict[str, list[str]] = {}
    with _closing(_connect(db)) as conn:
        for table, query in TABLES.items():
            rows = conn.execute(query).fetchall()
            tables[table] = sorted(hashlib.blake2b(json.dumps(_plain(row), default=str, sort_keys=True).encode(),
                                                   digest_size=12).hexdigest() for row in rows)
        tables["_ids"] = sorted(r[0] for r in conn.execute("SELECT id FROM articles").fetchall())
        last = conn.execute("SELECT saved FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        tables["_last_saved"] = [json.dumps(_plain(last[0]) if last else None, sort_keys=True)]
    return tables


def story_differences(ref_db: str, other_db: str, limit: int = 10) -> dict[str, str]:
    """For stories whose saved row differs between the two stores: which fields of the story body differ, and how."""
    query = "SELECT id, size, version, body_hash, body FROM stories"
    with _closing(_connect(ref_db)) as a, _closing(_connect(other_db)) as b:
        ours = {r[0]: r for r in a.execute(query).fetchall()}
        theirs = {r[0]: r for r in b.execute(query).fetchall()}
    out: dict[str, str] = {}
    for sid in sorted(set(ours) | set(theirs)):
        if sid not in ours or sid not in theirs:
            out[sid] = "only in the " + ("recovered" if sid in theirs else "reference") + " store"
        elif ours[sid][1:4] != theirs[sid][1:4]:
            x, y = (_plain(ours[sid][4]), _plain(theirs[sid][4]))
            x, y = (x if isinstance(x, dict) else {}), (y if isinstance(y, dict) else {})
            fields = [f for f in sorted(set(x) | set(y)) if x.get(f) != y.get(f)]
            out[sid] = "; ".join(f"{f}: {str(x.get(f))[:80]!r} -> {str(y.get(f))[:80]!r}" for f in fields[:3])
        if len(out) >= limit:
            break
    return out


def _plain(row: object) -> object:
    if isinstance(row, (tuple, list)):
        return [_plain(v) for v in row]
    if isinstance(row, str) and row[:1] in "{[":
        try:
            return json.loads(row)  # SQLite returns JSON columns as text, PostgreSQL as objects
        except ValueError:
            return row
    return row


class _closing:
    def __init__(self, conn) -> None:  # type: ignore[no-untyped-def]
        self.conn = conn

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def _pg_error() -> type[Exception]:
    try:
        import psycopg

        return psycopg.Error
    except ImportError:
        return sqlite3.Error


# --- "inside the write transaction", seen from outside ----------------------------------------------------------


def writing(db: str) -> Callable[[float], bool]:
    """True while the store's save transaction is open (after the migrations have committed)."""
    if db.startswith("postgresql"):
        import psycopg

        conn = psycopg.connect(db, autocommit=True)  # the (empty) crash database itself, to resolve table names

        def pg_writing(_: float) -> bool:
            row = conn.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'articles' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid() "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())").fetchone()
            return bool(row and row[0])

        return pg_writing
    path = Path(db)

    def sqlite_writing(_: float) -> bool:
        if not path.exists():
            return False
        try:
            conn = sqlite3.connect(str(path), timeout=0, isolation_level=None)
        except sqlite3.Error:
            return False
        try:
            if conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'runs'").fetchone()[0] == 0:
                return False  # not migrated yet
            conn.execute("BEGIN IMMEDIATE")  # fails at once while another connection holds the write lock
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc) or "busy" in str(exc)
        finally:
            conn.close()

    return sqlite_writing


def before_store(db: str, seconds: float) -> Callable[[float], bool]:
    """True ``seconds`` into the run, while the store has not been touched yet."""
    return lambda elapsed: elapsed >= seconds and committed_runs(db) == 0


# --- one backend ---------------------------------------------------------------------------------------------------


def diff(reference: dict[str, list[str]], other: dict[str, list[str]]) -> dict[str, int]:
    """Rows in one and not the other, per table, counting repeats (0 everywhere = identical content)."""
    out = {}
    for table in TABLES:
        a, b = Counter(reference[table]), Counter(other[table])
        out[table] = sum(((a - b) + (b - a)).values())
    return out


def check_backend(backend: str, ref_db: str, crash_db: str, inputs: list[Path], seed: int) -> tuple[list[str], bool]:
    rng = random.Random(seed)
    if COMMAND == "worker":
        for db in (ref_db, crash_db):
            submit_jobs(inputs, db)
    t_ref = run_to_end(inputs, ref_db)
    reference = snapshot(ref_db)
    if COMMAND == "worker":
        kills = [run_and_kill(inputs, crash_db, "while grouping a batch (one committed before)",
                              grouping_after_a_batch(crash_db), t_ref)]
    else:
        # 0.15 of the reference run: on the shared machine one run of the same command took 65 s against the
        # reference's 244 s, and at 0.3 the command had finished before the kill was due
        kills = [run_and_kill(inputs, crash_db, "while reading and grouping", before_store(crash_db, t_ref * 0.15),
                              t_ref)]
    for _ in range(2):
        inside = writing(crash_db)
        delay = rng.uniform(0.0, 0.05)
        seen: list[float] = []
        # the worker also writes its job bookkeeping in short transactions: aim at a batch's save, a write
        # transaction still open after HELD seconds
        held = 0.03 if COMMAND == "worker" else 0.0

        def when(elapsed: float, inside=inside, delay=delay, seen=seen, held=held) -> bool:  # type: ignore[no-untyped-def]
            if held:  # the same transaction seen open for held + delay seconds
                if not inside(elapsed):
                    seen.clear()
                    return False
                seen[:] = seen or [elapsed]
                return elapsed >= seen[0] + held + delay
            if not seen and inside(elapsed):
                seen.append(elapsed)
            return bool(seen) and elapsed >= seen[0] + delay

        aim = "inside a batch's write transaction" if COMMAND == "worker" else "inside the store's write transaction"
        kills.append(run_and_kill(inputs, crash_db, aim, when, t_ref * 3))
    t_recover = run_to_end(inputs, crash_db)
    recovered = snapshot(crash_db)
    runs_before_again = committed_runs(crash_db)
    t_again = run_to_end(inputs, crash_db)
    again = snapshot(crash_db)

    changed_fields = story_differences(ref_db, crash_db)
    lost = len(set(reference["_ids"]) - set(recovered["_ids"]))
    extra = len(recovered["_ids"]) - len(set(recovered["_ids"])) + len(set(recovered["_ids"]) - set(reference["_ids"]))
    vs_reference = diff(reference, recovered)
    vs_again = diff(recovered, again)
    saved = json.loads(again["_last_saved"][0]) or {}
    reingest_new = saved.get("articles_new", -1) + saved.get("stories_new", -1) + saved.get("stories_changed", -1)
    landed = all(k.landed for k in kills)
    jobs_left: list[tuple[str, int, int]] = []
    if COMMAND == "worker":  # every job done, all its articles grouped; nothing left for another worker
        jobs_left = [job for job in job_states(crash_db) if job[0] != "done" or job[1] != job[2]]
        reingest_new = committed_runs(crash_db) - runs_before_again  # saves the further worker committed
    ok = landed and lost == 0 and extra == 0 and not any(vs_reference.values()) and not any(vs_again.values()) \
        and reingest_new == 0 and not jobs_left

    lines = [f"command: storyline {COMMAND}; backend: {backend}; {len(reference['_ids']):,} articles, "
             f"{len(reference['stories']):,} stories in the reference store; reference run {t_ref:.1f} s, "
             f"recovery run {t_recover:.1f} s, {'further worker' if COMMAND == 'worker' else 're-ingest'} run "
             f"{t_again:.1f} s",
             "| kill -9 | landed there | after s | saves committed when killed |", "|---|---|---:|---:|"]
    lines += [f"| {k.aim} | {'yes' if k.landed else 'NO'} | {k.after:.2f} | {k.committed_runs} |" for k in kills]
    again_name = "a further worker" if COMMAND == "worker" else "re-ingest"
    lines += ["", f"| table | rows (reference) | rows differing after recovery | rows changed by {again_name} |",
              "|---|---:|---:|---:|"]
    lines += [f"| {t} | {len(reference[t]):,} | {vs_reference[t]} | {vs_again[t]} |" for t in TABLES]
    if changed_fields:
        lines += ["", "stories differing from the reference after recovery (story id: fields of its saved body):"]
        lines += [f"- {sid}: {fields}" for sid, fields in changed_fields.items()]
    if COMMAND == "worker":
        jobs = job_states(crash_db)
        lines += ["", f"articles lost: {lost}; duplicated or unexpected: {extra}; jobs: {len(jobs)}, done with every "
                      f"article grouped: {len(jobs) - len(jobs_left)}; a further worker committed "
                      f"{reingest_new} saves"]
    else:
        lines += ["", f"articles lost: {lost}; duplicated or unexpected: {extra}; re-ingest reported "
                      f"{saved.get('articles_new')} new articles, {saved.get('stories_new')} new and "
                      f"{saved.get('stories_changed')} changed stories"]
    return lines, ok


def fresh_postgres(admin: str) -> str:
    import psycopg

    name = "storyline_crash_" + uuid.uuid4().hex[:10]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rpartition("/")[0] + "/" + name


def drop_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--command", choices=["digest", "worker"], default="digest",
                        help="the command killed: digest --db, or the worker draining API jobs [digest]")
    args = parser.parse_args(argv)
    global COMMAND
    COMMAND = args.command
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    admin = os.environ.get("STORYLINE_TEST_POSTGRES", "")
    if "postgres" in backends and not admin:
        if args.backend == "postgres":
            raise SystemExit("crash: set STORYLINE_TEST_POSTGRES (see .ci/start-postgres.sh)")
        print("crash: STORYLINE_TEST_POSTGRES is not set: PostgreSQL not measured", file=sys.stderr)
        backends.remove("postgres")
    ok = True
    with tempfile.TemporaryDirectory(prefix="storyline-crash-") as tmp:
        inputs = write_articles(Path(tmp) / "input", args.articles, seed=args.seed)
        for backend in backends:
            if backend == "sqlite":
                dbs = [str(Path(tmp) / "reference.db"), str(Path(tmp) / "crashed.db")]
            else:
                dbs = [fresh_postgres(admin), fresh_postgres(admin)]
            try:
                lines, passed = check_backend(backend, dbs[0], dbs[1], inputs, args.seed)
            finally:
                if backend == "postgres":
                    for url in dbs:
                        drop_postgres(url)
            print("\n".join(lines), end="\n\n", flush=True)
            ok = ok and passed
    print("crash: PASS (every kill survived, nothing lost or duplicated, re-running changed nothing)" if ok
          else "crash: FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
