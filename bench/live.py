"""Live-path benchmark: batches of 100 real articles into stores of growing size, through ``service.add_articles``.

    python bench/live.py                              # stores of 1,000 and 10,000 articles, SQLite
    python bench/live.py --sizes 1000 --batches 5     # a quicker look
    python bench/live.py --sizes 1000,10000 --regroup-limit 600 --backend postgres
    python bench/live.py --sizes 1000,10000,100000 --reuse-prefill    # keeps/reuses pre-filled SQLite stores
    python bench/live.py --sizes 1000,10000,100000 --prefill-only     # only build them (nice it: ~15-60 min)
    python bench/live.py --sizes 1000,100000 --kept-only --reuse-prefill --regroup-max 0 --base main  # side by side

Articles are the real texts of ../shared/data (ECB+ dev, DUC 2003 task 2, MultiLing 2011 English) and seeded
sentence-shuffled rewritings of them (bench/scale.py's), **in publication order**: DUC documents carry their date in
their id (APW19981017.0151), a rewriting has its source's date shifted as below; ECB+ and MultiLing documents are
undated here and keep their place in the input (``held-out-3``: MultiLing's first-line dates are not used, since one
of them, 2005, six years after DUC's 1998, retired every DUC storyline in every store). The measured batches must
bring texts the store has never seen (a replay of rewritings only brings near-duplicates of stored ones: at 100k
that touched no story), so ``HELD_OUT`` (600) real documents, the same share of each data set, are held out: the
warm-up batch and the measured batches are those, mixed over the data sets in publication order, **the same for
every store size**. The store of S articles is the newest S of a history built from the other documents only: the
documents as they are (cycle 0, the latest news: the held-out documents join their topics' stories), before them
cycle 1, 2, ... of rewritings, each dated ``CYCLE_DAYS`` (182) earlier than the next, so the store grows with its
history as an archive does while the news of a week stays as dense as in the data. Stores of 1k, 10k and 100k so
differ only in how much history they hold. For each store size S:

1. the store is pre-filled with those S articles through the same ``add_articles`` path, in chunks of 10,000
   (``--prefill-chunk``; 1,000 before, which re-described the growing stories every chunk: 27 min for 10k),
   with **cheap settings** (source comparison off, static citation check) to save time: the stored stories'
   clustering state is what the measured batches work against, and it does not depend on those two settings. The
   seconds of each pre-fill chunk are reported (a chunk into a bigger store should not cost more and more); on
   SQLite the pre-filled store is kept in bench/out and ``--reuse-prefill`` starts from it (the batches run on a
   copy); the whole clustering state (every row) is read once from it, for its size and time: what each batch read
   and wrote when the state was three blobs (format 1);
2. one warm-up batch of 100 (models load; reported apart), then ``--batches`` batches of 100 with **default
   settings**, one executor kept open as the worker keeps it for a drain: wall and CPU seconds per batch (this
   process and its workers), stories touched, peak RSS of the process tree, and the state bytes the batch read and
   wrote (clustering and storyline rows, counted on the store's ``state_*``/``put_state`` and
   ``storyline_*``/``put_storylines`` calls, and blobs, by key) with the articles of its date window; a store
   pre-filled before the storyline rows converts in the warm-up batch;
3. the measured batches run twice, each on its own copy of the pre-filled store: first with no model outputs kept
   (``live.kept_sentences = 0``: every touched story's sentences go through MiniLM and spaCy again, the code before
   issue 14's kept outputs), then with the defaults (each process keeps 10,000 sentences' vectors and spaCy docs);
   the table says whether both gave the same stories in every batch (``--kept-only``: the defaults only); each
   batch's time is split into its parts (``PARTS``: state rows read, assignment, describe, storylines, save ...),
   with the wall the batch would take on free cores (every part's CPU, the describe's stretch counted as the most
   of its busiest process, the main thread's CPU meanwhile and the two shared over the cores: the figure to read on
   a shared machine) and the load average; with ``--base REV`` the same batches run
   first with the code of commit REV (unpacked under bench/out, as bench/throughput.py does), on copies of the same
   pre-filled store, and the stories of each batch must be the same (``stories_sha``);
4. in the same run, the baseline: ``storyline regroup`` (the full rebuild ``watch`` and the API used to run on every
   round) over a copy of the pre-filled store, with default settings, in a subprocess stopped after
   ``--regroup-limit`` seconds (not run above ``--regroup-max`` articles); a failed baseline is reported with its
   last stderr lines, and the table is printed whatever happened to it.

Prints a Markdown table (for bench/RESULTS.md) and writes bench/out/live.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]
OUT = ROOT / "bench" / "out"
BATCH = 100
PREFILL_BATCH = int(os.environ.get("STORYLINE_BENCH_PREFILL_CHUNK", "10000"))
"""Articles per pre-fill call of ``add_articles`` (``--prefill-chunk``): big chunks describe each story once per
chunk instead of once per 1,000 articles (the 10k pre-fill in chunks of 1,000 took 27 min, re-describing stories that
kept growing)."""
STATE_KEYS = ("cluster rows", "cluster:meta", "storyline rows", "storylines:meta", "storylines:state")
"""The state a batch reads and writes: the clustering state's rows (``cluster/state_store.py``), its counters blob,
the storyline state's rows (``cluster/storyline_rows.py``), their counters blob, and the format-1 storyline blob (read
once, by the batch that converts a pre-filled store)."""
ROW_READS = {"state_articles": "cluster rows", "state_window": "cluster rows", "state_members": "cluster rows",
             "state_stories": "cluster rows", "state_duplicates": "cluster rows", "state_df": "cluster rows",
             "storyline_profiles": "storyline rows", "storyline_postings": "storyline rows",
             "storyline_terms": "storyline rows", "storyline_lines": "storyline rows"}

_DUC_DATE = re.compile(r"(?:APW|NYT|XIE)(\d{8})")
_ML_DATE = re.compile(r"^(\d{4})/(\d{2})/(\d{2})")


def _date(doc_id: str, text: str) -> datetime | None:
    found = _DUC_DATE.search(doc_id)
    if found:
        return datetime.strptime(found.group(1), "%Y%m%d").replace(hour=12, tzinfo=UTC)
    found = _ML_DATE.match(text)
    if found and doc_id.startswith("multiling"):
        return datetime(int(found.group(1)), int(found.group(2)), int(found.group(3)), 12, tzinfo=UTC)
    return None


def _history_date(doc_id: str) -> datetime | None:
    """The date of a document of the held-out replay: DUC's only (in its id). MultiLing's first-line dates are not
    used here (``held-out-2`` used them): one MultiLing document dated 2005 is six years newer than DUC's 1998, so
    it made every DUC storyline retired in every store (bench/RESULTS.md, "the storyline state as rows")."""
    return _date(doc_id, "") if doc_id.startswith("duc2003/") else None


def replay(count: int) -> list:
    """``count`` real articles in publication order (undated ones keep their place among the dated)."""
    from storyline import Article

    from realtexts import real_articles

    records = list({r["id"]: r for r in real_articles(count + 200, seed=2026)}.values())[:count]  # ids once
    dates = {}
    for record in records:
        source = record["id"].split("~v")[0]
        dates.setdefault(source, _date(source, record["text"]))
    articles = [Article(id=r["id"], text=r["text"], published=dates[r["id"].split("~v")[0]], language="en",
                        input="bench/live.py") for r in records]
    dated = iter(sorted((a for a in articles if a.published), key=lambda a: (a.published, a.id)))
    return [a if a.published is None else next(dated) for a in articles]


REPLAY = "held-out-3"
"""What a pre-filled store kept for ``--reuse-prefill`` was built from (a store of another replay is not reused)."""
HELD_OUT = 600
"""Real documents held out of every pre-fill: the warm-up batch and up to 5 measured batches of 100."""
CYCLE_DAYS = 182
"""Each earlier rewriting of the pre-fill's documents is dated this many days before the next (DUC's three months of
1998 replayed every half year back in time): the store grows with its history, as a real archive does, while the
news of any week stays as dense as in the data."""


def _order(articles: list, seed: str) -> list:
    """A seeded mix of the data sets in publication order: dated articles sorted, undated ones keep their place."""
    import random

    mixed = list(articles)
    random.Random(seed).shuffle(mixed)
    dated = iter(sorted((a for a in mixed if a.published), key=lambda a: (a.published, a.id)))
    return [a if a.published is None else next(dated) for a in mixed]


def _split_documents(seed: int = 2026) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The real documents split into the held-out ones (``HELD_OUT``, the same share of each data set, seeded) and
    the others (what the pre-fill is built from)."""
    import random

    from realtexts import real_documents

    docs = list(dict(real_documents()).items())  # an id in two DUC clusters: once (the later text)
    rng = random.Random(seed)
    held: set[str] = set()
    for prefix in ("ecb/", "duc2003/", "multiling2011/"):
        ids = [i for i, _ in docs if i.startswith(prefix)]
        held.update(rng.sample(ids, round(len(ids) * HELD_OUT / len(docs))))
    extra = [i for i, _ in docs if i not in held]
    held.update(rng.sample(extra, HELD_OUT - len(held)) if len(held) < HELD_OUT else [])
    return [d for d in docs if d[0] in held], [d for d in docs if d[0] not in held]


