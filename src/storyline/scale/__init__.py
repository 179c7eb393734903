"""Where the work runs: this process, a local process pool (the default) or a Dask cluster.

Every engine is an ``Executor`` (``pipeline.Executor``): ``map(fn, items, desc, min_items=None)`` in order. Stages
stay the same on all of them; the engines batch items per partition, ship the function once per worker and keep
workers (and the models they load) alive for the whole run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..config import ScaleOptions
from ..errors import ConfigError
from ..pipeline import Executor, LocalExecutor

ENGINES = ("local", "process", "dask")


@contextmanager
def open_executor(
    options: ScaleOptions | None = None, progress: bool = True, preload: Sequence[str] = ()
) -> Iterator[Executor]:
    """The executor ``options.engine`` names, stopped (workers, LocalCluster) when the block ends. ``preload``
    names packages the process pool's workers should start with already imported (``pipeline.model_packages``);
    this process and Dask workers import them when first needed, as always."""
    options = options or ScaleOptions()
    if options.engine == "local":
        yield LocalExecutor(progress=progress)
        return
    if options.engine == "process":
        from .process import ProcessExecutor

        with ProcessExecutor(options, progress=progress, preload=tuple(preload)) as executor:
            yield executor
        return
    if options.engine == "dask":
        from .dask_engine import DaskExecutor

        with DaskExecutor(options, progress=progress) as executor:
            yield executor
        return
    raise ConfigError(f"unknown engine {options.engine!r}; choose one of: {', '.join(ENGINES)}")


__all__ = ["ENGINES", "open_executor"]
