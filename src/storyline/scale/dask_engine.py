"""The Dask engine: the same maps on a Dask cluster, or on a LocalCluster on loopback when no scheduler is given.

Each map scatters its batches to the workers, broadcasts the function once, runs one task per batch and gathers
the results in order. Workers are long-lived processes, so what a function loads (models) stays loaded per worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from ..config import ScaleOptions
from ..errors import ConfigError, EngineError
from .partition import BatchingExecutor, run_worker_batch, warm_up


@dataclass(frozen=True)
class ShippedFunction:
    """A function scattered to every worker once per map (a box, so Dask does not treat it as a task)."""

    fn: Callable[[Any], Any]


def _run_shipped(batch: list[Any], shipped: ShippedFunction) -> list[Any]:
    """Worker entry point: run the broadcast function over one scattered batch."""
    return run_worker_batch(shipped.fn, batch)


@dataclass
class DaskExecutor(BatchingExecutor):
    """Runs maps on Dask workers; ``options.scheduler`` names an existing cluster, else a LocalCluster starts."""

    options: ScaleOptions = field(default_factory=ScaleOptions)
    progress: bool = True
    client: Any = field(default=None, init=False, repr=False)
    cluster: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ConfigError("--engine dask needs Dask: pip install 'storyline[dask]'") from exc
        if self.options.scheduler:
            try:
                self.client = Client(
                    self.options.scheduler, timeout=self.options.connect_timeout, set_as_default=False
                )
            except (OSError, TimeoutError, ValueError) as exc:
                raise ConfigError(
                    f"cannot connect to the Dask scheduler {self.options.scheduler!r}: {exc}; start one with "
                    "`dask scheduler` (and `dask worker ADDRESS`) or leave out --scheduler for a local cluster"
                ) from exc
            return
        from .process import default_workers

        self.cluster = LocalCluster(
            n_workers=self.options.workers or default_workers(),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        self.client = Client(self.cluster, set_as_default=False)

    @property
    def workers(self) -> int:
        return max(len(self.client.scheduler_info().get("workers", {})), 1)

    def start(self) -> None:
        """Import the pipeline's modules on every worker now (otherwise each worker's first batch does)."""
        self.client.run(warm_up)

    def _run_batches(self, fn: Callable[[Any], Any], batches: list[list[Any]], desc: str) -> list[list[Any]]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        shipped = self.client.scatter(ShippedFunction(fn), broadcast=True, hash=False)
        scattered = self.client.scatter(batches, hash=False)
        futures = self.client.map(_run_shipped, scattered, shipped=shipped, pure=False)
        total = sum(len(batch) for batch in batches)
        bar = tqdm(total=total, desc=desc, unit="item", disable=not self.progress, leave=False)
        sizes = {future.key: len(batch) for future, batch in zip(futures, batches, strict=True)}
        try:
            for future in as_completed(futures, loop=self.client.loop):
                if future.status == "error":
                    break
                bar.update(sizes[future.key])
            try:
                return list(self.client.gather(futures))
            except KilledWorker as exc:
                raise EngineError(
                    f"Dask workers kept dying during {desc} (out of memory?); give workers more memory "
                    "or use more, smaller partitions (scale.partitions_per_worker)"
                ) from exc
            except Exception as exc:
                exc.add_note(f"on a Dask worker, during {desc}")
                raise
        finally:
            bar.close()
            self.client.cancel([*futures, *scattered, shipped])

    def close(self) -> None:
        """Disconnect, and stop the LocalCluster if this executor started it."""
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
