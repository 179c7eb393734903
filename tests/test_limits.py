"""Every ingest limit end to end through the real CLI: the input over the limit is rejected, the reason (naming the
setting to raise) is in stories.json and on stderr, and the rest of the run goes on."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import run_cli

BODY = "The harbour authority said the ferry would resume service on Monday after repairs to the ramp."


def digest_with(tmp_path: Path, inputs: list[Path] | list[str], config: str) -> tuple[dict, str]:
    settings = tmp_path / "settings.toml"
    settings.write_text(config)
    out = tmp_path / "out"
    result = run_cli("digest", *map(str, inputs), "-o", str(out), "--config", str(settings))
    return json.loads((out / "stories.json").read_text(encoding="utf-8")), result.stderr


def reasons(data: dict) -> dict[str, str]:
    return {Path(r["input"].split(" (id ")[0]).name: r["reason"] for r in data["rejected"]}


def test_article_longer_than_max_article_chars_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "short.txt").write_text(BODY)
    (tmp_path / "long.txt").write_text(BODY * 20)
    data, stderr = digest_with(tmp_path, [tmp_path / "short.txt", tmp_path / "long.txt"],
                               "[ingest]\nmax_article_chars = 1000\n")
    assert [a["id"] for a in data["articles"]] == ["short.txt"]
    why = reasons(data)["long.txt"]
    assert "text longer than 1,000 characters" in why and "ingest.max_article_chars" in why
    assert "long.txt" in stderr and "ingest.max_article_chars" in stderr


def test_article_shorter_than_min_article_chars_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text(BODY)
    (tmp_path / "tiny.txt").write_text("Too short.")
    data, _ = digest_with(tmp_path, [tmp_path / "ok.txt", tmp_path / "tiny.txt"], "[ingest]\nmin_article_chars = 20\n")
    assert "shorter than 20 characters" in reasons(data)["tiny.txt"]


def test_files_over_max_files_are_each_rejected_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(5):
        (folder / f"{i}.txt").write_text(f"Article {i}. {BODY}")
    data, _ = digest_with(tmp_path, [folder], "[ingest]\nmax_files = 3\n")
    assert data["stats"]["articles"] == 3 and data["stats"]["inputs"] == 3
    over = reasons(data)
    assert sorted(over) == ["3.txt", "4.txt"]
    assert all("over the limit of 3 files (ingest.max_files)" in why for why in over.values())


def test_max_files_also_counts_files_named_on_the_command_line(tmp_path: Path) -> None:
    files = []
    for i in range(3):
        files.append(tmp_path / f"{i}.txt")
        files[-1].write_text(f"Article {i}. {BODY}")
    data, _ = digest_with(tmp_path, files, "[ingest]\nmax_files = 2\n")
    assert data["stats"]["articles"] == 2
    assert "ingest.max_files" in reasons(data)["2.txt"]


def test_gzip_over_the_decompression_ratio_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "ok.txt.gz").write_bytes(gzip.compress(BODY.encode()))
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * 3_000_000))  # ~1000x
    data, stderr = digest_with(tmp_path, [tmp_path / "ok.txt.gz", tmp_path / "bomb.txt.gz"],
                               "[ingest]\nmax_decompression_ratio = 200\n")
    assert [a["id"] for a in data["articles"]] == ["ok.txt"]
    why = reasons(data)["bomb.txt.gz"]
    assert "gzip expands past" in why and "ratio cap 200x" in why and "ingest.max_decompression_ratio" in why
    assert "bomb.txt.gz" in stderr


def test_file_over_max_bytes_is_rejected_before_reading_it_all(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text(BODY)
    (tmp_path / "big.txt").write_text(BODY * 100)
    (tmp_path / "big.txt.gz").write_bytes(gzip.compress((BODY * 100).encode()))
    data, _ = digest_with(tmp_path, [tmp_path / "ok.txt", tmp_path / "big.txt", tmp_path / "big.txt.gz"],
                          "[ingest]\nmax_bytes = 5000\nmax_decompression_ratio = 1000\n")
    assert [a["id"] for a in data["articles"]] == ["ok.txt"]
    why = reasons(data)
    assert "larger than 5,000 bytes" in why["big.txt"] and "ingest.max_bytes" in why["big.txt"]
    assert "expands past 5,000 bytes" in why["big.txt.gz"] and "ingest.max_bytes" in why["big.txt.gz"]


def test_limits_can_be_set_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "long.txt").write_text(BODY * 20)
    (tmp_path / "ok.txt").write_text(BODY)
    monkeypatch.setenv("STORYLINE_INGEST_MAX_ARTICLE_CHARS", "500")
    data, _ = digest_with(tmp_path, [tmp_path / "ok.txt", tmp_path / "long.txt"], "")
    assert "text longer than 500 characters" in reasons(data)["long.txt"]


@pytest.mark.parametrize("setting,value", [("max_files", "many"), ("max_bytes", "1e")])
def test_a_bad_limit_value_is_a_clear_error(tmp_path: Path, setting: str, value: str) -> None:
    (tmp_path / "ok.txt").write_text(BODY)
    (tmp_path / "settings.toml").write_text(f'[ingest]\n{setting} = "{value}"\n')
    result = run_cli("digest", str(tmp_path / "ok.txt"), "-o", str(tmp_path / "out"),
                     "--config", str(tmp_path / "settings.toml"), check=False)
    assert result.returncode == 2
    assert f"ingest.{setting} must be a number" in result.stderr and "Traceback" not in result.stderr


RSS_ITEM = ("<item><title>Ferry news {i}</title><link>https://example.org/{i}</link>"
            "<description>{body} ({i})</description></item>")


def test_feed_entries_over_max_records_are_rejected_with_their_count(tmp_path: Path) -> None:
    items = "".join(RSS_ITEM.format(i=i, body=BODY) for i in range(5))
    (tmp_path / "feed.xml").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}'
                                       "</channel></rss>")
    data, _ = digest_with(tmp_path, [tmp_path / "feed.xml"], "[ingest]\nmax_records = 3\n")
    assert data["stats"]["articles"] == 3
    assert "2 entries over ingest.max_records=3" in reasons(data)["feed.xml"]


def test_feed_larger_than_max_bytes_is_rejected(tmp_path: Path) -> None:
    items = "".join(RSS_ITEM.format(i=i, body=BODY) for i in range(100))
    (tmp_path / "big.xml").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}'
                                      "</channel></rss>")
    (tmp_path / "ok.txt").write_text(BODY)
    data, _ = digest_with(tmp_path, [tmp_path / "ok.txt", tmp_path / "big.xml"], "[ingest]\nmax_bytes = 10000\n")
    assert "larger than 10,000 bytes" in reasons(data)["big.xml"]


def test_xml_entity_expansion_is_refused(tmp_path: Path) -> None:
    corpus = Path(__file__).resolve().parent / "fuzz_corpus"
    (tmp_path / "ok.txt").write_text(BODY)
    inputs = [tmp_path / "ok.txt", corpus / "billion_laughs.xml", corpus / "external_entity.xml"]
    data, _ = digest_with(tmp_path, inputs, "")
    why = reasons(data)
    assert "entit" in why["billion_laughs.xml"] and "entit" in why["external_entity.xml"]
    assert all("lollol" not in a["text"] and "root:" not in a["text"] for a in data["articles"])


def test_fetched_body_over_fetch_max_bytes_is_rejected(tmp_path: Path) -> None:
    from loopback import serve, static

    page = f"<html><body><article><h1>Ferry</h1><p>{BODY}</p><p>{BODY}</p></article></body></html>"
    routes = {"/ok.html": static(page), "/big.html": static("<p>" + "x" * 60_000 + "</p>")}
    config = (f'[fetch]\nenabled = true\nmax_bytes = 20000\nhost_delay = 0.0\n'
              f'allow_private_hosts = true\ncache_dir = "{tmp_path / "c"}"\n')  # the site is on 127.0.0.1
    with serve(routes) as site:
        urls = [site.base + "/ok.html", site.base + "/big.html"]
        data, _ = digest_with(tmp_path, urls, config)
    assert [a["id"] for a in data["articles"]] == [site.base + "/ok.html"]
    big = [r["reason"] for r in data["rejected"] if r["input"].endswith("/big.html")]
    assert big and "max_bytes" in big[0], data["rejected"]
