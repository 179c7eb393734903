"""The hostile-input corpus (tests/fuzz_corpus, written by make_corpus.py): each file is read within a time and
memory cap, and the real CLI accounts for every one of them as articles or rejects with the expected reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from storyline.config import IngestOptions
from storyline.ingest import InputFile, read_file
from storyline.models import Article, Rejected
from storyline.output.json import load_schema

from conftest import run_cli
from fuzzing import peak_memory, time_cap

CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
FILES = sorted(p.name for p in CORPUS.iterdir() if p.suffix != ".py")
# Highly compressible test files (100k dots, 900k letters) must reach their reader, so the ratio cap is raised;
# the bomb is still stopped by the size cap. test_limits.py checks the default ratio cap itself.
OPTIONS = IngestOptions(max_decompression_ratio=2000, max_bytes=5_000_000)
CONFIG = "[ingest]\nmax_decompression_ratio = 2000\nmax_bytes = 5_000_000\n"

# file -> (article ids it must give, reason fragments its rejects must contain). None: any outcome is fine as
# long as the file is accounted for and FORBIDDEN text never reaches an article.
EXPECTED: dict[str, tuple[list[str], list[str]] | None] = {
    "bad_urls.jsonl": (["url-ipv6", "url-js", "../../etc/passwd"], []),
    "billion_laughs.xml": None,
    "binary_in_html_field.jsonl": (["bin-ok"], ["'html': binary data"]),
    "blank_id.jsonl": ([], ["'id' is empty"]),
    "blank_lines.jsonl.gz": (["after-blanks"], []),
    "bom_only.jsonl": ([], ["no article in the file"]),
    "bomb.txt.gz": ([], ["gzip expands past 5,000,000 bytes"]),
    "control_chars.txt": (["control_chars.txt"], []),
    "crlf_flood.txt.gz": (["crlf_flood.txt"], []),
    "deep_divs.html.gz": None,
    "deep_nesting.jsonl.gz": (["deep-ok"], ["nested too deeply"]),
    "dots.txt.gz": (["dots.txt"], []),
    "empty.txt": ([], ["empty file"]),
    "external_entity.xml": None,
    "garbage.warc": None,
    # d-max/d-min: valid ISO 8601 whose moment is outside years 1-9999 in UTC (they crashed the report's UTC times)
    "hostile_dates.jsonl": ([], ["not an ISO 8601 date in years 1-9999 UTC: 'nan'",
                                 "not an ISO 8601 date in years 1-9999 UTC: 'inf'",
                                 "not an ISO 8601 date in years 1-9999 UTC: '9999-12-31T23:59:59-23:59'",
                                 "not an ISO 8601 date in years 1-9999 UTC: '0001-01-01T00:00:00+14:00'"]),
    "huge_integer.jsonl": (["int-ok"], ["invalid JSON (Exceeds the limit"]),
    "iframe_root.html": None,
    "line_separators.jsonl": (["sep"], []),
    "lone_surrogates.jsonl": (["sur\ufffd"], []),
    "long_article.jsonl.gz": ([], ["text longer than 1,000,000 characters (ingest.max_article_chars)"]),
    "no_spaces.txt.gz": (["no_spaces.txt"], []),
    "not_gzip.txt.gz": ([], ["not a valid gzip file"]),
    "nul_bytes.txt": ([], ["binary data, not text"]),
    "plain_named_gz.txt.gz": (["plain_named_gz.txt"], []),
    "script_only.html": ([], ["no article text"]),
    "surrogate_in_html.jsonl": (["sur-html"], []),
    "truncated.txt.gz": ([], ["truncated gzip"]),
    "utf7_page.html": (["utf7_page.html"], []),
    "whitespace_only.txt": ([], ["empty file"]),
}
FORBIDDEN = ["lollollollollol", "root:x:0:0", "<script>"]


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(EXPECTED) == FILES


@pytest.fixture(scope="module")
def warm() -> None:
    """Load the models a reader loads once per process (language identification, HTML extractors) beforehand."""
    for name in ("bad_urls.jsonl", "utf7_page.html"):
        list(read_file(InputFile(str(CORPUS / name), name), OPTIONS))


@pytest.mark.parametrize("name", FILES)
def test_corpus_file_is_read_within_time_and_memory_caps(warm: None, name: str) -> None:
    path = CORPUS / name
    with time_cap(20.0, f"reading {name}"):
        items, peak = peak_memory(lambda: list(read_file(InputFile(str(path), name), OPTIONS)))
    assert items
    # Bounded memory: a few copies of the largest text we accept, never the bomb's 20 MB.
    assert peak < 8 * OPTIONS.max_bytes, f"{name} used {peak:,} bytes"
    for item in items:
        assert isinstance(item, (Article, Rejected))
        if isinstance(item, Article):
            assert not any(bad in item.text for bad in FORBIDDEN), f"{name}: hostile content reached the text"


@pytest.fixture(scope="module")
def corpus_digest(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "settings.toml").write_text(CONFIG)
    paths = [str(CORPUS / name) for name in FILES]
    result = run_cli("digest", *paths, "-o", str(folder / "out"), "--config", str(folder / "settings.toml"))
    return json.loads((folder / "out" / "stories.json").read_text(encoding="utf-8")), result.stderr


def _file_of(entry: str) -> str:
    """The corpus file name in an article's ``input`` or a reject's ``input`` ("path:line (id x)")."""
    return Path(entry.split(" (id ")[0]).name.split(":")[0]


def test_cli_accounts_for_every_corpus_file(corpus_digest: tuple[dict, str]) -> None:
    data, stderr = corpus_digest
    jsonschema.validate(data, load_schema())
    articles: dict[str, list[str]] = {}
    reasons: dict[str, list[str]] = {}
    for article in data["articles"]:
        articles.setdefault(_file_of(article["input"]), []).append(article["id"])
        assert not any(bad in article["text"] for bad in FORBIDDEN)
    for reject in data["rejected"]:
        reasons.setdefault(_file_of(reject["input"]), []).append(reject["reason"])
        assert f"skipped {reject['input']}" in stderr
    assert set(articles) | set(reasons) == set(FILES), "a corpus file vanished without an article or a reject"
    for name, expected in EXPECTED.items():
        if expected is None:
            continue
        ids, fragments = expected
        assert sorted(articles.get(name, [])) == sorted(ids), name
        for fragment in fragments:
            assert any(fragment in reason for reason in reasons.get(name, [])), (name, fragment, reasons.get(name))
    assert data["stats"]["rejected"] == len(data["rejected"])
    assert data["stats"]["articles"] == len(data["articles"])


def test_report_never_links_article_urls_that_are_not_http(corpus_digest: tuple[dict, str], tmp_path: Path) -> None:
    data, _ = corpus_digest
    assert any(a["url"] and "javascript:" in a["url"].lower() for a in data["articles"])
    run_cli("digest", str(CORPUS / "bad_urls.jsonl"), "-o", str(tmp_path / "out"), "-q")
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*)"', page)
    assert links and all(link.startswith("#") or re.match(r"https?://", link) for link in links), links
