"""Times as every page shows them: in UTC and labelled so ("2026-09-09 01:40 UTC"), with the source's own clock
("2026-09-08 21:40 at UTC−04:00") in the tooltip. Web pages and ``index.html`` both render times through
:func:`time_tag`, so a list, a story and an article never show the same moment two ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from markupsafe import Markup, escape

__all__ = ["parse_time", "time_tag", "utc_label"]


def parse_time(value: str | datetime | None) -> datetime | None:
    """A stored time as an aware datetime: naive values are UTC (the store's and the readers' convention);
    None for no value or one that is not ISO 8601."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def utc_label(when: datetime) -> str:
    """'2026-09-09 01:40 UTC'; a bare date at midnight UTC (how a date without a time is stored) is the date."""
    utc = when.astimezone(UTC)
    if (utc.hour, utc.minute, utc.second) == (0, 0, 0) and not when.utcoffset():
        return utc.strftime("%Y-%m-%d")
    return utc.strftime("%Y-%m-%d %H:%M UTC")


def time_tag(value: str | datetime | None) -> Markup:
    """``<time datetime=ISO title="the source's local time">… UTC</time>``; empty for no time; a value that is not
    a time is shown as it is, escaped."""
    when = parse_time(value)
    if when is None:
        return Markup("") if not value else escape(str(value))
    offset = when.utcoffset()
    attribute = Markup("")
    if offset:  # the source's own clock, when it is not UTC
        local = f"{when.strftime('%Y-%m-%d %H:%M')} local time ({_offset(offset)})"
        attribute = Markup(' title="{}"').format(local)
    return Markup('<time datetime="{}"{}>{}</time>').format(when.isoformat(), attribute, utc_label(when))
