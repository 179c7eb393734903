"""Write jobs: what ``POST /api/articles`` accepted and the worker has still to group into stories.

A job's articles are stored at once (``articles.pending_job`` = the job), so nothing posted is lost whatever happens
to the worker; every save that groups an article clears its ``pending_job``. A job is *pending*, *running*, *done*
or *failed* (with the error); ``grouped`` counts its articles grouped so far (committed batches). A job left
*running* by a worker that died is taken up again by the next one (``requeue_abandoned``, under the writer lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from ..errors import NotFoundError
from ..models import Article, Rejected, Stats
from ..serialize import to_plain
from .codec import article_from_row, utc_iso, utcnow
from .report import SaveReport
from .rows import PostedRows, article_rows
from .tables import ArticleRow, JobRow, RunRow

if TYPE_CHECKING:
    from .repository import Store

__all__ = ["STATES", "JobQueue"]

STATES = ("pending", "running", "done", "failed")


MAX_JOB_ID = 2**31 - 1


def job_dict(row: JobRow) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "state": row.state, "created_at": utc_iso(row.created_at),
            "started_at": utc_iso(row.started_at), "finished_at": utc_iso(row.finished_at), "articles": row.articles,
            "grouped": row.grouped, "rejected": row.rejected, "attempts": row.attempts, "error": row.error,
            "saved": row.saved or {}}


class JobQueue:
    """The jobs of one store (``Store.jobs``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def submit(self, articles: Sequence[Article], rejected: Sequence[Rejected] = (), *,
               kind: str = "api") -> tuple[int, SaveReport]:
        """Store ``articles`` as pending under a new job (and ``rejected`` as rejects) in one transaction."""
        return self.submit_many([(articles, rejected)], kind=kind)[0]

    def submit_many(self, posts: Sequence[tuple[Sequence[Article], Sequence[Rejected]]], *,
                    kind: str = "api") -> list[tuple[int, SaveReport]]:
        """Each post's articles stored as pending under a job of its own (its rejects as rejects), all posts in one
        transaction: the posts that wait together share one commit (``web/writes.py``). Per post: (job id, report)."""
        store = self.store
        # built before the transaction: it only runs the statements
        prepared = [(article_rows(articles), list(rejected), len(articles),
                     to_plain(Stats(inputs=len(articles) + len(rejected), articles=len(articles),
                                    rejected=len(rejected))))
                    for articles, rejected in posts]
        now = utcnow()
        with store.session() as s:
            # one statement per table for the whole group (its jobs, its runs, its articles), not 5-8 per post
            jobs = [JobRow(kind=kind, state="pending" if count else "done", created_at=now,
                           finished_at=None if count else now, articles=count, grouped=0, rejected=len(rejects),
                           attempts=0, saved={}) for _, rejects, count, _ in prepared]
            runs = [RunRow(kind=kind, started_at=now, stats=stats, saved={}) for *_, stats in prepared]
            s.add_all(jobs)
            s.add_all(runs)
            s.flush()
            reports = [SaveReport(run_id=run.id) for run in runs]
            store.upsert_posts(s, [PostedRows(rows, run.id, job.id, report) for (rows, *_), run, job, report
                                   in zip(prepared, runs, jobs, reports, strict=True)], now)
            for (_, rejects, _, _), run, report in zip(prepared, runs, reports, strict=True):
                if rejects:
                    store.save_rejects(s, rejects, now, run.id, report)
                run.saved = report.as_dict()
            return [(job.id, report) for job, report in zip(jobs, reports, strict=True)]

    def adopt_unassigned(self, *, kind: str = "ingest") -> tuple[int | None, int]:
        """A job for the pending articles no job holds (saved with ``Store.save_articles``); (job id, count)."""
        with self.store.session() as s:
            ids = list(s.scalars(select(ArticleRow.id).where(ArticleRow.story_id.is_(None),
                                                             ArticleRow.pending_job.is_(None))))
            if not ids:
                return None, 0
            job = JobRow(kind=kind, state="pending", created_at=utcnow(), articles=len(ids), grouped=0, rejected=0,
                         attempts=0, saved={})
            s.add(job)
            s.flush()
            for start in range(0, len(ids), 500):
                s.execute(update(ArticleRow).where(ArticleRow.id.in_(ids[start:start + 500]))
                          .values(pending_job=job.id))
            return job.id, len(ids)

    def get(self, job_id: int) -> dict[str, Any]:
        """One job as a dict; ``NotFoundError`` (a ``KeyError``) when there is none with that id."""
        if not 0 < job_id <= MAX_JOB_ID:  # ids are 32-bit integers on every backend; larger ones cannot exist
            raise NotFoundError(f"job {job_id}")
        with self.store.session() as s:
            row = s.get(JobRow, job_id)
            if row is None:
                raise NotFoundError(f"job {job_id}")
            return job_dict(row)

    def summary(self, limit: int = 20) -> dict[str, Any]:
        """Jobs per state, articles still waiting, and the latest jobs (newest first)."""
        with self.store.session() as s:
            states = {state: n for state, n in s.execute(select(JobRow.state, func.count()).group_by(JobRow.state))}
            waiting = int(s.scalar(select(func.count()).select_from(ArticleRow)
                                   .where(ArticleRow.pending_job.is_not(None))) or 0)
            latest = [job_dict(r) for r in s.scalars(select(JobRow).order_by(JobRow.id.desc()).limit(limit))]
        return {"states": {state: int(states.get(state, 0)) for state in STATES}, "articles_waiting": waiting,
                "latest": latest}

    def waiting(self) -> int:
        """Articles that jobs hold and the worker has not grouped yet."""
        with self.store.session() as s:
            return int(s.scalar(select(func.count()).select_from(ArticleRow)
                                .where(ArticleRow.pending_job.is_not(None))) or 0)

    def has_work(self) -> bool:
        with self.store.session() as s:
            return s.scalar(select(JobRow.id).where(JobRow.state.in_(("pending", "running"))).limit(1)) is not None

    def requeue_abandoned(self) -> int:
        """Jobs left *running* by a worker that died: pending again (call it holding the writer lock)."""
        with self.store.session() as s:
            result: Any = s.execute(update(JobRow).where(JobRow.state == "running").values(state="pending"))
            return int(result.rowcount or 0)

    def start_next(self) -> dict[str, Any] | None:
        """The oldest pending job, marked running (call it holding the writer lock)."""
        with self.store.session() as s:
            row = s.scalars(select(JobRow).where(JobRow.state == "pending").order_by(JobRow.id).limit(1)).first()
            if row is None:
                return None
            row.state, row.attempts = "running", row.attempts + 1
            row.started_at = row.started_at or utcnow()
            return job_dict(row)

    def next_batch(self, job_id: int, size: int) -> list[Article]:
        """Up to ``size`` articles the job has still to group, oldest publication first."""
        with self.store.session() as s:
            rows = s.scalars(select(ArticleRow).where(ArticleRow.pending_job == job_id)
                             .order_by(ArticleRow.published.is_(None), ArticleRow.published, ArticleRow.id)
                             .limit(size))
            return [article_from_row(r) for r in rows]

    def progress(self, job_id: int, saved: SaveReport | None = None, batch: dict[str, Any] | None = None) -> int:
        """Recount the job's grouped articles (and add ``saved`` to its counters, ``batch``, what the batch that
        grouped some of them took, to ``saved["batches"]``); returns how many still wait."""
        with self.store.session() as s:
            row = s.get(JobRow, job_id)
            assert row is not None
            waiting = int(s.scalar(select(func.count()).select_from(ArticleRow)
                                   .where(ArticleRow.pending_job == job_id)) or 0)
            row.grouped = max(0, row.articles - waiting)
            if saved is not None or batch is not None:
                totals = dict(row.saved or {})
                for name, value in (saved.as_dict() if saved is not None else {}).items():
                    if name != "run_id":
                        totals[name] = int(totals.get(name, 0)) + value
                if batch is not None:
                    totals["batches"] = [*totals.get("batches", []), batch]
                row.saved = totals
            return waiting

    def finish(self, job_id: int, *, error: str | None = None) -> None:
        """Mark the job done, or failed with ``error`` (its articles stay stored and pending)."""
        with self.store.session() as s:
            row = s.get(JobRow, job_id)
            assert row is not None
            row.state = "failed" if error else "done"
            row.error = error
            row.finished_at = utcnow()