def _article(doc_id: str, text: str, published: datetime | None):  # type: ignore[no-untyped-def]
    from storyline import Article

    return Article(id=doc_id, text=text, published=published, language="en", input="bench/live.py")


def held_out_batches(count: int, seed: int = 2026, mix: int = 0) -> list:
    """The ``count`` measured articles (warm-up first): held-out real documents no pre-fill holds, neither as
    they are nor rewritten, mixed over the data sets in publication order. ``mix`` > 0 mixes the same documents
    with another seed (``--rounds``: the dated ones keep their order, the undated ones fall elsewhere among them,
    so the batches differ while every pre-fill stays the same)."""
    held, _ = _split_documents(seed)
    if count > len(held):
        raise SystemExit(f"bench/live.py: {count} articles asked of {len(held)} held out (--batches at most "
                         f"{len(held) // BATCH - 1}; more with --rounds)")
    return _order([_article(i, t, _history_date(i)) for i, t in held],
                  f"{seed}-held" + (f"-{mix}" if mix else ""))[:count]


def prefill_articles(size: int, seed: int = 2026) -> list:
    """The newest ``size`` articles of a history built from the documents not held out: the documents as they are
    (the latest news, cycle 0), before them cycle 1, 2, ... of sentence-shuffled rewritings (bench/scale.py's: a
    seeded 50-100 % of the sentences; id ``<id>~v<k>``), each cycle dated ``CYCLE_DAYS`` earlier than the next.
    Oldest first; a smaller store holds the newest part of a bigger one's articles."""
    import random
    from datetime import timedelta

    from storyline.text.sentences import split_spans

    _, others = _split_documents(seed)
    spans = [split_spans(text) for _, text in others]
    cycles = []
    made = 0
    for cycle in range(0, size // max(len(others), 1) + 2):
        if made >= size:
            break
        rng = random.Random(f"{seed}-{cycle}")
        block = []
        for (doc_id, text), sentences in zip(others, spans, strict=True):
            published = _history_date(doc_id)
            if cycle:
                keep = max(1, round(len(sentences) * rng.uniform(0.5, 1.0)))
                text = " ".join(text[s:e] for s, e in rng.sample(sentences, keep))
                doc_id = f"{doc_id}~v{cycle}"
                published = published - timedelta(days=CYCLE_DAYS * cycle) if published else None
            block.append(_article(doc_id, text, published))
        cycles.append(_order(block, f"{seed}-{cycle}"))
        made += len(block)
    history = [a for block in reversed(cycles) for a in block]
    return history[len(history) - size:]


class PeakRSS:
    """Largest summed RSS of this process and its children, sampled every 0.2 s while running."""

    def __init__(self) -> None:
        import psutil

        self.me = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = self.me.memory_info().rss
        for child in self.me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except Exception:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self._sample())

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


