"""spaCy, imported without torch: importing this module imports spaCy the way storyline uses it.

spaCy's machine-learning library, thinc, imports torch whenever torch is installed (``thinc.compat``: it has no
switch), which costs ~4 s of start-up and ~200 MB in every process, though the CNN pipelines storyline runs
(``en_core_web_sm``) compute with thinc's NumPy ops and never touch torch. So spaCy is imported with torch hidden
(a ``None`` entry in ``sys.modules`` makes ``import torch`` raise ImportError, which thinc handles as "not
installed"), then torch is importable again for anything else. :func:`storyline.compare.nlp.load_spacy` and the
fork server of a worker pool (:func:`storyline.pipeline.model_packages`) both import spaCy through here. When torch
is already imported, hiding it would save nothing and spaCy is imported as it is.

The pipelines' layers multiply their matrices through thinc's ``NumpyOps``, which calls the ``blis`` package by
default; :func:`numpy_ops` loads a pipeline with ``use_blis=False`` instead, so the same products run in NumPy's
OpenBLAS: ~3x blis' rate on this machine's token-encoder products (7,680 x 288 by 288 x 288: 92 against 31
GFLOP/s on one core) and ~0.65x the CPU of a sentence's tags, parse and entities, with the same tags, parse and
entities on every sentence measured (``bench/spacy_speed.py``). :func:`one_blas_thread` holds OpenBLAS to one thread
while a pipeline runs, as the pool's workers do anyway: the same sums in every process, no oversubscription.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

if "torch" in sys.modules:
    import spacy
else:
    sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import spacy
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]

__all__ = ["numpy_ops", "one_blas_thread", "spacy"]


@contextmanager
def numpy_ops() -> Iterator[None]:
    """Inside this block, thinc models built (a spaCy pipeline loaded) compute on NumPy's BLAS, not blis."""
    from thinc.api import use_ops

    with use_ops("numpy", use_blis=False):
        yield


@cache
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


_one_at_a_time = threading.Lock()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """NumPy's BLAS on one thread inside this block (~10 µs to enter). The limit is the process's, so threads enter
    one at a time: two interleaved blocks would otherwise restore each other's setting in the wrong order."""
    with _one_at_a_time, _controller().limit(limits=1, user_api="blas"):
        yield
