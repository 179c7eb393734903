"""How a story page lays out its parts, shared by the web pages and the static ``index.html``: the "articles over
time" bars of the coverage block (inline SVG: no external asset, with a text alternative), the timeline laid out on
an axis (dated events by day, month or year with the gaps between them; undated expressions in a list of their own)
and the "only one source" facts per outlet, the first few shown and the rest behind "show all".

Both take the plain dicts of ``stories.json``; every text from an article is escaped (``markupsafe``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

from markupsafe import Markup

from ..models import UNKNOWN_SOURCE
from ..text.dates import first_day
from .json import StoryDicts
from .times import parse_time

__all__ = ["UNIQUE_SHOWN", "counted", "coverage_svg", "label_unnamed", "source_labels", "story_index",
           "timeline_axis", "unique_by_outlet"]

UNIQUE_SHOWN = 3
"""Facts only one source reports, shown per outlet before "show all" (the list keeps the comparison's order)."""

_W, _H, _TOP = 300, 60, 4  # viewBox: bars fill it, the page scales it to its column (works at 390 px)


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``"1 story"``, ``"2 stories"``: a count with its noun in the right number (``plural`` defaults to noun+s)."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def source_labels(articles: list[dict[str, Any]], key: str = "source") -> dict[str, str]:
    """How a page names each article's outlet (``article[key]``), by article id: an article with no outlet is
    ``"unknown source N"`` (N counts those articles in the given order) when there are several, so two unnamed
    articles cited side by side stay two sources a reader can tell apart and the list of sources says which is which.
    Named outlets keep their name; the data itself is not changed."""
    unnamed = [article["id"] for article in articles if article.get(key) in (None, UNKNOWN_SOURCE)]
    labels = {article["id"]: str(article.get(key) or UNKNOWN_SOURCE) for article in articles}
    if len(unnamed) > 1:
        labels.update({article_id: f"{UNKNOWN_SOURCE} {n}" for n, article_id in enumerate(unnamed, 1)})
    return labels


def story_index(stories: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a report's storylines and table of contents show of each story: ``id``, ``headline``, ``article_ids``
    and ``coverage`` (``None``, or its ``one_group`` alone), without making each story's whole dict when
    ``stories`` is a ``StoryDicts`` (the writers'); taken from the dicts otherwise."""
    if isinstance(stories, StoryDicts):
        return [{"id": s.id, "headline": s.headline, "article_ids": s.article_ids,
                 "coverage": None if s.coverage is None else {"one_group": s.coverage.one_group}}
                for s in stories.stories]
    return [{"id": s["id"], "headline": s["headline"], "article_ids": s["article_ids"],
             "coverage": None if s.get("coverage") is None else {"one_group": s["coverage"].get("one_group")}}
            for s in stories]


def label_unnamed(articles: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The report's articles by id, each ``source`` shown as :func:`source_labels` names it (copies: the
    ``stories.json`` data keeps ``"unknown source"``)."""
    labels = source_labels(articles)
    return {article["id"]: {**article, "source": labels[article["id"]]} for article in articles}


def _label(when: datetime, width_hours: float) -> str:
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%d") if width_hours >= 24 else utc.strftime("%Y-%m-%d %H:%M UTC")


def coverage_svg(coverage: dict[str, Any] | None, key: str = "story") -> Markup:
    """Bars of the story's articles per time bin: ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` listing
    every non-empty bin, so a screen reader gets the same numbers; empty when no article has a date. ``key`` (the
    story id) makes the element ids unique on a page that shows several stories."""
    bins = (coverage or {}).get("over_time") or []
    if not bins:
        return Markup("")
    starts = [parse_time(b["start"]) for b in bins]
    ends = [parse_time(b["end"]) for b in bins]
    if any(t is None for t in starts + ends):
        return Markup("")
    width_hours = (ends[0] - starts[0]).total_seconds() / 3600  # type: ignore[operator]
    top = max(int(b["articles"]) for b in bins) or 1
    step = _W / len(bins)
    bars = []
    said = []
    for i, (b, start) in enumerate(zip(bins, starts, strict=True)):
        n = int(b["articles"])
        assert start is not None
        label = _label(start, width_hours)
        if n:
            said.append(f"{n} from {label}")
        height = (_H - _TOP) * n / top
        x = i * step
        bars.append(Markup('<rect class="bar" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"><title>{}: {} '
                           'article{}</title></rect>').format(x + step * 0.1, _H - height, step * 0.8, max(height, 0.0),
                                                              label, n, "" if n == 1 else "s"))
    unit = "hour" if width_hours < 24 else "day" if width_hours == 24 else f"{width_hours / 24:g} days"
    if width_hours < 24 and width_hours != 1:
        unit = f"{width_hours:g} hours"
    title = f"Articles over time, one bar per {unit}"
    desc = "; ".join(said)
    first = _label(starts[0], width_hours)  # type: ignore[arg-type]
    last = _label(ends[-1], width_hours)  # type: ignore[arg-type]
    return Markup(
        '<figure class="over-time"><svg class="bars" viewBox="0 0 {w} {h}" preserveAspectRatio="none" role="img" '
        'aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>'
        '<line class="base" x1="0" y1="{h}" x2="{w}" y2="{h}"/>{bars}</svg>'
        '<figcaption><span>{first}</span><span>{title_short}</span><span>{last}</span></figcaption></figure>'
    ).format(w=_W, h=_H, id="ot-" + "".join(c if c.isalnum() else "-" for c in key)[:60], title=title, desc=desc,
             bars=Markup("").join(bars), first=first, last=last, title_short=f"articles per {unit}")


def _day(value: str) -> date | None:
    """The first day of a timeline date (``2026``, ``2026-09``, ``2026-09-14``, ``2026-W38``), None if it is none."""
    try:
        return first_day(value)
    except ValueError:
        return None


def _gap(before: date, after: date) -> str | None:
    """How far apart two points of the axis are, when it is more than a day ("3 days later", "57 years later")."""
    days = (after - before).days
    if days <= 1:
        return None
    if days < 60:
        return f"{days} days later"
    if days < 730:
        return f"{round(days / 30.44)} months later"
    return f"{round(days / 365.25)} years later"


def timeline_axis(timeline: list[dict[str, Any]]) -> dict[str, Any]:
    """The timeline as points on an axis: ``points`` (one per date, in order, each with its ``events``, its label
    (the ISO date, month or year, as every page shows dates) and the ``gap`` since the previous point) and
    ``undated`` (expressions no date could be given, kept)."""
    by_date: dict[str, dict[str, Any]] = {}
    undated: list[dict[str, Any]] = []
    for event in timeline:
        day = _day(event["date"]) if event.get("date") else None
        if day is None:
            undated.append(event)
            continue
        point = by_date.setdefault(event["date"], {
            "date": event["date"], "day": day, "label": event["date"], "events": [],
            "precision": {4: "year", 7: "month"}.get(len(event["date"]), "day")})
        point["events"].append(event)
    points = list(by_date.values())
    points.sort(key=lambda p: (p["day"], len(p["date"])))
    for before, after in pairwise(points):
        after["gap"] = _gap(before["day"], after["day"])
    if points:
        points[0]["gap"] = None
    return {"points": points, "undated": undated,
            "span": f"{points[0]['label']} – {points[-1]['label']}" if len(points) > 1 else None}


def unique_by_outlet(unique: list[dict[str, Any]], source_of: Any, shown: int = UNIQUE_SHOWN) -> list[dict[str, Any]]:
    """The "only one source" statements per outlet (``source_of(article_id)`` names it), outlets in order of their
    first statement. Each outlet's statements come in the comparison's rank order: the ones it marked ``shown`` (its
    top ``compare.unique_shown``) first, the rest in ``more`` for a "show all" expander (never dropped). Statements
    stored before they were ranked (rank 0) keep their text order and the first ``shown`` of them are shown."""
    outlets: dict[str, list[dict[str, Any]]] = {}
    for span in unique:
        outlets.setdefault(str(source_of(span["article_id"])), []).append(span)
    groups = []
    for name, spans in outlets.items():
        if any(span.get("rank") for span in spans):
            ordered = sorted(spans, key=lambda span: (not span.get("shown", True), span.get("rank") or len(spans) + 1))
            # one outlet is one ranking; should two rankings meet under one display name, the cap still holds
            cap = max((span.get("rank") or 0 for span in spans if span.get("shown", True)), default=0)
            top = [span for span in ordered if span.get("shown", True)][:cap]
            rest = [span for span in ordered if span not in top]
        else:
            top, rest = spans[:shown], spans[shown:]
        groups.append({"outlet": name, "shown": top, "more": rest, "total": len(spans)})
    return groups