def cpu_seconds() -> float:
    """CPU seconds of this process and its live children (the executor's workers)."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except Exception:
            continue
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[rank]


def database(backend: str, name: str) -> str:
    """A fresh database URL (SQLite file under bench/out, or a new PostgreSQL database)."""
    if backend == "sqlite":
        path = OUT / f"{name}.db"
        for extra in ("", "-wal", "-shm", ".writer.lock"):
            Path(str(path) + extra).unlink(missing_ok=True)
        return str(path)
    import psycopg

    admin = os.environ["STORYLINE_TEST_POSTGRES"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rpartition("/")[0] + "/" + name


def copy_database(backend: str, source: str, name: str) -> str:
    if backend == "sqlite":
        target = database(backend, name)
        shutil.copy(source, target)
        return target
    import psycopg

    admin = os.environ["STORYLINE_TEST_POSTGRES"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source.rpartition("/")[2]}"')
    return admin.rpartition("/")[0] + "/" + name


def drop_database(backend: str, url: str) -> None:
    """Delete a copy made by ``copy_database`` (a SQLite file and its companions, or a PostgreSQL database)."""
    if backend == "sqlite":
        for extra in ("", "-wal", "-shm", ".writer.lock"):
            Path(url + extra).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(os.environ["STORYLINE_TEST_POSTGRES"], autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')


def prefill(size: int, articles: list, backend: str) -> tuple[str, dict]:
    """A store of the first ``size`` articles, added through ``add_articles`` in chunks of ``PREFILL_BATCH`` with
    cheap settings; returns its URL and the pre-fill's timings."""
    from storyline import Settings
    from storyline.scale import open_executor
    from storyline.service.live import add_articles
    from storyline.store import Store

    url = database(backend, f"storyline_live_{size}_prefilled")
    cheap = Settings(progress=False).with_overrides({"compare.enabled": False, "summary.verifier": "static"})
    started = time.perf_counter()
    steps = []  # seconds per pre-fill chunk: a chunk into a bigger store must not cost more and more
    with Store.open(url) as store, open_executor(cheap.scale, progress=False) as executor:
        for start in range(0, size, PREFILL_BATCH):
            step = time.perf_counter()
            add_articles(store, articles[start : min(size, start + PREFILL_BATCH)], cheap, kind="prefill",
                         executor=executor)
            steps.append(time.perf_counter() - step)
            print(f"  prefill {min(size, start + PREFILL_BATCH):,}/{size:,} ({steps[-1]:.0f} s this chunk, "
                  f"{time.perf_counter() - started:.0f} s in all)", file=sys.stderr, flush=True)
    timing = {"size": size, "prefill_s": time.perf_counter() - started, "prefill_steps": steps,
              "prefill_chunk": PREFILL_BATCH, "replay": REPLAY}
    if backend == "sqlite":  # kept for --reuse-prefill (the measured batches run on a copy)
        (OUT / f"storyline_live_{size}_prefilled.json").write_text(json.dumps(timing))
    return url, timing


def row_bytes(row: object) -> int:
    """Bytes of one state row as stored: byte strings and text by length, numbers 8 bytes, None nothing."""
    if isinstance(row, (tuple, list)):
        return sum(row_bytes(v) for v in row)
    if isinstance(row, (bytes, bytearray, memoryview)):
        return len(row)
    if isinstance(row, str):
        return len(row.encode())
    return 0 if row is None else 8


def whole_state(url: str) -> dict:
    """The whole clustering state of the store (every row, counted as ``row_bytes``) and the seconds to read it: what
    every batch read and wrote when the state was kept as blobs (format 1, the baseline of the bytes columns); and
    the storyline state blob of the pre-filled store (format 1: read and written whole by every batch before the
    rows), or its profile rows when converted."""
    from storyline.store import Store

    with Store.open(url) as store:
        started = time.perf_counter()
        rows = [store.state_articles(None, sketches=True, terms=True), store.state_stories(None),
                store.state_duplicates(None), store.state_df(None)]
        seconds = time.perf_counter() - started
        lines = len(store.get_blob("storylines:state") or b"") or row_bytes(store.storyline_profiles(every=True))
    return {"mb": sum(row_bytes(part) for part in rows) / 2**20, "articles": len(rows[0]), "read_s": seconds,
            "storylines_mb": lines / 2**20}


