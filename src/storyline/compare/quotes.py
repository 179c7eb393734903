"""Direct and indirect quotes with their speaker, each cited by its span in the article.

Direct quotes are the text between quotation marks (four words or more: shorter ones are titles and scare
quotes); indirect ones are the clause a speech verb introduces ("Bolton said there was no involvement") and
"according to X, ..." sentences. The speaker is the verb's subject, resolved to an entity when it names one
(through an apposition: "The adviser, John Bolton, said"), to the last person or organization named before
for a pronoun, and kept as the noun phrase otherwise ("the vice president").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..models import Article, Quote, Sentence
from .entities import TITLES
from .nlp import FRENCH_SPEECH_VERBS, SPEECH_VERBS

_DIRECT = re.compile(r"“([^”\n]+)”|\"([^\"\n]+)\"|«[\s\u00a0\u202f]*([^»\n]+?)[\s\u00a0\u202f]*»|„([^“”\n]+)[“”]")
"""A direct quote: English “…” or "…", French « … » (spaces inside), German and Czech „…“."""
_POSSESSIVE = {"its", "his", "her", "their", "our", "my", "your"}
_PRONOUN_KIND = {"he": "person", "she": "person", "him": "person", "her": "person", "it": "organization",
                 "they": "organization"}  # fmt: skip
MIN_DIRECT_WORDS = 4
NOT_SPEAKERS = frozenset(
    "report reports study studies survey surveys poll polls document documents statement statements article "
    "articles paper papers letter letters memo memos filing filings record records data figures estimate "
    "estimates analysis research footage video videos photo photos image images website site post posts tweet "
    "tweets account accounts media press coverage reporting rumor rumors rumour rumours sources source "
    "experts analysts observers critics commentators some many others most few people everyone everybody "
    "someone somebody nobody reportedly".split()
)
"""Head nouns of a subject that name a document, a medium or a vague source, not a speaker ("a report said",
"international media reported", "experts say"): such a quote keeps no speaker unless the phrase names one
("a report by the New York Times")."""


@dataclass(frozen=True, slots=True)
class NamedSpan:
    """An entity mention resolved to its canonical entity name (absolute offsets)."""

    start: int
    end: int
    name: str
    kind: str


@dataclass(slots=True)
class _Attribution:
    speaker: str | None
    verb_start: int


def _speech_verbs(doc: Any, offset: int, outside: tuple[int, int] | None = None) -> list[Any]:
    verbs = []
    for token in doc:
        word = token.lower_
        english = word in SPEECH_VERBS and token.tag_.startswith("VB")
        french = word in FRENCH_SPEECH_VERBS and not token.tag_ and token.pos_ == "VERB"  # the French pipeline
        if not (english or french):
            continue
        start = offset + token.idx
        if outside and outside[0] <= start < outside[1]:
            continue
        verbs.append(token)
    return verbs


class SpeakerResolver:
    """Resolves the subject of a speech verb to an entity name, a pronoun's antecedent or a noun phrase."""

    def __init__(self, names: Sequence[NamedSpan]) -> None:
        self.names = sorted(names, key=lambda n: n.start)

    def _named(self, start: int, end: int) -> NamedSpan | None:
        inside = [n for n in self.names if n.start < end and start < n.end]
        for kind in ("person", "organization", "place"):
            for n in inside:
                if n.kind == kind:
                    return n
        return None

    def antecedent(self, before: int, kind: str) -> str | None:
        """The last entity of ``kind`` named before character ``before``."""
        for n in reversed(self.names):
            if n.end <= before and n.kind == kind:
                return n.name
        return None

    def resolve(self, subject: Any, offset: int) -> str | None:
        of = _share_of(subject)
        if of is not None:  # "55 percent of respondents said": the respondents said it
            subject = of
        head_start = offset + subject.idx
        head = self._named(head_start, head_start + len(subject.text))
        appositions = [
            self._named(offset + c.left_edge.idx, offset + c.right_edge.idx + len(c.right_edge))
            for c in subject.children
            if c.dep_ == "appos"
        ]
        # "The National Security Advisor, John Bolton, said": the person in the apposition is the speaker.
        for named in (head, *appositions):
            if named and named.kind == "person":
                return named.name
        for named in (head, *appositions):
            if named:
                return named.name
        lower = subject.text.lower()
        if subject.tag_ == "PRP":
            kind = _PRONOUN_KIND.get(lower)
            return self.antecedent(head_start, kind) if kind else None
        left, right = subject.left_edge, subject.right_edge
        named = self._named(offset + left.idx, offset + right.idx + len(right))
        if named and named.kind != "place":  # "Port Ellis officials said": the officials speak, not the town
            return named.name
        if lower in NOT_SPEAKERS:
            return None
        words = [t for t in subject.subtree if t.dep_ not in {"punct", "relcl", "prep", "acl"}]
        words = [t for t in words if t.i >= subject.i - 4 and t.i <= subject.i]
        if subject.tag_ == "NNP":  # a name the model did not tag: "Mayor Ana Ruiz" is Ana Ruiz
            while len(words) > 1 and (words[0].text.lower().rstrip(".") in TITLES or words[0].tag_ == "DT"):
                words = words[1:]
        text = _phrase(words)
        if not any(c.isalpha() for c in text):
            return None
        first = text.split(" ", 1)[0].lower() if text else ""
        if first in _POSSESSIVE:
            text = "the " + text.split(" ", 1)[1] if " " in text else ""
        return text or None


