"""The Dask engine gives the same digest as one process on real data (ECB+), through the API and the CLI."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline.config import ScaleOptions, Settings
from storyline.errors import ConfigError
from storyline.output.json import digest_to_dict
from storyline.scale import open_executor
from storyline.scale.dask_engine import DaskExecutor
from storyline.service.digest import digest
from test_scale import ecb_records, square_plus_pid, write_jsonl_parts

from conftest import run_cli

SUBSET = 200


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskExecutor]:
    """One LocalCluster on loopback (2 worker processes, 1 thread each) for the whole module."""
    with DaskExecutor(ScaleOptions(engine="dask", workers=2, min_parallel=1), progress=False) as executor:
        yield executor


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 real ECB+ articles (several events per topic) as 8 JSONL files, so reading is partitioned too."""
    folder = tmp_path_factory.mktemp("ecb") / "corpus"
    write_jsonl_parts(folder, ecb_records(SUBSET), 8)
    return folder


def test_dask_workers_run_the_maps(cluster: DaskExecutor) -> None:
    cluster.start()
    results = cluster.map(square_plus_pid, list(range(40)), desc="squares")
    assert [value for value, _ in results] == [x * x for x in range(40)]
    pids = {pid for _, pid in results}
    assert os.getpid() not in pids and len(pids) == 2
    offset = 3
    assert cluster.map(lambda x: x + offset, [1, 2, 3]) == [4, 5, 6]

    def fail(x: int) -> int:
        raise KeyError(f"missing {x}")

    with pytest.raises(KeyError, match="missing") as info:
        cluster.map(fail, [1, 2])
    assert any("on a Dask worker" in note for note in info.value.__notes__)


def test_a_costed_map_is_cut_into_batches_bounded_by_batch_characters(cluster: DaskExecutor) -> None:
    """The per-story map passes each story's cost (``affinity``); Dask cannot place work by key, so it cuts the map
    as the process pool cuts a worker's share: ``partitions_per_worker`` batches per worker, each costing more than
    ``scale.batch_characters`` cut again (issue 15: an eighth of a 100k input per task before). One task a batch."""
    from dataclasses import replace

    from distributed import get_task_stream

    items = list(range(40))
    affinity = [(f"story-{i}", 5.0) for i in items]  # 8 batches of 5 items, 25 each: two of at most 20 each

    def tasks(**keywords: object) -> tuple[int, list[int]]:
        with get_task_stream(client=cluster.client) as stream:
            results = cluster.map(square_plus_pid, items, **keywords)  # type: ignore[arg-type]
        ran = [t for t in stream.data if str(t["key"]).startswith("_run_shipped")]
        return len(ran), [value for value, _ in results]

    plain = cluster.options
    cluster.options = replace(plain, batch_characters=20)
    try:
        assert tasks(affinity=affinity) == (16, [x * x for x in items])
        assert tasks() == (8, [x * x for x in items])  # no costs: workers x partitions_per_worker, as before
        cluster.options = replace(plain, batch_characters=1000)
        assert tasks(affinity=affinity) == (8, [x * x for x in items])  # under the bound: as before
    finally:
        cluster.options = plain


def test_dask_and_local_give_the_same_digest(cluster: DaskExecutor, corpus: Path) -> None:
    def run(options: ScaleOptions) -> dict:
        result = digest(paths=[str(corpus)], settings=Settings(progress=False, scale=options))
        return digest_to_dict(result)

    local = run(ScaleOptions(engine="local"))
    scheduler = cluster.cluster.scheduler_address
    on_dask = run(ScaleOptions(engine="dask", scheduler=scheduler, min_parallel=1, min_parallel_bytes=0))
    assert local["stats"]["articles"] == SUBSET and local["stats"]["stories"] >= 20
    assert on_dask == local
    on_pool = run(ScaleOptions(engine="process", workers=2, min_parallel=1, min_parallel_bytes=0))
    assert on_pool == local


def test_cli_engine_dask_writes_the_same_report(
    cluster: DaskExecutor, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted(str(p) for p in corpus.iterdir())[:3]
    run_cli("digest", *files, "-o", str(tmp_path / "local"), "-q", "--engine", "local")
    monkeypatch.setenv("STORYLINE_SCALE_MIN_PARALLEL", "1")  # ship even these few items to the workers
    scheduler = cluster.cluster.scheduler_address
    run_cli("digest", *files, "-o", str(tmp_path / "dask"), "-q", "--engine", "dask", "--scheduler", scheduler)
    local = json.loads((tmp_path / "local" / "stories.json").read_text(encoding="utf-8"))
    on_dask = json.loads((tmp_path / "dask" / "stories.json").read_text(encoding="utf-8"))
    assert on_dask == local and local["stats"]["articles"] == 75


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unreachable = ScaleOptions(engine="dask", scheduler="tcp://127.0.0.1:9", connect_timeout=2)
    message = r"cannot connect to the Dask scheduler 'tcp://127.0.0.1:9'.*dask scheduler"
    with pytest.raises(ConfigError, match=message), open_executor(unreachable):
        pass
    monkeypatch.setenv("STORYLINE_SCALE_CONNECT_TIMEOUT", "2")
    result = run_cli("digest", "x.txt", "-o", str(tmp_path), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9",
                     check=False)
    assert result.returncode == 2 and "cannot connect to the Dask scheduler" in result.stderr