def count_state_io(store) -> dict[str, Counter[str]]:  # type: ignore[no-untyped-def]
    """Bytes of state (clustering rows and blobs, storylines) this store's state calls read and write, by key
    (cleared per batch), and the articles of each batch's date window. The store's own methods do the work: the
    counts are taken on their way in and out."""
    io = {"read": Counter[str](), "written": Counter[str](), "window": Counter[str]()}
    get_blob, put_blob, put_state = store.get_blob, store.put_blob, store.put_state

    def counted_get(key: str) -> bytes | None:
        data = get_blob(key)
        io["read"][key] += len(data or b"")
        return data

    def counted_put(key: str, data: bytes) -> None:
        io["written"][key] += len(data)
        put_blob(key, data)

    def counted_put_state(delta) -> None:  # type: ignore[no-untyped-def]
        io["written"]["cluster rows"] += row_bytes([delta.articles, delta.moved, delta.stories, delta.duplicates,
                                                    delta.df])
        put_state(delta)

    def counted_put_storylines(delta) -> None:  # type: ignore[no-untyped-def]
        io["written"]["storyline rows"] += row_bytes([delta.profiles, delta.drop_profiles, delta.names,
                                                      delta.renamed, delta.terms, delta.lines, delta.drop_lines])
        put_storylines(delta)

    def reader(name: str):  # type: ignore[no-untyped-def]
        method = getattr(store, name)

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            rows = method(*args, **kwargs)
            io["read"][ROW_READS[name]] += row_bytes(rows)
            if name == "state_window":
                io["window"]["articles"] += len(rows)
            return rows

        return counted

    for name in ROW_READS:
        setattr(store, name, reader(name))
    put_storylines = store.put_storylines
    store.get_blob, store.put_blob, store.put_state = counted_get, counted_put, counted_put_state
    store.put_storylines = counted_put_storylines
    return io


PARTS = ("sentences and duplicates", "state rows read", "members read", "assign", "cluster (rest)", "describe",
         "storylines", "save", "rest")
"""Where a batch's time goes (``PartClock``): the clustering and storyline state rows read (every ``ROW_READS``
call), the touched stories' stored members read (``Store.articles``), the assignment, the rest of the clustering
stage (its state delta, the members' sentences), the summaries and comparison of the touched stories, the storylines
(without their rows read), the save transaction, and what is left of ``group_into_store`` (writer lock, outlets)."""


class PartClock:
    """Wall and CPU seconds of each of ``PARTS`` in one batch, each part's own (nested parts subtracted), and for
    the describe its busiest process's CPU (on free cores the map's wall is that, not the sum over the processes).
    Taken by wrapping the stages' ``run``, ``load_state``/``assign`` and the store's readers for this process:
    the code measured is the code of the checkout on ``PYTHONPATH`` (``--base`` runs an older one the same way).

    The describe may run in a thread of its own while this process's main thread does other parts (the live path
    groups the storylines meanwhile, ``pipeline.GroupStorylines(describe=...)``): then the describe counts every
    process's CPU but the main thread's, a main-thread part that overlapped it counts the main thread's CPU only,
    and ``overlap`` keeps the main thread's CPU during the describe (for the wall on free cores, ``batch``)."""

    def __init__(self) -> None:
        import psutil

        self.me = psutil.Process()
        self.main = threading.main_thread().native_id
        self.wall: Counter[str] = Counter()
        self.cpu: Counter[str] = Counter()
        self.busiest: Counter[str] = Counter()
        self.overlap = 0.0
        self.overlap_wall = 0.0  # wall of the parts run off the main thread (inside a main-thread part's wall)
        self._stacks = threading.local()
        self._background = 0  # describe calls running off the main thread, and how many have started
        self._background_runs = 0

    def _tree(self) -> dict[int | str, float]:
        """CPU seconds so far: this process (every thread), its children by pid, and its main thread ("main")."""
        used: dict[int | str, float] = {self.me.pid: sum(self.me.cpu_times()[:2])}
        used["main"] = next((t.user_time + t.system_time for t in self.me.threads() if t.id == self.main), 0.0)
        for child in self.me.children(recursive=True):
            try:
                used[child.pid] = sum(child.cpu_times()[:2])
            except Exception:
                continue
        return used

    def clear(self) -> None:
        for counter in (self.wall, self.cpu, self.busiest):
            counter.clear()
        self.overlap = self.overlap_wall = 0.0

    def timed(self, part: str, fn):  # type: ignore[no-untyped-def]
        """``fn`` whose calls count as ``part`` (minus the parts they call)."""
        import functools

        @functools.wraps(fn)
        def run(*args, **kwargs):  # type: ignore[no-untyped-def]
            stack = self._stacks.__dict__.setdefault("stack", [])
            background = threading.get_native_id() != self.main
            if background:
                self._background += 1
                self._background_runs += 1
            runs = self._background_runs
            before, wall0 = self._tree(), time.perf_counter()
            frame = [0.0, 0.0]  # nested parts' wall and CPU
            stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                stack.pop()
                after = self._tree()
                wall = time.perf_counter() - wall0
                delta = {key: used - before.get(key, 0.0) for key, used in after.items()}
                everything = sum(v for k, v in delta.items() if k != "main")
                if background:  # every process's CPU but the main thread's (which did other parts meanwhile)
                    self._background -= 1
                    cpu = everything - delta["main"]
                    self.overlap += delta["main"]
                    self.overlap_wall += wall - frame[0]
                elif self._background or self._background_runs != runs:  # overlapped the describe: own thread only
                    cpu = delta["main"]
                else:
                    cpu = everything
                self.wall[part] += wall - frame[0]
                self.cpu[part] += cpu - frame[1]
                if part == "describe":
                    own = delta[self.me.pid] - (delta["main"] if background else 0.0)
                    self.busiest[part] += max([own, *(v for k, v in delta.items() if isinstance(k, int)
                                                     and k != self.me.pid)])
                if stack:
                    stack[-1][0] += wall
                    stack[-1][1] += cpu

        return run

    def install(self, store) -> None:  # type: ignore[no-untyped-def]
        """Wrap the stages (classes, for this process) and ``store``'s readers and save."""
        from storyline import pipeline
        from storyline.cluster import incremental, state_store

        for cls, part in ((pipeline.SplitSentences, "sentences and duplicates"),
                          (pipeline.FindDuplicates, "sentences and duplicates"),
                          (pipeline.ClusterStories, "cluster (rest)"), (pipeline.DescribeStories, "describe"),
                          (pipeline.GroupStorylines, "storylines")):
            cls.run = self.timed(part, cls.run)
        state_store.load_state = self.timed("state rows read", state_store.load_state)
        incremental.assign = self.timed("assign", incremental.assign)
        for name in ROW_READS:
            setattr(store, name, self.timed("state rows read", getattr(store, name)))
        store.articles = self.timed("members read", store.articles)
        store.save_digest = self.timed("save", store.save_digest)

    def batch(self, wall: float, cpu: float) -> dict:
        """This batch's parts (``rest``: the batch's wall and CPU not in any part) and the wall the batch would
        take on free cores: every part's CPU, with the describe's stretch counted as the most of its busiest
        process, the main thread's CPU meanwhile (``overlap``) and the two shared over the cores."""
        self.wall["rest"] = wall - sum(v for k, v in self.wall.items() if k != "rest") + self.overlap_wall
        self.cpu["rest"] = cpu - sum(v for k, v in self.cpu.items() if k != "rest")
        cores = os.cpu_count() or 1
        stretch = max(self.busiest["describe"], self.overlap, (self.cpu["describe"] + self.overlap) / cores)
        free = sum(v for k, v in self.cpu.items() if k != "describe") - self.overlap + stretch
        return {"wall": dict(self.wall), "cpu": dict(self.cpu), "describe_busiest": self.busiest["describe"],
                "overlap": self.overlap, "free_wall": free}


