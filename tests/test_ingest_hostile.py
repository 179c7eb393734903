"""Hostile inputs (tests/hostile/ and built here): entity bombs, binary files, wrong charsets, bombs, truncation."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

from storyline.config import IngestOptions
from storyline.ingest import read_inputs

HOSTILE = Path(__file__).parent / "hostile"


def reasons(rejected: list) -> dict[str, str]:
    return {Path(r.input.split(" (id ")[0].split(" entry ")[0]).name: r.reason for r in rejected}


def test_entity_declarations_are_refused_before_parsing() -> None:
    start = time.monotonic()
    articles, rejected, _ = read_inputs([str(HOSTILE / "entity_bomb.xml"), str(HOSTILE / "external_entity.xml")])
    assert time.monotonic() - start < 5
    assert not articles
    got = reasons(rejected)
    assert "billion laughs" in got["entity_bomb.xml"] and "billion laughs" in got["external_entity.xml"]


def test_entity_bomb_is_refused_whatever_format_is_forced() -> None:
    articles, rejected, _ = read_inputs([str(HOSTILE / "entity_bomb.xml")], IngestOptions(format="feed"))
    assert not articles and "entities" in rejected[0].reason


def test_empty_feeds_are_rejected_not_crashed() -> None:
    articles, rejected, _ = read_inputs([str(HOSTILE / "empty_feed.xml"), str(HOSTILE / "empty_json_feed.json")])
    assert not articles
    assert reasons(rejected) == {"empty_feed.xml": "feed has no entries", "empty_json_feed.json": "feed has no entries"}


def test_binary_file_named_html_is_rejected_as_binary() -> None:
    articles, rejected, _ = read_inputs([str(HOSTILE / "binary_named.html")])
    assert not articles and "binary data" in rejected[0].reason


def test_wrong_charset_declarations_still_decode() -> None:
    articles, rejected, _ = read_inputs([str(HOSTILE / "declared_utf8_is_latin1.html"),
                                         str(HOSTILE / "declared_latin1_is_utf8.html")])
    assert not rejected and len(articles) == 2
    for article in articles:
        assert "président" in article.text and "décision" in article.text and "Ã" not in article.text
        assert article.language == "fr" and article.title == "Le pont de Norden"


def test_malformed_markup_is_tolerated() -> None:
    articles, rejected, _ = read_inputs([str(HOSTILE / "malformed.html")])
    assert not rejected
    text = articles[0].text
    assert "waves of six metres" in text and "Repairs to the outer wall" in text and "not text" not in text
    assert articles[0].title == "Storm closes the port of Arlow"


def test_gzip_bomb_html_and_huge_file_are_capped(tmp_path: Path) -> None:
    (tmp_path / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"a" * 20_000_000))
    (tmp_path / "huge.html").write_bytes(b"<html><body><p>" + b"word " * 300_000 + b"</p></body></html>")
    articles, rejected, _ = read_inputs([str(tmp_path)], IngestOptions(max_bytes=1_000_000))
    assert not articles
    got = reasons(rejected)
    assert "expands past" in got["bomb.html.gz"] and "larger than 1,000,000 bytes" in got["huge.html"]


def test_truncated_gzip_html_is_rejected_with_the_cut(tmp_path: Path) -> None:
    page = (HOSTILE / "malformed.html").read_bytes() * 20
    (tmp_path / "cut.html.gz").write_bytes(gzip.compress(page)[:300])
    articles, rejected, _ = read_inputs([str(tmp_path / "cut.html.gz")])
    assert not articles and "truncated" in rejected[0].reason


def test_truncated_plain_warc_keeps_what_was_read_and_marks_the_cut_record(tmp_path: Path) -> None:
    record = _warc_response("http://norden.example/a", (HOSTILE / "malformed.html").read_bytes())
    second = _warc_response("http://norden.example/b", (HOSTILE / "malformed.html").read_bytes())
    (tmp_path / "cut.warc").write_bytes(record + second[: len(second) - 200])
    articles, rejected, _ = read_inputs([str(tmp_path / "cut.warc")])
    assert [a.url for a in articles] == ["http://norden.example/a", "http://norden.example/b"]
    assert "truncated" not in articles[0].meta and articles[1].meta["truncated"] is True
    assert "Repairs to the outer wall" not in articles[1].text
    assert any("archive truncated" in r.reason for r in rejected)


def _warc_response(uri: str, html: bytes) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(html) + html
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-03-01T10:00:00Z\r\n"
            f"WARC-Record-ID: <urn:uuid:{abs(hash(uri)):032x}>\r\nContent-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n").encode()
    return head + http + b"\r\n\r\n"


def test_one_invalid_byte_does_not_turn_utf8_into_cp1252() -> None:
    names = ["utf8_one_bad_byte.txt", "utf8_one_bad_byte.jsonl", "utf8_one_bad_byte_declared.html"]
    articles, rejected, _ = read_inputs([str(HOSTILE / name) for name in names])
    assert not rejected and len(articles) == 5
    for article in articles:
        assert "Café" in article.text and "Nicolás" in article.text and "José Núñez" in article.text, article.id
        assert "“the" in article.text and "Г" not in article.text and "â€" not in article.text
    replaced = {a.id: a.meta.get("replaced_bytes", 0) for a in articles}
    # Only the damaged line of the JSONL file counts the byte; the other two lines are intact.
    assert replaced == {"utf8_one_bad_byte.txt": 1, "quay-1": 0, "quay-2": 1, "quay-3": 0,
                        "utf8_one_bad_byte_declared.html": 1}
    assert all(("\ufffdharbour" in a.text) == (replaced[a.id] == 1) for a in articles)


def test_replaced_bytes_reach_the_run_stats_and_stories_json(tmp_path: Path) -> None:
    from storyline.models import Stats, replaced_bytes
    from storyline.output.json import article_to_dict

    articles, _, _ = read_inputs([str(HOSTILE / "utf8_one_bad_byte.jsonl"), str(HOSTILE / "utf8_one_bad_byte.txt")])
    assert replaced_bytes(articles) == 2
    assert "replaced_bytes" in {f for f in Stats.__dataclass_fields__}
    assert sorted(article_to_dict(a)["replaced_bytes"] for a in articles) == [0, 0, 1, 1]


def test_latin1_with_a_stray_valid_utf8_pair_is_still_latin1() -> None:
    from storyline.ingest.decode import decode

    text = "Le président a déclaré que la décision était prise à Genève, où la réunion a eu lieu. Ã© "
    decoded = decode(text.encode("latin-1"), "x")
    assert "président" in decoded.text and decoded.encoding != "utf-8" and decoded.replaced_bytes == 0


def test_a_damaged_warc_record_does_not_lose_the_records_after_it() -> None:
    articles, rejected, _ = read_inputs([str(HOSTILE / "warc_negative_length.warc")])
    assert [a.url for a in articles] == ["http://norden.example/b", "http://norden.example/c"]
    damage = [r.reason for r in rejected if "damaged WARC record" in r.reason]
    assert len(damage) == 2, rejected
    assert "Content-Length '-40' is not a byte count" in damage[0] and "to the next WARC/1.x record" in damage[0]
    assert "Invalid WARC header" in damage[1]
    assert all("skipped" in reason and "bytes" in reason for reason in damage)


def test_html_nested_past_the_parser_limit_keeps_its_text() -> None:
    articles, rejected, _ = read_inputs([str(HOSTILE / "deep_nesting.html"), str(HOSTILE / "deep_nesting_feed.xml")])
    assert not rejected and len(articles) == 2
    for article in articles:
        assert article.text.count("The harbour at Norden reopened on Tuesday") == 3, article.id
        assert article.title == "Norden harbour reopens"


def test_unwrapping_keeps_shallow_markup_and_all_text() -> None:
    from storyline.ingest.extract import flatten_deep

    page = "<div><p>a<br>b</p>" + "<b>" * 5 + "deep" + "</b>" * 5 + "</div>"
    assert flatten_deep(page, limit=10) == page
    flat = flatten_deep(page, limit=3)
    assert flat.count("<b>") == 2 and flat.count("</b>") == 2 and "deep" in flat and "<p>a<br>b</p>" in flat


def test_a_cut_gzip_of_json_lines_keeps_the_lines_before_the_cut() -> None:
    # a sibling of issue 19 item 2: a .jsonl.gz cut short (an interrupted download) lost all of its articles, not
    # only the line the cut falls in; like a cut WARC it keeps what came before and says where it was cut
    articles, rejected, _ = read_inputs([str(HOSTILE / "truncated.jsonl.gz")])
    assert len(rejected) == 1 and "truncated gzip" in rejected[0].reason and "before the cut" in rejected[0].reason
    ids = [a.id for a in articles]
    assert len(ids) >= 5 and ids == [f"cut-{i}" for i in range(len(ids))], ids
    assert all(a.text.endswith("until the spring.") for a in articles)


def test_a_stray_byte_in_ascii_is_replaced_and_counted_not_guessed(tmp_path: Path) -> None:
    from storyline.ingest.decode import MIN_GUESS_BYTES, decode

    text = b"The harbour board met on Tuesday and approved the new quay by five votes to two.\n"
    for stray in (b"\xe9", b"\x92", b"\xff"):
        damaged = text.replace(b"quay", b"qu" + stray + b"ay")
        decoded = decode(damaged, "x")
        assert decoded.text == text.decode().replace("quay", "qu\ufffday"), stray
        assert (decoded.replaced_bytes, decoded.guessed) == (1, False)
    # At MIN_GUESS_BYTES bytes above ASCII the detector has something to go on, and says it guessed.
    enough = "Le président a déclaré à Genève qu'il était prêt.".encode("latin-1")
    assert len(enough.translate(None, bytes(range(128)))) >= MIN_GUESS_BYTES
    decoded = decode(enough, "x")
    assert decoded.guessed and "président" in decoded.text and decoded.replaced_bytes == 0
    (tmp_path / "stray.txt").write_bytes(text.replace(b"quay", b"qu\xe9ay"))
    articles, _, _ = read_inputs([str(tmp_path / "stray.txt")])
    assert articles[0].meta["replaced_bytes"] == 1 and "charset_guessed" not in articles[0].meta


def test_a_guessed_charset_is_recorded_per_article_and_counted(tmp_path: Path) -> None:
    from storyline.models import Stats, charset_guessed
    from storyline.output.json import article_to_dict

    french = "Le président a déclaré que l'économie était en crise. Les élèves ont manifesté à Genève."
    (tmp_path / "latin1.txt").write_bytes(french.encode("latin-1"))
    (tmp_path / "lines.jsonl").write_bytes(
        "\n".join(f'{{"id": "l{n}", "text": "{french} Numéro {n}."}}' for n in range(2)).encode("cp1252"))
    (tmp_path / "declared.html").write_bytes(
        f"<html><head><meta charset='iso-8859-1'><title>Crise</title></head><body><article><p>{french}</p>"
        f"<p>{french}</p></article></body></html>".encode("latin-1"))
    (tmp_path / "utf8.txt").write_text(french, encoding="utf-8")
    articles, rejected, _ = read_inputs([str(tmp_path)])
    assert not rejected
    guessed = {a.id: a.meta.get("charset_guessed") for a in articles}
    assert guessed["utf8.txt"] is None and guessed["declared.html"] is None  # UTF-8, and a declared charset
    assert guessed["latin1.txt"] and guessed["l0"] and guessed["l1"], guessed
    assert all("président" in a.text for a in articles)
    assert charset_guessed(articles) == 3 and "charset_guessed" in Stats.__dataclass_fields__
    latin1 = next(a for a in articles if a.id == "latin1.txt")
    assert article_to_dict(latin1)["charset_guessed"] == guessed["latin1.txt"]
