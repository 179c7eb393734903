"""Shared pieces of the fuzz tests: hypothesis settings, a wall-clock cap, a memory probe and hostile strategies.

``STORYLINE_FUZZ_EXAMPLES`` multiplies the number of examples (default 1) for a deeper run outside CI, e.g.
``STORYLINE_FUZZ_EXAMPLES=20 pytest tests/test_fuzz_*.py``.
"""

from __future__ import annotations

import os
import signal
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

T = TypeVar("T")

SCALE = max(1, int(os.environ.get("STORYLINE_FUZZ_EXAMPLES", "1")))


def fuzz_settings(examples: int, deadline_ms: int) -> settings:
    """Hypothesis settings with bounded work: ``examples`` inputs, each within ``deadline_ms``."""
    return settings(
        max_examples=examples * SCALE,
        deadline=timedelta(milliseconds=deadline_ms),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


class Hang(AssertionError):
    """Raised inside the code under test when it runs past its wall-clock cap."""


@contextmanager
def time_cap(seconds: float, what: str) -> Iterator[None]:
    """Fail with ``Hang`` if the block runs longer than ``seconds`` (a real interrupt, unlike a deadline)."""

    def interrupt(signum: int, frame: Any) -> None:
        raise Hang(f"{what} ran longer than {seconds} s: it hangs or is super-linear on this input")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def peak_memory(fn: Callable[[], T]) -> tuple[T, int]:
    """``fn()`` and the peak bytes of Python memory it allocated (tracemalloc)."""
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


# Characters that stress text handling: sentence punctuation, quotes, every kind of line break and space,
# controls, NUL, BOM, combining marks, right-to-left, astral and lone surrogate code points.
HOSTILE_CHARS = list(
    ".!?…'\"“”‘’()[]$£€¿¡ \t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u00a0\u2028\u2029\u3000\x00\x1b\ufeff\u0301\u202e"
    "\U0001f600\ud800\udfffaZ1éß中"
)

hostile_text = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=300),
    st.text(st.sampled_from(HOSTILE_CHARS), max_size=300),
)
"""Any code points (surrogates included) or a dense mix of the characters above."""

NEWS_TOKENS = [
    "The", "the", "he", "said", "Mr.", "Dr.", "Sept.", "U.S.", "U.N.", "p.m.", "No.", "3.5", "2.4%", "$1.2bn",
    "J.", "etc.", "e.g.", "vs.", '"We', 'ready,"', "“Yes”", "(AP)", "...", "…", "?", "!", "?!", ".", ",", "—",
    "\n", "\n\n", "Police", "officials", "Monday.", "Gen.", "Inc.", "a.m.", "'", ")", "]", "Über", "straße.",
]
news_text = st.lists(st.sampled_from(NEWS_TOKENS), max_size=80).map(" ".join)
"""Token soup shaped like news prose, so sentence-boundary rules are hit often."""
