"""The pipeline: small stages over one shared run state, each counting what it dropped and why.

files -> Article -> duplicates -> stories -> sentences, summaries and comparison (per story) -> outputs. An
executor runs the per-article and per-story work; the default runs it in this process.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache, partial
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from tqdm import tqdm

from .config import CompareOptions, Settings, SummaryOptions
from .models import (
    Article,
    Digest,
    PackedStories,
    Rejected,
    Sentence,
    Stats,
    Story,
    Storyline,
    charset_guessed,
    replaced_bytes,
)

if TYPE_CHECKING:  # the store's typed faces (``storyline.store.Store`` implements all three)
    from .cluster.state_store import StateRows
    from .cluster.storyline_rows import StorylineRows
    from .dedup.stored import DuplicateIndex

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs a function over items; swapped for a process pool or Dask without touching the stages."""

    def map(self, fn: Callable[[T], R], items: Sequence[T], desc: str = "", *, min_items: int | None = None,
            affinity: Sequence[tuple[Hashable, float]] | None = None) -> list[R]:
        """``[fn(item) for item in items]``; an engine with workers runs a map of fewer than ``min_items`` items
        (``scale.min_parallel`` when ``None``) in this process. ``affinity`` gives each item a key and a cost: an
        engine that can sends an item to the worker that had its key before (a story to the process that keeps its
        sentences' model outputs), as long as the workers' costs stay balanced; the results are the same."""
        ...


@dataclass
class LocalExecutor:
    """Runs everything in this process, with a progress bar on stderr."""

    progress: bool = True

    def map(self, fn: Callable[[T], R], items: Sequence[T], desc: str = "", *, min_items: int | None = None,
            affinity: Sequence[tuple[Hashable, float]] | None = None) -> list[R]:
        return run_inline(fn, tqdm(items, desc=desc, unit="item", disable=not self.progress or len(items) < 50,
                                   leave=False))


