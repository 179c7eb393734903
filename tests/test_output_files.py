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
    """The three files are encoded piece by piece, each story's dict made when a writer reads it (at 100k articles
    each file was a string of ~0.5-1 GB, and the stories' dicts ~14 KB an article, held beside the digest): the
    files are the bytes ``json.dumps``, ``render_markdown`` and the rendered page give from the plain dicts,
    non-ASCII text, storylines, the table of contents' blindspots, rejects and an empty digest included."""
    import json
    from datetime import UTC, datetime

    from storyline.models import Article, Citation, Coverage, Rejected, Story, Storyline, SummarySentence
    from storyline.output import digest_to_dict, render_html, render_markdown

    texts = ["Der Stadtrat beschloss am Montag „mehr Geld“ für Schulen — 12 Mio. €.",
             "市议会周一通过了新的预算。 Ten homes.", "Ten homes flooded in Lowtown on Monday."]
    articles = [Article(id=f"a{i}", text=t, title=f"T{i} ✓", published=datetime(2026, 9, 16, tzinfo=UTC))
                for i, t in enumerate(texts)]
    story = Story(id="s-1", article_ids=["a0", "a1"], headline="T0 ✓",
                  summary=[SummarySentence(text=texts[0], citations=[Citation("a0", 0, len(texts[0]))])],
                  coverage=Coverage(one_group="left"))
    other = Story(id="s-2", article_ids=["a2"], headline="Lowtown\nfloods",
                  summary=[SummarySentence(text=texts[2], citations=[Citation("a2", 0, 10)])])
    line = Storyline(id="l-1", headline="Budgets", story_ids=["s-2", "s-1"])
    digest = Digest(articles=articles, stories=[story, other], rejected=[Rejected("x.txt", "empty")], stats=Stats(),
                    storylines=[line])
    paths = write_outputs(digest, tmp_path / "out")
    data = digest_to_dict(digest)  # the plain dicts: the files must be what they give whole
    assert paths["json"].read_bytes() == json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    assert paths["html"].read_bytes() == render_html(data).encode("utf-8")
    assert paths["markdown"].read_text(encoding="utf-8") == render_markdown(data)
    assert "市议会" in paths["html"].read_text(encoding="utf-8")
    assert 'id="blindspots"' in paths["html"].read_text(encoding="utf-8")  # the table of contents read coverage
    assert "1. Lowtown floods (`s-2`)" in paths["markdown"].read_text(encoding="utf-8")  # storylines' headlines
    for story_dicts in (digest_to_dict(digest, lazy=True)["stories"], data["stories"]):
        assert list(story_dicts) == data["stories"] and story_dicts[1] == data["stories"][1]
    empty = write_outputs(Digest(articles=[], stories=[], rejected=[], stats=Stats()), tmp_path / "empty")
    data = digest_to_dict(Digest(articles=[], stories=[], rejected=[], stats=Stats()))
    assert empty["json"].read_bytes() == json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    assert empty["markdown"].read_text(encoding="utf-8") == render_markdown(data)
