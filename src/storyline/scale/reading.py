"""Partitioned reading: the driver lists the input files, the executor's workers read and extract their share.

Files that must stay in the driver (standard input; http(s) pages, fetched politely by one fetcher) and small local
inputs are read in the driver as ``ingest.read_inputs`` reads them, from the one listing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import partial

from ..config import FetchOptions, IngestOptions
from ..ingest import (
    InputCounter,
    InputFile,
    iter_input_files,
    keep_first_of_each_id,
    read_file,
    read_inputs,
    read_listed,
)
from ..ingest.detect import HTML_SUFFIXES
from ..models import Article, Rejected
from ..pipeline import Executor
from .partition import BatchingExecutor


def read_one_file(file: InputFile, options: IngestOptions) -> list[Article | Rejected]:
    """Articles and rejects of one file (runs on a worker)."""
    return list(read_file(file, options))


HTML_PAGE_BYTES = 80_000
"""What one HTML page weighs against ``scale.min_parallel_bytes``: extracting a page costs ~30 ms of CPU whatever its
size (trafilatura), as much as reading ~80 KB of JSONL (~0.4 ms per KB, language detection most of it). By bytes on
disk alone, the 100 gzipped pages of the extraction benchmark (3.5 MB, ~3 CPU s) were read on one core."""


def _worth_workers(files: Sequence[InputFile], min_bytes: int) -> bool:
    """Remote files always (each worker fetches its own); local ones when they weigh ``min_bytes`` or more: their
    size, and at least ``HTML_PAGE_BYTES`` for a file named as an HTML page."""
    if len(files) < 2:
        return False
    total = 0
    for file in files:
        if file.kind == "remote":
            return True
        try:
            size = os.path.getsize(file.path)
        except OSError:
            continue  # read_file reports it as rejected, with the reason
        named_html = file.path.lower().removesuffix(".gz").endswith(HTML_SUFFIXES)
        total += max(size, HTML_PAGE_BYTES) if named_html else size
    return total >= min_bytes


def read_inputs_parallel(
    inputs: Sequence[str], options: IngestOptions, executor: Executor, fetch: FetchOptions | None = None
) -> tuple[list[Article], list[Rejected], int]:
    """``ingest.read_inputs`` with the files read by ``executor``'s workers: same items, same order, same rejects."""
    if not isinstance(executor, BatchingExecutor) or (fetch is not None and fetch.enabled):
        return read_inputs(inputs, options, fetch)
    counter = InputCounter()
    files = list(iter_input_files(inputs, options, counter))
    if any(f.kind in ("stdin", "url") for f in files) or not _worth_workers(files, executor.options.min_parallel_bytes):
        return read_listed(files, counter, options, fetch)
    # A file is a heavy item (a JSONL file may hold thousands of articles): share even a few of them.
    found = executor.map(partial(read_one_file, options=options), files, desc="read", min_items=2)
    articles, rejected = keep_first_of_each_id(item for items in found for item in items)
    rejected[:0] = counter.rejected_inputs
    return articles, rejected, counter.files
