"""Turn files, folders and standard input into ``Article`` records; what cannot be read becomes ``Rejected``.

One reader per input kind (``text``, ``jsonl``, ``html``, ``feed``, ``warc``, ``urls``); ``detect.py`` picks it
by content. Inputs may be local paths, fsspec URLs (``file://``, ``s3://``, ``memory://`` ...) or, with
``fetch.enabled``, http(s) URLs. A broken file never stops a run: it is reported as a ``Rejected`` entry with the
reason.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import FetchOptions, IngestOptions
from ..errors import InputError
from ..models import Article, Rejected
from .base import ReadContext
from .decode import gunzip_partial, is_gzip
from .detect import detect_format, get_reader, reader_available
from .readers.urls import is_url, read_url
from .remote import is_remote, iter_remote_files, read_remote
from .validate import validate_article

if TYPE_CHECKING:
    from .fetch import Fetcher

__all__ = [
    "InputFile",
    "iter_input_files",
    "keep_first_of_each_id",
    "read_bytes",
    "read_inputs",
    "read_listed",
    "validate_article",
]


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to read: where it is and the article id it gives (its path relative to the input root)."""

    path: str
    relative: str
    kind: str = "local"
    """``local`` (a path), ``remote`` (an fsspec URL), ``url`` (http(s), fetched) or ``stdin``."""


@dataclass(slots=True)
class InputCounter:
    files: int = 0
    rejected_inputs: list[Rejected] = field(default_factory=list)


def iter_input_files(inputs: Iterable[str], options: IngestOptions, counter: InputCounter) -> Iterator[InputFile]:
    """Every file under ``inputs`` (folders recursively, hidden files skipped), in a stable order."""
    for raw in inputs:
        if raw == "-":
            counter.files += 1
            yield InputFile("-", "stdin", "stdin")
            continue
        if is_url(raw):
            counter.files += 1
            yield InputFile(raw, raw, "url")
            continue
        if is_remote(raw):
            try:
                remote = list(iter_remote_files(raw, options.max_files - counter.files))
            except InputError as exc:
                counter.rejected_inputs.append(Rejected(raw, _reason(exc)))
                continue
            if not remote:
                counter.rejected_inputs.append(Rejected(raw, "no files at this URL"))
            for remote_url, relative in remote:
                counter.files += 1
                yield InputFile(remote_url, relative, "remote")
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
            if counter.files >= options.max_files:
                counter.rejected_inputs.append(
                    Rejected(raw, f"over the limit of {options.max_files:,} files (ingest.max_files)")
                )
                continue
            counter.files += 1
            yield InputFile(str(path), path.name)
        elif path.exists():
            counter.rejected_inputs.append(Rejected(raw, "not a regular file or folder"))
        else:
            counter.rejected_inputs.append(Rejected(raw, "no such file or folder"))


def read_bytes(file: InputFile, options: IngestOptions) -> bytes:
    """The file's bytes, decompressed when gzipped, within the size caps; a cut gzip stream raises."""
    data, problem = read_bytes_partial(file, options)
    if problem:
        raise InputError(file.path, problem)
    return data


def read_bytes_partial(file: InputFile, options: IngestOptions) -> tuple[bytes, str | None]:
    """The file's bytes (decompressed as far as the gzip stream goes) and what cut them short, if anything."""
    if file.path == "-":
        data = sys.stdin.buffer.read(options.max_bytes + 1)
    elif file.kind == "remote":
        data = read_remote(file.path, options.max_bytes)
    else:
        try:
            with open(file.path, "rb") as handle:
                data = handle.read(options.max_bytes + 1)
        except OSError as exc:
            raise InputError(file.path, exc.strerror or str(exc)) from exc
    if len(data) > options.max_bytes:
        raise InputError(file.path, f"larger than {options.max_bytes:,} bytes", "raise ingest.max_bytes to read it")
    if is_gzip(data):
        return gunzip_partial(data, file.path, options.max_bytes, options.max_decompression_ratio)
    return data, None


