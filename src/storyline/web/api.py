"""The JSON API under ``/api/``: stories, articles, search, sources, entities, status; writing needs the token."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, StrictBool

from ..config import IngestOptions
from ..errors import NotFoundError
from ..ingest.base import parse_datetime, without_surrogates
from ..ingest.validate import validate_article
from ..models import Article, Rejected
from ..store import SaveReport, queries
from ..store.codec import utc_iso
from ..store.queries import StoryFilter
from .auth import require_writer
from .cache import cached
from .contract import NO_NUL, READ_ERRORS, IsoDatetime, StrictQueryBool, errors
from .export import EXPORT_FORMATS, export_search, export_story
from .language import story_in_language

router = APIRouter(prefix="/api", tags=["api"], responses=errors(*READ_ERRORS))

MAX_LIMIT = 500
Limit = Annotated[int | None, Query(ge=1, le=MAX_LIMIT, description="items per page (default: web.page_size)")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="items to skip")]
Text = Annotated[str | None, Query(max_length=500, pattern=NO_NUL)]
StoryId = Annotated[str, Path(pattern=NO_NUL, description="a story id (an old id of a merged story answers 301)")]
Id = Annotated[str, Path(pattern=NO_NUL)]
STORY_ERRORS = errors(301, 404)
EXPORTED: dict[int | str, dict[str, Any]] = {200: {"description": "the export, as a download (format=json, md or csv)",
                                                   "content": {m.split(";")[0]: {} for m in EXPORT_FORMATS.values()}}}


class Page(BaseModel):
    """One page of a list: ``items``, the ``total`` that match, and where the next page starts (null at the end)."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    next_offset: int | None


def page(items: list[dict[str, Any]], total: int, limit: int, offset: int) -> Page:
    nxt = offset + limit if offset + limit < total else None
    return Page(items=items, total=total, limit=limit, offset=offset, next_offset=nxt)


def _limit(request: Request, limit: int | None) -> int:
    return limit or min(request.app.state.options.page_size, MAX_LIMIT)


def story_filter(
    q: Text = None,
    source: Text = None,
    entity: Text = None,
    language: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
    since: Annotated[IsoDatetime | None, Query(description="stories last published at or after (ISO 8601)")] = None,
    until: Annotated[IsoDatetime | None, Query(description="stories first published at or before (ISO 8601)")] = None,
    sort: Annotated[str, Query(pattern="^(newest|biggest|updated)$")] = "newest",
    blindspot: Annotated[StrictQueryBool, Query(description="only stories covered by one group of outlets only "
                                                            "(groups from sources.toml)")] = False,
) -> StoryFilter:
    """The story-list filters, shared by the API and the HTML list."""
    return StoryFilter(q=q or None, source=source or None, entity=entity or None, language=language or None,
                       since=since, until=until, sort=sort, blindspot=blindspot)


@router.get("/stories", response_model=Page, summary="List stories (newest, biggest; filter and search)")
def list_stories(request: Request, flt: Annotated[StoryFilter, Depends(story_filter)], limit: Limit = None,
                 offset: Offset = 0) -> Response:
    limit = _limit(request, limit)

    def make() -> Page:
        items, total = queries.list_stories(request.app.state.store, flt, limit, offset)
        return page(items, total, limit, offset)

    return cached(request, make, stories=True)


@router.get("/stories/{story_id}", response_model=dict[str, Any], responses=STORY_ERRORS,
            summary="One story: the same fields as a story in stories.json")
def get_story(request: Request, story_id: StoryId,
              lang: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$", description=(
                  "the reader's language (ISO 639-1): the summary is made from the story's articles in it, when it "
                  "has any (summary_language says so); each summary sentence carries its language"))] = None,
              ) -> Response:
    store = request.app.state.store

    def make() -> dict[str, Any]:
        body = story_in_language(store, store.story_body(story_id), lang, request.app.state.settings)
        version, updated = store.story_version(story_id)
        return {**body, "version": version, "updated_at": utc_iso(updated)}

    return cached(request, make, stories=True)


@router.get("/stories/{story_id}/version", responses=STORY_ERRORS,
            summary="The story's version number: poll it to see changes")
def get_story_version(request: Request, story_id: StoryId) -> dict[str, Any]:
    version, updated = request.app.state.store.story_version(story_id)
    return {"id": story_id, "version": version, "updated_at": utc_iso(updated)}


@router.get("/stories/{story_id}/history", response_model=Page, responses=STORY_ERRORS,
            summary="Earlier versions of a story, newest first")
