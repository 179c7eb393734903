"""Who covered a story: its outlets in order of first report, its articles over time and its coverage per group.

Built from the articles' metadata alone (one name per outlet from ``text/outlets.py``, the user's groups from
``sources.toml`` in ``Article.meta["groups"]``, ``published``), so it is cheap and needs no model. Duplicates count:
an outlet that ran a wire copy covered the story too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from ..models import UNKNOWN_SOURCE, Article, Coverage, CoverageBin, GroupCoverage, OutletCoverage

__all__ = ["MAX_BINS", "date_only", "known_groups", "story_coverage"]

MAX_BINS = 24
"""At most this many bars in "articles over time": the narrowest width below that fits the story's time span."""

_WIDTHS = tuple(timedelta(hours=h) for h in (1, 2, 3, 6, 12, 24, 48, 24 * 7, 24 * 30, 24 * 365))


def known_groups(configured: Iterable[Iterable[str]], articles: Iterable[Article] = ()) -> tuple[str, ...]:
    """Every group name, in order of first appearance: those of ``sources.toml`` (``configured``), then any an
    article still carries from an earlier one."""
    seen: dict[str, None] = {}
    for groups in configured:
        seen.update(dict.fromkeys(groups))
    for article in articles:
        seen.update(dict.fromkeys(str(g) for g in article.meta.get("groups") or ()))
    return tuple(seen)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def date_only(value: datetime) -> bool:
    """A publication date without a time: stored as midnight UTC with no offset (``output/times.py`` shows it so)."""
    return (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0) and not value.utcoffset()


def _window(value: datetime | None) -> tuple[datetime, datetime]:
    """The earliest and latest moment an article can have come out: a date without a time is any time that day;
    no date at all sorts last."""
    if value is None:
        return _NEVER, _NEVER
    utc = _utc(value)
    return (utc, utc + _DAY - _TICK) if date_only(value) else (utc, utc)


_DAY, _TICK = timedelta(days=1), timedelta(microseconds=1)
_NEVER = datetime.max.replace(tzinfo=UTC)


def _bins(times: list[datetime], days: bool) -> list[CoverageBin]:
    """Counts of ``times`` in equal bins from the first (floored to the bin width) to the last; ``days``: some
    times are dates without a time, so a bin is at least a day."""
    if not times:
        return []
    first, last = min(times), max(times)
    span = last - first
    width = next((w for w in _WIDTHS if span < w * MAX_BINS and (w >= _DAY or not days)), _WIDTHS[-1])
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    start = epoch + width * ((first - epoch) // width)
    count = int((last - start) // width) + 1
    counts = [0] * count
    for when in times:
        counts[int((when - start) // width)] += 1
    return [CoverageBin(start + width * i, start + width * (i + 1), n) for i, n in enumerate(counts)]


def story_coverage(members: Sequence[Article], groups: Sequence[str] = ()) -> Coverage:
    """The coverage of a story from its member articles; ``groups`` are all the user's groups (``known_groups``),
    so that a group with no outlet on the story shows as such."""
    by_outlet: dict[str, list[Article]] = {}
    for article in members:
        if article.source_name != UNKNOWN_SOURCE:  # no outlet is not one outlet: counted in ``unnamed``
            by_outlet.setdefault(article.source_name, []).append(article)
    outlets = []
    for name, articles in by_outlet.items():
        first = min(articles, key=lambda a: (_window(a.published), a.id))
        tags = list(dict.fromkeys(str(g) for a in articles for g in a.meta.get("groups") or ()))
        outlets.append(OutletCoverage(name, len(articles), first.id, first.published, tags))
    outlets.sort(key=lambda o: (_window(o.first_published), -o.articles, o.name))
    # "first" only when it is known: its report came out before any other outlet's could have (a date without a
    # time on the same day leaves it open)
    known_first = bool(outlets) and outlets[0].first_published is not None and all(
        _window(outlets[0].first_published)[1] < _window(o.first_published)[0] for o in outlets[1:])
    dated = [a.published for a in members if a.published]
    all_groups = list(dict.fromkeys([*groups, *(g for o in outlets for g in o.groups)]))
    per_group = [GroupCoverage(g, [o.name for o in outlets if g in o.groups]) for g in all_groups]
    covering = [g.name for g in per_group if g.outlets]
    return Coverage(
        outlets=outlets,
        first=outlets[0].name if known_first else None,
        over_time=_bins([_utc(t) for t in dated], days=any(date_only(t) for t in dated)),
        undated=len(members) - len(dated),
        unnamed=sum(a.source_name == UNKNOWN_SOURCE for a in members),
        groups=per_group,
        ungrouped=[o.name for o in outlets if not o.groups],
        one_group=covering[0] if len(covering) == 1 and len(per_group) >= 2 else None,
    )