def _phrase(words: Sequence[Any]) -> str:
    """Tokens as the text wrote them ("Iran's state television", not "Iran 's state television"); a space where
    left-out tokens stood between two."""
    text = ""
    for i, token in enumerate(words):
        if i:
            before = words[i - 1]
            text += before.whitespace_ or (" " if token.i != before.i + 1 else "")
        text += token.text
    return text


_SHARES = frozenset("percent % per cent majority most many some half third quarter all none few several".split())


def _share_of(subject: Any) -> Any | None:
    """The ``of`` object of a subject that is a share or a number ("55 percent of respondents", "most of them")."""
    if subject.text.lower() not in _SHARES and not subject.like_num:
        return None
    for prep in subject.children:
        if prep.dep_ == "prep" and prep.text.lower() == "of":
            return next((c for c in prep.children if c.dep_ == "pobj"), None)
    return None


def _subject(verb: Any) -> Any | None:
    """Who speaks: the verb's subject (the one nearest the verb when the parse gives several: "The study's
    co-author, Prof. Ines Haldor, said"), the agent of a passive ("was announced by the council"; "no other injuries
    were reported" has no speaker), the noun a relative clause hangs on ("the mayor, who said")."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if subjects:
        subject = min(subjects, key=lambda c: abs(verb.i - c.i))
        if subject.tag_ in {"WDT", "WP"}:  # "..., which suggests": what the relative pronoun stands for
            return verb.head if verb.dep_ == "relcl" and verb.head is not verb else None
        return subject
    if any(c.dep_ in {"nsubjpass", "auxpass"} for c in verb.children):
        agent = next((c for c in verb.children if c.dep_ == "agent"), None)
        return next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
    if verb.dep_ in {"conj", "xcomp"} and verb.head is not verb:
        return _subject(verb.head)
    if not verb.tag_:  # the French pipeline: "« … », a déclaré Jean Dupont" (the subject after the verb, as object)
        return next((c for c in verb.children if c.dep_ == "obj" and c.pos_ == "PROPN" and c.i > verb.i), None)
    return None


def _according_to(doc: Any, text: str) -> tuple[Any, Any] | None:
    """The ``according`` token and the object of its ``to``, when the sentence ``text`` (the doc's) has "according
    to X"."""
    lower = text.lower()
    if "according" not in lower and "selon" not in lower:  # no token is either word (most sentences)
        return None
    for token in doc:
        if token.text.lower() == "selon" and token.dep_ == "case":  # French: "Selon Pierre Martin, …"
            return token, token.head
        if token.text.lower() == "according" and token.i + 1 < len(doc) and doc[token.i + 1].text.lower() == "to":
            for child in doc[token.i + 1].children:
                if child.dep_ == "pobj":
                    return token, child
    return None


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:."):
        end -= 1
    return start, end


def find_quotes(
    article: Article, sentences: Sequence[Sentence], docs: Sequence[Any], resolver: SpeakerResolver
) -> list[Quote]:
    """The direct and indirect quotes of one article; ``docs[i]`` is the spaCy doc of ``sentences[i]``."""
    text = article.text
    quotes: list[Quote] = []
    direct_spans: list[tuple[int, int]] = []
    parsed = [(s, d) for s, d in zip(sentences, docs, strict=True) if d is not None and d.has_annotation("DEP")]

    def containing(pos: int) -> tuple[Sentence, Any] | None:
        for sentence, doc in parsed:
            if sentence.start <= pos < sentence.end:
                return sentence, doc
        return None

    previous: Quote | None = None
    for match in _DIRECT.finditer(text):
        group = next(g for g in range(1, 5) if match.group(g) is not None)
        start, end = match.span(group)
        if len(match.group(group).split()) < MIN_DIRECT_WORDS:
            continue
        direct_spans.append(match.span())
        attribution = _attribute_direct(match.span(), containing, resolver)
        speaker = attribution.speaker if attribution else None
        if speaker is None and previous is not None and previous.speaker and 0 <= start - previous.end <= 200:
            speaker = previous.speaker  # a quote continued in the next sentence
        quote = Quote(speaker=speaker, text=text[start:end], direct=True, article_id=article.id, start=start, end=end)
        quotes.append(quote)
        previous = quote
    for sentence, doc in parsed:
        quotes.extend(_indirect(article, sentence, doc, direct_spans, resolver))
    quotes.sort(key=lambda q: q.start)
    return quotes


def _attribute_direct(
    span: tuple[int, int], containing: Callable[[int], tuple[Sentence, Any] | None], resolver: SpeakerResolver
) -> _Attribution | None:
    """Speaker of the quote at ``span``: a speech verb after it in its last sentence, else before it in its first."""
    for pos, after in ((span[1] - 1, True), (span[0], False)):
        found = containing(pos)
        if not found:
            continue
        sentence, doc = found
        verbs = [
            v for v in _speech_verbs(doc, sentence.start, span)
            if (sentence.start + v.idx >= span[1]) == after
        ]  # fmt: skip
        verbs.sort(key=lambda v: abs(sentence.start + v.idx - (span[1] if after else span[0])))
        for verb in verbs:
            subject = _subject(verb)
            if subject is not None and not (span[0] <= sentence.start + subject.idx < span[1]):
                return _Attribution(resolver.resolve(subject, sentence.start), sentence.start + verb.idx)
        according = _according_to(doc, sentence.text)
        if according:
            return _Attribution(resolver.resolve(according[1], sentence.start), sentence.start + according[0].idx)
    return None


def _indirect(
    article: Article, sentence: Sentence, doc: Any, direct: Sequence[tuple[int, int]], resolver: SpeakerResolver
) -> list[Quote]:
    """Reported speech in one parsed sentence that is not inside quotation marks."""
    offset, text = sentence.start, article.text
    found: list[Quote] = []

    def quoted(pos: int) -> bool:
        return any(s <= pos < e for s, e in direct)

    for verb in _speech_verbs(doc, offset):
        if quoted(offset + verb.idx):
            continue
        clause = next((c for c in verb.children if c.dep_ == "ccomp"), None)
        subject = _subject(verb)
        if clause is None or subject is None:
            continue
        tokens = [t for t in clause.subtree if t.dep_ != "mark" or t.head is not clause]
        start = offset + min(t.idx for t in tokens)
        end = offset + max(t.idx + len(t) for t in tokens)
        if quoted(start) or quoted(end - 1):
            continue
        start, end = _trim_span(text, start, end)
        if not verb.tag_:  # French: the clause's "que" / "qu'" introduces it, as "that" does (left out)
            lead = re.match(r"qu(?:e\s+|['’])", text[start:end], re.IGNORECASE)
            start += lead.end() if lead else 0
        if len(text[start:end].split()) < 3:
            continue
        speaker = resolver.resolve(subject, offset)
        found.append(Quote(speaker, text[start:end], False, article.id, start, end))
    according = _according_to(doc, sentence.text)
    if according and not quoted(offset + according[0].idx):
        token, source = according
        phrase = [*token.subtree, *(source.subtree if token.text.lower() == "selon" else ())]  # "selon X,"
        phrase_end = offset + max(t.idx + len(t) for t in phrase)
        phrase_start = offset + token.idx
        if phrase_start - offset <= 2:
            start, end = _trim_span(text, phrase_end, sentence.end)
        else:
            start, end = _trim_span(text, sentence.start, phrase_start)
        if len(text[start:end].split()) >= 3 and not any(q.start <= start < q.end for q in found):
            found.append(Quote(resolver.resolve(source, offset), text[start:end], False, article.id, start, end))
    return found
