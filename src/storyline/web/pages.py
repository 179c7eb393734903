"""HTML pages: story list, story, article, sources, entities, search and the ingest status with rejects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .._version import __version__
from ..errors import NotFoundError
from ..output.story_view import coverage_svg, source_labels, timeline_axis, unique_by_outlet
from ..output.times import time_tag
from ..store import queries
from ..store.codec import utc_iso
from ..store.queries import SORTS, StoryFilter
from .cache import cached
from .language import reader_language, story_in_language

router = APIRouter(include_in_schema=False)

_LIST_LIMIT = 500


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None: an article's ``javascript:`` URL never becomes a link."""
    if not url:
        return None
    return url if urlsplit(url.strip()).scheme.lower() in {"http", "https"} else None


def _environment() -> Environment:
    folder = str(resources.files("storyline.web") / "templates")
    # auto_reload off: the templates are the package's files, so no render checks their modification times
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(default=True,
                      default_for_string=True), trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.filters["safe_url"] = safe_url
    env.filters["time_tag"] = time_tag  # every time on every page: UTC, labelled, local time in the tooltip
    env.filters["q"] = lambda v: quote(str(v), safe="")
    env.filters["coverage_svg"] = coverage_svg  # the same layout as index.html (output/story_view.py)
    env.filters["timeline_axis"] = timeline_axis
    env.filters["unique_by_outlet"] = unique_by_outlet
    env.globals["storyline_version"] = __version__
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"options": request.app.state.options, **context},
                                      status_code=status_code)


def render_error(request: Request, status_code: int, message: str,
                 headers: Mapping[str, str] | None = None) -> Response:
    response = render(request, "error.html", status_code=status_code, title=f"Error {status_code}", message=message)
    response.headers.update(headers or {})
    return response


def render_not_found(request: Request, what: str) -> Response:
    return render(request, "error.html", status_code=404, title="Not found",
                  message=f"Nothing here: {what!r} is not in the store.")


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise HTTPException(400, f"{name} must be a whole number, got {raw[:40]!r}") from None
    return max(low, min(high, value))


def _date(request: Request, name: str, end_of_day: bool = False) -> datetime | None:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise HTTPException(400, f"{name} must be a date like 2024-03-05, got {raw[:40]!r}") from None
    if end_of_day and len(raw) <= 10:
        value = datetime.combine(value.date(), time.max)
    return value


def _filter(request: Request, **fixed: str) -> StoryFilter:
    params = request.query_params
    sort = params.get("sort") or "newest"
    if sort not in SORTS:
        raise HTTPException(400, f"sort must be one of {', '.join(SORTS)}, got {sort[:40]!r}")
    text = {k: (fixed.get(k) or params.get(k) or "").strip()[:500] or None
            for k in ("q", "source", "entity", "language")}
    blindspot = (params.get("blindspot") or "").strip().lower()
    if blindspot not in {"", "0", "1", "true", "false"}:
        raise HTTPException(400, f"blindspot must be 1 or 0, got {blindspot[:40]!r}")
    return StoryFilter(**text, since=_date(request, "since"), until=_date(request, "until", end_of_day=True), sort=sort,
                       blindspot=blindspot in {"1", "true"})


def _pager(request: Request, total: int, limit: int, offset: int) -> dict[str, Any]:
    base = {k: v for k, v in request.query_params.items() if k != "offset" and v}

    def link(at: int) -> str:
        return "?" + urlencode({**base, "offset": at})

    return {
        "total": total, "first": offset + 1 if total else 0, "last": min(offset + limit, total),
        "prev": link(max(0, offset - limit)) if offset > 0 else None,
        "next": link(offset + limit) if offset + limit < total else None,
    }


def _story_list(request: Request, flt: StoryFilter) -> dict[str, Any]:
    limit = _int(request, "limit", request.app.state.options.page_size, 1, _LIST_LIMIT)
    offset = _int(request, "offset", 0, 0, 10_000_000)
    cards, total = queries.list_stories(request.app.state.store, flt, limit, offset)
    return {"cards": cards, "pager": _pager(request, total, limit, offset), "filter": flt, "sorts": SORTS}


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> Response:
    flt = _filter(request)
    return cached(request, lambda: render(request, "index.html", title="Stories", **_story_list(request, flt)),
                  stories=True)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request) -> Response:
    return cached(request, lambda: _search_page(request))


def _search_page(request: Request) -> HTMLResponse:
    q = (request.query_params.get("q") or "").strip()[:500]
    limit = _int(request, "limit", request.app.state.options.page_size, 1, _LIST_LIMIT)
    offset = _int(request, "offset", 0, 0, 10_000_000)
    found: dict[str, Any] = queries.search(request.app.state.store, q, limit, offset) if q else {
        "storylines": [], "storylines_total": 0, "stories": [], "stories_total": 0, "articles": [], "articles_total": 0}
    pager = _pager(request, max(int(found["storylines_total"]), int(found["stories_total"]),
                                int(found["articles_total"])), limit, offset)
    return render(request, "search.html", title=f"Search: {q}" if q else "Search", q=q, found=found, pager=pager)


