"""Incremental clustering: new articles join existing stories without re-clustering the store; ids never change.

Pure functions over an in-memory ``ClusterState`` (persistence lives in ``state_store``). One run:

1. the new articles' words update the document frequencies the state keeps (a background IDF that grows with
   the store);
2. an exact search over the sketches (dense sketches of TF-IDF vectors) of the stored articles in the state finds
   those nearest to each new one; their stories are the *candidate stories* (a state loaded from a store holds the
   articles of the batch's date window and the latest additions, ``state_store.load_state(near=...)``);
3. the new articles and the members of the candidate stories are clustered together with the batch algorithm
   (TF-IDF from the stored term counts re-weighted by today's IDF, neighbours, shared-neighbour similarity,
   average link): the same decisions a full re-run would make in that neighbourhood;
4. the stories are made to agree with that local clustering, and ids follow the plurality of members:
   - a stored story *owns* the local cluster that holds most of its (local) members; when two stories have
     their main part in the same cluster they are merged into the oldest (its id survives; the merge is
     recorded and ``ClusterState.resolve`` maps the old id to the survivor);
   - every article of a cluster, new or stored, goes to the cluster's owner; a cluster nobody owns becomes a
     new story whose id comes from its founding (smallest) article id. So a stored article can move to another
     story (recorded in ``Assignment.moved``) and a part of a story can split off into a new story, but the id
     of a story always stays with the larger part of it; a story left empty is recorded as merged into the
     story that took most of its articles.

Cost per run grows with the number of new articles, the size of the candidate stories and the articles of the date
window, not with the store.

Across languages (a cross-lingual model installed, ``crosslingual.py``): once the loaded state has met two
languages, each new article is also embedded by the model, and the loaded articles of another language whose
calibrated cosine reaches ``min_similarity`` add their stories to the candidates (an exact scan of their vectors).
The local clustering then scores pairs of two languages as the batch path does (``batch.linked_labels``). Stored
articles from before the second language arrived are embedded when a batch within ``max_days`` of them comes
(loaded with ``load_articles``), once each; a one-language store never loads the model.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from ..config import ClusterOptions
from ..embed import cross_lingual_model
from ..models import Article
from .batch import linked_labels, story_id
from .constraints import DAY, GroupFacts, facts_of
from .crosslingual import Embedded, article_embeddings, calibrate
from .features import (
    N_FEATURES,
    document_frequencies,
    inverse_document_frequencies,
    sketch,
    term_counts,
    weigh,
)

KEPT_TERMS = 200
"""Term counts kept per stored article (its highest TF-IDF terms): enough for cosines, small to store."""
MAX_LOCAL_MEMBERS = 30
"""Members of a candidate story taken into the local re-clustering (the most recent ones): bounds the cost of a
run by the number of new articles, whatever the size of the store or of its stories."""


@dataclass(slots=True)
class StoryRecord:
    """What the state remembers of one story."""

    id: str
    members: list[str]
    created: int


@dataclass(frozen=True, slots=True)
class Merge:
    """Story ``story_id`` was merged into ``into`` during run ``run``."""

    story_id: str
    into: str
    run: int


@dataclass(slots=True)
class StoredArticle:
    """What the state remembers of one article: its row in the index, top term counts, and rule facts."""

    row: int
    """Its row in the state's ``index`` (-1: loaded without its sketch, e.g. a member of a candidate story)."""
    terms: np.ndarray | None
    """Top term ids (None until loaded: a partial state loads terms only for the articles a run compares)."""
    counts: np.ndarray | None
    facts: GroupFacts