def get_story_history(request: Request, story_id: StoryId, limit: Limit = None, offset: Offset = 0) -> Page:
    limit = _limit(request, limit)
    history = request.app.state.store.story_history(story_id)
    if not history:
        raise NotFoundError(story_id)
    rows = [{"version": v.version, "saved_at": utc_iso(v.saved_at), "run_id": v.run_id,
             "headline": v.body.get("headline"), "article_ids": v.body.get("article_ids", []),
             "summary": v.body.get("summary", [])} for v in reversed(history)]
    return page(rows[offset : offset + limit], len(rows), limit, offset)


@router.get("/stories/{story_id}/export", responses={**EXPORTED, **STORY_ERRORS},
            summary="A story with its articles as JSON, Markdown or CSV")
def get_story_export(request: Request, story_id: StoryId,
                     format: Annotated[str, Query(pattern="^(json|md|csv)$")] = "json") -> Response:
    return export_story(request.app.state.store, story_id, format)


@router.get("/storylines", response_model=Page, summary="List storylines (developing stories), newest first")
def list_storylines(request: Request, q: Text = None, limit: Limit = None, offset: Offset = 0) -> Response:
    limit = _limit(request, limit)

    def make() -> Page:
        items, total = queries.list_storylines(request.app.state.store, limit, offset, q or None)
        return page(items, total, limit, offset)

    return cached(request, make, stories=True)


@router.get("/storylines/{storyline_id}", response_model=dict[str, Any], responses=errors(404),
            summary="One storyline: the fields of a storyline in stories.json, and its stories in time order")
def get_storyline(request: Request, storyline_id: Id, since: Annotated[IsoDatetime | None, Query(
        description="mark the stories first published after this time as new (ISO 8601)")] = None) -> Response:
    return cached(request, lambda: queries.storyline_page(request.app.state.store, storyline_id, since), stories=True)


@router.get("/articles", response_model=Page, summary="List articles, newest first")
def list_articles(request: Request, source: Text = None, limit: Limit = None, offset: Offset = 0) -> Page:
    limit = _limit(request, limit)
    items, total = queries.list_articles(request.app.state.store, source, limit, offset)
    return page(items, total, limit, offset)


@router.get("/articles/{article_id:path}", response_model=dict[str, Any], responses=errors(404),
            summary="One article with its original text and who cites it")
def get_article(request: Request, article_id: Id) -> Response:
    return cached(request, lambda: queries.article_page(request.app.state.store, article_id), stories=True)


@router.get("/search", response_model=dict[str, Any], summary="Stories and articles containing every word of q")
def search(request: Request, q: Annotated[str, Query(max_length=500, pattern=NO_NUL)], limit: Limit = None,
           offset: Offset = 0) -> Response:
    limit = _limit(request, limit)
    return cached(request, lambda: {"q": q, "limit": limit, "offset": offset,
                                    **queries.search(request.app.state.store, q, limit, offset)})


@router.get("/search/export", responses=EXPORTED, summary="The stories matching q as JSON, Markdown or CSV")
def search_export(request: Request, q: Annotated[str, Query(max_length=500, pattern=NO_NUL)],
                  format: Annotated[str, Query(pattern="^(json|md|csv)$")] = "json",
                  limit: Limit = None) -> Response:
    return export_search(request.app.state.store, q, format, limit or MAX_LIMIT)


@router.get("/sources", response_model=Page, summary="Outlets with their article and story counts")
def list_sources(request: Request, limit: Limit = None, offset: Offset = 0) -> Page:
    limit = _limit(request, limit)
    items, total = queries.list_sources(request.app.state.store, limit, offset)
    return page(items, total, limit, offset)


@router.get("/entities", response_model=Page, summary="Entities with the number of stories naming them")
def list_entities(request: Request, limit: Limit = None, offset: Offset = 0) -> Page:
    limit = _limit(request, limit)
    items, total = queries.list_entities(request.app.state.store, limit, offset)
    return page(items, total, limit, offset)


@router.get("/status", summary="What the store holds, the write jobs and the worker, and the latest ingest runs")
def status(request: Request) -> dict[str, Any]:
    store = request.app.state.store
    return {"counts": store.counts(), "jobs": store.jobs.summary(20), "worker": worker_status(request),
            "runs": store.runs(20), "database": store.dialect}


def worker_status(request: Request) -> dict[str, Any]:
    """Whether this server runs the worker (a child process), and its last error."""
    worker = getattr(request.app.state, "worker", None)
    if worker is None:
        return {"in_this_server": False, "alive": False, "error": None}
    return {"in_this_server": True, "alive": worker.alive, "error": worker.error}


@router.get("/rejects", response_model=Page, summary="Inputs that could not become articles, and why")
def list_rejects(request: Request, limit: Limit = None, offset: Offset = 0) -> Page:
    limit = _limit(request, limit)
    items, total = request.app.state.store.rejects(limit, offset)
    return page(items, total, limit, offset)


