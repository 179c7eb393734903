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
from ..models import Article, Rejected
from ..pipeline import Executor
from .partition import BatchingExecutor


def read_one_file(file: InputFile, options: IngestOptions) -> list[Article | Rejected]:
    """Articles and rejects of one file (runs on a worker)."""
    return list(read_file(file, options))


def _worth_workers(files: Sequence[InputFile], min_bytes: int) -> bool:
    """Remote files always (each worker fetches its own); local ones when they hold ``min_bytes`` or more."""
    if len(files) < 2:
        return False
    total = 0
    for file in files:
        if file.kind == "remote":
            return True
        try:
            total += os.path.getsize(file.path)
        except OSError:
            continue  # read_file reports it as rejected, with the reason
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
