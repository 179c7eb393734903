"""Choose summary sentences by cross-source support and centrality, then cite every supporting article."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..config import SummaryOptions
from ..models import Article, Citation, Sentence, SummarySentence
from .similarity import sentence_similarity

_DANGLING = re.compile(
    r"^(?:however|but|and|also|meanwhile|still|yet|instead|moreover|furthermore|in addition|he|she|they|it|this|that|"
    r"these|those|his|her|their)\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"\S+")


def _word_count(text: str) -> int:
    return len(_WORDS.findall(text))


def summarize_story(
    articles: Sequence[Article], options: SummaryOptions | None = None
) -> tuple[list[SummarySentence], dict[str, float]]:
    """The summary of one story and the centrality of each article (used for the headline).

    Every summary sentence is a real sentence of an article; its citations list that sentence and, for each
    other article, its most similar sentence when the similarity reaches ``options.support``.
    """
    options = options or SummaryOptions()
    sentences: list[Sentence] = [s for a in articles for s in a.sentences if _word_count(s.text) >= 4]
    if not sentences:
        return [], {a.id: 0.0 for a in articles}
    order = {a.id: i for i, a in enumerate(articles)}
    sims = sentence_similarity(sentences)
    owner = np.array([order[s.article_id] for s in sentences])
    n_articles = len(articles)
    # best[i, k]: similarity of sentence i to its closest sentence in article k.
    best = np.zeros((len(sentences), n_articles))
    for k in range(n_articles):
        mask = owner == k
        if mask.any():
            best[:, k] = sims[:, mask].max(axis=1)
    other = best.copy()
    other[np.arange(len(sentences)), owner] = 0.0
    support = (other >= options.support).sum(axis=1)
    centrality = other.sum(axis=1) / max(n_articles - 1, 1)
    lengths = np.array([max(len(a.sentences), 1) for a in articles])
    position = np.array([1.0 - min(s.index / lengths[order[s.article_id]], 1.0) for s in sentences])
    words = np.array([_word_count(s.text) for s in sentences])
    score = support + centrality + 0.3 * position + 0.2 * np.minimum(words, 30) / 30
    dangling = np.array([bool(_DANGLING.match(s.text)) for s in sentences])
    score = score - dangling * 0.5

    chosen: list[int] = []
    budget = options.words
    used = 0
    for i in np.argsort(-score, kind="stable"):
        if used >= budget:
            break
        if words[i] > budget - used and chosen:
            continue
        if any(sims[i, j] >= 0.5 for j in chosen):
            continue
        chosen.append(int(i))
        used += int(words[i])

    published = {a.id: (a.published.timestamp() if a.published else 0.0) for a in articles}
    chosen.sort(key=lambda i: (position[i] * -1, published[sentences[i].article_id], sentences[i].index))
    summary = []
    for i in chosen:
        sentence = sentences[i]
        citations = [Citation(sentence.article_id, sentence.start, sentence.end, 1.0)]
        for k, article in enumerate(articles):
            if k == owner[i] or other[i, k] < options.support:
                continue
            mask = np.flatnonzero(owner == k)
            j = int(mask[np.argmax(sims[i, mask])])
            support_sentence = sentences[j]
            citations.append(
                Citation(article.id, support_sentence.start, support_sentence.end, round(float(sims[i, j]), 3))
            )
        summary.append(SummarySentence(text=sentence.text, citations=citations))
    article_centrality = {
        a.id: float(centrality[owner == k].mean()) if (owner == k).any() else 0.0 for k, a in enumerate(articles)
    }
    return summary, article_centrality
