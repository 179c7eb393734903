"""Coverage-guided fuzzing of the readers and the sentence splitter with atheris (libFuzzer), outside the tests.

    pip install 'storyline[fuzz]'
    python tools/fuzz_atheris.py readers -max_total_time=300 -timeout=10 -rss_limit_mb=2048 fuzz-out/
    python tools/fuzz_atheris.py sentences -max_total_time=120
    python tools/fuzz_atheris.py gzip -max_total_time=60

The first argument picks the target; the rest go to libFuzzer (a folder argument is its working corpus; the
hostile corpus in tests/fuzz_corpus seeds the ``readers`` target). A target "crashes" on any exception that is
not the reader's documented behaviour and on any broken invariant; libFuzzer then writes the input to
``crash-<sha1>`` so it can be replayed: ``python tools/fuzz_atheris.py readers crash-<sha1>``.
Results of our runs are in docs/reliability.md.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["storyline"]):
    from storyline.config import IngestOptions
    from storyline.errors import InputError
    from storyline.ingest import InputFile, read_file
    from storyline.ingest.decode import gunzip_capped
    from storyline.models import Article, Rejected
    from storyline.text.sentences import split_sentences

logging.disable(logging.CRITICAL)  # trafilatura logs every unparsable page
CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fuzz_corpus"
FORMATS = ["auto", "text", "jsonl", "html", "auto"]
NAMES = ["a.txt", "a.jsonl", "a.html", "a.xml", "a.txt.gz", "a"]
SCRATCH = Path(tempfile.mkdtemp(prefix="storyline-atheris-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))


def fuzz_sentences(data: bytes) -> None:
    """Offsets exact, spans ordered and disjoint, nothing but whitespace between them."""
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    end = 0
    for sentence in split_sentences(text):
        if text[sentence.start : sentence.end] != sentence.text or sentence.start < end:
            raise AssertionError(f"bad span {sentence}")
        if text[end : sentence.start].strip():
            raise AssertionError(f"text lost before {sentence}")
        end = sentence.end


def fuzz_readers(data: bytes) -> None:
    """Any bytes, read as the CLI reads a file: only articles and rejects come out, every string UTF-8 safe."""
    if not data:
        return
    fmt, name = FORMATS[data[0] % len(FORMATS)], NAMES[data[0] % len(NAMES)]
    path = SCRATCH / name
    path.write_bytes(data[1:])
    options = IngestOptions(format=fmt, max_bytes=2_000_000, max_decompression_ratio=1000)
    items = list(read_file(InputFile(str(path), name), options))
    if not items:
        raise AssertionError("a file gave neither an article nor a reject")
    for item in items:
        if isinstance(item, Rejected):
            if not item.reason:
                raise AssertionError("reject without a reason")
        elif isinstance(item, Article):
            if not item.id.strip() or len(item.text) < options.min_article_chars:
                raise AssertionError(f"bad article {item.id!r}")
            for value in (item.id, item.text, item.title, item.url, item.author, item.source):
                if value is not None:
                    value.encode("utf-8")
            item.source_name.encode("utf-8")
        else:
            raise AssertionError(f"unexpected item {item!r}")


def fuzz_gzip(data: bytes) -> None:
    """Any gzip-looking bytes: the output or an ``InputError``, never more than the cap."""
    try:
        out = gunzip_capped(b"\x1f\x8b" + data, "fuzz.gz", 100_000, 50)
    except InputError:
        return
    if len(out) > min(100_000, (len(data) + 2) * 50):
        raise AssertionError("cap exceeded")


TARGETS = {"sentences": fuzz_sentences, "readers": fuzz_readers, "gzip": fuzz_gzip}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: fuzz_atheris.py {{{','.join(TARGETS)}}} [libFuzzer options] [corpus folder]")
    target = sys.argv.pop(1)
    args = list(sys.argv)
    if target == "readers" and not any(not a.startswith("-") for a in args[1:]):
        seeds = SCRATCH / "seeds"
        seeds.mkdir()
        for i, path in enumerate(sorted(CORPUS.iterdir())):
            if path.suffix != ".py":
                (seeds / path.name).write_bytes(bytes([i % 256]) + path.read_bytes())
        args.append(str(seeds))
    atheris.Setup(args, TARGETS[target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