@dataclass(slots=True)
class Assignment:
    """The outcome of one run: the story of every new article, and what changed."""

    story_of: dict[str, str] = field(default_factory=dict)
    new_stories: list[str] = field(default_factory=list)
    joined_stories: list[str] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    already_known: list[str] = field(default_factory=list)
    moved: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Stored articles that the local re-clustering moved: article id -> (from story, to story)."""


class StateSource(Protocol):
    """Fills a partial ``ClusterState`` on demand (``state_store`` implements it over a store's rows)."""

    def fetch_stories(self, state: ClusterState, story_ids: Sequence[str]) -> None:
        """Load these stories (member ids, creation run, or where they were merged) into ``state``."""
        ...

    def fetch_articles(self, state: ClusterState, article_ids: Sequence[str]) -> None:
        """Load these articles' story, facts and top terms into ``state``."""
        ...

    def fetch_df(self, state: ClusterState, terms: np.ndarray) -> None:
        """Load the document frequencies of ``terms`` into ``state.df``."""
        ...

    def fetch_duplicates(self, state: ClusterState, originals: Sequence[str]) -> None:
        """Load the stored duplicates of ``originals`` into ``state.duplicates``."""
        ...

    def taken(self, story_id: str) -> bool:
        """Whether ``story_id`` was ever the id of a story (live or merged away)."""
        ...


class VectorIndex:
    """Exact inner-product search over unit article sketches (rows of a float32 matrix that grows as needed).

    A store's state holds only the articles a batch can join (``state_store.load_state(near=...)``: a date window
    and the latest additions), so an exact scan is both cheaper than an approximate index and without its misses."""

    def __init__(self, dims: int, capacity: int = 1024) -> None:
        self.dims = dims
        self.vectors = np.zeros((capacity, dims), dtype=np.float32)
        self.present = np.zeros(capacity, dtype=bool)
        self.live = 0
        """Sketches present (set with ``put``, not deleted)."""

    def _ensure(self, top: int) -> None:
        if top > len(self.vectors):
            size = max(top, 2 * len(self.vectors))
            self.vectors = np.resize(self.vectors, (size, self.dims))
            self.vectors[len(self.present):] = 0.0
            self.present = np.concatenate([self.present, np.zeros(size - len(self.present), dtype=bool)])

    def put(self, rows: np.ndarray, centroids: np.ndarray) -> None:
        """Add or replace the sketches of ``rows``."""
        if len(rows) == 0:
            return
        rows = np.asarray(rows, dtype=np.int64)
        self._ensure(int(rows.max()) + 1)
        self.live += int((~self.present[rows]).sum())
        self.vectors[rows] = np.asarray(centroids, dtype=np.float32)
        self.present[rows] = True

    def get(self, rows: Sequence[int]) -> np.ndarray:
        return self.vectors[np.asarray(list(rows), dtype=np.int64)].reshape(len(rows), self.dims)

    def delete(self, row: int) -> None:
        if self.present[row]:
            self.present[row] = False
            self.live -= 1

    def query(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows and inner products of the ``k`` best sketches per vector (fewer when the index is small)."""
        k = min(k, self.live)
        if k == 0:
            return np.zeros((len(vectors), 0), dtype=np.int64), np.zeros((len(vectors), 0), dtype=np.float32)
        rows = np.flatnonzero(self.present)
        scores = np.asarray(vectors, dtype=np.float32) @ self.vectors[rows].T
        best = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        picked = np.take_along_axis(scores, best, axis=1)
        order = np.argsort(-picked, axis=1, kind="stable")
        return rows[np.take_along_axis(best, order, axis=1)], np.take_along_axis(picked, order, axis=1)


@dataclass
class ClusterState:
    """Everything incremental clustering keeps between runs."""

    dims: int
    index: VectorIndex
    stories: dict[str, StoryRecord] = field(default_factory=dict)
    articles: dict[str, StoredArticle] = field(default_factory=dict)
    article_at_row: list[str] = field(default_factory=list)
    article_story: dict[str, str] = field(default_factory=dict)
    df: np.ndarray = field(default_factory=lambda: np.zeros(N_FEATURES, dtype=np.int32))
    n_docs: int = 0
    run: int = 0
    next_seq: int = 0
    """Articles saved so far (the next one saved gets this sequence number)."""
    merges: list[Merge] = field(default_factory=list)
    merged_into: dict[str, str] = field(default_factory=dict)
    duplicates: dict[str, str] = field(default_factory=dict)
    """Duplicate article id -> its original (duplicates are not clustered; they follow their original)."""
    created: dict[str, int] = field(default_factory=dict)
    """Story id -> the run that created it, for every story this state knows (live or merged away)."""
    source: StateSource | None = None
    """Set on a partial state (``state_store.load_state(near=...)``): where what a run needs beyond the loaded part
    comes from. None: the state holds everything."""
    added: list[str] = field(default_factory=list)
    """Articles assigned since the state was loaded (their rows are written when it is saved)."""
    touched_terms: list[np.ndarray] = field(default_factory=list)
    """Term ids whose document frequency changed since the state was loaded."""
    loaded_story: dict[str, str] = field(default_factory=dict)
    """Article id -> its story when loaded (an article whose story differs now is written when saved)."""
    loaded_duplicates: set[str] = field(default_factory=set)
    new_stories: list[str] = field(default_factory=list)
    """Stories created or merged away since the state was loaded."""
    df_known: np.ndarray | None = None
    """Partial state: which entries of ``df`` are loaded."""
    embedding_model: str | None = None
    """The cross-lingual model of ``embeddings`` (None until the state meets a second language with one on)."""
    embeddings: dict[str, np.ndarray] = field(default_factory=dict)
    """Article id -> its unit vector from ``embedding_model`` (float16, as stored; zeros: the article could not be
    loaded to embed)."""
    embedded: list[str] = field(default_factory=list)
    """Articles given a vector since the state was loaded (``state_store`` writes their days' blobs)."""

    def languages(self) -> set[str]:
        """The known languages of the loaded articles."""
        return {a.facts.language for a in self.articles.values() if a.facts.language}

    @classmethod
    def empty(cls, options: ClusterOptions) -> ClusterState:
        """A state with no story yet."""
        return cls(dims=options.sketch_dims, index=VectorIndex(options.sketch_dims))

    def resolve(self, any_story_id: str) -> str:
        """The live id of a story, following merges (an id that was merged away points to its survivor)."""
        seen = set()
        while any_story_id in self.merged_into and any_story_id not in seen:
            seen.add(any_story_id)
            any_story_id = self.merged_into[any_story_id]
        return any_story_id

    def members_with_duplicates(self, sid: str) -> list[str]:
        """The articles of a live story, duplicates of its members included."""
        return self.members_with_duplicates_of([sid])[0]

    def need_stories(self, sids: Sequence[str]) -> None:
        """Make sure these stories (live or merged) are in a partial state."""
        if self.source is not None:
            missing = [s for s in dict.fromkeys(sids) if s not in self.created]
            if missing:
                self.source.fetch_stories(self, missing)

    def need_articles(self, ids: Sequence[str]) -> None:
        """Make sure these articles, with their top terms and the terms' frequencies, are in a partial state."""
        if self.source is None:
            return
        missing = [a for a in ids if a not in self.articles or self.articles[a].terms is None]
        if missing:
            self.source.fetch_articles(self, missing)
        known = [terms for a in ids if a in self.articles and (terms := self.articles[a].terms) is not None]
        self.need_df(np.concatenate(known) if known else np.zeros(0, np.int32))

    def need_df(self, terms: np.ndarray) -> None:
        """Make sure the document frequencies of ``terms`` are in a partial state."""
        if self.source is not None and self.df_known is not None:
            terms = np.unique(terms)
            missing = terms[~self.df_known[terms]]
            if len(missing):
                self.source.fetch_df(self, missing)
                self.df_known[missing] = True

    def taken(self, sid: str) -> bool:
        """Whether ``sid`` is or was a story id."""
        if sid in self.stories or sid in self.merged_into:
            return True
        return self.source is not None and self.source.taken(sid)

    def members_with_duplicates_of(self, sids: Sequence[str]) -> list[list[str]]:
        """``members_with_duplicates`` of several stories, with one pass over the duplicates (not one per story)."""
        if self.source is not None:
            self.source.fetch_duplicates(self, [a for sid in sids for a in self.stories[sid].members])
        home = {aid: i for i, sid in enumerate(sids) for aid in self.stories[sid].members}
        groups = [list(self.stories[sid].members) for sid in sids]
        for dup, original in self.duplicates.items():
            if original in home:
                groups[home[original]].append(dup)
        return groups

    def rename(self, new_ids: dict[str, str]) -> None:
        """Give live stories other ids (old -> new; a full rebuild keeps the ids readers know)."""
        if not new_ids:
            return
        self.stories = {new_ids.get(sid, sid): StoryRecord(new_ids.get(sid, sid), rec.members, rec.created)
                        for sid, rec in self.stories.items()}
        self.created = {new_ids.get(sid, sid): run for sid, run in self.created.items()}
        self.article_story = {aid: new_ids.get(sid, sid) for aid, sid in self.article_story.items()}
        self.merged_into = {old: new_ids.get(into, into) for old, into in self.merged_into.items()}
        self.merges = [Merge(m.story_id, new_ids.get(m.into, m.into), m.run) for m in self.merges]

    def groups(self) -> dict[str, list[str]]:
        """Live story id -> member article ids."""
        return {sid: list(rec.members) for sid, rec in self.stories.items()}


def _stored_counts(state: ClusterState, ids: Sequence[str]) -> sp.csr_matrix:
    indptr = [0]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    for aid in ids:
        stored = state.articles[aid]
        if stored.terms is None or stored.counts is None:
            raise ValueError(f"clustering state: article {aid!r} was compared before its terms were loaded")
        indices.append(stored.terms)
        data.append(stored.counts)
        indptr.append(indptr[-1] + len(stored.terms))
    return sp.csr_matrix(
        (np.concatenate(data) if data else np.zeros(0, np.float32),
         np.concatenate(indices) if indices else np.zeros(0, np.int32), np.array(indptr)),
        shape=(len(ids), N_FEATURES), dtype=np.float32,
    )


def _kept_terms(counts: sp.csr_matrix, df: np.ndarray, n_docs: int, row: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``KEPT_TERMS`` terms of ``row`` with the highest count x smoothed IDF (no cut-offs: a name seen once
    today may be the name that matters tomorrow)."""
    start, stop = counts.indptr[row], counts.indptr[row + 1]
    terms, values = counts.indices[start:stop], counts.data[start:stop]
    if len(terms) > KEPT_TERMS:
        weights = values * (np.log((1.0 + n_docs) / (1.0 + df[terms])) + 1.0)
        keep = np.sort(np.argsort(-weights, kind="stable")[:KEPT_TERMS])
        terms, values = terms[keep], values[keep]
    return terms.astype(np.int32), values.astype(np.float32)


def assign(state: ClusterState, articles: Sequence[Article], options: ClusterOptions,
           load_articles: Callable[[list[str]], list[Article]] | None = None) -> Assignment:
    """Put ``articles`` into the stories of ``state`` (updating it in place) and say where each went.

    ``load_articles`` (stored article ids -> articles) lets a state that meets its second language embed the stored
    articles it needs (without it, those are never joined across languages)."""
    result = Assignment()
    state.run += 1
    fresh: list[Article] = []
    for article in sorted(articles, key=lambda a: a.id):
        if article.id in state.article_story or any(a.id == article.id for a in fresh[-1:]):
            result.already_known.append(article.id)
            if article.id in state.article_story:
                result.story_of[article.id] = state.resolve(state.article_story[article.id])
            continue
        fresh.append(article)
    if not fresh:
        return result
    counts = term_counts(fresh, options)
    state.need_df(counts.indices)
    state.df += document_frequencies(counts).astype(np.int32)
    state.touched_terms.append(np.unique(counts.indices))
    state.n_docs += len(fresh)
    idf = inverse_document_frequencies(state.df, state.n_docs, options)
    vectors = weigh(counts, idf)
    dense = sketch(vectors, state.dims)
    fresh_facts = facts_of(fresh)
    embedded = _embed_fresh(state, fresh, fresh_facts, options, load_articles)
    local_old = _candidate_members(state, dense, options)
    if embedded is not None:
        known = set(local_old)
        local_old += [aid for aid in _cross_lingual_members(state, embedded, fresh_facts, options)
                      if aid not in known]
    state.need_articles(local_old)
    idf = inverse_document_frequencies(state.df, state.n_docs, options)  # with the candidates' terms loaded
    old_counts = _stored_counts(state, local_old)
    local_vectors = sp.vstack([vectors, weigh(old_counts, idf)]).tocsr()
    facts = fresh_facts + [state.articles[aid].facts for aid in local_old]
    if embedded is not None:
        old = np.zeros((len(local_old), embedded.vectors.shape[1]), dtype=np.float32)  # never embedded: zeros
        for i, aid in enumerate(local_old):
            if aid in state.embeddings:
                old[i] = state.embeddings[aid]
        embedded = Embedded(np.vstack([embedded.vectors, old]), embedded.model)
    labels = linked_labels(local_vectors, facts, options, embedded)
    _apply(state, fresh, local_old, labels, result)
    first_row = len(state.article_at_row)
    for i, article in enumerate(fresh):
        terms, values = _kept_terms(counts, state.df, state.n_docs, i)
        state.articles[article.id] = StoredArticle(first_row + i, terms, values, facts[i])
        state.article_at_row.append(article.id)
        state.added.append(article.id)
    state.index.put(np.arange(first_row, first_row + len(fresh)), dense)
    return result


def _embed_fresh(state: ClusterState, fresh: list[Article], facts: list[GroupFacts], options: ClusterOptions,
                 load_articles: Callable[[list[str]], list[Article]] | None) -> Embedded | None:
    """The new articles' cross-lingual vectors (None while the state knows one language or no model is on); the
    stored articles within ``max_days`` of them that have none yet are embedded too (see the module doc)."""
    model = cross_lingual_model(options.cross_lingual)
    if model is None or len(state.languages() | {f.language for f in facts if f.language}) < 2:
        return None
    if state.embedding_model != model:
        state.embeddings.clear()
        state.embedding_model = model
    vectors = article_embeddings(fresh, model).astype(np.float16)
    low, high = _date_span(facts, options)
    missing = [aid for aid, stored in state.articles.items()
               if aid not in state.embeddings and not stored.facts.first < low and not stored.facts.first > high]
    loaded = {a.id: a for a in load_articles(missing)} if missing and load_articles is not None else {}
    found = [aid for aid in missing if aid in loaded]
    if found:
        state.embeddings.update(zip(found, article_embeddings([loaded[aid] for aid in found], model)
                                    .astype(np.float16), strict=True))
    for aid in missing:  # not in the article store: a zero vector, never linked across languages
        state.embeddings.setdefault(aid, np.zeros(vectors.shape[1], dtype=np.float16))
    state.embeddings.update(zip((a.id for a in fresh), vectors, strict=True))
    state.embedded.extend(missing)
    state.embedded.extend(a.id for a in fresh)
    return Embedded(vectors.astype(np.float32), model)


def _date_span(facts: list[GroupFacts], options: ClusterOptions) -> tuple[float, float]:
    """The dates a stored article may have to be linked to one of ``facts``' articles (``max_days`` around them;
    unbounded when a date is unknown or the rule is off)."""
    stamps = [f.first for f in facts]
    if options.max_days <= 0 or any(np.isnan(stamps)):
        return -np.inf, np.inf
    return min(stamps) - options.max_days * DAY, max(stamps) + options.max_days * DAY


def _cross_lingual_members(state: ClusterState, embedded: Embedded, facts: list[GroupFacts],
                           options: ClusterOptions) -> list[str]:
    """Members of the stored stories whose articles of another language are among a new article's
    ``options.neighbors`` best by calibrated model cosine (at least ``min_similarity``, dates within ``max_days``)."""
    ids = [aid for aid in state.embeddings if aid in state.article_story]
    if not ids:
        return []
    stored = np.array([state.embeddings[aid] for aid in ids], dtype=np.float32)
    scores = calibrate(embedded.vectors @ stored.T, embedded.model)
    stored_facts = [state.articles[aid].facts for aid in ids]
    languages = np.array([f.language or "" for f in stored_facts], dtype=object)
    stamps = np.array([f.first for f in stored_facts], dtype=np.float64)
    stories: dict[str, None] = {}
    for i, fact in enumerate(facts):
        ok = (languages != "") & (languages != (fact.language or "")) & bool(fact.language)
        if options.max_days > 0 and not np.isnan(fact.first):
            ok &= ~(np.abs(stamps - fact.first) > options.max_days * DAY)
        ok &= scores[i] >= options.min_similarity
        best = np.flatnonzero(ok)
        best = best[np.argsort(-scores[i][best], kind="stable")[: options.neighbors]]
        for j in best.tolist():
            stories.setdefault(state.resolve(state.article_story[ids[j]]), None)
    state.need_stories(list(stories))
    members: list[str] = []
    for sid in stories:
        members.extend(state.stories[sid].members[-MAX_LOCAL_MEMBERS:])
    return members


def _candidate_members(state: ClusterState, dense: np.ndarray, options: ClusterOptions) -> list[str]:
    """Members of the stored stories nearest to the new articles (at most ``MAX_LOCAL_MEMBERS`` per story)."""
    rows, scores = state.index.query(dense, options.neighbors)
    stories: dict[str, None] = {}
    # The sketch is noisy; half the link threshold keeps every story an exact cosine could link to.
    for row in rows[scores >= options.min_similarity / 2].tolist():
        stories.setdefault(state.resolve(state.article_story[state.article_at_row[row]]), None)
    state.need_stories(list(stories))
    members: list[str] = []
    for sid in stories:
        members.extend(state.stories[sid].members[-MAX_LOCAL_MEMBERS:])
    return members


def _apply(state: ClusterState, fresh: list[Article], local_old: list[str], labels: list[int],
           result: Assignment) -> None:
    """Make the stories agree with the local re-clustering; ids follow the plurality of each story's members."""
    n_new = len(fresh)
    ids = [a.id for a in fresh] + local_old
    clusters: dict[int, list[int]] = defaultdict(list)
    for pos, label in enumerate(labels):
        clusters[label].append(pos)
    parts: dict[str, Counter[int]] = defaultdict(Counter)
    for pos in range(n_new, len(ids)):
        parts[state.resolve(state.article_story[ids[pos]])][labels[pos]] += 1
    claims: dict[int, list[str]] = defaultdict(list)
    for sid, counts in parts.items():
        claims[max(counts, key=lambda lab: (counts[lab], -lab))].append(sid)
    owner: dict[int, str] = {}
    for label, sids in claims.items():
        sids.sort(key=lambda s: (-parts[s][label], state.stories[s].created, s))
        owner[label] = sids[0]
        for other in sids[1:]:
            owner[label] = _merge(state, owner[label], other, result)
    for label in sorted(clusters, key=lambda lab: min(ids[p] for p in clusters[lab])):
        members = [ids[p] for p in clusters[label]]
        target = owner.get(label)
        if target is None:
            target = story_id(members)
            while state.taken(target):
                target = story_id([target + "/" + members[0]])
            state.stories[target] = StoryRecord(target, [], state.run)
            state.created[target] = state.run
            state.new_stories.append(target)
            result.new_stories.append(target)
        elif target not in result.joined_stories and any(p < n_new for p in clusters[label]):
            result.joined_stories.append(target)
        for aid in members:
            current = state.article_story.get(aid)
            current = state.resolve(current) if current is not None else None
            if current == target:
                continue
            if current is not None:
                state.stories[current].members.remove(aid)
                result.moved[aid] = (current, target)
            state.stories[target].members.append(aid)
            state.article_story[aid] = target
    for sid in [s for s, rec in state.stories.items() if not rec.members]:
        went = Counter(to for old, to in result.moved.values() if old == sid)
        into = went.most_common(1)[0][0] if went else next(iter(state.stories))
        del state.stories[sid]
        merge = Merge(sid, into, state.run)
        state.merges.append(merge)
        state.merged_into[sid] = into
        state.new_stories.append(sid)
        result.merges.append(merge)
    for aid in ids[:n_new]:
        result.story_of[aid] = state.article_story[aid]


def _merge(state: ClusterState, a: str, b: str, result: Assignment) -> str:
    """Merge stories ``a`` and ``b`` into the older one; returns the surviving id."""
    ra, rb = state.stories[a], state.stories[b]
    keep, gone = (a, b) if (ra.created, a) <= (rb.created, b) else (b, a)
    lost = state.stories.pop(gone)
    state.stories[keep].members.extend(lost.members)
    for aid in lost.members:
        state.article_story[aid] = keep
    merge = Merge(gone, keep, state.run)
    state.merges.append(merge)
    state.merged_into[gone] = keep
    state.new_stories.append(gone)
    result.merges.append(merge)
    for aid, target in list(result.story_of.items()):
        if target == gone:
            result.story_of[aid] = keep
    if gone in result.joined_stories:
        result.joined_stories.remove(gone)
    return keep


__all__ = ["Assignment", "ClusterState", "Merge", "StateSource", "StoredArticle", "StoryRecord", "VectorIndex",
           "assign"]
