"""Choose summary sentences by corroborated content, cross-source support, centrality and position; cite them.

Greedy budgeted coverage: each step takes the candidate whose not-yet-covered corroborated concepts, per word,
times its support/centrality/lead prior, is highest; near-repeats of chosen sentences are skipped and a
sentence that dangles ('However, ...', 'He added ...') is only taken right after the sentence it leans on, and one
that names someone by surname alone ('Whitlock said ...') only after one that names them in full. A chosen sentence
that an earlier choice cites as its support is a repeat: it is dropped and the summary chosen again
(``choose_and_cite``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..config import SummaryOptions
from ..models import Article, Citation, SummarySentence
from .attribution import cite_all
from .dangling import NameLookup, NameUse, first_full_mentions, is_dangling, name_uses
from .index import StorySentences, index_story
from .order import chronological
from .scoring import Concept, SentenceScores, score_sentences


@dataclass(frozen=True, slots=True)
class PriorWeights:
    """``value = (gain + core * weight) / words ** length_power * (1 + lead * lead + support * support + centrality *
    centrality)``, where ``gain`` is the weight of the sentence's concepts not yet covered and ``weight`` that of all
    its concepts.

    Tuned with ``bench/tune_summaries.py`` on DUC 2003 (3-fold, concept model refitted per fold) and checked on
    MultiLing 2011. Position already weighs in the concept model (concepts the leads use), so ``lead`` is 0.
    """

    length_power: float = 1.0
    lead: float = 0.0
    support: float = 1.0
    centrality: float = 0.5
    core: float = 0.0
    """Share of a sentence's whole concept weight, covered or not, added to its gain: a sentence that adds a detail
    to the story's core facts (the lead's names and actions and something new) keeps some worth once the lead covered
    those facts, where pure coverage prefers a side detail with new words."""


PRIOR = PriorWeights()

SMALL_STORY_ARTICLES = 3
"""Stories of at most this many articles are chosen with ``SMALL_PRIOR``."""

SMALL_PRIOR = PriorWeights(length_power=0.8, lead=1.0, support=2.0, centrality=0.5, core=0.1)
"""The prior for stories of 2-3 articles. There a concept is used by one, two or three articles, so the concept
model tells little apart; where a sentence stands in its article, how many other articles restate it and whether it
is a whole thought rather than a short aside carry more (hand labels: 91 % of judged article leads are needed vs
23 % from the seventh sentence on, 30 % of sentences under 10 words). Chosen on DUC 2003's 2-3-article subsets
(ROUGE), checked on MultiLing's and on the hand labels; ``core`` (0.1 of 0.1-0.4 tried) together with
``choose_and_cite``'s repeat check (bench/RESULTS.md, issue 20)."""

REPEAT_ROUNDS = 2
"""How many times ``choose_and_cite`` drops repeats from a summary and chooses again."""


def prior_weights(index: StorySentences) -> PriorWeights:
    """``SMALL_PRIOR`` for a story of 2-3 articles (or one), else ``PRIOR``."""
    return SMALL_PRIOR if len(index.articles) <= SMALL_STORY_ARTICLES else PRIOR


class StoryNames:
    """``name_uses`` of a story's candidates (``names[i]``): the surnames each names in full, and those it uses alone
    that its article named in full before it. Computed on first use: the selection asks only about the candidates it
    is about to take, a few of hundreds."""

    def __init__(self, index: StorySentences) -> None:
        self.index = index
        self._uses: dict[int, NameUse] = {}
        self._first: list[dict[str, int]] | None = None
        self._surnames: set[str] = set()

    def __getitem__(self, i: int) -> NameUse:
        if i not in self._uses:
            index = self.index
            if self._first is None:
                common = {w for article in index.articles for w in _LOWER_WORD.findall(article.text)}
                self._first = [first_full_mentions(article.text, common) for article in index.articles]
                self._surnames = set().union(*self._first)
            s = index.sentences[i]
            self._uses[i] = name_uses(s.text, s.start, self._first[int(index.owner[i])], self._surnames)
        return self._uses[i]


def story_name_uses(index: StorySentences) -> StoryNames:
    """The ``StoryNames`` of ``index``."""
    return StoryNames(index)


_LOWER_WORD = re.compile(r"\b[a-z]+\b")