def run_inline(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[fn(item) for item in items]`` in this process, with BLAS on one thread, as the engines' workers run every
    batch (``scale.partition.one_thread``): OpenBLAS's sums depend on its thread count, so a story described in the
    driver on two threads could get other last bits, then another summary sentence or citation score, than the same
    story on a worker (tests/test_scale_dask.py found it on this AMD EPYC). Same engine or not, the same numbers."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return [fn(item) for item in items]


@dataclass
class RunState:
    """Everything one run has produced so far."""

    settings: Settings
    articles: list[Article] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    stories: Sequence[Story] = field(default_factory=list)
    """A list, or after ``DescribeStories(packed=True)`` a :class:`PackedStories`."""
    storylines: list[Storyline] = field(default_factory=list)
    storylines_gone: list[str] = field(default_factory=list)
    inputs: int = 0
    dropped: Counter[str] = field(default_factory=Counter)

    def by_id(self) -> dict[str, Article]:
        return {a.id: a for a in self.articles}


class Stage(Protocol):
    name: str

    def run(self, state: RunState, executor: Executor) -> None: ...


def article_sentences(article: Article) -> list[Sentence]:
    """The sentences of one article (a top-level function, so any executor can ship it)."""
    from .text.sentences import split_sentences

    return split_sentences(article.text, article.id)


@dataclass
class SplitSentences:
    """Every article's sentences, split on the executor's workers, for stage lists whose later stages read them
    before the per-story stage (which splits what is not split yet, so the default stages leave this out)."""

    name: str = "sentences"

    def run(self, state: RunState, executor: Executor) -> None:
        light = [Article(id=a.id, text=a.text) for a in state.articles]  # ship the text, not the metadata
        found = executor.map(article_sentences, light, desc="sentences")
        for article, sentences in zip(state.articles, found, strict=True):
            article.sentences = sentences


@dataclass
class FindDuplicates:
    """Signatures per article on the executor's workers; the candidate join on the driver over compact keys.

    With ``stored`` (a ``DuplicateIndex``: a store with near-duplicate keys, e.g. ``storyline.store.Store``) new
    articles are also checked against the articles earlier runs stored: a copy of one becomes its duplicate
    (``dedup/stored.py``).
    """

    name: str = "dedup"
    stored: DuplicateIndex | None = None

    def run(self, state: RunState, executor: Executor) -> None:
        from .dedup import dedup_key, link_duplicates

        options = state.settings.dedup
        # Ship only what the keys need (not sentences or metadata): a few bytes over the text per article.
        light = [Article(id=a.id, text=a.text, published=a.published) for a in state.articles]
        keys = executor.map(partial(dedup_key, options=options), light, desc="signatures")
        links = link_duplicates(keys, options)
        if self.stored is not None:
            from .dedup.stored import link_to_stored

            found = link_to_stored(keys, links, self.stored, options)
            links = found.duplicate_of
            if found.of_stored:
                state.dropped["duplicates of articles stored by earlier runs"] += found.of_stored
        for article in state.articles:
            article.duplicate_of = links.get(article.id)


def encode_one(text: str, model: str) -> Any:
    """``model``'s unit vector of one text (a top-level function: any executor)."""
    from .embed import encode

    return encode(model, [text])[0]


def encode_on(executor: Executor, model: str, texts: list[str]) -> Any:
    """``embed.encode(model, texts)`` with the texts shared out to ``executor``'s workers, one text an item: the
    cross-lingual model's ~0.3-0.6 CPU s an article (e5) on both cores instead of the driver's one. The vectors are
    the same bit for bit: the model encodes each text alone (``tests/test_pipeline.py``)."""
    import numpy as np

    if not texts:
        from .embed import encode

        return encode(model, texts)
    rows = executor.map(partial(encode_one, model=model), texts, desc="cross-lingual vectors", min_items=2)
    return np.vstack(rows)


@dataclass
class ClusterStories:
    """Group originals into stories; duplicates follow their original.

    With ``rows`` (a ``StateRows``, e.g. the store) the grouping is incremental: the part of the clustering state
    saved there by earlier runs that this run's articles can join is loaded (``cluster/state_store.py``), they join
    its stories (ids stable across runs, merges recorded) and the rows that changed are saved back. Every story this
    run touched is then output whole: its earlier articles are fetched with ``load_articles`` (e.g.
    ``Store.articles``) and added to the run. After the run, ``merges`` holds the stories it merged away (old id ->
    the live story it went into).
    """

    name: str = "cluster"
    rows: StateRows | None = None
    load_articles: Callable[[list[str]], list[Article]] | None = None
    merges: dict[str, str] = field(default_factory=dict)
    loaded: list[str] = field(default_factory=list)
    """The ids of the earlier runs' articles fetched with ``load_articles`` (as stored: a save need not write them)."""

    def run(self, state: RunState, executor: Executor) -> None:
        from .cluster import cluster_articles, story_id

        links = {a.id: a.duplicate_of for a in state.articles}
        for article in state.articles:  # a copy of a copy follows the first original (chains across runs)
            seen = {article.id}
            while article.duplicate_of in links and links[article.duplicate_of] is not None \
                    and article.duplicate_of not in seen:
                seen.add(article.duplicate_of)
                article.duplicate_of = links[article.duplicate_of]
        originals = [a for a in state.articles if a.duplicate_of is None]
        if self.rows is not None:
            groups, ids = self._incremental(self.rows, originals, state)
        else:
            groups = cluster_articles(originals, state.settings.cluster, encoder=partial(encode_on, executor))
            ids = [story_id(group) for group in groups]
        home = {aid: gi for gi, group in enumerate(groups) for aid in group}
        for article in state.articles:
            if article.duplicate_of is not None and article.id not in home:
                groups[home[article.duplicate_of]].append(article.id)
        state.stories = [
            Story(id=sid, headline="", article_ids=sorted(group)) for sid, group in zip(ids, groups, strict=True)
        ]

    def _incremental(self, rows: StateRows, originals: list[Article],
                     state: RunState) -> tuple[list[list[str]], list[str]]:
        from .cluster.incremental import assign
        from .cluster.state_store import load_state, save_state

        settings = state.settings.cluster
        cluster_state = load_state(rows, settings, near=state.articles)
        run_ids = {a.id for a in state.articles}
        for article in state.articles:  # a stored original the clustering state does not know has no story to join
            original = article.duplicate_of
            if original is not None and original not in run_ids and original not in cluster_state.article_story:
                article.duplicate_of = None
                originals.append(article)
                state.dropped["duplicates clustered as originals: stored original in no story"] += 1
        assignment = assign(cluster_state, originals, settings, self.load_articles)
        joined_stored: dict[str, None] = {}
        for article in state.articles:
            if article.duplicate_of is not None:
                cluster_state.duplicates[article.id] = article.duplicate_of
                if article.duplicate_of not in run_ids:  # a copy of an earlier run's article joins its story
                    joined_stored[cluster_state.resolve(cluster_state.article_story[article.duplicate_of])] = None
        save_state(rows, cluster_state)
        touched = dict.fromkeys(assignment.story_of.values())
        touched.update(joined_stored)
        for old, new in assignment.moved.values():
            touched.update(dict.fromkeys((cluster_state.resolve(old), new)))
        cluster_state.need_stories(list(touched))  # a partial state: stories joined through a stored duplicate
        touched = {sid: None for sid in touched if sid in cluster_state.stories}
        groups = cluster_state.members_with_duplicates_of(list(touched))
        have = {a.id for a in state.articles}
        missing = [aid for group in groups for aid in group if aid not in have]
        if missing and self.load_articles is None:
            raise ValueError("incremental clustering needs load_articles to output the stories earlier runs started")
        # their sentences are split where they are described (``describe_members``), not here: no stage before
        # reads them, and a story's members travel to a worker as texts (half the bytes to pickle at 100k)
        stored = list(self.load_articles(missing)) if missing and self.load_articles is not None else []
        self.loaded = [a.id for a in stored]
        state.articles.extend(stored)
        loaded = {a.id for a in state.articles}
        state.dropped["story members not in the article store"] += sum(aid not in loaded for g in groups for aid in g)
        state.dropped["stories merged into older ones"] += len(assignment.merges)
        self.merges = {m.story_id: cluster_state.resolve(m.into) for m in assignment.merges}
        return [[aid for aid in group if aid in loaded] for group in groups], list(touched)


def published_span(members: Sequence[Article]) -> tuple[datetime | None, datetime | None]:
    """A story's first and last publication: its members' earliest and latest dates (None when none is dated)."""
    dates = [a.published for a in members if a.published]
    return (min(dates), max(dates)) if dates else (None, None)


def story_originals(members: Sequence[Article]) -> list[Article]:
    """The members of a story that its summary and comparison read: its originals (duplicates left out), or every
    member when it has no original."""
    return [a for a in members if a.duplicate_of is None] or list(members)


def shipped_members(members: Sequence[Article]) -> list[Article]:
    """A story's members as the describe needs them (``describe_members``): the originals whole, each duplicate
    (when the story has an original) without its text, which nothing there reads (its coverage counts it by its
    metadata). A story of a big store holds many copies: they no longer travel to a worker as text nor get their
    sentences split there (bench/live.py, issue 14)."""
    if all(a.duplicate_of is None for a in members) or all(a.duplicate_of is not None for a in members):
        return list(members)
    return [a if a.duplicate_of is None else replace(a, text="", sentences=[]) for a in members]


def summarize_members(job: tuple[Story, list[Article]], options: SummaryOptions,
                      recited: Collection[str] = ()) -> Story:
    """Summary, headline and dates of one story from its member articles (shipped together to a worker); the
    summary sentences of the articles ``recited`` cite their own span alone (``summary.select.choose_and_cite``:
    the comparison cites them)."""
    from .summary import choose_headline, summarize_story

    story, members = job
    originals = story_originals(members)
    story.summary, centrality = summarize_story(originals, options, recited)
    story.headline = choose_headline(originals, centrality)
    story.first_published, story.last_published = published_span(members)
    counts = Counter(a.language.lower().split("-")[0] for a in members if a.language)
    story.languages = [lang for lang, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return story


def story_jobs(state: RunState) -> list[tuple[Story, list[Article]]]:
    """Each story with its member articles: what a per-story task needs, and no more, on any worker."""
    by_id = state.by_id()
    return [(story, [by_id[i] for i in story.article_ids]) for story in state.stories]


def compared_originals(members: list[Article], options: CompareOptions) -> list[Article]:
    """The articles of a story its comparison reads: its originals in every language when a cross-lingual model
    says which sentences of two languages agree (``compare.cross_lingual``) and the story has at most
    ``compare.cross_lingual_sentences`` sentences; else those in English or of unknown language, as before."""
    from .embed import cross_lingual_model
    from .text.sentences import ensure_sentences

    originals = story_originals(members)
    english = [a for a in originals if not a.language or a.language.lower().startswith("en")]
    if len(english) == len(originals) or cross_lingual_model(options.cross_lingual) is None:
        return english
    ensure_sentences(originals)
    return originals if sum(len(a.sentences) for a in originals) <= options.cross_lingual_sentences else english


def recited_articles(members: list[Article], options: CompareOptions) -> set[str]:
    """The articles whose summary sentences :func:`compare_members` cites again from its alignment
    (``compare.claims.cite_summary``: the compared articles with a unit; sentences must be split), so the summary's
    own citation check need not cite them (``summarize_members``)."""
    from .compare.align import split_units

    return {a.id for a in compared_originals(members, options) if split_units(a)} if options.enabled else set()


def compare_members(job: tuple[Story, list[Article]], options: CompareOptions) -> Story:
    """Agreed/unique/conflicts, quotes, entities and timeline of one story, and its summary's citations re-read from
    the same alignment (a top-level function: any executor)."""
    from .compare import compare_story

    story, members = job
    articles = compared_originals(members, options)
    if articles:
        result = compare_story(articles, options, story.summary)
        story.summary = result.summary  # "N sources" from the comparison's alignment, as "Agreed" shows it
        story.agreed, story.unique, story.conflicts = result.agreed, result.unique, result.conflicts
        story.quotes, story.entities, story.timeline = result.quotes, result.entities, result.timeline
    return story


def describe_members(job: tuple[Story, list[Article]], summary: SummaryOptions, compare: CompareOptions,
                     groups: tuple[str, ...] = (), kept: int = 0) -> Story:
    """Summary, coverage (outlets, articles over time, the user's ``groups``), then (when enabled) comparison of one
    story, sharing one set of sentence vectors between the summary's citation check and the comparison's alignment
    (a top-level function: any executor). Members whose sentences are not split yet are split here: the default
    stages split no sentence before this one, so the stories travel to the workers as texts and the driver of a
    100k-article run does not keep ~2.6 bytes of ``Sentence`` records per character of text (issue 15); the
    sentences split here are dropped again when the story is described, so a worker holds one story's, not its
    batch's; only the originals are split (``story_originals``: the duplicates may come without their text,
    ``shipped_members``). The process keeps the model outputs of up to ``kept`` sentences for the next stories and
    batches (``live.kept_sentences``, ``embed.keep_outputs``)."""
    from .compare.coverage import story_coverage
    from .embed import keep_outputs, shared_vectors
    from .text.sentences import ensure_sentences

    keep_outputs(kept)
    read = story_originals(job[1])  # the duplicates' sentences are read by nothing here
    unsplit = [a for a in read if not a.sentences]
    ensure_sentences(read)  # split here, on the worker: the driver never holds every article's sentences
    try:
        with shared_vectors():
            story = summarize_members(job, summary, recited_articles(job[1], compare))
            story.coverage = story_coverage(job[1], groups)
            return compare_members((story, job[1]), compare) if compare.enabled else story
    finally:  # nor does the worker past this story: its batch's articles would hold them all until the batch ends
        for article in unsplit:
            article.sentences = []


def describe_packed(job: tuple[Story, list[Article]], summary: SummaryOptions, compare: CompareOptions,
                    groups: tuple[str, ...] = (), kept: int = 0) -> bytes:
    """:func:`describe_members`, the story packed where it was described (``PackedStories.pack``): it crosses the
    pool and waits on the driver as a compressed pickle."""
    return PackedStories.pack(describe_members(job, summary, compare, groups, kept))


@dataclass
class DescribeStories:
    """Summarize each story and compare its sources (duplicates left out); stories with no English article are
    summarized and counted as not compared.

    With ``keep_outputs`` each process keeps the model outputs of up to ``live.kept_sentences`` sentences for later
    batches (the live path re-describes the stories a batch touches). A one-shot digest describes each story once
    (1,000 real articles: 6 of 18,359 sentence vectors and none of 4,232 spaCy docs asked for again), so its default
    stages keep none: ~0.17 GB less per worker at 100k articles (bench/RESULTS.md).

    With ``packed`` the described stories become a :class:`PackedStories` (packed on the workers): a one-shot
    digest's driver holds them compressed until the writers read them one by one (issue 15); the live path, which
    saves and re-reads them, keeps records."""

    name: str = "describe"
    keep_outputs: bool = True
    packed: bool = False

    def run(self, state: RunState, executor: Executor) -> None:
        jobs = [(story, shipped_members(members)) for story, members in story_jobs(state)]
        if state.settings.compare.enabled:
            from .compare.nlp import pipeline_for
            from .text.dates import has_date_words
            from .text.numbers import DIGITS_ONLY, has_number_rules

            compare = state.settings.compare
            for _, members in jobs:
                compared = compared_originals(members, compare)
                if not compared:
                    state.dropped["stories not compared: no English article"] += 1
                elif len(compared) < len(story_originals(members)):
                    state.dropped["articles not compared: not English (no cross-lingual model, or story over "
                                  "compare.cross_lingual_sentences)"] += 1
                for article in compared:
                    if pipeline_for(article.language, compare.spacy_model) is None:
                        state.dropped[f"articles with entities by name only: no spaCy pipeline for "
                                      f"{article.language}"] += 1
                    if not has_number_rules(article.language):
                        state.dropped[f"articles with figures read as {DIGITS_ONLY}: no number words for "
                                      f"{article.language}"] += 1
                    if not has_date_words(article.language):
                        state.dropped[f"articles with dates read as ISO forms only: no date words for "
                                      f"{article.language}"] += 1
        from .compare.coverage import known_groups

        groups = known_groups((o.groups for o in state.settings.outlets.table), state.articles)
        describe = partial(describe_members, summary=state.settings.summary, compare=state.settings.compare,
                           groups=groups, kept=state.settings.live.kept_sentences if self.keep_outputs else 0)
        # A story costs what its articles cost (0.1-1 CPU s a story with the models), so the map goes to the workers
        # by the articles its stories hold: counted in stories against scale.min_parallel, the 49 stories of 500
        # articles ran on one core while the other waited.
        articles = sum(len(members) for _, members in jobs)
        scale = state.settings.scale
        min_items = 2 if articles >= min(scale.min_parallel_describe, scale.min_parallel) else len(jobs) + 1
        # each story to the worker that described it last (its kept model outputs), by the text it reads (its
        # originals': the duplicates travel without theirs, and a copy costs the describe next to nothing)
        affinity = [(story.id, float(sum(len(a.text) for a in members))) for story, members in jobs]
        if self.packed:
            packed = partial(describe_packed, **describe.keywords)
            state.stories = PackedStories(executor.map(packed, jobs, desc="summaries and comparison",
                                                       min_items=min_items, affinity=affinity))
        else:
            state.stories = executor.map(describe, jobs, desc="summaries and comparison", min_items=min_items,
                                         affinity=affinity)


def group_storylines(stories: Sequence[Story], articles: Sequence[Article], settings: Settings, *,
                     rows: StorylineRows | None = None, gone: Iterable[str] = (),
                     described: Callable[[], Sequence[Story]] | None = None) -> tuple[list[Storyline], list[str]]:
    """Update the storylines (``cluster/storylines.py``) with ``stories`` (described, with their ``articles``) and
    the stories ``gone`` (merged away): the part of the storyline state they can touch is loaded from and saved to
    ``rows`` when given (``cluster/storyline_rows.py``), else the storylines are built from scratch. Returns the
    storylines of two or more stories that changed, and the ids of those that changed to fewer (no longer shown).

    With ``described`` the ``stories`` need not be described yet (their dates are taken from their members): the
    grouping reads only their members and dates, and ``described()`` (the same stories, described: it may wait for
    them) gives each changed story's headline and lead sentence once the grouping is done, before the storylines
    are built and saved."""
    from .cluster.storyline_rows import update_storyline_rows
    from .cluster.storylines import StorylineState, shown_and_gone, story_profile, update_storylines

    by_id = {a.id: a for a in articles}
    members = [[by_id[a] for a in story.article_ids if a in by_id] for story in stories]
    if described is not None:  # the same dates the describe sets (``summarize_members``), so either may be first
        for story, own in zip(stories, members, strict=True):
            story.first_published, story.last_published = published_span(own)
    profiles = [story_profile(story, own) for story, own in zip(stories, members, strict=True)]

    def shown() -> None:  # the described stories' headline and lead sentence into their profiles
        if described is None:
            return
        for profile, story in zip(profiles, described(), strict=True):
            full = story_profile(story, [])  # no members: the headline and lede only (names and words are kept)
            profile.headline, profile.lede = full.headline, full.lede

    if rows is not None:
        return update_storyline_rows(rows, profiles, gone, settings.storylines, before_shown=shown)
    lines = StorylineState()
    touched = update_storylines(lines, profiles, gone, settings.storylines)
    shown()
    return shown_and_gone(lines, touched, settings.storylines)


@dataclass
class GroupStorylines:
    """Group the run's stories into storylines, the level above events (``group_storylines``).

    With ``rows`` (e.g. the store) the part of the storyline state saved there that this run's stories and the
    stories ``cluster`` merged away can touch is loaded, updated and saved back; without, the run's stories are
    grouped from scratch. With ``describe`` this stage runs that stage too, at the same time: the describe's map
    goes to the executor from a thread while this process groups the stories (the grouping needs their members and
    dates only; their headlines and lead sentences are taken when the describe is done), so the driver's storyline
    work overlaps the workers' summaries instead of following them (the live path, bench/live.py).
    """

    name: str = "storylines"
    rows: StorylineRows | None = None
    cluster: ClusterStories | None = None
    describe: DescribeStories | None = None

    def run(self, state: RunState, executor: Executor) -> None:
        if not state.settings.storylines.enabled:
            if self.describe is not None:
                self.describe.run(state, executor)
            return
        gone = self.cluster.merges if self.cluster is not None else {}
        if self.describe is None:
            state.storylines, state.storylines_gone = group_storylines(state.stories, state.articles,
                                                                       state.settings, rows=self.rows, gone=gone)
            return
        from concurrent.futures import ThreadPoolExecutor

        stories = list(state.stories)  # the describe replaces state.stories when done
        with ThreadPoolExecutor(1, thread_name_prefix="describe") as background:
            describing = background.submit(self.describe.run, state, executor)

            def described() -> Sequence[Story]:
                describing.result()
                return state.stories

            state.storylines, state.storylines_gone = group_storylines(stories, state.articles, state.settings,
                                                                       rows=self.rows, gone=gone,
                                                                       described=described)
            describing.result()


DEFAULT_STAGES: tuple[Callable[[], Stage], ...] = (
    FindDuplicates,
    ClusterStories,
    partial(DescribeStories, keep_outputs=False, packed=True),  # one run: no story described twice; kept packed
    GroupStorylines,
)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or ``None`` (another C library or system)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def release_free_memory() -> None:
    """Give the pages the C allocator holds free back to the system (glibc's ``malloc_trim``; nothing elsewhere).

    Called between stages, after each map's results are in and by pool workers after each batch: freed memory
    otherwise stays in the process, scattered between live blocks and in the arenas of the threads that unpickled
    a map's results (at 20,000 articles ~90 MB of the driver's 205 MB after the dedup stage, and again after the
    clustering: bench/RESULTS.md, issue 15). It takes ~0.03 s at that size."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def model_packages(settings: Settings) -> tuple[str, ...]:
    """The packages the default stages import to run their models under ``settings``: the summary's embedder,
    MiniLM for the citation check (``auto``/``minilm``), spaCy and its model and the alignment embedders of the
    comparison. A process pool imports them once, before it forks its workers (``open_executor(preload=...)``).
    Because Hugging Face libraries read their offline switches when imported, naming them also sets those switches
    (:func:`storyline.embed.offline`)."""
    from .embed import RUNTIME_MODULES, offline

    embedders = [settings.summary.embedder]
    if settings.summary.verifier != "static":
        embedders.append("minilm")
    packages = [p for e in embedders for p in RUNTIME_MODULES.get(e, ())]
    if settings.compare.enabled:
        aligners = {"auto": ("static", "minilm"), "cascade": ("static", "minilm")}
        alignment = aligners.get(settings.compare.embedder, (settings.compare.embedder,))
        packages += [p for e in alignment for p in RUNTIME_MODULES.get(e, ())]
        # storyline.compare (SciPy); spaCy through spacy_runtime, so that thinc does not import torch
        packages += ["storyline.compare", "storyline.compare.spacy_runtime", settings.compare.spacy_model]
    if "transformers" in packages:
        offline()
    return tuple(dict.fromkeys(packages))


def run_pipeline(
    articles: Iterable[Article],
    settings: Settings | None = None,
    rejected: Iterable[Rejected] = (),
    inputs: int = 0,
    stages: Sequence[Stage] | None = None,
    executor: Executor | None = None,
    stored_outlets: Iterable[str] = (),
) -> Digest:
    """Run ``stages`` (the default pipeline when ``None``) over ``articles`` and return the digest.

    First every article of one outlet gets the same source name (``text/outlets.py``; ``stored_outlets`` are the
    names a store already shows, which a new batch joins)."""
    from .text.outlets import name_outlets

    settings = settings or Settings()
    state = RunState(settings=settings, articles=list(articles), rejected=list(rejected), inputs=inputs)
    name_outlets(state.articles, settings.outlets.table, stored_outlets)
    executor = executor or LocalExecutor(progress=settings.progress)
    for stage in stages if stages is not None else [make() for make in DEFAULT_STAGES]:
        stage.run(state, executor)
        release_free_memory()
    if isinstance(state.stories, PackedStories):  # reordered packed
        state.stories.sort(key=lambda s: (-len(s.article_ids), s.id))
    else:
        state.stories = sorted(state.stories, key=lambda s: (-len(s.article_ids), s.id))
    stats = Stats(
        inputs=state.inputs,
        articles=len(state.articles),
        duplicates=sum(1 for a in state.articles if a.duplicate_of),
        rejected=len(state.rejected),
        stories=len(state.stories),
        dropped=dict(state.dropped),
        replaced_bytes=replaced_bytes(state.articles),
        charset_guessed=charset_guessed(state.articles),
    )
    return Digest(articles=state.articles, stories=state.stories, rejected=state.rejected, stats=stats,
                  storylines=state.storylines, storylines_gone=state.storylines_gone)