def measure(size: int, batches: int, backend: str, reuse: bool = False, compare_kept: bool = True,
            mix: int = 0, regroup: bool = True) -> dict:
    """Pre-fill a store of ``size`` articles, then time 1 warm-up + ``batches`` batches of 100 with defaults (and,
    with ``compare_kept``, the same batches first with no model outputs kept, ``MODES``); ``mix``: which mix of the
    held-out documents (``held_out_batches``); ``regroup``: keep a copy of the pre-filled store for the regroup
    baseline (else every copy is deleted once measured: 1.6 GB each at 100k)."""
    from storyline import Settings
    from storyline.store import Store

    measured = held_out_batches((batches + 1) * BATCH, mix=mix)
    kept = OUT / f"storyline_live_{size}_prefilled.json"
    if reuse and backend == "sqlite" and kept.exists() and json.loads(kept.read_text()).get("replay") == REPLAY:
        prefilled, timing = str(OUT / f"storyline_live_{size}_prefilled.db"), json.loads(kept.read_text())
        print(f"  pre-filled store of {size:,} reused (made in {timing['prefill_s']:.0f} s)", file=sys.stderr)
    else:
        prefilled, timing = prefill(size, prefill_articles(size), backend)
    if batches == 0:  # --prefill-only
        return {"size": size, "prefill_s": timing["prefill_s"], "prefill_steps": timing["prefill_steps"]}
    prefill_s, prefill_steps = timing["prefill_s"], timing["prefill_steps"]
    prefill_chunk = timing.get("prefill_chunk", 1000)
    url = copy_database(backend, prefilled, f"storyline_live_{size}")
    with Store.open(url) as store:
        held = store.counts()
    state = whole_state(url)
    if not regroup:  # the copy served the counts only
        drop_database(backend, url)
    defaults = Settings(progress=False)
    modes = {}
    for mode in (MODES if compare_kept else MODES[1:]):
        kept = defaults if mode == "kept" else defaults.with_overrides({"live.kept_sentences": 0})
        copy = copy_database(backend, prefilled, f"storyline_live_{size}_{mode}")
        modes[mode] = run_batches(copy, kept, measured, size, batches, mode)
        drop_database(backend, copy)
    result = {"size": size, "backend": backend, "stored_stories": held["stories"], "prefill_s": prefill_s,
              **modes["kept"], "prefill_steps": prefill_steps, "prefill_chunk": prefill_chunk,
              "state": state, "regroup_url": url if regroup else None, "mix": mix}
    if "none" in modes:
        result["none"] = modes["none"]
    return result


MODES = ("none", "kept")
"""The measured batches run twice on copies of the pre-filled store: ``none`` with ``live.kept_sentences = 0`` (every
touched story's sentences go through the models again: the code before issue 14's kept outputs), ``kept`` with the
defaults (each process keeps the model outputs of 10,000 sentences)."""


def stories_digest(stories: list) -> str:
    """SHA-256 of the batch's described stories as stored (summaries, citations, comparison): the two modes must
    give the same stories."""
    import hashlib

    from storyline.serialize import story_to_dict

    plain = sorted((story_to_dict(story) for story in stories), key=lambda d: d["id"])
    return hashlib.sha256(json.dumps(plain, sort_keys=True, default=str).encode()).hexdigest()[:16]