def prior(scores: SentenceScores, i: int, weights: PriorWeights | None = None) -> float:
    """How much a candidate is worth regardless of what is already chosen."""
    weights = weights or PRIOR
    return (
        1.0
        + weights.lead * float(scores.lead[i])
        + weights.support * float(scores.support[i])
        + weights.centrality * max(float(scores.centrality[i]), 0.0)
    )


def select_sentences(
    index: StorySentences,
    scores: SentenceScores,
    options: SummaryOptions,
    *,
    covered: set[Concept] | None = None,
    eligible: np.ndarray | None = None,
    avoid: np.ndarray | None = None,
    weights: PriorWeights | None = None,
    names: NameLookup | None = None,
) -> list[int]:
    """Greedy budgeted choice of candidates (positions in ``index``), in order of choice.

    ``covered`` concepts (already said) earn nothing; only ``eligible`` candidates may be chosen (all when
    ``None``); ``avoid`` vectors (sentences already said) count as chosen for the redundancy check. ``weights``
    defaults to ``prior_weights(index)``; ``names`` to ``story_name_uses(index)`` (a candidate that names someone by
    surname alone is taken only once a chosen sentence names them in full).
    """
    n = len(index)
    allowed = np.ones(n, dtype=bool) if eligible is None else eligible.copy()
    weights = weights or prior_weights(index)
    priors = 1.0 + weights.lead * scores.lead + weights.support * scores.support + weights.centrality * np.maximum(
        scores.centrality, 0.0
    )  # ``prior`` of every candidate at once
    avoid_sims = (index.vectors @ avoid.T).max(axis=1) if avoid is not None and len(avoid) else np.zeros(n)
    allowed &= avoid_sims < options.redundancy
    dangling = np.array([is_dangling(s.text) for s in index.sentences], dtype=bool)
    uses = names if names is not None else story_name_uses(index)
    named: set[str] = set()  # surnames a chosen sentence names in full
    chosen: list[int] = []
    chosen_set: set[tuple[str, int]] = set()
    open_weight = scores.weight_vector.copy()  # weight of each concept not yet covered
    if covered:
        open_weight[[j for j, c in enumerate(scores.names) if c in covered]] = 0.0
    core = weights.core * (scores.incidence @ scores.weight_vector) if weights.core else np.zeros(n)
    words = index.words.astype(float)
    length = np.maximum(words, 1.0) ** weights.length_power
    used = 0
    while used < options.words:
        fits = allowed.copy()
        if not (options.fill and used < options.words):
            fits &= index.words + used <= options.words
        for i in np.flatnonzero(fits & dangling):
            if (index.sentences[i].article_id, int(index.position[i]) - 1) not in chosen_set:
                fits[i] = False
        gain = scores.incidence @ open_weight  # fixed column order: the same floats in every process
        fits &= gain > 0.0
        if not fits.any():
            break
        value = np.where(fits, (gain + core) / length * priors, -np.inf)
        best = int(np.argmax(value))
        while np.isfinite(value[best]) and not uses[best].bare <= named:  # 'Whitlock said' after 'Dana Whitlock'
            value[best] = -np.inf
            best = int(np.argmax(value))
        if not np.isfinite(value[best]):
            break
        chosen.append(best)
        chosen_set.add((index.sentences[best].article_id, int(index.position[best])))
        row = scores.incidence.indices[scores.incidence.indptr[best] : scores.incidence.indptr[best + 1]]
        open_weight[row] = 0.0
        named |= uses[best].full
        used += int(index.words[best])
        allowed[best] = False
        allowed &= scores.similarity[best] < options.redundancy
    return chosen


