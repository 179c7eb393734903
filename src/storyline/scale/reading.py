"""Partitioned reading: the driver lists the input files, workers read and extract their share of them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from functools import partial

from ..config import IngestOptions
from ..ingest import InputCounter, InputFile, iter_input_files, read_file
from ..models import Article, Rejected
from ..pipeline import Executor
from .partition import BatchingExecutor
from .remote import is_url


def read_one_file(file: InputFile, options: IngestOptions) -> list[Article | Rejected]:
    """Articles and rejects of one file (runs on a worker)."""
    return list(read_file(file, options))


def _worth_workers(files: Sequence[InputFile], min_bytes: int) -> bool:
    """Remote files always (each worker fetches its own); local ones when they hold ``min_bytes`` or more."""
    if len(files) < 2:
        return False
    total = 0
    for file in files:
        if is_url(file.path):
            return True
        try:
            total += os.path.getsize(file.path)
        except OSError:
            continue  # read_file reports it as rejected, with the reason
    return total >= min_bytes


def read_inputs_parallel(
    inputs: Iterable[str], options: IngestOptions, executor: Executor
) -> tuple[list[Article], list[Rejected], int]:
    """Like ``ingest.read_inputs`` with the files read by ``executor``'s workers, in the same order.

    Standard input is read here, in the driver; an article id seen before is rejected as a duplicate.
    """
    counter = InputCounter()
    files = list(iter_input_files(inputs, options, counter))
    remote = [f for f in files if f.path != "-"]
    reader = partial(read_one_file, options=options)
    if isinstance(executor, BatchingExecutor):
        # A file is a heavy item (a JSONL file may hold thousands of articles): share even a few of them.
        share = _worth_workers(remote, executor.options.min_parallel_bytes)
        found = executor.map(reader, remote, desc="read", min_items=2 if share else len(remote) + 1)
    else:
        found = executor.map(reader, remote, desc="read")
    read = iter(found)
    articles: list[Article] = []
    rejected: list[Rejected] = []
    seen: dict[str, str] = {}
    for file in files:
        items = read_one_file(file, options) if file.path == "-" else next(read)
        for item in items:
            if isinstance(item, Rejected):
                rejected.append(item)
            elif item.id in seen:
                first = seen[item.id]
                rejected.append(Rejected(f"{item.input} (id {item.id})", f"duplicate id, first read from {first}"))
            else:
                seen[item.id] = item.input or ""
                articles.append(item)
    rejected[:0] = counter.rejected_inputs
    return articles, rejected, counter.files