def run_batches(url: str, settings, articles: list, size: int, batches: int, mode: str) -> dict:  # type: ignore[no-untyped-def]
    """1 warm-up + ``batches`` batches of 100 (``articles``, the held-out ones) into the store at ``url``, one
    executor kept open as the worker keeps it (its processes keep the model outputs between batches)."""
    from storyline.scale import open_executor
    from storyline.service.live import group_into_store
    from storyline.store import Store

    rows = []
    clock = PartClock()
    with Store.open(url) as store, open_executor(settings.scale, progress=False) as executor, PeakRSS() as peak:
        state_io = count_state_io(store)
        clock.install(store)
        for number in range(batches + 1):
            batch = articles[number * BATCH : (number + 1) * BATCH]
            for counter in state_io.values():
                counter.clear()
            clock.clear()
            wall0, cpu0 = time.perf_counter(), cpu_seconds()
            result, saved = group_into_store(store, batch, settings, kind="bench", executor=executor)
            wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
            rows.append({"wall": wall, "cpu": cpu, "parts": clock.batch(wall, cpu), "load": os.getloadavg()[0],
                         "touched": len(result.stories), "new": saved.stories_new, "changed": saved.stories_changed,
                         "merged": saved.stories_emptied, "state_read": dict(state_io["read"]),
                         "state_written": dict(state_io["written"]), "window": state_io["window"]["articles"],
                         "stories_sha": stories_digest(result.stories)})
            print(f"  {mode} batch {number} into {size + number * BATCH:,}: {rows[-1]}", file=sys.stderr, flush=True)
    return {"warmup_wall": rows[0]["wall"], **summarized(rows[1:]), "peak_mb": peak.peak / 2**20}


def summarized(batches: list[dict]) -> dict:
    """The figures over measured batches that the tables read (p50, p99, stories touched)."""
    walls, cpus = [r["wall"] for r in batches], [r["cpu"] for r in batches]
    return {"batches": batches, "wall_p50": statistics.median(walls), "wall_p99": percentile(walls, 0.99),
            "cpu_p50": statistics.median(cpus), "cpu_p99": percentile(cpus, 0.99),
            "touched_p50": statistics.median(r["touched"] for r in batches),
            "touched_max": max(r["touched"] for r in batches),
            "per_touched_p50": statistics.median(r["wall"] / max(1, r["touched"]) for r in batches)}


def pooled(rounds: list[dict]) -> dict:
    """One code's rounds at one store size as one result: their batches together (in round order), the slowest
    warm-up, the highest peak RSS and the regroup baseline of the first round."""
    first = rounds[0]
    batches = [dict(b, round=r.get("mix", 0)) for r in rounds for b in r["batches"]]
    result = {**first, **summarized(batches), "warmup_wall": max(r["warmup_wall"] for r in rounds),
              "peak_mb": max(r["peak_mb"] for r in rounds), "rounds": len(rounds)}
    if "none" in first:
        nones = [r["none"] for r in rounds]
        result["none"] = {**nones[0], **summarized([b for n in nones for b in n["batches"]]),
                          "peak_mb": max(n["peak_mb"] for n in nones)}
    return result


def regroup_baseline(url: str, limit: float) -> dict:
    """``storyline regroup --db`` with default settings in a subprocess: wall seconds, None when stopped at
    ``limit``, or the error it ended with (its last stderr lines), so a failure is reported, not fatal."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "storyline.cli", "regroup", "--db", url, "-q"], env=env,
                              timeout=limit, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return {"wall": None, "limit": limit}
    wall = time.perf_counter() - started
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        print(f"  regroup failed (exit {done.returncode}): {tail}", file=sys.stderr, flush=True)
        return {"wall": None, "limit": limit, "error": f"exit {done.returncode}: {tail}"}
    return {"wall": wall, "limit": limit}


def state_mb(result: dict, which: str) -> float:
    """MB of state blobs (every key but the writer-lock note) read or written per batch, p50 over the batches."""
    return statistics.median(sum(n for key, n in b.get(which, {}).items() if key != "writer:holder")
                             for b in result["batches"]) / 2**20


def row_label(result: dict) -> str:
    """A row's store size, and its code when ``--base`` ran two."""
    return f"{result['size']:,}" + (f" ({result['code']})" if result.get("code") else "")


def parts_table(results: list[dict]) -> str:
    """Where a batch's time went (``PARTS``, p50 over the batches: wall / CPU s), the describe's busiest process,
    the main thread's CPU while the describe ran (in a thread of its own), the wall the batch would take on free
    cores (p50, p99) and the load average during the batches."""
    lines = ["| store articles | " + " | ".join(f"{p} wall / CPU s" for p in PARTS) +
             " | describe busiest process CPU s | main thread's CPU during the describe s | "
             "wall on free cores p50 / p99 s | load average p50 (max) |",
             "|---|" + "---|" * (len(PARTS) + 4)]
    for r in results:
        parts = [b["parts"] for b in r["batches"]]
        cells = [f"{statistics.median(p['wall'].get(k, 0.0) for p in parts):.2f} / "
                 f"{statistics.median(p['cpu'].get(k, 0.0) for p in parts):.2f}" for k in PARTS]
        free = [p["free_wall"] for p in parts]
        loads = [b["load"] for b in r["batches"]]
        lines.append(f"| {row_label(r)} | " + " | ".join(cells) +
                     f" | {statistics.median(p['describe_busiest'] for p in parts):.2f} | "
                     f"{statistics.median(p.get('overlap', 0.0) for p in parts):.2f} | "
                     f"{statistics.median(free):.2f} / {percentile(free, 0.99):.2f} | "
                     f"{statistics.median(loads):.1f} ({max(loads):.1f}) |")
    return "\n".join(lines)