def choose_and_cite(
    index: StorySentences,
    scores: SentenceScores,
    options: SummaryOptions,
    *,
    names: NameLookup | None = None,
    repeat_rounds: int = REPEAT_ROUNDS,
    recited: Collection[str] = (),
) -> tuple[list[int], list[list[Citation]]]:
    """The chosen candidates in summary order (``chronological``) and their citations.

    A chosen sentence that an earlier-chosen one cites as its support states the same fact again (two outlets'
    leads): it is dropped and the summary chosen again without it, at most ``repeat_rounds`` times, in stories of
    every size. The verifier's citations see such restatements; the static cosine of the redundancy check does not
    (hand labels: 9 of 30 ECB+ small summaries held one, bench/RESULTS.md, issue 20). ``names`` defaults to
    ``story_name_uses(index)``.

    The sentences of the articles ``recited`` (ids) are cited again by the caller (the source comparison cites the
    summary from its alignment, ``compare.claims.cite_summary``): for them the verifier checks only whether they
    cite a sentence chosen after them (the repeat check's question, answered as when every article is checked), and
    they come back citing their own span alone. Their MiniLM check encodes ~1/5 of the sentences (issue 15).
    """
    eligible = np.ones(len(index), dtype=bool)
    encoded: dict[int, np.ndarray] = {}
    names = story_name_uses(index) if names is None else names
    chosen = select_sentences(index, scores, options, names=names)
    citations = cite_all(index, chosen, options, encoded, _asked(index, chosen, recited))
    for _ in range(repeat_rounds):
        repeats = _restated(index, chosen, citations)
        if not repeats:
            break
        eligible[repeats] = False
        chosen = select_sentences(index, scores, options, eligible=eligible, names=names)
        citations = cite_all(index, chosen, options, encoded, _asked(index, chosen, recited))
    order = chronological(index, chosen, names)
    by_position = dict(zip(chosen, citations, strict=True))
    return order, [by_position[i][:1] if _article(index, i) in recited else by_position[i] for i in order]


def _article(index: StorySentences, i: int) -> str:
    return index.sentences[i].article_id


def _asked(index: StorySentences, chosen: list[int], recited: Collection[str]) -> list[frozenset[int] | None] | None:
    """Per chosen candidate (in order of choice), the sentences whose support of it the repeat check reads when its
    article is ``recited`` (the candidates chosen after it), else None (every article's citation is shown)."""
    if not recited:
        return None
    return [frozenset(chosen[k + 1 :]) if _article(index, i) in recited else None for k, i in enumerate(chosen)]


def _restated(index: StorySentences, chosen: list[int], citations: list[list[Citation]]) -> list[int]:
    """Chosen candidates (in order of choice) that a candidate chosen before them cites as support."""
    position = {(s.article_id, s.start, s.end): i for i, s in enumerate(index.sentences)}
    place = {i: k for k, i in enumerate(chosen)}
    out: set[int] = set()
    for k, cited in enumerate(citations):
        if chosen[k] in out:
            continue
        for citation in cited[1:]:
            j = position.get((citation.article_id, citation.start, citation.end))
            if j is not None and place.get(j, -1) > k:
                out.add(j)
    return sorted(out)


def _english_or_unknown(article: Article) -> bool:
    return not article.language or article.language.lower().startswith("en")


def in_language(articles: Sequence[Article], language: str) -> Sequence[Article]:
    """The articles in ``language`` when there are any (the reader's language, ``summary.language``), else all."""
    if not language:
        return articles
    chosen = [a for a in articles if (a.language or "").lower().split("-")[0] == language]
    return chosen or articles


def summarize_story(
    articles: Sequence[Article], options: SummaryOptions | None = None, recited: Collection[str] = ()
) -> tuple[list[SummarySentence], dict[str, float]]:
    """The cited summary of one story and the centrality of each article (used for the headline).

    Every summary sentence is a real span of an article; its citations are that span and, for every other
    article, its best-supporting span when the calibrated support score reaches ``options.support``. A sentence
    of an article in ``recited`` (ids: the caller cites those again, see ``choose_and_cite``) cites its own span
    alone.
    """
    options = options or SummaryOptions()
    everyone = {a.id: 0.0 for a in articles}
    articles = in_language(articles, options.language)
    if options.embedder != "tfidf" and any(not _english_or_unknown(a) for a in articles):
        # The sentence models are English (MiniLM and its static distillation): other scripts come out as unknown
        # tokens, every sentence looks like every other and the redundancy check keeps one (Greek: 1 sentence of
        # 115 candidates). TF-IDF reads any language (bench/multilingual.py --parts summaries).
        options = replace(options, embedder="tfidf")
    index = index_story(articles, options)
    if len(index) == 0:
        return [], everyone
    scores = score_sentences(index)
    chosen, citations = choose_and_cite(index, scores, options, recited=recited)
    summary = [
        SummarySentence(index.sentences[i].text, c, index.articles[index.owner[i]].language)
        for i, c in zip(chosen, citations, strict=True)
    ]
    centrality = everyone  # articles of other languages than the reader's: 0
    for k, article in enumerate(index.articles):
        members = index.of_article(k)
        centrality[article.id] = float(scores.centrality[members].mean()) if len(members) else 0.0
    return summary, centrality