class ArticleIn(BaseModel):
    """An article to add: ``id`` and ``text`` are required; the rest is optional metadata."""

    id: str = Field(min_length=1, max_length=512)
    text: str = Field(max_length=1_000_000)
    title: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=4000)
    source: str | None = Field(default=None, max_length=512)
    published: str | None = Field(default=None, description="ISO 8601", max_length=64)
    language: str | None = Field(default=None, max_length=32)
    author: str | None = Field(default=None, max_length=2000)


class ArticlesIn(BaseModel):
    articles: list[ArticleIn] = Field(min_length=1, max_length=10_000)
    group: StrictBool = Field(default=True, description="a job groups them into stories (else they wait for POST "
                                                  "/api/ingest)")


def _posted_article(item: ArticleIn, options: IngestOptions) -> Article | Rejected:
    """A posted article through the same check every reader's articles pass (``ingest.validate_article``)."""
    where = f"POST /api/articles (id {item.id})"
    published = parse_datetime(item.published) if item.published else None
    if item.published and published is None:
        return Rejected(where, f"published {item.published!r} is not an ISO 8601 date in years 1-9999 UTC")
    article = Article(id=without_surrogates(item.id), text=without_surrogates(item.text),
                      title=without_surrogates(item.title), url=item.url, source=without_surrogates(item.source),
                      published=published, language=item.language, author=without_surrogates(item.author),
                      input="POST /api/articles")
    return validate_article(article, options)


def _accepted(job_id: int | None, articles: int, rejected: list[Rejected], report: SaveReport,
              timing: str) -> JSONResponse:
    body = {"job": job_id, "status_url": f"/api/jobs/{job_id}" if job_id is not None else None,
            "accepted": articles, "rejected": [{"input": r.input, "reason": r.reason} for r in rejected],
            "saved": report.as_dict()}
    headers = {"server-timing": timing} | ({"location": f"/api/jobs/{job_id}"} if job_id else {})
    return JSONResponse(body, status_code=202, headers=headers)


def server_timing(request: Request, started: float, validated: float, stored: float) -> str:
    """A write's ``Server-Timing`` header, in ms: ``wait`` from the request's arrival in the app to its check
    (reading and parsing the body, then the writer thread, ``app.state.writes``), ``check`` (validation),
    ``store`` (from its check to the commit of its group's transaction, including the checks of the posts after it in
    the group and any wait for the database's write lock). bench/load.py reads it to show what
    a POST waits for."""
    arrived = getattr(request.state, "arrived", started)
    return (f"wait;dur={(started - arrived) * 1000:.1f}, check;dur={(validated - started) * 1000:.1f}, "
            f"store;dur={(stored - validated) * 1000:.1f}")


@router.post("/articles", dependencies=[Depends(require_writer)], status_code=202, responses=errors(403, 413),
             summary="Add articles (token needed): stored at once, grouped into stories by the worker (202 + job)")
async def post_articles(request: Request, body: ArticlesIn) -> JSONResponse:
    # The check and the insert run on the app's writer thread (``app.state.writes``, web/writes.py), not the thread
    # pool the reads share; the posts that wait together are stored in one transaction (bench/load.py, issue 14).
    options = request.app.state.settings.ingest
    written = await asyncio.wrap_future(request.app.state.writes.submit(lambda: _check(options, body), body.group))
    timing = server_timing(request, written.started, written.validated, written.stored)
    return _accepted(written.job_id, written.accepted, written.rejected, written.report, timing)


def _check(options: IngestOptions, body: ArticlesIn) -> tuple[list[Article], list[Rejected]]:
    """The posted articles through the readers' check: (accepted articles, rejected)."""
    articles: list[Article] = []
    rejected: list[Rejected] = []
    for item in body.articles:
        checked = _posted_article(item, options)
        (articles.append(checked) if isinstance(checked, Article) else rejected.append(checked))
    return articles, rejected


@router.post("/ingest", dependencies=[Depends(require_writer)], status_code=202, responses=errors(403, 413),
             summary="Group the pending articles no job holds yet (token needed): 202 + job")
def post_ingest(request: Request) -> JSONResponse:
    job_id, pending = request.app.state.store.jobs.adopt_unassigned(kind="ingest")
    body = {"job": job_id, "status_url": f"/api/jobs/{job_id}" if job_id is not None else None, "pending": pending}
    return JSONResponse(body, status_code=202, headers={"location": f"/api/jobs/{job_id}"} if job_id else None)


@router.get("/jobs/{job_id}", responses=errors(404),
            summary="A write job: pending, running, done or failed, with counts and the error")
def get_job(request: Request, job_id: int) -> dict[str, Any]:
    return request.app.state.store.jobs.get(job_id)
