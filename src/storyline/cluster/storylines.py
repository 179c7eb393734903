"""Storylines: event stories of one developing topic over days to months, grouped incrementally with stable ids.

A story is an event ("the earthquake"); a storyline is what a reader follows (a hurricane over three weeks, a trial).
Each story gets a *profile* from its articles: the names it mentions (capitalized phrases, ``features.entity_phrases``)
and its content words, each as the share of the story's articles that use it, and its first/last dates.

With ``similarity = "average"`` (the default) each batch groups again, by average link, its changed stories, the
storylines they are in and the storylines they could join (``_candidates``, within ``max_gap_days``): two groups of
stories join while the mean ``pair_scores`` of their story pairs reaches the bar. A pair's score is
``(cos(names) + cos(words)) / 2`` (cosines of IDF-weighted profiles; IDF over the stored stories) against

- ``pair_threshold`` when both are dated, days apart, within ``max_gap_days`` (pairs further apart are not compared:
  a story is linked to the weeks around it, and a storyline can go on for months through them);
- ``undated_threshold``, with at least ``min_shared_names`` distinctive names (in under half of the stories) shared,
  when either is undated or their days overlap. Time is the signal that tells a developing story from another event
  of the same kind (two earthquakes share their names of rescuers and agencies as much as two days of one
  earthquake do); stories of the same days were seen together by the event level and kept apart.

So a story that links two storylines joins them into one, a story that no longer fits leaves, and the storylines of
daily batches are those of one run over everything (bench/clustering.py).

With ``similarity = "rules"`` a story is placed instead, one at a time in time order, into the storyline whose pooled
profile passes ``similarity`` (``threshold``, ``min_shared_names``, ``overlap_threshold``) or stays alone; with
``"learned"``, by ``LEARNED``, a logistic regression over ``pair_features`` of the story against each of the
storyline's stories, averaged (``LearnedSimilarity``). A story already in a storyline then stays unless it no longer
passes against the others.

A story is compared with at most ``MAX_CANDIDATES`` storylines (those sharing the most distinctive names with it),
and a long storyline by its latest ``MAX_POOLED`` stories (``"rules"``), so a run costs the same whatever the store's
size. Ids never change while their founder stays: a storyline's id comes from the story that founded it (the
earliest), a regrouped storyline keeps the id of its earliest story's storyline.

Only what the next batch needs is kept in the working state (one blob, ``BLOB_KEY``): a storyline whose latest story
is more than ``retire_after_days`` older than the newest story seen can no longer be joined by news of today, so it
*retires*: its members' profiles move to a blob of its own (``ARCHIVE_PREFIX`` + id), written once, and the working
state keeps only which storyline each of its stories is in. A retired storyline comes back into the working state
when one of its stories changes or goes (``update_stored_storylines``). The working state so grows with the news of
the last weeks, not with the store. Everything is plain JSON (``to_json``), written in the same transaction as the
stories.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ..config import StorylineOptions
from ..models import Article, Citation, Story, Storyline, SummarySentence
from ..text.tokens import english_stop_words
from .features import article_text, entity_phrases
from .state_store import BlobStore

FORMAT = 1
BLOB_KEY = "storylines:state"
ARCHIVE_PREFIX = "storylines:retired:"
"""Blob key prefix of a retired storyline's member profiles (the storyline id follows)."""
MAX_POOLED = 30
"""A long storyline is compared by its latest stories (what a new event continues from), bounding the cost."""
MAX_CANDIDATES = 20
"""Storylines a story is compared with (those sharing the most distinctive names with it)."""
KEPT_TERMS = 60
"""Names and words kept per story profile (the most used in its articles): enough to compare, small to store."""
_WORD = re.compile(r"(?u)\b[^\W\d_]{3,}\b")
_STOP = english_stop_words() | {"said", "says", "told", "year", "years", "new", "just", "like", "people"}


def storyline_id(founder: str) -> str:
    """A storyline id derived from the story that founded it (stable across runs)."""
    return "sl-" + hashlib.blake2b(founder.encode(), digest_size=6).hexdigest()


@dataclass(slots=True)
class StoryProfile:
    """What storylines remember of one story: names and words (share of its articles using each), dates, and what
    a storyline shows of it (headline, lead sentence with citations, size)."""

    story_id: str
    names: dict[str, float]
    words: dict[str, float]
    first: str | None = None
    last: str | None = None
    headline: str = ""
    lede: dict[str, Any] | None = None
    size: int = 0

    def to_json(self) -> list[Any]:
        return [self.story_id, self.names, self.words, self.first, self.last, self.headline, self.lede, self.size]

    @classmethod
    def from_json(cls, row: list[Any]) -> StoryProfile:
        return cls(*row)

    def days(self) -> tuple[float, float] | None:
        if self.first is None or self.last is None:
            return None
        return _day(self.first), _day(self.last)


def _day(iso: str) -> float:
    when = datetime.fromisoformat(iso)
    return when.timestamp() / 86400 if when.tzinfo else when.toordinal() + (when.hour * 60 + when.minute) / 1440


def _top(counts: Counter[str], n: int) -> dict[str, float]:
    return {term: round(count / n, 4) for term, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            [:KEPT_TERMS]}