def read_file(file: InputFile, options: IngestOptions, fetcher: Fetcher | None = None) -> Iterator[Article | Rejected]:
    """Articles and rejects from one file or URL; never raises for bad content."""
    if file.kind == "url":
        ctx = ReadContext(name=file.path, default_id=file.path, options=options, url=file.path, fetcher=fetcher)
        yield from _checked_all(read_url(file.path, ctx), file.path, options)
        return
    try:
        data, cut = read_bytes_partial(file, options)
    except InputError as exc:
        yield Rejected(file.path, _reason(exc))
        return
    name = "<stdin>" if file.path == "-" else file.path
    if not data.strip():
        yield Rejected(name, cut or "empty file")
        return
    fmt: str = options.format
    if fmt == "auto":
        fmt = "jsonl" if file.path == "-" else detect_format(data, file.path)
    if cut:
        if fmt == "jsonl":  # one record a line: the whole lines before the cut are whole records
            data = data[: data.rfind(b"\n") + 1]
        if fmt not in ("warc", "jsonl") or not data.strip():
            yield Rejected(name, cut)
            return
        yield Rejected(name, f"{cut}; reading the records before the cut")
    if options.format == "auto" and not reader_available(fmt):
        # Detected, but that reader's optional dependency is missing: reject this file, keep the run going.
        extra = {"feed": "feeds"}.get(fmt, fmt)
        yield Rejected(name, f"looks like {fmt}, but its reader is not installed; pip install 'storyline[{extra}]'")
        return
    reader = get_reader(fmt)
    default_id = file.relative.removesuffix(".gz")
    ctx = ReadContext(name=name, default_id=default_id, options=options, fetcher=fetcher)
    yield from _checked_all(reader(data, ctx), name, options, f" (read as {fmt})" if not cut else None)


def _reason(exc: InputError) -> str:
    return exc.reason if not exc.hint else f"{exc.reason}; {exc.hint}"


def _checked_all(
    items: Iterator[Article | Rejected], name: str, options: IngestOptions, empty: str | None = ""
) -> Iterator[Article | Rejected]:
    """Checked articles and rejects; a file that gives neither is rejected too (``empty`` None: already counted)."""
    produced = 0
    try:
        for item in items:
            produced += 1
            if isinstance(item, Article):
                yield from _checked(item, options)
            else:
                yield item
    except InputError as exc:
        produced += 1
        yield Rejected(name, _reason(exc))
    if not produced and empty is not None:  # e.g. only a byte order mark, or only blank lines once decoded
        yield Rejected(name, f"no article in the file{empty}")


def _checked(article: Article, options: IngestOptions) -> Iterator[Article | Rejected]:
    yield validate_article(article, options)


def keep_first_of_each_id(items: Iterable[Article | Rejected]) -> tuple[list[Article], list[Rejected]]:
    """Split ``items`` into articles and rejects; an article whose id was already seen is rejected, not kept twice."""
    articles: list[Article] = []
    rejected: list[Rejected] = []
    seen: dict[str, str] = {}
    for item in items:
        if isinstance(item, Rejected):
            rejected.append(item)
        elif item.id in seen:
            first = seen[item.id]
            rejected.append(Rejected(f"{item.input} (id {item.id})", f"duplicate id, first read from {first}"))
        else:
            seen[item.id] = item.input or ""
            articles.append(item)
    return articles, rejected


def read_inputs(
    inputs: Iterable[str], options: IngestOptions | None = None, fetch: FetchOptions | None = None
) -> tuple[list[Article], list[Rejected], int]:
    """All articles and rejects from ``inputs``, and the number of input files seen, read in this process
    (``scale.reading.read_inputs_parallel`` shares the files out to the engine's workers).

    Articles whose id was already seen are rejected, so reading the same input twice never duplicates.
    With ``fetch.enabled`` one polite fetcher (``fetch`` options) serves URLs, URL lists, OPML and feed teasers.
    """
    options = options or IngestOptions()
    counter = InputCounter()
    return read_listed(iter_input_files(inputs, options, counter), counter, options, fetch)


def read_listed(
    files: Iterable[InputFile], counter: InputCounter, options: IngestOptions, fetch: FetchOptions | None = None
) -> tuple[list[Article], list[Rejected], int]:
    """``read_inputs`` over files already listed by ``iter_input_files`` with ``counter``: no input is listed twice."""
    fetcher = None
    if fetch is not None and fetch.enabled:
        from .fetch import Fetcher

        fetcher = Fetcher(fetch)
    try:
        articles, rejected = keep_first_of_each_id(item for file in files for item in read_file(file, options, fetcher))
    finally:
        if fetcher is not None:
            fetcher.close()
    rejected[:0] = counter.rejected_inputs
    return articles, rejected, counter.files
