"""Partitioned reading: the driver lists the input files, workers read and extract their share of them."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from ..config import IngestOptions
from ..ingest import InputCounter, InputFile, iter_input_files, read_file
from ..models import Article, Rejected
from ..pipeline import Executor


def read_one_file(file: InputFile, options: IngestOptions) -> list[Article | Rejected]:
    """Articles and rejects of one file (runs on a worker)."""
    return list(read_file(file, options))


def read_inputs_parallel(
    inputs: Iterable[str], options: IngestOptions, executor: Executor
) -> tuple[list[Article], list[Rejected], int]:
    """Like ``ingest.read_inputs`` with the files read by ``executor``'s workers, in the same order.

    Standard input is read here, in the driver; an article id seen before is rejected as a duplicate.
    """
    counter = InputCounter()
    files = list(iter_input_files(inputs, options, counter))
    remote = [f for f in files if f.path != "-"]
    read = iter(executor.map(partial(read_one_file, options=options), remote, desc="read"))
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
