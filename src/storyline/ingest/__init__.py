"""Turn files, folders and standard input into ``Article`` records; what cannot be read becomes ``Rejected``.

One reader per input kind (``text``, ``jsonl``, ``html``, ``feed``, ``warc``); ``detect.py`` picks it by content.
A broken file never stops a run: it is reported as a ``Rejected`` entry with the reason.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..config import IngestOptions
from ..errors import InputError
from ..models import Article, Rejected
from ..scale.remote import is_url
from .base import ReadContext
from .decode import gunzip_capped, is_gzip
from .detect import detect_format, get_reader

__all__ = ["InputFile", "iter_input_files", "read_bytes", "read_inputs"]


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to read: where it is and the article id it gives (its path relative to the input root)."""

    path: str
    relative: str


@dataclass(slots=True)
class InputCounter:
    files: int = 0
    rejected_inputs: list[Rejected] = field(default_factory=list)


def iter_input_files(inputs: Iterable[str], options: IngestOptions, counter: InputCounter) -> Iterator[InputFile]:
    """Every file under ``inputs`` (folders recursively, hidden files skipped), in a stable order."""
    for raw in inputs:
        if raw == "-":
            counter.files += 1
            yield InputFile("-", "stdin")
            continue
        if is_url(raw):
            yield from _url_files(raw, options, counter)
            continue
        path = Path(raw)
        if path.is_dir():
            found = 0
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    full = Path(root) / name
                    if counter.files >= options.max_files:
                        counter.rejected_inputs.append(
                            Rejected(str(full), f"over the limit of {options.max_files:,} files (ingest.max_files)")
                        )
                        continue
                    counter.files += 1
                    found += 1
                    yield InputFile(str(full), full.relative_to(path).as_posix())
            if not found:
                counter.rejected_inputs.append(Rejected(raw, "folder holds no files"))
        elif path.is_file():
            counter.files += 1
            yield InputFile(str(path), path.name)
        elif path.exists():
            counter.rejected_inputs.append(Rejected(raw, "not a regular file or folder"))
        else:
            counter.rejected_inputs.append(Rejected(raw, "no such file or folder"))


def _url_files(url: str, options: IngestOptions, counter: InputCounter) -> Iterator[InputFile]:
    """The files under an fsspec URL (``s3://bucket/prefix/``), each read later by whichever worker gets it."""
    from ..scale.remote import list_url

    try:
        found = list_url(url)
    except InputError as exc:
        counter.rejected_inputs.append(Rejected(url, exc.reason if not exc.hint else f"{exc.reason}; {exc.hint}"))
        return
    for full, relative in found:
        if counter.files >= options.max_files:
            counter.rejected_inputs.append(
                Rejected(full, f"over the limit of {options.max_files:,} files (ingest.max_files)")
            )
            continue
        counter.files += 1
        yield InputFile(full, relative)


def read_bytes(file: InputFile, options: IngestOptions) -> bytes:
    """The file's bytes, decompressed when gzipped, within the size caps."""
    if file.path == "-":
        data = sys.stdin.buffer.read(options.max_bytes + 1)
    elif is_url(file.path):
        from ..scale.remote import read_url

        data = read_url(file.path, options.max_bytes + 1)
    else:
        try:
            with open(file.path, "rb") as handle:
                data = handle.read(options.max_bytes + 1)
        except OSError as exc:
            raise InputError(file.path, exc.strerror or str(exc)) from exc
    if len(data) > options.max_bytes:
        raise InputError(file.path, f"larger than {options.max_bytes:,} bytes", "raise ingest.max_bytes to read it")
    if is_gzip(data):
        data = gunzip_capped(data, file.path, options.max_bytes, options.max_decompression_ratio)
    return data


def read_file(file: InputFile, options: IngestOptions) -> Iterator[Article | Rejected]:
    """Articles and rejects from one file; never raises for bad content."""
    try:
        data = read_bytes(file, options)
    except InputError as exc:
        yield Rejected(file.path, exc.reason if not exc.hint else f"{exc.reason}; {exc.hint}")
        return
    name = "<stdin>" if file.path == "-" else file.path
    if not data.strip():
        yield Rejected(name, "empty file")
        return
    fmt = options.format
    if fmt == "auto":
        fmt = "jsonl" if file.path == "-" else detect_format(data, file.path)
    reader = get_reader(fmt)
    default_id = file.relative.removesuffix(".gz")
    ctx = ReadContext(name=name, default_id=default_id, options=options)
    try:
        for item in reader(data, ctx):
            if isinstance(item, Article):
                yield from _checked(item, options)
            else:
                yield item
    except InputError as exc:
        yield Rejected(name, exc.reason if not exc.hint else f"{exc.reason}; {exc.hint}")


def _checked(article: Article, options: IngestOptions) -> Iterator[Article | Rejected]:
    where = f"{article.input} (id {article.id})"
    if len(article.text) < options.min_article_chars:
        yield Rejected(where, f"text shorter than {options.min_article_chars} characters")
    elif len(article.text) > options.max_article_chars:
        yield Rejected(where, f"text longer than {options.max_article_chars:,} characters (ingest.max_article_chars)")
    else:
        yield article


def read_inputs(inputs: Iterable[str], options: IngestOptions | None = None) -> tuple[list[Article], list[Rejected], int]:
    """All articles and rejects from ``inputs``, and the number of input files seen.

    Articles whose id was already seen are rejected, so reading the same input twice never duplicates.
    """
    options = options or IngestOptions()
    counter = InputCounter()
    articles: list[Article] = []
    rejected: list[Rejected] = []
    seen: dict[str, str] = {}
    for file in iter_input_files(inputs, options, counter):
        for item in read_file(file, options):
            if isinstance(item, Rejected):
                rejected.append(item)
            elif item.id in seen:
                rejected.append(Rejected(f"{item.input} (id {item.id})", f"duplicate id, first read from {seen[item.id]}"))
            else:
                seen[item.id] = item.input or ""
                articles.append(item)
    rejected[:0] = counter.rejected_inputs
    return articles, rejected, counter.files
