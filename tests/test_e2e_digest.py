"""End-to-end: the real CLI on the seeds, checked against the issue's acceptance and the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from storyline.output.json import load_schema

from conftest import SEEDS, digest_to, run_cli

SEED_000 = "000_2f5120fb859c3a0c.txt"
SEED_004 = "004_aaedc645091e8ef2.txt"


def assert_offsets_are_real(data: dict) -> None:
    """Every cited span is the exact text of its article at those offsets, and summary sentences are real."""
    texts = {a["id"]: a["text"] for a in data["articles"]}
    for story in data["stories"]:
        for sentence in story["summary"]:
            own = sentence["citations"][0]
            assert texts[own["article_id"]][own["start"] : own["end"]] == sentence["text"]
            for citation in sentence["citations"]:
                span = texts[citation["article_id"]][citation["start"] : citation["end"]]
                assert span.strip() and span == span.strip()
                assert 0 <= citation["start"] < citation["end"] <= len(texts[citation["article_id"]])


def test_seeds_form_one_story_headlined_by_the_004_title(seeds_digest: dict) -> None:
    assert seeds_digest["stats"]["articles"] == 2
    assert len(seeds_digest["stories"]) == 1
    story = seeds_digest["stories"][0]
    assert sorted(story["article_ids"]) == [SEED_000, SEED_004]
    assert story["headline"] == "Trump Administration Held Talks With Venezuelan Military To Discuss Coup, Reports Says"


def test_a_seed_summary_sentence_cites_both_articles_with_real_offsets(seeds_digest: dict) -> None:
    assert_offsets_are_real(seeds_digest)
    story = seeds_digest["stories"][0]
    both = [s for s in story["summary"] if {c["article_id"] for c in s["citations"]} == {SEED_000, SEED_004}]
    assert both, "no summary sentence cites both seed articles"
    texts = {a["id"]: a["text"] for a in seeds_digest["articles"]}
    for sentence in both:
        for citation in sentence["citations"]:
            cited = texts[citation["article_id"]][citation["start"] : citation["end"]]
            # The cited span is a whole sentence of that article that shares the fact's key words.
            assert cited[0].isupper() or cited[0] in "\"'“", cited
            assert cited.rstrip()[-1] in ".!?\"”'", cited


def test_output_validates_against_the_bundled_schema(seeds_digest: dict) -> None:
    jsonschema.validate(seeds_digest, load_schema())


def test_schema_command_prints_the_schema() -> None:
    printed = json.loads(run_cli("schema").stdout)
    assert printed == load_schema()


def test_report_files_escape_hostile_article_text(tmp_path: Path) -> None:
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    record = {"id": "evil", "title": payload, "text": f"The mayor said {payload} at the council meeting on Friday."}
    (tmp_path / "in.jsonl").write_text(json.dumps(record) + "\n")
    data = digest_to(tmp_path, tmp_path / "in.jsonl")
    jsonschema.validate(data, load_schema())
    html = (tmp_path / "out" / "index.html").read_text()
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    markdown = (tmp_path / "out" / "stories.md").read_text()
    assert "<script>" not in markdown


def test_broken_inputs_are_listed_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for seed in SEEDS.iterdir():
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "broken.jsonl").write_text('{"id": "ok1", "text": "A tram line reopened in Delft on Monday."}\n{oops\n')
    (folder / "blob.txt").write_bytes(b"\x00\x01\x02" * 100)
    out = tmp_path / "out"
    result = run_cli("digest", str(folder), str(tmp_path / "nope"), "-o", str(out))
    data = json.loads((out / "stories.json").read_text())
    rejected = {Path(r["input"].split(":")[0]).name: r["reason"] for r in data["rejected"]}
    assert set(rejected) == {"broken.jsonl", "blob.txt", "nope"}
    assert data["stats"]["rejected"] == 3 and data["stats"]["articles"] == 3
    assert "broken.jsonl:2" in result.stderr and "blob.txt" in result.stderr
    html = (out / "index.html").read_text()
    assert "broken.jsonl:2" in html


@pytest.mark.parametrize("args", [["--help"], ["digest", "--help"], ["summarize", "--help"]])
def test_help_explains_every_command(args: list[str]) -> None:
    text = run_cli(*args).stdout
    assert "Usage:" in text and len(text.splitlines()) > 5