def _story_context(request: Request, story_id: str) -> dict[str, Any]:
    store = request.app.state.store
    language = reader_language(request.query_params.get("lang"))
    body = story_in_language(store, store.story_body(story_id), language, request.app.state.settings)
    version, updated = store.story_version(story_id)
    articles = queries.article_briefs(store, body["article_ids"])
    labels = source_labels([articles[aid] for aid in body["article_ids"] if aid in articles], key="source_name")
    for article_id, label in labels.items():
        articles[article_id]["label"] = label  # "unknown source 1", "unknown source 2": unnamed articles told apart
    history = queries.history_length(store, story_id)

    def source_of(article_id: str) -> str:
        return labels.get(article_id, article_id)

    return {"story": body, "articles": articles, "source_of": source_of, "version": version,
            "updated": utc_iso(updated),
            "history": history, "storyline": queries.storyline_of_story(store, story_id)}


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str) -> Response:
    def make() -> HTMLResponse:
        context = _story_context(request, story_id)
        return render(request, "story.html", title=context["story"]["headline"], **context)

    return cached(request, make, stories=True)


@router.get("/stories/{story_id}/live", response_class=HTMLResponse)
def story_live(request: Request, story_id: str) -> Response:
    """The story body alone: what an open story page swaps in when the story changed."""
    def make() -> HTMLResponse:
        context = _story_context(request, story_id)
        response = render(request, "_story_body.html", **context)
        response.headers["x-story-version"] = str(context["version"])
        return response

    return cached(request, make, stories=True)


@router.get("/storylines", response_class=HTMLResponse)
def storylines_page(request: Request) -> Response:
    def make() -> HTMLResponse:
        limit = _int(request, "limit", request.app.state.options.page_size, 1, _LIST_LIMIT)
        offset = _int(request, "offset", 0, 0, 10_000_000)
        q = (request.query_params.get("q") or "").strip()[:500] or None
        items, total = queries.list_storylines(request.app.state.store, limit, offset, q)
        return render(request, "storylines.html", title="Storylines", items=items, q=q,
                      pager=_pager(request, total, limit, offset))

    return cached(request, make, stories=True)


@router.get("/storylines/{storyline_id}", response_class=HTMLResponse)
def storyline_page(request: Request, storyline_id: str) -> Response:
    """A developing story: its event stories on a time axis; ``?since=`` marks those new since then."""
    since = _date(request, "since")

    def make() -> HTMLResponse:
        store = request.app.state.store
        line = queries.storyline_page(store, storyline_id, since)
        cited = [c["article_id"] for sentence in line.get("summary", []) for c in sentence.get("citations", [])]
        return render(request, "storyline.html", title=line["headline"] or line["id"], line=line, since=since,
                      articles=queries.article_briefs(store, cited))

    return cached(request, make, stories=True)


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str) -> Response:
    return cached(request, lambda: _article_page(request, article_id), stories=True)


def _article_page(request: Request, article_id: str) -> HTMLResponse:
    data = queries.article_page(request.app.state.store, article_id)
    text = data["text"]
    start = _int(request, "start", -1, -1, len(text))
    end = _int(request, "end", -1, -1, len(text))
    parts = None
    if 0 <= start < end:
        parts = (text[:start], text[start:end], text[end:])
    return render(request, "article.html", title=data["title"] or data["id"], article=data, parts=parts,
                  cited=_cited_spans(data["cited_by"]))


def _cited_spans(cited_by: list[dict[str, Any]], limit: int = 50) -> list[dict[str, Any]]:
    """The cited sentences of an article, each once (with how often it is cited), in reading order."""
    spans: dict[tuple[Any, int, int], dict[str, Any]] = {}
    for c in cited_by:
        key = (c["story_id"], c["start"], c["end"])
        if key in spans:
            spans[key]["times"] += 1
        else:
            spans[key] = {**c, "times": 1}
    return sorted(spans.values(), key=lambda c: (c["start"], c["end"]))[:limit]


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request) -> Response:
    limit = _int(request, "limit", 100, 1, _LIST_LIMIT)
    offset = _int(request, "offset", 0, 0, 10_000_000)
    language = (request.query_params.get("language") or "").strip()[:16] or None

    def make() -> HTMLResponse:
        items, total = queries.list_sources(request.app.state.store, limit, offset, language)
        return render(request, "sources.html", title="Sources", items=items, language=language,
                      pager=_pager(request, total, limit, offset))

    return cached(request, make)


@router.get("/sources/{name:path}", response_class=HTMLResponse)
def source_page(request: Request, name: str) -> Response:
    flt = _filter(request, source=name)
    articles, count = queries.list_articles(request.app.state.store, name, 20, 0)
    if not count:
        raise NotFoundError(name)
    return cached(request, lambda: render(request, "source.html", title=name, name=name, articles=articles,
                                          article_count=count, **_story_list(request, flt)))


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request) -> HTMLResponse:
    limit = _int(request, "limit", 100, 1, _LIST_LIMIT)
    offset = _int(request, "offset", 0, 0, 10_000_000)
    items, total = queries.list_entities(request.app.state.store, limit, offset)
    return render(request, "entities.html", title="Entities", items=items, pager=_pager(request, total, limit, offset))


@router.get("/entities/{name:path}", response_class=HTMLResponse)
def entity_page(request: Request, name: str) -> HTMLResponse:
    flt = _filter(request, entity=name)
    listing = _story_list(request, flt)
    if not listing["pager"]["total"]:
        raise NotFoundError(name)
    return render(request, "entity.html", title=name, name=name, **listing)


@router.get("/status", response_class=HTMLResponse)
def status_page(request: Request) -> HTMLResponse:
    store = request.app.state.store
    limit = _int(request, "limit", 100, 1, _LIST_LIMIT)
    offset = _int(request, "offset", 0, 0, 10_000_000)
    rejects, total = store.rejects(limit, offset)
    from .api import worker_status

    return render(request, "status.html", title="Ingest status", counts=store.counts(), runs=store.runs(20),
                  rejects=rejects, pager=_pager(request, total, limit, offset), database=store.dialect,
                  jobs=store.jobs.summary(20), worker=worker_status(request))
