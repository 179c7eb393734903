"""The three report files are written alike: atomically, with the mode ``open()`` would give them (umask)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from storyline.models import Digest, Stats
from storyline.output import write_outputs


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_report_files_share_one_umask_respecting_mode(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        paths = write_outputs(Digest(articles=[], stories=[], rejected=[], stats=Stats()), tmp_path / "out")
    finally:
        os.umask(previous)
    modes = {name: stat.S_IMODE(path.stat().st_mode) for name, path in paths.items()}
    assert modes == dict.fromkeys(("json", "markdown", "html"), 0o666 & ~umask)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["index.html", "stories.json", "stories.md"]


def test_index_html_shows_times_like_the_web_pages(tmp_path: Path) -> None:
    # issue 19 item 11: index.html showed the local date ("2026-09-16") where the pages show UTC; one convention
    from datetime import datetime, timedelta, timezone

    from storyline.models import Article, Citation, Story, SummarySentence

    published = datetime(2026, 9, 16, 21, 40, tzinfo=timezone(timedelta(hours=-4)))
    text = "Fire crews fought the warehouse blaze on Quarry Lane for six hours before it was out."
    article = Article(id="a", text=text, title="Warehouse fire", source="Valley Courier", published=published)
    story = Story(id="s-1", article_ids=["a"], headline="Warehouse fire",
                  summary=[SummarySentence(text=text, citations=[Citation("a", 0, len(text))])],
                  first_published=published, last_published=published)  # fmt: skip
    paths = write_outputs(Digest(articles=[article], stories=[story], rejected=[], stats=Stats()), tmp_path / "out")
    page = paths["html"].read_text(encoding="utf-8")
    tag = ('<time datetime="2026-09-16T21:40:00-04:00" title="2026-09-16 21:40 local time (UTC−04:00)">'
           "2026-09-17 01:40 UTC</time>")
    assert page.count(tag) == 2  # the story's dates and the article's


def test_report_files_are_written_in_pieces_with_the_bytes_of_the_whole_strings(tmp_path: Path) -> None:
    """stories.json and index.html are encoded piece by piece (at 100k articles each was a string of ~0.5-1 GB held
    beside the digest): the files are the bytes ``json.dumps`` and the rendered page give, non-ASCII text included."""
    import json
    from datetime import UTC, datetime

    from storyline.models import Article, Citation, Story, SummarySentence
    from storyline.output import digest_to_dict, render_html

    texts = ["Der Stadtrat beschloss am Montag „mehr Geld“ für Schulen — 12 Mio. €.",
             "市议会周一通过了新的预算。 Ten homes."]
    articles = [Article(id=f"a{i}", text=t, title=f"T{i} ✓", published=datetime(2026, 9, 16, tzinfo=UTC))
                for i, t in enumerate(texts)]
    story = Story(id="s-1", article_ids=["a0", "a1"], headline="T0 ✓",
                  summary=[SummarySentence(text=texts[0], citations=[Citation("a0", 0, len(texts[0]))])])
    digest = Digest(articles=articles, stories=[story], rejected=[], stats=Stats())
    paths = write_outputs(digest, tmp_path / "out")
    data = digest_to_dict(digest)
    assert paths["json"].read_bytes() == json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    assert paths["html"].read_bytes() == render_html(data).encode("utf-8")
    assert "市议会" in paths["html"].read_text(encoding="utf-8")