def story_profile(story: Story, articles: Sequence[Article]) -> StoryProfile:
    """The profile of ``story`` from its member ``articles`` (duplicates left out when there are originals)."""
    originals = [a for a in articles if a.duplicate_of is None] or list(articles)
    names: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for article in originals:
        text = article_text(article)
        names.update({n for n in entity_phrases(text) if len(n) > 2})
        words.update({w for w in (m.lower() for m in _WORD.findall(text)) if w not in _STOP})
    lede = None
    if story.summary:
        first = story.summary[0]
        lede = {"text": first.text, "citations": [[c.article_id, c.start, c.end, c.score] for c in first.citations]}
    n = max(len(originals), 1)
    return StoryProfile(
        story_id=story.id, names=_top(names, n), words=_top(words, n),
        first=story.first_published.isoformat() if story.first_published else None,
        last=story.last_published.isoformat() if story.last_published else None,
        headline=story.headline, lede=lede, size=len(story.article_ids),
    )


@dataclass(slots=True)
class StorylineState:
    """Every stored story's profile, its storyline, and each storyline's members; document frequencies of names and
    words over the stories (for IDF)."""

    profiles: dict[str, StoryProfile] = field(default_factory=dict)
    storyline_of: dict[str, str] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    df: Counter[str] = field(default_factory=Counter)
    postings: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Name -> stories that mention it (rebuilt on load, not stored): where candidate storylines come from."""
    retired: dict[str, str] = field(default_factory=dict)
    """Story -> storyline, for the stories of retired storylines (their profiles are in the storyline's own blob)."""

    def to_json(self) -> bytes:
        return json.dumps({
            "format": FORMAT,
            "profiles": [p.to_json() for p in self.profiles.values()],
            "storyline_of": self.storyline_of,
            "retired": self.retired,
        }, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes | None) -> StorylineState:
        state = cls()
        if data is None:
            return state
        meta = json.loads(data)
        if meta.get("format") != FORMAT:
            raise ValueError(f"storyline state has format {meta.get('format')!r}, this storyline reads {FORMAT}")
        for row in meta["profiles"]:
            state._add(StoryProfile.from_json(row))
        for sid, line in meta["storyline_of"].items():
            state.storyline_of[sid] = line
            state.members.setdefault(line, []).append(sid)
        for members in state.members.values():
            members.sort(key=state.order)
        state.retired = dict(meta.get("retired", {}))
        return state

    def order(self, story_id: str) -> tuple[str, str]:
        """Time order of stories: first published (undated last), then id."""
        first = self.profiles[story_id].first if story_id in self.profiles else None
        return (first or "~", story_id)

    def _add(self, profile: StoryProfile) -> None:
        self.profiles[profile.story_id] = profile
        self.df.update(["n:" + t for t in profile.names] + ["w:" + t for t in profile.words])
        for name in profile.names:
            self.postings[name].add(profile.story_id)

    def _remove(self, story_id: str) -> None:
        profile = self.profiles.pop(story_id, None)
        if profile is not None:
            self.df.subtract(["n:" + t for t in profile.names] + ["w:" + t for t in profile.words])
            for name in profile.names:
                self.postings[name].discard(story_id)
        self._leave(story_id)

    def _leave(self, story_id: str) -> None:
        line = self.storyline_of.pop(story_id, None)
        if line is not None:
            self.members[line].remove(story_id)
            if not self.members[line]:
                del self.members[line]

    def _join(self, story_id: str, line: str) -> None:
        self.storyline_of[story_id] = line
        members = self.members.setdefault(line, [])
        members.append(story_id)
        members.sort(key=self.order)

    def size(self) -> int:
        """Stories in the working state (a partial state, ``storyline_rows.py``, counts those it did not load)."""
        return len(self.profiles)

    def newest(self) -> str | None:
        """The latest publication (``last``) of the stories in the working state."""
        return max((p.last for p in self.profiles.values() if p.last), default=None)

    def hold_lines(self, lines: Sequence[str]) -> None:
        """Make sure the members of ``lines`` are held (a partial state loads them; a whole one holds them)."""

    def used_elsewhere(self, line: str) -> bool:
        """Whether storyline id ``line`` is taken by a storyline this state does not hold (a partial state asks its
        rows; retired ones held here are in ``retired``)."""
        return False

    def ask_lines(self, lines: Sequence[str]) -> None:
        """``used_elsewhere`` of these storyline ids will be asked (a partial state reads them at once)."""

    def idf(self, kind: str, term: str) -> float:
        n = self.size()
        df = self.df.get(kind + term, 0)
        return math.log((1 + n) / (1 + df)) + 1.0


def _weighted(state: StorylineState, terms: dict[str, float], kind: str) -> dict[str, float]:
    return {t: v * state.idf(kind, t) for t, v in terms.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _pooled(state: StorylineState, story_ids: Sequence[str], kind: str) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for sid in story_ids:
        profile = state.profiles[sid]
        for t, v in (profile.names if kind == "n:" else profile.words).items():
            total[t] += v / len(story_ids)
    return _weighted(state, total, kind)


def similarity(state: StorylineState, story: str, others: Sequence[str], options: StorylineOptions) -> float:
    """How well ``story`` fits the stories ``others`` (a storyline), scaled so that 1.0 is the bar to join: 0 when a
    rule forbids it, else the mean of the name and word cosines against the pooled profile of ``others`` divided
    by ``threshold`` (dates known on both sides; ``overlap_threshold`` when it is higher and the story overlaps the
    storyline's days) or ``undated_threshold``."""
    profile = state.profiles[story]
    days = profile.days()
    spans = [d for sid in others if (d := state.profiles[sid].days()) is not None]
    bar = options.undated_threshold
    if days is not None and spans:
        first, last = min(s[0] for s in spans), max(s[1] for s in spans)
        gap = max(days[0] - last, first - days[1], 0.0)
        if gap > options.max_gap_days:
            return 0.0
        overlap = max(days[0] - last, first - days[1]) <= 0  # in the same days: the event level kept them apart
        bar = max(options.threshold, options.overlap_threshold) if overlap else options.threshold
    n = state.size()
    names = {t for sid in sorted(others, key=state.order)[-MAX_POOLED:] for t in state.profiles[sid].names}
    shared = [t for t in profile.names if t in names and (n < 4 or state.df.get("n:" + t, 0) <= n / 2)]
    if len(shared) < options.min_shared_names:
        return 0.0
    mine_names = _weighted(state, profile.names, "n:")
    mine_words = _weighted(state, profile.words, "w:")
    recent = sorted(others, key=state.order)[-MAX_POOLED:]
    score = (_cosine(mine_names, _pooled(state, recent, "n:")) + _cosine(mine_words, _pooled(state, recent, "w:"))) / 2
    return score / bar


PAIR_FEATURES = ("names", "words", "shared_names", "gap", "overlap", "size")
"""What ``pair_features`` measures of a story against another story (or a storyline's pooled stories): the IDF
cosines of names and of words, log(1 + distinctive names shared), log(1 + days between them) and whether their days
overlap (0 when either side is undated), log(1 + the smaller side's articles)."""


def pair_features(state: StorylineState, story: str, others: Sequence[str]) -> list[float]:
    """``PAIR_FEATURES`` of ``story`` against ``others`` (pooled: their names and words averaged, their days one
    span): the inputs of the learned similarity, the same numbers ``similarity`` uses, as measures not rules."""
    profile = state.profiles[story]
    days = profile.days()
    spans = [d for sid in others if (d := state.profiles[sid].days()) is not None]
    gap = overlap = 0.0
    if days is not None and spans:
        first, last = min(s[0] for s in spans), max(s[1] for s in spans)
        gap = max(days[0] - last, first - days[1], 0.0)
        overlap = float(max(days[0] - last, first - days[1]) <= 0)
    n = state.size()
    names = {t for sid in others for t in state.profiles[sid].names}
    shared = sum(1 for t in profile.names if t in names and (n < 4 or state.df.get("n:" + t, 0) <= n / 2))
    size = min(max(profile.size, 1), max(sum(state.profiles[sid].size for sid in others), 1))
    return [
        _cosine(_weighted(state, profile.names, "n:"), _pooled(state, others, "n:")),
        _cosine(_weighted(state, profile.words, "w:"), _pooled(state, others, "w:")),
        math.log1p(shared), math.log1p(gap), overlap, math.log1p(size),
    ]


@dataclass(frozen=True, slots=True)
class LearnedSimilarity:
    """A logistic regression over ``pair_features`` of story pairs (do two stories belong to one storyline?), linked
    against a storyline as the ``link`` (``"mean"`` or ``"max"``) of its pairwise probabilities over its members (at
    most ``MAX_LINKED``, the latest), or (``"pooled"``) against their pooled profile; joins at probability ``bar``.
    No name rule, and the gap only as an outer bound (``max_gap_days``): within it the gap and the shared names are
    features (a story sharing no name never becomes a candidate, ``_candidates``). Without dates on either side it
    is ``similarity`` (``undated_threshold``): time is what tells two events of one kind apart, and without it only
    near-identical coverage joins. Fitted by ``bench/fit_storylines.py``."""

    coef: tuple[float, ...]
    intercept: float
    bar: float = 0.5
    link: str = "mean"

    def probability(self, features: Sequence[float]) -> float:
        z = self.intercept + sum(c * x for c, x in zip(self.coef, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def features(self, state: StorylineState, story: str, others: Sequence[str]) -> list[float]:
        """What the regression reads: ``pair_features`` (benchmarks add evidence in a subclass)."""
        return pair_features(state, story, others)

    def __call__(self, state: StorylineState, story: str, others: Sequence[str], options: StorylineOptions) -> float:
        if state.profiles[story].days() is None or all(state.profiles[o].days() is None for o in others):
            return similarity(state, story, others, options)  # undated: the strict rule (no time to learn from)
        days = state.profiles[story].days()
        spans = [d for o in others if (d := state.profiles[o].days()) is not None]
        if days is not None and max(days[0] - max(s[1] for s in spans), min(s[0] for s in spans) - days[1]) > \
                options.max_gap_days:
            return 0.0  # the outer bound of a storyline's reach; within it the gap is a feature
        members = sorted(others, key=state.order)[-MAX_LINKED:]
        if self.link == "pooled":
            return self.probability(self.features(state, story, members)) / self.bar
        probabilities = [self.probability(self.features(state, story, [o])) for o in members]
        fit = max(probabilities) if self.link == "max" else sum(probabilities) / len(probabilities)
        return fit / self.bar


MAX_LINKED = 100
"""Members of a storyline the learned similarity links a story against (the latest): the whole of nearly every
storyline, a bound on the cost of the longest."""

LEARNED = LearnedSimilarity(coef=(4.6497, 4.5687, 2.511, -0.5656, -1.165, -4.386), intercept=1.3929, bar=0.85)
"""The learned similarity of ``StorylineOptions.similarity = "learned"``: fitted on DUC 2003's event stories (the one
set of dated, weeks-long topics) by ``python bench/fit_storylines.py --train "duc 2003"``; held-out figures in
bench/RESULTS.md."""


def configured_similarity(options: StorylineOptions) -> StorySimilarity:
    """The similarity ``options.similarity`` names: ``LEARNED`` or the rules (``similarity``)."""
    return LEARNED if options.similarity == "learned" else similarity


class StorySimilarity(Protocol):
    """How well a story fits a storyline, 1.0 being the bar to join and 0 meaning a rule forbids it (the one
    ``configured_similarity`` names is used; benchmarks pass others to measure new evidence in the same path)."""

    def __call__(self, state: StorylineState, story: str, others: Sequence[str], options: StorylineOptions) -> float:
        ...


def _candidates(state: StorylineState, story: str) -> list[str]:
    """The ``MAX_CANDIDATES`` storylines sharing the most IDF weight of names with ``story`` (only storylines that
    share a name can pass the name rule; the cap keeps a run's cost flat when common names link many stories)."""
    weight: dict[str, float] = defaultdict(float)
    for name in state.profiles[story].names:
        idf = state.idf("n:", name)
        for line in {state.storyline_of[o] for o in state.postings.get(name, ()) if o != story
                     and o in state.storyline_of}:
            weight[line] += idf
    return sorted(weight, key=lambda line: (-weight[line], line))[:MAX_CANDIDATES]


@dataclass(slots=True)
class _RegionProfiles:
    """The profiles of a region's stories as matrices (one row a story, in the region's order): names and words
    IDF-weighted and scaled to unit length, the distinctive names (in at most half of the stories) as 0/1, and each
    story's first and last day (``dated`` False when unknown). What ``pair_scores`` reads, built once per region."""

    names: sp.csr_matrix
    words: sp.csr_matrix
    distinctive: sp.csr_matrix
    dated: np.ndarray
    first: np.ndarray
    last: np.ndarray


def _region_profiles(state: StorylineState, stories: Sequence[str]) -> _RegionProfiles:
    n = len(stories)
    total = state.size()
    unit = []
    distinctive: sp.csr_matrix | None = None
    for kind in ("n:", "w:"):
        index: dict[str, int] = {}
        cols: list[int] = []
        shares: list[float] = []
        counts = np.zeros(n + 1, dtype=np.int64)
        for row, sid in enumerate(stories):
            terms = state.profiles[sid].names if kind == "n:" else state.profiles[sid].words
            cols += [index[t] if t in index else index.setdefault(t, len(index)) for t in terms]
            shares += terms.values()
            counts[row + 1] = len(terms)
        indptr = np.cumsum(counts)
        vocabulary = list(index)
        idf = np.array([state.idf(kind, t) for t in vocabulary])
        # each entry share * idf (one product, as ``_weighted``), rows scaled to unit length
        matrix = sp.csr_matrix((np.array(shares) * idf[cols], np.array(cols, dtype=np.int64), indptr),
                               shape=(n, len(index)))
        matrix.sort_indices()  # a row's terms summed in the order of their columns (first met in the region)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        unit.append(sp.csr_matrix(sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ matrix))
        if kind == "n:":  # the distinctive names: in at most half of the stories (all when under 4)
            keep = np.array([total < 4 or state.df.get("n:" + t, 0) <= total / 2 for t in vocabulary], dtype=bool)
            pattern = sp.csr_matrix((np.ones(len(cols)), np.array(cols, dtype=np.int64), indptr),
                                    shape=(n, len(index)))
            distinctive = sp.csr_matrix(pattern @ sp.diags(keep.astype(float)))
    assert distinctive is not None
    spans = [state.profiles[sid].days() for sid in stories]
    return _RegionProfiles(
        names=unit[0], words=unit[1], distinctive=distinctive,
        dated=np.array([span is not None for span in spans], dtype=bool),
        first=np.array([span[0] if span else 0.0 for span in spans]),
        last=np.array([span[1] if span else 0.0 for span in spans]))


def _within(matrix: sp.csr_matrix, rows: np.ndarray, tags: np.ndarray) -> sp.coo_matrix:
    """``matrix[rows] @ matrix[rows].T`` only for the pairs of rows with the same tag (``tags``, one per row): each
    term column is made one column per tag, so rows of different tags share none. A row's terms keep their order,
    so each product is summed as in the whole matrix's, bit for bit."""
    part = matrix[rows]
    code = tags[np.repeat(np.arange(len(rows)), np.diff(part.indptr))].astype(np.int64) * matrix.shape[1] \
        + part.indices
    columns, inverse = np.unique(code, return_inverse=True)
    tagged = sp.csr_matrix((part.data, inverse.ravel(), part.indptr), shape=(len(rows), len(columns)))
    return (tagged @ tagged.T).tocoo()


BIG_GROUP = 256
"""Stories from which a group's scores are computed alone, as one dense matrix changed in place (a region of
thousands of dated stories: ~100 MB a float64 matrix at 3,600), not in the flat buffers of the small groups."""


def _group_scores(region: _RegionProfiles, groups: Sequence[np.ndarray],
                  options: StorylineOptions) -> list[np.ndarray]:
    """``pair_scores`` among the stories of each group (ascending indices of ``region``; disjoint): one matrix per
    group, each score the same number, bit for bit, as in the whole region's matrix. Only pairs inside a group are
    computed, so a region of thousands of stories costs what its groups do."""
    big = [k for k, g in enumerate(groups) if len(g) >= BIG_GROUP]
    if big:
        small = [k for k, g in enumerate(groups) if len(g) < BIG_GROUP]
        out: dict[int, np.ndarray] = {k: _dense_scores(region, groups[k], options) for k in big}
        out.update(zip(small, _group_scores(region, [groups[k] for k in small], options), strict=True))
        return [out[k] for k in range(len(groups))]
    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    if not len(groups) or not sizes.sum():
        return [np.zeros((len(g), len(g))) for g in groups]
    rows = np.concatenate(groups)
    tags = np.repeat(np.arange(len(groups)), sizes)
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)  # each row's group's first position
    offset = np.cumsum(sizes * sizes) - sizes * sizes  # each group's first cell in the flat buffers
    cells = int((sizes * sizes).sum())

    def flat(matrix: sp.csr_matrix) -> np.ndarray:
        product = _within(matrix, rows, tags)
        out = np.zeros(cells)
        size = sizes[tags[product.row]]
        out[offset[tags[product.row]] + (product.row - start[product.row]) * size
            + (product.col - start[product.col])] = product.data
        return out

    # the pair (i, j) of each cell: row i of the group's block, column j
    group_of = np.repeat(np.arange(len(groups)), sizes * sizes)
    local = np.arange(cells) - offset[group_of]
    first_row = np.cumsum(sizes) - sizes
    i = rows[first_row[group_of] + local // sizes[group_of]]
    j = rows[first_row[group_of] + local % sizes[group_of]]
    named = flat(region.distinctive) >= options.min_shared_names
    both = region.dated[i] & region.dated[j]
    apart = np.maximum(region.first[j] - region.last[i], region.first[i] - region.last[j])  # < 0: days overlap
    dated_apart = both & (apart > 0)
    too_far = both & (apart > options.max_gap_days)
    # not compared: too far apart, or itself
    scores = _against_bars(flat(region.names), flat(region.words), named, dated_apart, too_far | (i == j), options)
    return [scores[o:o + n * n].reshape(n, n) for o, n in zip(offset.tolist(), sizes.tolist(), strict=True)]


def _dense_scores(region: _RegionProfiles, rows: np.ndarray, options: StorylineOptions) -> np.ndarray:
    """``_group_scores`` of one big group: one dense matrix changed in place, the rest boolean masks."""
    def product(matrix: sp.csr_matrix) -> np.ndarray:
        part = matrix[rows]
        return (part @ part.T).toarray()

    named = product(region.distinctive) >= options.min_shared_names
    dated, first, last = region.dated[rows], region.first[rows], region.last[rows]
    before = first[None, :] - last[:, None]  # [i, j]: first day of j - last day of i; its transpose the other way
    apart = np.maximum(before, before.T)  # < 0: the days overlap
    del before
    both = dated[:, None] & dated[None, :]
    dated_apart = both & (apart > 0)
    too_far = both & (apart > options.max_gap_days)
    del apart, both
    scores = _against_bars(product(region.names), product(region.words), named, dated_apart, too_far, options)
    np.fill_diagonal(scores, np.nan)
    return scores


def _against_bars(names: np.ndarray, words: np.ndarray, named: np.ndarray, dated_apart: np.ndarray,
                  apart: np.ndarray, options: StorylineOptions) -> np.ndarray:
    """Each pair's (cos(names) + cos(words)) / 2 over its bar, computed in ``names`` (changed in place): over
    ``pair_threshold`` for dated pairs days apart, over ``undated_threshold`` for the rest (0 without
    ``min_shared_names`` distinctive names, ``named``), NaN for pairs not compared (``apart``)."""
    raw = names
    raw += words
    raw /= 2
    over_days = raw[dated_apart] / options.pair_threshold
    raw /= options.undated_threshold
    raw[~named] = 0.0
    raw[dated_apart] = over_days
    raw[apart] = np.nan
    return raw


def pair_scores(state: StorylineState, stories: Sequence[str], options: StorylineOptions) -> np.ndarray:
    """The ``similarity = "average"`` score of every pair of ``stories`` (1.0 = the bar to join; a matrix):
    ``(cos(names) + cos(words)) / 2`` (IDF over the stored stories) divided by ``pair_threshold`` when both are dated
    and their days do not overlap; divided by ``undated_threshold``, and 0 unless they share ``min_shared_names``
    distinctive names, when either is undated or their days overlap (time tells nothing then: the event level saw
    both and kept them apart). NaN (not compared) on the diagonal and for pairs more than ``max_gap_days`` apart: a
    story is compared with the stories of the weeks around it, so a storyline can go on for months."""
    return _group_scores(_region_profiles(state, stories), [np.arange(len(stories))], options)[0]


def _parts(n: int, rows: np.ndarray, cols: np.ndarray) -> list[np.ndarray]:
    """The connected parts of two or more of the graph of ``n`` nodes with edges ``rows``-``cols``, each as
    ascending node indices."""
    graph = sp.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    order = np.argsort(label, kind="stable")
    return [part for part in np.split(order, np.flatnonzero(np.diff(label[order])) + 1) if len(part) > 1]


def _linked_pairs(region: _RegionProfiles, options: StorylineOptions) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of ``region`` whose ``pair_scores`` is at least 1.0 (two index arrays), without the whole
    matrix: such a pair is either two dated stories (scored together: ``pair_threshold`` is low) or a pair sharing
    ``min_shared_names`` distinctive names whose names cosine alone can still reach ``undated_threshold`` (cos(words)
    is at most 1); those are scored in the connected parts they form. The scores are the whole matrix's."""
    n = len(region.dated)
    least = 2 * options.undated_threshold - 1 - 1e-6  # the names cosine below which no such pair reaches the bar
    if options.min_shared_names < 1 or least <= 0:
        blocks = [np.arange(n)]  # no sparse bound: every pair is scored
    else:
        shared = (region.distinctive @ region.distinctive.T) >= options.min_shared_names
        close = sp.triu((region.names @ region.names.T).multiply(shared) >= least, k=1).tocoo()
        undated = ~(region.dated[close.row] & region.dated[close.col])  # two dated ones are in the first block
        blocks = [np.flatnonzero(region.dated), *_parts(n, close.row[undated], close.col[undated])]
    found_rows, found_cols = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for block, scores in zip(blocks, _group_scores(region, blocks[:1], options) + _group_scores(
            region, blocks[1:], options), strict=True):
        over = np.argwhere(scores >= 1.0)  # NaN >= 1.0 is False
        found_rows.append(block[over[:, 0]])
        found_cols.append(block[over[:, 1]])
    return np.concatenate(found_rows), np.concatenate(found_cols)


def linked_groups(state: StorylineState, stories: Sequence[str], options: StorylineOptions) -> list[list[int]]:
    """``average_link`` over the ``pair_scores`` of ``stories``, run on each connected part of the pairs at or over
    the bar (two groups never join without such a pair between them): the groups, as indices of ``stories``. Only
    the pairs that can be over the bar and the pairs inside each part are scored, so the cost follows the
    storylines, not the square of the region (a chunk's region holds thousands of stories in a 100k store)."""
    region = _region_profiles(state, stories)
    parts = _parts(len(stories), *_linked_pairs(region, options))
    alone = np.ones(len(stories), dtype=bool)
    groups: list[list[int]] = []
    for part, scores in zip(parts, _group_scores(region, parts, options), strict=True):
        alone[part] = False
        groups += [[int(part[i]) for i in g] for g in average_link(scores)]
    return groups + [[int(i)] for i in np.flatnonzero(alone)]


def average_link(scores: np.ndarray) -> list[list[int]]:
    """Groups of the indices of ``scores`` (pair scores, 1.0 = the bar; NaN: not compared) by average link: the two
    groups with the highest mean score over their compared pairs join while it is at least 1.0 (ties: the lowest
    indices); groups with no compared pair never join."""
    n = len(scores)
    compared = np.isfinite(scores)
    sums = np.where(compared, scores, 0.0)
    counts = compared.astype(float)
    means = np.where(compared, sums, -np.inf)  # mean over compared pairs, -inf where none (or retired)
    np.fill_diagonal(means, -np.inf)
    groups = {i: [i] for i in range(n)}
    alive = np.ones(n, dtype=bool)
    while len(groups) > 1:
        i, j = divmod(int(np.argmax(means)), n)
        if means[i, j] < 1.0:
            break
        i, j = min(i, j), max(i, j)
        groups[i] += groups.pop(j)
        alive[j] = False
        sums[i, :] += sums[j, :]
        counts[i, :] += counts[j, :]
        row = np.full(n, -np.inf)
        np.divide(sums[i], counts[i], out=row, where=(counts[i] > 0) & alive)
        row[i] = -np.inf
        sums[:, i], counts[:, i] = sums[i, :], counts[i, :]
        means[i, :] = means[:, i] = row
        means[j, :] = means[:, j] = -np.inf
    return [sorted(g) for g in groups.values()]


def _line_span(state: StorylineState, line: str) -> tuple[float, float] | None:
    """The days a storyline covers (first day, last day), None when a member is undated."""
    spans = [state.profiles[sid].days() for sid in state.members[line]]
    if any(span is None for span in spans):
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)  # type: ignore[index]


def _within_reach(days: tuple[float, float] | None, span: tuple[float, float] | None,
                  options: StorylineOptions) -> bool:
    """Whether a story of ``days`` is within ``max_gap_days`` of a storyline covering ``span`` (or either is
    undated): a storyline out of reach is left as it is, not grouped again (what retirement keeps aside stays)."""
    if days is None or span is None:
        return True
    return max(days[0] - span[1], span[0] - days[1]) <= options.max_gap_days


REGROUP_CHUNK = 200
"""Changed stories regrouped at a time (in time order, each with its region): a batch of any size costs chunks of
bounded regions, as daily batches do (a run over a whole store is such a replay)."""


def _regroup_around(state: StorylineState, changed: Sequence[str], options: StorylineOptions) -> set[str]:
    """``similarity = "average"``: the changed stories (``REGROUP_CHUNK`` at a time, in time order), their storylines
    and the storylines they could join (``_candidates`` within ``max_gap_days``) are grouped again by
    ``average_link`` over ``pair_scores``. Returns the storylines whose members changed."""
    touched: set[str] = set()
    for start in range(0, len(changed), REGROUP_CHUNK):
        touched |= _regroup_chunk(state, changed[start:start + REGROUP_CHUNK], options)
    return touched | {state.storyline_of[sid] for sid in changed}


def _regroup_chunk(state: StorylineState, changed: Sequence[str], options: StorylineOptions) -> set[str]:
    """One chunk of ``_regroup_around``: the changed stories and the latest ``MAX_POOLED`` stories of each storyline
    in reach (the older ones stay where they are and follow their storyline). Average link runs on each connected
    part of the pairs at or over the bar (two groups never join without such a pair between them), so its cost
    follows the storylines, not the region. Each group keeps the id of the storyline of its earliest story that was
    in one (a storyline's id stays while its founder does), else gets one from its first story; a storyline whose
    latest stories join another's brings its older ones along."""
    lines = {state.storyline_of[sid] for sid in changed if sid in state.storyline_of}
    spans: dict[str, tuple[float, float] | None] = {}
    # a story's candidates come from the postings of its own names, all known before any storyline is held
    candidates_of = {sid: _candidates(state, sid) for sid in changed}
    state.hold_lines(sorted({line for candidates in candidates_of.values() for line in candidates}))
    for sid in changed:
        days = state.profiles[sid].days()
        for candidate in candidates_of[sid]:
            if candidate not in spans:
                spans[candidate] = _line_span(state, candidate)
            if _within_reach(days, spans[candidate], options):
                lines.add(candidate)
    region = sorted(set(changed) | {m for line in lines for m in state.members.get(line, [])[-MAX_POOLED:]},
                    key=state.order)
    groups = [[region[i] for i in g] for g in linked_groups(state, region, options)]
    groups.sort(key=lambda g: state.order(g[0]))
    before = {sid: state.storyline_of.get(sid) for sid in region}
    closed = set(state.retired.values())
    state.ask_lines([storyline_id(g[0]) for g in groups])  # the ids a new storyline would take first
    for sid in region:
        state._leave(sid)
    touched: set[str] = set()
    claimed: set[str] = set()
    for group in groups:
        kept = [line for sid in group if (line := before[sid]) is not None and line not in claimed]
        line = kept[0] if kept else storyline_id(group[0])  # the storyline of its first story that had one
        while not kept and (line in state.members or line in closed or line in claimed
                            or state.used_elsewhere(line)):
            line = storyline_id(line)
        claimed.add(line)
        followers = [(other, story) for other in dict.fromkeys(kept[1:]) if other != line
                     for story in list(state.members.get(other, []))]
        claimed.update(other for other, _ in followers)
        for other, story in followers:  # older stories of a storyline whose latest joined this group
            state._leave(story)
            state._join(story, line)
            touched.update((other, line))
        for sid in group:
            state._join(sid, line)
            if (old := before[sid]) != line:
                touched.add(line)
                if old is not None:
                    touched.add(old)
    return touched


def update_storylines(state: StorylineState, profiles: Sequence[StoryProfile], gone: Iterable[str],
                      options: StorylineOptions, score: StorySimilarity | None = None) -> set[str]:
    """Bring ``state`` up to date with the changed stories ``profiles`` and the stories ``gone`` (merged into
    others or emptied); returns the storylines whose members changed or whose stories changed. ``score`` replaces
    the configured similarity (``configured_similarity``; benchmarks measure others in the same path)."""
    touched: set[str] = set()
    for sid in gone:
        if sid in state.storyline_of:
            touched.add(state.storyline_of[sid])
        state._remove(sid)
    previous = {p.story_id: state.storyline_of.get(p.story_id) for p in profiles}
    closed = set(state.retired.values())
    for profile in profiles:
        line = state.storyline_of.get(profile.story_id)
        state._remove(profile.story_id)
        state._add(profile)
        if line is not None:
            state._join(profile.story_id, line)
    if score is None and options.similarity == "average":
        return touched | _regroup_around(state, sorted(previous, key=state.order), options)
    score = score or configured_similarity(options)
    for sid in sorted((p.story_id for p in profiles), key=state.order):
        line = state.storyline_of.get(sid)
        if line is not None:
            others = [o for o in state.members[line] if o != sid]
            if others and score(state, sid, others, options) >= 1.0:
                continue  # still fits its storyline: it stays (stable membership)
            state._leave(sid)
        best, best_score = None, 1.0
        candidates = _candidates(state, sid)
        state.hold_lines(candidates)
        for candidate in candidates:
            fit = score(state, sid, state.members[candidate], options)
            if fit >= best_score and (best is None or fit > best_score):
                best, best_score = candidate, fit
        if best is None:  # alone: its own storyline (not shown until a second story joins)
            best = previous.get(sid) if previous.get(sid) and previous[sid] not in state.members else None
            best = best or storyline_id(sid)
            while best in state.members or best in closed or state.used_elsewhere(best):  # once founded, left
                best = storyline_id(best)
        state._join(sid, best)
    for sid in (p.story_id for p in profiles):
        touched.add(state.storyline_of[sid])
        if previous[sid] is not None:
            touched.add(previous[sid])  # type: ignore[arg-type]
    return touched


def retire(state: StorylineState, options: StorylineOptions) -> dict[str, list[StoryProfile]]:
    """Take out of ``state`` the storylines whose latest story ended more than ``retire_after_days`` before the
    newest story in it (all members dated); returns the profiles of those of two or more stories, by storyline, to
    keep aside (a retired storyline of one story is forgotten: if that story changes it is placed afresh)."""
    newest = state.newest()
    if newest is None:
        return {}
    horizon = _day(newest) - options.retire_after_days
    out: dict[str, list[StoryProfile]] = {}
    for line, members in list(state.members.items()):
        spans = [state.profiles[sid].days() for sid in members]
        if any(span is None or span[1] >= horizon for span in spans):
            continue
        profiles = [state.profiles[sid] for sid in members]
        for sid in list(members):
            state._remove(sid)
        if len(profiles) >= 2:
            out[line] = profiles
            state.retired.update({p.story_id: line for p in profiles})
    return out


def restore(state: StorylineState, line: str, profiles: Sequence[StoryProfile]) -> None:
    """Bring the retired storyline ``line`` (its members' ``profiles``) back into the working ``state``."""
    for profile in profiles:
        state.retired.pop(profile.story_id, None)
        state._add(profile)
        state._join(profile.story_id, line)


def update_stored_storylines(blobs: BlobStore, profiles: Sequence[StoryProfile], gone: Iterable[str],
                             options: StorylineOptions) -> tuple[list[Storyline], list[str]]:
    """``update_storylines`` over the state kept in ``blobs``: load the working state, bring back the retired
    storylines the changed or ``gone`` stories belong to, update, build the records of the storylines that changed,
    retire what the next batches no longer need, and write back the working state and the newly retired
    storylines. Returns ``shown_and_gone`` of the changed storylines."""
    try:
        state = StorylineState.from_json(blobs.get_blob(BLOB_KEY))
    except ValueError as exc:
        raise ValueError(f"cannot read the stored storylines: {exc}; re-run digest into a new --db") from exc
    gone = list(gone)
    for line in sorted({state.retired[sid] for sid in [*gone, *(p.story_id for p in profiles)]
                        if sid in state.retired}):
        raw = blobs.get_blob(ARCHIVE_PREFIX + line)
        if raw is None:
            raise ValueError(f"the stored storylines miss retired storyline {line!r}; re-run digest into a new --db")
        restore(state, line, [StoryProfile.from_json(row) for row in json.loads(raw)])
    touched = update_storylines(state, profiles, gone, options)
    result = shown_and_gone(state, touched, options)
    for line, members in retire(state, options).items():
        blobs.put_blob(ARCHIVE_PREFIX + line, json.dumps([p.to_json() for p in members],
                                                         separators=(",", ":")).encode())
    blobs.put_blob(BLOB_KEY, state.to_json())
    return result


def storyline_of_members(state: StorylineState, line: str, options: StorylineOptions) -> Storyline:
    """The shown record of storyline ``line``: headline of its biggest story, stories in time order, a summary of
    the lead sentences of its first and latest stories (with their citations)."""
    members = state.members.get(line, [])
    profiles = [state.profiles[sid] for sid in members]
    biggest = max(enumerate(profiles), key=lambda ip: (ip[1].size, -ip[0]))[1] if profiles else None
    keep = options.summary_stories
    chosen = profiles if len(profiles) <= keep else [profiles[0], *profiles[len(profiles) - keep + 1:]]
    summary = [
        SummarySentence(text=p.lede["text"], citations=[Citation(a, s, e, sc) for a, s, e, sc in p.lede["citations"]])
        for p in chosen if p.lede
    ]
    firsts = [p.first for p in profiles if p.first]
    lasts = [p.last for p in profiles if p.last]
    return Storyline(
        id=line, headline=biggest.headline if biggest else "", story_ids=list(members), summary=summary,
        first_published=datetime.fromisoformat(min(firsts)) if firsts else None,
        last_published=datetime.fromisoformat(max(lasts)) if lasts else None,
    )


def shown_and_gone(state: StorylineState, lines: Iterable[str],
                   options: StorylineOptions) -> tuple[list[Storyline], list[str]]:
    """Of ``lines``, the storylines of two or more stories (records, newest first) and the ids of the others."""
    shown, gone = [], []
    for line in sorted(set(lines)):
        if len(state.members.get(line, [])) >= 2:
            shown.append(storyline_of_members(state, line, options))
        else:
            gone.append(line)
    shown.sort(key=lambda s: (s.last_published.isoformat() if s.last_published else "", s.id), reverse=True)
    return shown, gone


def group_stories(stories: Sequence[Story], articles: Sequence[Article], options: StorylineOptions,
                  score: StorySimilarity | None = None) -> list[list[str]]:
    """Batch helper (benchmarks, tests): every story's storyline as groups of story ids, singletons included."""
    by_id = {a.id: a for a in articles}
    state = StorylineState()
    update_storylines(state, [story_profile(s, [by_id[a] for a in s.article_ids]) for s in stories], (), options,
                      score)
    return [list(members) for members in state.members.values()]


__all__ = [
    "ARCHIVE_PREFIX",
    "BLOB_KEY",
    "LEARNED",
    "PAIR_FEATURES",
    "LearnedSimilarity",
    "StoryProfile",
    "StorySimilarity",
    "StorylineState",
    "average_link",
    "configured_similarity",
    "group_stories",
    "linked_groups",
    "pair_features",
    "pair_scores",
    "restore",
    "retire",
    "shown_and_gone",
    "similarity",
    "story_profile",
    "storyline_id",
    "storyline_of_members",
    "update_stored_storylines",
    "update_storylines",
]
