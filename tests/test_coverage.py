"""The coverage block's data (issue 17): outlets in order of first report, who was first (only when known),
articles over time, coverage per group of the user's sources.toml and the "covered by one group only" mark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

from storyline.compare.coverage import MAX_BINS, known_groups, story_coverage
from storyline.models import Article


def _article(aid: str, source: str | None, published: datetime | None, groups: tuple[str, ...] = ()) -> Article:
    article = Article(id=aid, text="Workers at the port walked out on Monday over pay.", source=source,
                      published=published)
    if groups:
        article.meta["groups"] = list(groups)
    return article


EAST = timezone(timedelta(hours=-4))


def test_outlets_in_order_of_first_report_with_counts_and_groups() -> None:
    members = [
        _article("a2", "Harbor Ledger", datetime(2026, 9, 16, 14, 10, tzinfo=EAST), ("owned",)),
        _article("a1", "Harbor Ledger", datetime(2026, 9, 16, 9, 0, tzinfo=EAST), ("owned",)),
        _article("b1", "Riverside Daily", datetime(2026, 9, 16, 12, 0, tzinfo=UTC), ("independent",)),
        _article("c1", "Valley Courier", None),
    ]
    cov = story_coverage(members, known_groups([("owned",), ("independent",)]))
    assert [o.name for o in cov.outlets] == ["Riverside Daily", "Harbor Ledger", "Valley Courier"]
    ledger = cov.outlets[1]
    assert (ledger.articles, ledger.first_article, ledger.groups) == (2, "a1", ["owned"])
    assert cov.first == "Riverside Daily"  # 12:00 UTC is before 13:00 UTC (09:00 at UTC-4)
    assert cov.undated == 1 and sum(b.articles for b in cov.over_time) == 3
    assert [(g.name, g.outlets) for g in cov.groups] == [("owned", ["Harbor Ledger"]),
                                                          ("independent", ["Riverside Daily"])]
    assert cov.ungrouped == ["Valley Courier"] and cov.one_group is None


def test_first_report_is_not_claimed_when_a_date_without_time_could_be_earlier() -> None:
    day_only = datetime(2026, 9, 16, tzinfo=UTC)  # a date from a file name: any time that day
    members = [_article("a", "Harbor Ledger", datetime(2026, 9, 16, 18, 10, tzinfo=UTC)),
               _article("b", "The Morning Signal", day_only)]
    assert story_coverage(members).first is None
    members.append(_article("c", "Northgate Wire", datetime(2026, 9, 15, 23, 0, tzinfo=UTC)))
    assert story_coverage(members).first == "Northgate Wire"  # the day before: first whatever the others' hours
    # a date without a time makes the bars at least a day wide (else it would sit in the midnight hour)
    assert all(b.end - b.start >= timedelta(days=1) for b in story_coverage(members).over_time)


def test_covered_by_one_group_only_and_not_when_no_other_group_exists() -> None:
    members = [_article("a", "Harbor Ledger", None, ("Carrow Media",)),
               _article("b", "Valley Courier", None, ("Carrow Media",)),
               _article("c", "Blog", None)]
    cov = story_coverage(members, ("Carrow Media", "independent"))
    assert cov.one_group == "Carrow Media"
    assert [(g.name, g.outlets) for g in cov.groups] == [("Carrow Media", ["Harbor Ledger", "Valley Courier"]),
                                                          ("independent", [])]
    assert story_coverage(members, ("Carrow Media",)).one_group is None  # one group known: no blindspot to show
    members.append(_article("d", "Riverside Daily", None, ("independent",)))
    assert story_coverage(members, ("Carrow Media", "independent")).one_group is None
    assert story_coverage(members).first is None and story_coverage(members).over_time == []


def test_articles_over_time_bins_cover_the_span_in_at_most_max_bins() -> None:
    start = datetime(2026, 9, 1, 6, 30, tzinfo=UTC)
    for span in (timedelta(hours=5), timedelta(days=3), timedelta(days=40), timedelta(days=900)):
        members = [_article(f"x{i}", f"Outlet {i}", start + span * i / 6) for i in range(7)]
        bins = story_coverage(members).over_time
        assert 1 <= len(bins) <= MAX_BINS, (span, len(bins))
        assert sum(b.articles for b in bins) == 7
        assert bins[0].start <= start and bins[-1].end > start + span
        assert all(a.end == b.start for a, b in pairwise(bins))


def test_known_groups_keep_configured_order_then_stored_ones() -> None:
    stored = _article("s", "Old Outlet", None, ("regional",))
    assert known_groups([("b", "a"), ("a", "c")], [stored]) == ("b", "a", "c", "regional")


def test_articles_with_no_outlet_are_counted_not_made_one_outlet() -> None:
    members = [_article("a", None, None), _article("b", None, None), _article("c", "Harbor Ledger", None)]
    cov = story_coverage(members)
    assert [o.name for o in cov.outlets] == ["Harbor Ledger"] and cov.unnamed == 2 and cov.undated == 3
