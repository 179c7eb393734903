"""Plain text and JSONL readers, folders, gzip and the errors users hit first."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from storyline.config import IngestOptions
from storyline.ingest import read_inputs
from storyline.ingest.detect import detect_format

from conftest import DATA, SEEDS, run_cli


def test_seed_titles_follow_the_blank_line_rule() -> None:
    articles, rejected, files = read_inputs([str(SEEDS)])
    assert files == 2 and not rejected
    by_id = {a.id: a for a in articles}
    assert by_id["004_aaedc645091e8ef2.txt"].title.startswith("Trump Administration Held Talks")
    assert not by_id["004_aaedc645091e8ef2.txt"].text.startswith("Trump Administration Held Talks")
    assert by_id["000_2f5120fb859c3a0c.txt"].title is None
    assert by_id["000_2f5120fb859c3a0c.txt"].text.startswith("According to the New York Times")


def test_ids_are_paths_relative_to_the_input_root(tmp_path: Path) -> None:
    (tmp_path / "outlet" / "2024").mkdir(parents=True)
    (tmp_path / "outlet" / "2024" / "a.txt").write_text("Some article text that is long enough to keep.")
    articles, _, _ = read_inputs([str(tmp_path)])
    assert [a.id for a in articles] == ["outlet/2024/a.txt"]
    again, _, _ = read_inputs([str(tmp_path)])
    assert [a.id for a in again] == ["outlet/2024/a.txt"]


def test_any_encoding_is_decoded(tmp_path: Path) -> None:
    text = "Le président a déclaré que l'économie était en crise. Les élèves ont manifesté à Paris."
    (tmp_path / "latin1.txt").write_bytes(text.encode("latin-1"))
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))
    (tmp_path / "cp1252.txt").write_bytes(("“Quoted” — " + text).encode("cp1252"))
    articles, rejected, _ = read_inputs([str(tmp_path)])
    assert not rejected
    for article in articles:
        assert "président" in article.text and "économie" in article.text


def test_binary_empty_and_missing_inputs_are_rejected_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "good.txt").write_text("A good article about a bridge that opened in Norden on Friday.")
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    articles, rejected, _ = read_inputs([str(tmp_path), str(tmp_path / "missing"), str(empty_dir)])
    assert [a.id for a in articles] == ["good.txt"]
    reasons = {Path(r.input).name: r.reason for r in rejected}
    assert "binary" in reasons["image.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "no such file" in reasons["missing"]
    assert "no files" in reasons["nothing"]


def test_gzip_is_read_and_bombs_and_truncation_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(b"Title line\n\nA gzipped article body about the harbour."))
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * 5_000_000))
    body = " ".join(f"word{i * 7919 % 10007}" for i in range(5000)).encode()
    (tmp_path / "cut.txt.gz").write_bytes(gzip.compress(body)[:2000])
    articles, rejected, _ = read_inputs([str(tmp_path)], IngestOptions(max_decompression_ratio=100))
    assert [(a.id, a.title) for a in articles] == [("a.txt", "Title line")]
    reasons = {Path(r.input).name: r.reason for r in rejected}
    assert "expands past" in reasons["bomb.txt.gz"]
    assert "truncated" in reasons["cut.txt.gz"]


def test_jsonl_bad_lines_are_rejected_by_number_and_the_rest_is_read(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "x1", "text": "A ferry ran aground near Kelso on Sunday morning.", "source": "Daily",
                    "published": "2024-03-03T08:00:00Z", "language": "en", "url": "https://daily.example/x1"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "x2"}),
        json.dumps({"id": "x3", "text": "Another article long enough to keep.", "published": "last week"}),
        "",
        json.dumps({"id": "x4", "html": "<html><body><article><p>The ferry was refloated on Monday after "
                    "a six hour effort by two tugs and the coast guard crew.</p></article></body></html>"}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines))
    articles, rejected, _ = read_inputs([str(tmp_path / "feed.jsonl")])
    assert [a.id for a in articles] == ["x1", "x4"]
    assert articles[0].source == "Daily" and articles[0].published.year == 2024
    assert "refloated" in articles[1].text
    where = {r.input.rsplit(":", 1)[1]: r.reason for r in rejected}
    assert set(where) == {"2", "3", "4", "5"}
    assert "invalid JSON" in where["2"] and "object" in where["3"] and "no 'text'" in where["4"]
    assert "ISO 8601" in where["5"]


def test_same_id_twice_is_rejected_not_duplicated(tmp_path: Path) -> None:
    record = json.dumps({"id": "same", "text": "An article that appears in two files by mistake."})
    (tmp_path / "a.jsonl").write_text(record)
    (tmp_path / "b.jsonl").write_text(record)
    articles, rejected, _ = read_inputs([str(tmp_path)])
    assert len(articles) == 1 and "duplicate id" in rejected[0].reason


def test_cli_reads_jsonl_from_stdin_and_fails_only_when_nothing_is_read(tmp_path: Path) -> None:
    record = json.dumps({"id": "in1", "text": "A storm closed the port of Arlow for two days this week."})
    result = run_cli("digest", "-", "-o", str(tmp_path / "o"), "-q", input=record + "\n")
    assert json.loads((tmp_path / "o" / "stories.json").read_text())["stats"]["articles"] == 1
    failed = run_cli("digest", str(tmp_path / "missing"), "-o", str(tmp_path / "o2"), check=False)
    assert failed.returncode != 0
    assert "missing" in failed.stderr and "no such file" in failed.stderr
    assert result.returncode == 0


def test_text_files_take_source_from_their_folder_and_date_from_their_name(tmp_path: Path) -> None:
    (tmp_path / "harbor-ledger").mkdir()
    (tmp_path / "harbor-ledger" / "2026-09-09-fire.txt").write_text("Fire\n\nA warehouse burned on Dockside Road.")
    (tmp_path / "2026-13-45-notes.txt").write_text("An undated note about the harbour meeting.")
    articles, rejected, _ = read_inputs([str(tmp_path)])
    assert not rejected
    by_id = {a.id: a for a in articles}
    fire = by_id["harbor-ledger/2026-09-09-fire.txt"]
    assert fire.source == "harbor-ledger" and fire.published.isoformat() == "2026-09-09T00:00:00+00:00"
    assert fire.meta == {"source_from": "folder", "published_from": "file name"}
    note = by_id["2026-13-45-notes.txt"]
    assert note.source is None and note.published is None
    seed = read_inputs([str(SEEDS)])[0][0]
    assert seed.source is None and seed.published is None


def test_the_file_name_decides_when_the_content_does_not() -> None:
    """Bytes that look like nothing in particular are read by their extension (then as plain text)."""
    plain = b"A few words with no markup, no JSON and no URLs.\n"
    assert [detect_format(plain, name) for name in ("a.jsonl", "a.ndjson", "a.html", "a.htm", "a.rss", "a.warc",
                                                    "a.jsonl.gz", "a.txt")] == \
        ["jsonl", "jsonl", "html", "html", "feed", "warc", "jsonl", "text"]


def test_the_language_detector_loads_once_when_threads_ask_at_the_same_time() -> None:
    """serve's request threads validating their first POSTs together used to load the detector once each, all at
    once (validation p95 30-46 s in bench/load.py); now the first loads it and the others wait for that load."""
    import threading

    from storyline.ingest import language

    language._load_identifier.cache_clear()
    start = threading.Barrier(4)
    found: list[str | None] = []

    def validate() -> None:
        start.wait()
        found.append(language.detect_language("The council met on Monday and approved the new budget for schools."))

    threads = [threading.Thread(target=validate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == ["en"] * 4
    assert language._load_identifier.cache_info().misses == 1


def test_unsure_language_without_a_hint_is_unknown_not_a_guess():
    """py3langid reads this English headline as English at only ~0.2 (and other short English titles as Central
    Bikol): below MIN_CONFIDENCE and with no hint the article has no language rather than a wrong one; a hint or a
    text the detector is sure of still decides."""
    from storyline.ingest import language

    headline = "Mayor Ortega names new police chief"
    assert language.detect_language(headline) is None
    assert language.detect_language(headline, hint="en-GB") == "en"
    assert language.detect_language("The council met on Monday and approved the new budget for schools.") == "en"


def test_the_opening_of_an_english_report_is_not_read_as_another_language():
    """The first 100-150 characters of real English reports (ECB+ dev: these ids and lengths) are what py3langid reads
    as Central Bikol, Nigerian Pidgin or "no linguistic content" at 0.5-0.81: a text that short needs
    SHORT_CONFIDENCE, so they get no language (one of them among English news made the clustering encode the whole
    input with the cross-lingual model); a short text the detector is sure of, and the whole reports, are English."""
    from storyline.ingest import language

    texts = {json.loads(line)["id"]: json.loads(line)["text"]
             for line in (DATA / "ecbplus" / "dev.jsonl").read_text(encoding="utf-8").splitlines()}
    for doc, chars in (("1_5ecbplus", 100), ("1_5ecbplus", 150), ("21_2ecbplus", 150), ("29_10ecbplus", 150)):
        guess, confidence = language._identifier().classify(texts[doc][:chars])
        assert guess != "en" and confidence >= language.MIN_CONFIDENCE  # what the detector alone says
        assert language.detect_language(texts[doc][:chars]) is None
        assert language.detect_language(texts[doc][:chars], hint="en") == "en"
        assert language.detect_language(texts[doc]) == "en"


def test_the_language_model_is_unpacked_once_and_read_mapped_with_the_same_scores(tmp_path, monkeypatch) -> None:
    """py3langid's model is unpacked into the storyline cache on first use and memory-mapped after that (~10 ms
    instead of ~0.5 s per process): the mapped detector gives py3langid's own scores, bit for bit, on real texts."""
    import numpy as np
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from storyline.ingest import language

    from conftest import DATA

    monkeypatch.setenv("STORYLINE_CACHE", str(tmp_path / "cache"))
    language._load_identifier.cache_clear()
    try:
        built = language._load_identifier()
        folders = list((tmp_path / "cache" / "models").glob("py3langid-*"))
        assert len(folders) == 1 and (folders[0] / "classes.json").exists()
        language._load_identifier.cache_clear()
        mapped = language._load_identifier()  # from the folder this time
        assert isinstance(mapped.tk_nextmove, memoryview) and isinstance(mapped.nb_ptc, np.memmap)
        own = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        english = (DATA / "ecbplus" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:150]
        seven = (DATA / "multilingual" / "multiling2011_dev.jsonl").read_text(encoding="utf-8").splitlines()
        texts = [json.loads(line)["text"][:1200] for line in english] + \
                [json.loads(line)["text"][:300] for line in seven[::3]]  # ar, cs, el, en, fr, he, hi
        for text in texts:
            expected = own._decide(text)
            assert np.array_equal(mapped._decide(text), expected) and np.array_equal(built._decide(text), expected)
    finally:
        language._load_identifier.cache_clear()


def test_a_language_model_cache_that_cannot_be_written_falls_back_to_the_package(tmp_path, monkeypatch,
                                                                                 caplog) -> None:
    """A cache folder that cannot be made (here: under a file) costs the old load, with a warning; no language is
    lost."""
    from storyline.ingest import language

    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("STORYLINE_CACHE", str(tmp_path / "a-file" / "cache"))
    language._load_identifier.cache_clear()
    try:
        assert language.detect_language("The council met on Monday and approved the new budget for schools.") == "en"
        assert "not the cache" in caplog.text
    finally:
        language._load_identifier.cache_clear()
