"""One story's candidate sentences with everything scoring and attribution need, computed once.

A candidate is a real span of a real article: the sentence, minus a leading wire dateline ('LONDON (AP) _'),
so the summary never shows a dateline out of context and the offsets still point at the exact words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from ..config import SummaryOptions
from ..embed import kept_call, kept_outputs
from ..models import Article, Sentence
from .terms import Terms, sentence_terms
from .vectors import embed_texts

# 'LONDON (AP) _ ', 'WASHINGTON (Reuters) - ', 'PARIS — ', 'BEIJING, Oct. 5 (Xinhua) -- '
_DATELINE = re.compile(
    r"^[A-Z][A-Z .,'\-]{1,40}(?:,\s*[A-Z][a-z]{2,4}\.?\s*\d{1,2})?\s*(?:\([A-Za-z .&-]{1,30}\))?\s*(?:_|--|—|–|-)\s+"
)
_URL = re.compile(r"^(?:https?://|www\.)\S+$")
_MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9]*\s*/?>")
_WORDS = re.compile(r"\S+")

kept_terms = kept_outputs("sentence terms")
"""``sentence_terms`` by (sentence, language), kept across stories and batches (``embed.kept_call``): a story one
article joined reads its earlier members' terms from here."""


def word_count(text: str) -> int:
    """Words as the budget counts them: whitespace-separated tokens."""
    return len(_WORDS.findall(text))


def trim_dateline(sentence: Sentence) -> Sentence:
    """The sentence without a leading wire dateline, offsets adjusted (unchanged when there is none)."""
    match = _DATELINE.match(sentence.text)
    if not match or match.end() >= len(sentence.text) - 10:
        return sentence
    cut = match.end()
    return Sentence(sentence.article_id, sentence.index, sentence.start + cut, sentence.end, sentence.text[cut:])


def split_markup(sentence: Sentence) -> list[Sentence]:
    """The pieces of ``sentence`` between markup tags left in the text ('... unknown. </P> <P> Prosecutors ...').

    The splitter does not break at tags, so one 'sentence' can hold two; each piece keeps exact offsets.
    """
    if not _MARKUP.search(sentence.text):
        return [sentence]
    pieces = []
    cursor = 0
    for match in [*_MARKUP.finditer(sentence.text), None]:
        end = match.start() if match else len(sentence.text)
        piece = sentence.text[cursor:end]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if piece:
            start = sentence.start + cursor + lead
            pieces.append(Sentence(sentence.article_id, sentence.index, start, start + len(piece), piece))
        cursor = match.end() if match else len(sentence.text)
    return pieces


def is_candidate(sentence: Sentence, options: SummaryOptions) -> bool:
    """Long enough to say something, short enough to read, and prose (not a URL or a bare heading)."""
    words = word_count(sentence.text)
    if words < options.min_sentence_words or words > options.max_sentence_words:
        return False
    if _URL.match(sentence.text.strip()) or _MARKUP.search(sentence.text):
        return False  # a link, or markup the extractor left behind: not a sentence to show
    return sentence.text.rstrip()[-1:] in ".!?\"'”’)" or words >= 12


@dataclass(slots=True)
class StorySentences:
    """The candidate sentences of one story, their owners, lexical terms and embeddings."""

    articles: list[Article]
    sentences: list[Sentence]
    owner: np.ndarray
    """Index into ``articles`` of each sentence's article."""
    position: np.ndarray
    """Index of each sentence among its article's sentences (``Sentence.index``)."""
    rank: np.ndarray
    """Place of each sentence among its article's candidates (0 = lead, whatever title or date lines precede it)."""
    terms: list[Terms]
    vectors: np.ndarray
    """Unit-length sentence embeddings, one row per sentence."""
    idf: dict[str, float]
    """Inverse sentence frequency of each content stem inside the story."""
    words: np.ndarray
    matrices: Any = None
    """The sentences' terms as sparse matrices, built by the citation check when first needed
    (``attribution.term_matrices``)."""

    def __len__(self) -> int:
        return len(self.sentences)

    def of_article(self, k: int) -> np.ndarray:
        """Positions (in ``sentences``) of article ``k``'s candidates."""
        return np.flatnonzero(self.owner == k)


def index_story(articles: Sequence[Article], options: SummaryOptions) -> StorySentences:
    """Candidates of ``articles`` (which must already be split into sentences) with terms and embeddings."""
    sentences: list[Sentence] = []
    owner: list[int] = []
    position: list[int] = []
    rank: list[int] = []
    for k, article in enumerate(articles):
        kept = 0
        for whole in article.sentences:
            for sentence in split_markup(whole):
                trimmed = trim_dateline(sentence)
                if is_candidate(trimmed, options):
                    sentences.append(trimmed)
                    owner.append(k)
                    position.append(sentence.index)
                    rank.append(kept)
                    kept += 1
    terms = [kept_call(kept_terms, (s.text, articles[k].language),
                       partial(sentence_terms, s.text, articles[k].language))
             for s, k in zip(sentences, owner, strict=True)]
    df: Counter[str] = Counter()
    for t in terms:
        df.update(set(t.words))
    n = max(len(sentences), 1)
    idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}
    vectors = embed_texts([s.text for s in sentences], options.embedder)
    return StorySentences(
        articles=list(articles),
        sentences=sentences,
        owner=np.array(owner, dtype=int),
        position=np.array(position, dtype=int),
        rank=np.array(rank, dtype=int),
        terms=terms,
        vectors=vectors,
        idf=idf,
        words=np.array([word_count(s.text) for s in sentences], dtype=int),
    )
