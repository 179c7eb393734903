"""People, organizations and places across a story's articles, one canonical name per entity.

"Maduro", "Nicolás Maduro" and "President Maduro" become one person; "IMF" joins "International Monetary
Fund"; "U.S.", "US" and "the United States" are one place. Matching folds accents and case, drops titles and
leading articles, links a surname or a name's tail to the one full name that ends with it, an organization's
short name to the one name it opens ("Calder & Finch" and "Calder & Finch Furniture"), and initialisms to the
name they abbreviate. A name's form can overrule the model's type: a dateline ("LINDENFIELD —") and a name ending
in a street or landform word ("Quarry Lane", "Ashford Vale") are places.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..models import Entity

ENTITY_TYPES = {"PERSON": "person", "PER": "person", "ORG": "organization", "GPE": "place", "LOC": "place",
                "FAC": "place"}
"""spaCy labels kept, and the type each is reported as (``PER``: the French pipeline's people)."""

_TITLE_WORDS = """
    president vice prime minister secretary chancellor king queen prince princess pope sen senator rep gov governor
    mayor mr mrs ms miss dr gen general col colonel lt sgt capt captain adm admiral maj judge justice sir lady lord
    chief deputy ambassador spokesman spokeswoman officer detective sheriff former late rev reverend archbishop
    bishop cardinal sheikh premier commissioner director minister foreign defense defence interior national security
    advisor adviser attorney actor actress singer star coach councillor councilor councilman councilwoman alderman
    professor prof chairman chairwoman spokesperson farmer
"""
TITLES = frozenset(_TITLE_WORDS.split())
"""Words before a name that are titles or roles, not part of it ("President", "Mayor", "Mr")."""
_PLACE_WORDS = """
    street st road rd lane ln avenue ave boulevard blvd drive highway hwy motorway freeway parkway way square plaza
    terrace alley quay wharf embankment bridge tunnel river creek valley vale harbour harbor canyon
    mountains island islands peninsula gulf strait coast county province township
"""
PLACE_WORDS = frozenset(_PLACE_WORDS.split())
"""Last words that make a name of two words or more a place whatever the model says ("Quarry Lane", "Kestrel
River", "Ashford Vale"): streets, waterways, landforms, districts. Words that are also common surnames (Hill, Lake,
Bay, Park, Wood, Brooks, Field) or words of names ("Red Crescent") are left to the model; a mention with a title
("Ms. Diane Lane") stays a person."""
# Small words an acronym leaves out ("Bank of England" -> "BE").
_ACRONYM_SKIPS = frozenset({"the", "of", "and", "for", "&", "a", "an", "de", "la", "del", "in", "on", "at", "to"})

# Common short forms of places and bodies that no string rule can link.
_KNOWN_ALIASES = {
    "us": "united states", "usa": "united states", "united states of america": "united states",
    "america": "united states", "the us": "united states", "uk": "united kingdom", "britain": "united kingdom",
    "great britain": "united kingdom", "un": "united nations", "eu": "european union", "uae": "united arab emirates",
    "ussr": "soviet union", "nyc": "new york city",
}  # fmt: skip


@lru_cache(maxsize=1 << 14)
def fold(text: str) -> str:
    """Lower case without accents, dots or possessive endings: the form names are compared in (cached: entity
    merging and speaker matching fold the same names many times)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’]s?$", "", text.strip())
    text = text.replace(".", "")
    return " ".join(re.findall(r"[\w&-]+", text))


def _core(name: str, kind: str) -> str:
    """The folded name without leading articles and (for people) titles."""
    words = fold(name).split()
    while words and words[0] in {"the", "a", "an"}:
        words = words[1:]
    if kind == "person":
        while len(words) > 1 and words[0] in TITLES:
            words = words[1:]
    core = " ".join(words)
    return _KNOWN_ALIASES.get(core, core)


def _initials(core: str) -> str:
    return "".join(w[0] for w in core.split() if w not in _ACRONYM_SKIPS)


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention in an article: ``text[start:end] == surface``."""

    article_id: str
    start: int
    end: int
    surface: str
    kind: str
    dateline: bool = False
    """The mention opens a sentence in capitals before a dash or a parenthesis: a dateline ("MILLBROOK —")."""


def _display(surface: str) -> str:
    surface = re.sub(r"['’]s$", "", surface.strip())
    return re.sub(r"^(?:the|The)\s+", "", surface)


def merge_mentions(mentions: Iterable[Mention]) -> tuple[list[Entity], dict[tuple[str, int], int]]:
    """Entities from mentions, and the entity index of each mention keyed by ``(article_id, start)``."""
    mentions = list(mentions)
    cores = [_core(m.surface, m.kind) for m in mentions]
    kind_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for mention, core in zip(mentions, cores, strict=True):
        if core:
            kind_votes[core][mention.kind] += 1
    titled = {core for m, core in zip(mentions, cores, strict=True) if _has_title(m.surface)}
    datelines = {core for m, core in zip(mentions, cores, strict=True) if m.dateline}
    kinds = {core: _kind(core, votes, core in titled, core in datelines) for core, votes in kind_votes.items()}
    # Link each core name to a longer one it is part of, when exactly one candidate fits.
    names = sorted(kinds, key=lambda c: (-len(c.split()), -sum(kind_votes[c].values()), c))
    parent = _first_name_variants([c for c in names if kinds[c] == "person"])
    for core in names:  # "Councillor Abel Marsh" tagged as an organization is the person Abel Marsh
        words = core.split()
        if kinds[core] != "person" and len(words) > 2 and words[0] in TITLES:
            rest = " ".join(words[1:])
            if kinds.get(rest) == "person":
                parent[core] = rest
    for core in names:
        if core in parent:
            continue
        words = core.split()
        fits: list[str] = []
        for longer in names:
            long_words = longer.split()
            if len(long_words) <= len(words):
                continue
            if kinds[core] == "person" and kinds[longer] == "person" and long_words[-len(words) :] == words:
                fits.append(longer)
            elif kinds[longer] == "person" and kinds[core] != "person" and len(words) == 1 and long_words[-1] == core:
                fits.append(longer)  # "Maduro" tagged as a place or organization in one sentence
            elif kinds[core] != "person" and kinds[longer] != "person":
                initialism = len(words) == 1 and len(core) >= 2 and _initials(longer) == core
                tail = len(words) >= 2 and long_words[-len(words) :] == words
                # "Calder & Finch" is "Calder & Finch Furniture": an organization's name of 2+ words that opens the
                # name of another with one word more (places nest: "Los Angeles" is not "Los Angeles County")
                head = (len(words) >= 2 and kinds[core] == kinds[longer] == "organization"
                        and len(long_words) == len(words) + 1 and long_words[: len(words)] == words)
                if initialism or tail or head:
                    fits.append(longer)
        roots = {_root(parent, f) for f in fits}
        if len(roots) == 1:
            parent[core] = fits[0]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, core in enumerate(cores):
        if core:
            groups[_root(parent, core)].append(i)
    entities: list[Entity] = []
    index: dict[tuple[str, int], int] = {}
    ordered = sorted(groups.items(), key=lambda kv: (-len({mentions[i].article_id for i in kv[1]}), -len(kv[1]), kv[0]))
    for number, (root, members) in enumerate(ordered):
        surfaces = Counter(_display(mentions[i].surface) for i in members)
        kind = kinds[root] if root in kinds else Counter(kinds[cores[i]] for i in members).most_common(1)[0][0]
        name = _canonical(surfaces, root, kind)
        entities.append(
            Entity(
                name=name,
                type=kind,
                aliases=sorted(s for s in surfaces if s != name),
                article_ids=sorted({mentions[i].article_id for i in members}),
                count=len(members),
            )
        )
        for i in members:
            index[(mentions[i].article_id, mentions[i].start)] = number
    return entities, index


def _has_title(surface: str) -> bool:
    """True when a mention starts with a title or role before a name ("Ms. Lane", "Mayor Ana Ruiz")."""
    words = fold(surface).split()
    return len(words) > 1 and words[0] in TITLES


def _kind(core: str, votes: Counter[str], titled: bool, dateline: bool) -> str:
    """The type of a name from its mentions' votes, unless its form says more than the model: an article's dateline
    ("LINDENFIELD —") and a name ending in a street or landform word ("Quarry Lane") are places."""
    words = core.split()
    if dateline or (len(words) >= 2 and words[-1] in PLACE_WORDS and not titled):
        return "place"
    # spaCy's small model often tags a foreign surname as an organization: a third of the votes makes a person.
    if 3 * votes["person"] >= sum(votes.values()):
        return "person"
    return votes.most_common(1)[0][0]


def _first_name_variants(people: list[str]) -> dict[str, str]:
    """Links full names with one surname whose first names are variants ("Alexis"/"Alexandros", "Vassilis"/
    "Vassilios": a shared four-letter start) or an initial of each other, to the most frequent spelling first."""
    parent: dict[str, str] = {}
    by_surname: dict[str, list[str]] = defaultdict(list)
    for core in people:
        words = core.split()
        if len(words) >= 2:
            by_surname[words[-1]].append(core)
    for group in by_surname.values():
        for i, core in enumerate(group):
            first = core.split()[0]
            for other in group[:i]:
                other_first = other.split()[0]
                same = first[:4] == other_first[:4] and len(first) >= 4 and len(other_first) >= 4
                initial = (len(first) == 1 or len(other_first) == 1) and first[0] == other_first[0]
                if (same or initial) and _root(parent, other) != core:
                    parent[core] = _root(parent, other)
                    break
    return parent


def _root(parent: dict[str, str], core: str) -> str:
    while core in parent:
        core = parent[core]
    return core


def _canonical(surfaces: Counter[str], root: str, kind: str) -> str:
    """The display form of the root name seen most often (not in a dateline's capitals); the longest for people."""
    at_root = [s for s in surfaces if _core(s, kind) == root]
    candidates = at_root or list(surfaces)
    if kind == "person":
        best = max(candidates, key=lambda s: (len(_core(s, kind).split()), surfaces[s], -len(s)))
        words = best.split()
        while len(words) > 1 and fold(words[0]) in TITLES:
            words = words[1:]  # "Mayor Ana Ruiz" is Ana Ruiz; the titled form stays an alias
        return " ".join(words)
    # a dateline's capitals ("LINDENFIELD") are not how the name is written when another form is seen
    return max(candidates, key=lambda s: (not (s.isupper() and len(s) > 5), surfaces[s], len(s)))


def mentions_in_doc(doc: object, article_id: str, offset: int, text: str) -> list[Mention]:
    """Mentions of people, organizations and places in one spaCy doc of the sentence ``text`` (``doc.text``, which
    spaCy rebuilds token by token) starting at ``offset``."""
    found = []
    for ent in doc.ents:  # type: ignore[attr-defined]
        kind = ENTITY_TYPES.get(ent.label_)
        if kind is None:
            continue
        start, end = ent.start_char, ent.end_char
        surface = text[start:end]  # ``ent.text`` without building a token object per word
        if not any(c.isalpha() for c in surface):
            continue
        dateline = start == 0 and surface.isupper() and bool(_DATELINE_END.match(text, end))
        found.append(Mention(article_id, offset + start, offset + end, surface, "place" if dateline else kind,
                             dateline))
    if offset == 0 and not any(m.start == 0 for m in found):  # the model missed the dateline that opens the article
        found[:0] = opening_dateline(text, article_id)
    return found


def opening_dateline(text: str, article_id: str) -> list[Mention]:
    """The place of the dateline that opens an article (``text``: its first sentence), if it has one, as a mention:
    read by form whether or not the model read the sentence."""
    opening = _DATELINE.match(text)
    return [Mention(article_id, 0, opening.end(1), opening.group(1), "place", True)] if opening else []


_DATELINE_END = re.compile(r"\s*(?:\([^()\n]{1,60}\)\s*)?[—–-]")
"""What follows the place of a dateline: an optional "(Agency)" and a dash."""
_DATELINE = re.compile(r"([A-Z][A-Z'.]+(?: [A-Z][A-Z'.]+){0,3})(?=" + _DATELINE_END.pattern + r"\s)")
"""An article's opening dateline: a place in capitals ("ASHFORD VALE (Northgate Wire) — ", "MILLBROOK — ")."""


def mentions_by_name(known: Iterable[Mention], sentences: Iterable[tuple[str, int, str]]) -> list[Mention]:
    """Mentions of the names in ``known`` (found by the model elsewhere in the story) in ``sentences`` the model did
    not read, given as ``(article_id, start, text)``: the same words, case and all, between word boundaries, each
    with the type the model gave that name most often; a longer name wins over one inside it ("Nicolás Maduro"
    over "Maduro")."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for m in known:
        if not m.dateline and any(c.isupper() for c in m.surface):
            votes[m.surface][m.kind] += 1
    if not votes:
        return []
    names = sorted(votes, key=lambda n: (-len(n), n))
    kinds = {n: max(sorted(v), key=lambda k: v[k]) for n, v in votes.items()}
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w])")
    found = []
    for article_id, start, text in sentences:
        for match in pattern.finditer(text):
            surface = match.group(0)
            found.append(Mention(article_id, start + match.start(), start + match.end(), surface, kinds[surface]))
    return found


NAME_FALLBACK_KIND = "name"
"""The type of a name found by its capitals in a language without a spaCy pipeline (person, organization or place
cannot be told without one)."""
_CASED_WORD = re.compile(r"[^\W\d_][\w’'.-]*")
_NAME_LINKS = frozenset({"de", "del", "la", "le", "du", "des", "van", "von", "der", "di", "da", "do", "dos", "y", "e",
                         "of", "al", "el", "bin", "ibn"})
"""Lower-case words inside a name ("Tour de France", "Ludwig van Beethoven")."""


def capitalised_names(sentences: Iterable[tuple[str, int, str]], stop: frozenset[str],
                      nouns_capitalised: bool = False) -> list[Mention]:
    """Names found by their capitals in ``sentences`` (``(article_id, start, text)``) of a language without a spaCy
    pipeline: runs of capitalised words that are not stop words ("de", "van"... inside). A run that opens its
    sentence needs two capitalised words. Where every noun is capitalised (German: ``nouns_capitalised``) a run
    needs two words besides its sentence's first. Scripts without capitals (Arabic, Hebrew, Hindi) give none. Type
    ``NAME_FALLBACK_KIND``."""
    found = []
    for article_id, start, text in sentences:
        words = [(m.start(), m.start() + len(m.group(0).rstrip(".")), m.group(0).rstrip("."))
                 for m in _CASED_WORD.finditer(text)]  # fmt: skip
        i = 0
        while i < len(words):
            run: list[int] = []
            j = i
            while j < len(words) and (j == i or text[words[j - 1][1] : words[j][0]].strip(".") in ("", " ")):
                word = words[j][2]
                if word[:1].isupper() and word.lower() not in stop:
                    run.append(j)
                elif not (run and word in _NAME_LINKS and j + 1 < len(words) and words[j + 1][2][:1].isupper()):
                    break
                j += 1
            i = max(j, i + 1)
            if nouns_capitalised and run and run[0] == 0:
                run = run[1:]
            if not run or (len(run) == 1 and (run[0] == 0 or nouns_capitalised)):
                continue
            begin, end = words[run[0]][0], words[run[-1]][1]
            found.append(Mention(article_id, start + begin, start + end, text[begin:end], NAME_FALLBACK_KIND))
    return found
