"""Split a map's items into contiguous batches: one task per batch, so per-task overhead is paid per partition."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def partition(items: Sequence[T], parts: int) -> list[list[T]]:
    """``items`` in at most ``parts`` contiguous, near-equal, non-empty batches, in order."""
    if parts < 1:
        raise ValueError(f"parts must be at least 1, got {parts}")
    count = len(items)
    parts = min(parts, count)
    if not parts:
        return []
    size, extra = divmod(count, parts)
    batches, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        batches.append(list(items[start:end]))
        start = end
    return batches


def run_batch(fn: Callable[[T], R], batch: Sequence[T]) -> list[R]:
    """Apply ``fn`` to every item of one batch (what each worker task does)."""
    return [fn(item) for item in batch]
