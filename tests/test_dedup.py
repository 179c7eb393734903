"""Near-duplicates on real text: wire copies with different boilerplate are linked, never dropped."""

from __future__ import annotations

import json
from pathlib import Path

from storyline.config import DedupOptions
from storyline.dedup import find_duplicates
from storyline.models import Article

from conftest import DATA, digest_to


def duc_cluster(index: int = 0) -> list[str]:
    with (DATA / "mds" / "duc2003_task2.jsonl").open(encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i == index:
                return json.loads(line)["documents"]
    raise AssertionError("DUC 2003 file has fewer clusters than expected")


def wrapped(text: str, outlet: str) -> str:
    """The same wire text as another outlet would publish it: its own header, byline and footer."""
    return (f"{outlet} | World | Updated 5 minutes ago\nBy Staff and wire reports\n\n{text}\n\n"
            f"Copyright {outlet} 2024. All rights reserved. Read more stories like this: subscribe to the {outlet} "
            "newsletter for the day's top headlines delivered every morning.")


def test_wire_copies_with_different_boilerplate_are_linked() -> None:
    text = duc_cluster()[0]
    articles = [Article(id="wire", text=text), Article(id="gazette", text=wrapped(text, "Lowtown Gazette")),
                Article(id="herald", text=wrapped(text.replace(" said ", " told reporters "), "Herald Online"))]
    links = find_duplicates(articles, DedupOptions())
    assert len(links) == 2 and len(set(links.values())) == 1  # two copies point to one original
    assert set(links) | set(links.values()) == {"wire", "gazette", "herald"}


def test_reports_of_one_event_by_different_writers_are_not_duplicates() -> None:
    docs = duc_cluster()[:4]
    links = find_duplicates([Article(id=f"d{i}", text=t) for i, t in enumerate(docs)], DedupOptions())
    assert links == {}


def test_duplicates_stay_in_their_story_and_are_counted(tmp_path: Path) -> None:
    text = duc_cluster(1)[0]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "wire.txt").write_text(text, encoding="utf-8")
    (tmp_path / "in" / "copy.txt").write_text(wrapped(text, "Lowtown Gazette"), encoding="utf-8")
    data = digest_to(tmp_path, tmp_path / "in")
    assert data["stats"]["duplicates"] == 1
    story = next(s for s in data["stories"] if "copy.txt" in s["article_ids"])
    assert set(story["article_ids"]) == {"copy.txt", "wire.txt"}
    by_id = {a["id"]: a for a in data["articles"]}
    assert {by_id["copy.txt"]["duplicate_of"], by_id["wire.txt"]["duplicate_of"]} in ({None, "wire.txt"},
                                                                                    {None, "copy.txt"})


def test_lsh_band_choice_is_datasketchs() -> None:
    """``optimal_bands`` (exact Gauss-Legendre quadrature, no scipy.integrate at start-up) picks what datasketch's
    MinHashLSH picks, so the in-run index and the stored keys of earlier runs band signatures alike (issue 15)."""
    from datasketch.lsh import _optimal_param

    from storyline.dedup.minhash import optimal_bands

    for num_perm in (32, 128, 256):
        for threshold in [t / 20 for t in range(1, 20)]:
            assert optimal_bands(threshold, num_perm) == _optimal_param(threshold, num_perm, 0.5, 0.5), threshold