def table(results: list[dict], batches: int) -> str:
    """The Markdown table of bench/RESULTS.md (printed even when a baseline failed); with ``--base`` each store
    size has a row per code, and the ratios to the smallest store are taken within one code."""
    base = results[0]
    lines = [f"| store articles | stored stories | batch wall p50 s | p99 s | CPU p50 s | p99 s | "
             f"wall / {base['size']:,} store | CPU / {base['size']:,} store | stories touched p50 (max) | "
             "wall per touched story p50 s | CPU per touched story p50 s | state MB read / written per batch p50 | "
             "peak RSS MB | warm-up batch s | regroup baseline s | regroup / batch |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        base = next(b for b in results if b.get("code") == r.get("code"))
        regroup, limit = r["regroup"]["wall"], r["regroup"]["limit"]
        if regroup is not None:
            shown, ratio = f"{regroup:.0f}", f"{regroup / r['wall_p50']:.0f}x"
        elif "error" in r["regroup"]:
            shown, ratio = "failed (see log)", "-"
        elif r["regroup"].get("skipped"):
            shown, ratio = "not run", "-"
        else:
            shown, ratio = f"> {limit:.0f} (stopped)", f"> {limit / r['wall_p50']:.0f}x"
        lines.append(
            f"| {row_label(r)} | {r['stored_stories']:,} | {r['wall_p50']:.2f} | {r['wall_p99']:.2f} | "
            f"{r['cpu_p50']:.2f} | {r['cpu_p99']:.2f} | {r['wall_p50'] / base['wall_p50']:.2f}x | "
            f"{r['cpu_p50'] / base['cpu_p50']:.2f}x | {r['touched_p50']:.0f} ({r['touched_max']}) | "
            f"{r['per_touched_p50']:.2f} | "
            f"{statistics.median(b['cpu'] / max(1, b['touched']) for b in r['batches']):.2f} | "
            f"{state_mb(r, 'state_read'):.1f} / {state_mb(r, 'state_written'):.1f} | {r['peak_mb']:.0f} | "
            f"{r['warmup_wall']:.1f} | {shown} | {ratio} |")
    prefills = "; ".join(
        f"{r['size']:,}: {r['prefill_s']:.0f} s, first chunk of {r.get('prefill_chunk', 1000):,} "
        f"{r['prefill_steps'][0]:.1f} s, "
        f"last {r['prefill_steps'][-1]:.1f} s" for r in {r["size"]: r for r in results}.values())
    lines.append(f"\n{batches} measured batches of {BATCH} per size, default settings; pre-fill through add_articles "
                 f"with compare off and the static verifier ({prefills}).")
    for r in results:
        first = next(b for b in results if b["size"] == r["size"])
        if r is not first:
            same = [a["stories_sha"] == b["stories_sha"] for a, b in zip(first["batches"], r["batches"], strict=True)]
            lines.append(f"{row_label(r)}: the same stories as {row_label(first)} in {sum(same)} of {len(same)} "
                         f"batches{'' if all(same) else ' (DIFFERENT)'}.")
    lines += ["", "Where a batch's time went (p50 over the batches; wall on free cores: every part's CPU, the "
              "describe's stretch as the most of its busiest process, the main thread's CPU meanwhile and the two "
              "shared over the cores):", parts_table(results)]
    lines += ["", "State read and written per batch by key, MB (p50 over the batches):",
              "| store articles | " + " | ".join(f"{k} read / written" for k in STATE_KEYS) + " |",
              "|---|" + "---|" * len(STATE_KEYS)]
    for r in results:
        cells = [f"{statistics.median(b.get('state_read', {}).get(k, 0) for b in r['batches']) / 2**20:.2f} / "
                 f"{statistics.median(b.get('state_written', {}).get(k, 0) for b in r['batches']) / 2**20:.2f}"
                 for k in STATE_KEYS]
        lines.append(f"| {row_label(r)} | " + " | ".join(cells) + " |")
    lines += ["", "Per batch against the whole state (the format-1 blobs were the whole state, read and written by "
              "every batch; MB as stored, p50 over the batches):",
              "| store articles | whole clustering state MB (rows) | its articles | read all s | storylines blob MB | "
              "articles in a batch's window p50 (max) | state read / written per batch MB | read / whole |",
              "|---|---|---|---|---|---|---|---|"]
    for r in results:
        st = r.get("state")
        if st:
            windows = [b.get("window", 0) for b in r["batches"]]
            read = state_mb(r, "state_read")
            lines.append(f"| {row_label(r)} | {st['mb']:.1f} | {st['articles']:,} | {st['read_s']:.2f} | "
                         f"{st['storylines_mb']:.2f} | {statistics.median(windows):.0f} ({max(windows)}) | "
                         f"{read:.2f} / {state_mb(r, 'state_written'):.2f} | "
                         f"{read / max(st['mb'] + st['storylines_mb'], 1e-9):.2f} |")
    compared = [r for r in results if "none" in r]
    if compared:
        lines += ["", "Model outputs kept across batches (`live.kept_sentences`, default 10,000 per process) beside "
                  "none kept (0: every touched story's sentences through the models again), the same batches on "
                  "copies of the same store in the same run:",
                  "| store articles | kept | batch wall p50 s | p99 s | CPU p50 s | p99 s | "
                  "CPU per touched story p50 s | stories touched p50 (max) | peak RSS MB | CPU p50 none / kept | "
                  "same stories in every batch |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in compared:
            none = r["none"]
            same = all(a["stories_sha"] == b["stories_sha"] for a, b in zip(none["batches"], r["batches"], strict=True))
            for label, m in (("none (0)", none), ("10,000 sentences", r)):
                per = statistics.median(b["cpu"] / max(1, b["touched"]) for b in m["batches"])
                lines.append(f"| {r['size']:,} | {label} | {m['wall_p50']:.2f} | {m['wall_p99']:.2f} | "
                             f"{m['cpu_p50']:.2f} | {m['cpu_p99']:.2f} | {per:.2f} | {m['touched_p50']:.0f} "
                             f"({m['touched_max']}) | {m['peak_mb']:.0f} | "
                             f"{none['cpu_p50'] / r['cpu_p50']:.2f}x | {'yes' if same else 'NO'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="store sizes, comma-separated [1000,10000]")
    parser.add_argument("--batches", type=int, default=5, help="measured batches of 100 per size [5]")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--regroup-limit", type=float, default=600.0,
                        help="seconds the regroup baseline may run before it is stopped [600]")
    parser.add_argument("--regroup-max", type=int, default=10_000,
                        help="largest store the regroup baseline runs on (beyond, it is not run) [10000]")
    parser.add_argument("--reuse-prefill", action="store_true",
                        help="SQLite: start from the pre-filled store an earlier run kept in bench/out (same size)")
    parser.add_argument("--prefill-chunk", type=int, default=PREFILL_BATCH,
                        help="articles per add_articles call of the pre-fill [10000]")
    parser.add_argument("--kept-only", action="store_true",
                        help="measure the batches with the defaults only, not first with no model outputs kept")
    parser.add_argument("--prefill-only", action="store_true",
                        help="SQLite: only build and keep the pre-filled stores (for later --reuse-prefill runs)")
    parser.add_argument("--base", default=None,
                        help="also run the same batches with the code of this commit first (side by side)")
    parser.add_argument("--new", default=None,
                        help="measure the code of this commit instead of the checkout's (e.g. beside --base)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure this many mixes of the held-out documents, each on a fresh copy of the "
                             "pre-filled store in a fresh process (--batches per round; with --base the codes "
                             "alternate round by round) [1]")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--mix", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--regroup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.prefill_only:
        for size in [int(s) for s in args.sizes.split(",")]:
            _, timing = prefill(size, prefill_articles(size), "sqlite")
            print(f"store of {size:,} pre-filled in {timing['prefill_s']:.0f} s", flush=True)
        return
    if (args.batches + 1) * BATCH > HELD_OUT:
        parser.error(f"--batches at most {HELD_OUT // BATCH - 1} (the held-out documents: {HELD_OUT})")
    if args.child is not None:
        print(json.dumps(measure(args.child, args.batches, args.backend, args.reuse_prefill, not args.kept_only,
                                 mix=args.mix, regroup=args.regroup)))
        return
    from throughput import pinned_source

    def commit(rev: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", rev], capture_output=True, text=True,
                              check=True).stdout.strip()

    codes = [(f"new {commit(args.new)[:9]}", pinned_source(commit(args.new))) if args.new else ("new", ROOT / "src")]
    if args.base:
        codes.insert(0, (f"base {commit(args.base)[:9]}", pinned_source(commit(args.base))))
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        rounds: dict[str, list[dict]] = {code: [] for code, _ in codes}
        for mix in range(args.rounds):
            for code, src in codes:
                regroup = mix == 0 and size <= args.regroup_max and not code.startswith("base")
                print(f"store of {size:,} articles ({args.backend}, {code}, round {mix + 1}/{args.rounds})",
                      file=sys.stderr, flush=True)
                child = subprocess.run([sys.executable, __file__, "--child", str(size), "--batches",
                                        str(args.batches), "--backend", args.backend, "--mix", str(mix),
                                        *(["--reuse-prefill"] if args.reuse_prefill else []),
                                        *(["--kept-only"] if args.kept_only else []),
                                        *(["--regroup"] if regroup else [])],
                                       capture_output=False, stdout=subprocess.PIPE, text=True, check=True,
                                       env={**os.environ, "PYTHONPATH": str(src),
                                            "STORYLINE_BENCH_PREFILL_CHUNK": str(args.prefill_chunk)})
                result = json.loads(child.stdout.strip().splitlines()[-1])
                result["code"] = code if args.base else ""
                if regroup:
                    print(f"  regroup baseline (limit {args.regroup_limit:.0f} s)", file=sys.stderr, flush=True)
                    result["regroup"] = regroup_baseline(result["regroup_url"], args.regroup_limit)
                    drop_database(args.backend, result["regroup_url"])
                else:
                    result["regroup"] = {"wall": None, "limit": args.regroup_limit, "skipped": True}
                rounds[code].append(result)
                (OUT / "live.json").write_text(json.dumps([*results, *(r for rs in rounds.values() for r in rs)],
                                                          indent=1))
        results += [pooled(rounds[code]) for code, _ in codes]
        (OUT / "live.json").write_text(json.dumps(results, indent=1))
    print(table(results, args.batches * args.rounds))


if __name__ == "__main__":
    main()
