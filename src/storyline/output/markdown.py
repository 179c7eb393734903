"""``stories.md``: the stories as Markdown, each summary sentence followed by its sources."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .story_view import counted, label_unnamed, story_index, timeline_axis
from .times import parse_time, utc_label

_PUNCTUATION = re.compile(r"([\\`*_\[\]~])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ENTITY_TABLE = str.maketrans(_ENTITIES)


def _escape(value: object) -> str:
    """Any field as inert inline Markdown: literal text, whatever it holds.

    HTML-significant characters become entities (no raw tag or ``&`` entity survives), inline Markdown
    punctuation is backslash-escaped (no emphasis, code, link or strikethrough), and line breaks become spaces
    (no field starts a new block, so line-start syntax such as ``#`` or ``1.`` stays text). Every value that
    comes from an input goes through here or ``_code``.
    """
    text = " ".join(str(value).split())
    text = text.translate(_ENTITY_TABLE)
    return _PUNCTUATION.sub(r"\\\1", text)


def _code(value: object) -> str:
    """An id as a code span that no backtick inside it can close (CommonMark: a longer fence).

    A code span shows ``<`` literally, so an id holding ``<``, ``>`` or ``&`` is written as escaped text
    instead: no tag-like text is in the file at all, for viewers that do not follow CommonMark.
    """
    text = " ".join(str(value).split())
    if any(ch in text for ch in _ENTITIES):
        return _escape(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _source(articles: dict[str, Any], article_id: str) -> str:
    return _escape(articles[article_id]["source"] or "unknown source")


def _unique(item: dict[str, Any], articles: dict[str, Any]) -> str:
    """One "only one source" statement: the text, who is quoted (when it is a quote) and the outlet."""
    speaker = f"{_escape(item['speaker'])}, " if item.get("speaker") else ""
    return f"{_escape(item['text'])} — *{speaker}{_source(articles, item['article_id'])}*"


def _originals(story: dict[str, Any], articles: dict[str, Any]) -> int:
    return sum(1 for aid in story["article_ids"] if not articles[aid]["duplicate_of"]) or len(story["article_ids"])


def _compare_sections(story: dict[str, Any], articles: dict[str, Any]) -> list[str]:
    """Quotes, entities and the timeline of a story (agreed/unique/conflicts are rendered above)."""
    lines: list[str] = []
    if story.get("quotes"):
        lines += ["", "**Quotes**", ""]
        for q in story["quotes"]:
            text = f"“{q['text']}”" if q["direct"] else q["text"]
            lines.append(f"- {_escape(q['speaker'] or 'unknown speaker')}: {_escape(text)} — "
                         f"*{_source(articles, q['article_id'])} \\[{q['start']}:{q['end']}\\]*")  # fmt: skip
    if story.get("entities"):
        lines += ["", "**Entities**", ""]
        for e in story["entities"]:
            aliases = f" (also {_escape(', '.join(e['aliases']))})" if e["aliases"] else ""
            articles_named = counted(len(e["article_ids"]), "article")
            lines.append(f"- {_escape(e['name'])}{aliases} — {_escape(e['type'])}, {articles_named}")
    if story.get("timeline"):
        axis = timeline_axis(story["timeline"])
        lines += ["", "**Timeline**", ""]
        for point in axis["points"]:
            gap = f" ({_escape(point['gap'])})" if point["gap"] else ""
            for t in point["events"]:
                flag = " **conflicting date**" if t.get("conflict") else ""
                lines.append(f"- {_escape(point['label'])}{gap} — “{_escape(t['expression'])}”: {_escape(t['text'])} — "
                             f"*{_source(articles, t['article_id'])}*{flag}")  # fmt: skip
                gap = ""
        if axis["undated"]:
            lines += ["", "*Not placed on the timeline (no publication date to count from):*", ""]
            for t in axis["undated"]:
                lines.append(f"- “{_escape(t['expression'])}”: {_escape(t['text'])} — "
                             f"*{_source(articles, t['article_id'])}*")  # fmt: skip
    return lines


def _coverage(story: dict[str, Any]) -> list[str]:
    """Who covered the story: outlets by first report, articles over time and coverage per group."""
    cov = story.get("coverage")
    if not cov or not (cov.get("outlets") or cov.get("unnamed")):
        return []
    count = len(cov["outlets"])
    head = f"**Coverage**: {count} outlet{'' if count == 1 else 's'}"
    if cov.get("unnamed"):
        head += f" · {cov['unnamed']} article{'' if cov['unnamed'] == 1 else 's'} from no named outlet"
    if cov["first"]:
        head += f" · first: {_escape(cov['first'])} ({_escape(_when(cov['outlets'][0]['first_published']))})"
    if cov["one_group"]:
        head += f" · **covered by one group only: {_escape(cov['one_group'])}**"
    lines = ["", head, ""]
    for o in cov["outlets"]:
        groups = rf" \[{_escape(', '.join(o['groups']))}\]" if o["groups"] else ""
        first = f", first {_escape(_when(o['first_published']))}" if o["first_published"] else ""
        lines.append(f"- {_escape(o['name'])}: {o['articles']} article{'' if o['articles'] == 1 else 's'}{first}"
                     f"{groups}")
    bins = [b for b in cov["over_time"] if b["articles"]]
    if bins:
        lines += ["", "Articles over time: " + "; ".join(f"{_escape(_when(b['start']))}: {b['articles']}"
                                                          for b in bins)]
    if cov["groups"]:
        lines += ["", "Per group: " + "; ".join(
            f"{_escape(g['name'])}: {_escape(', '.join(g['outlets'])) if g['outlets'] else 'none'}"
            for g in cov["groups"])]
    return lines


def _when(value: str | None) -> str:
    when = parse_time(value)
    return utc_label(when) if when else "no date"


def _storylines(data: dict[str, Any]) -> list[str]:
    """The developing stories: each storyline's stories in time order, then its summary with sources."""
    storylines = data.get("storylines") or []
    if not storylines:
        return []
    headlines = {s["id"]: s["headline"] for s in story_index(data["stories"])}
    articles = {a["id"]: a for a in data["articles"]}
    lines = ["## Storylines", ""]
    for line in storylines:
        span = " – ".join(v[:10] for v in dict.fromkeys((line["first_published"], line["last_published"])) if v)
        lines += [f"### {_escape(line['headline'])}", "",
                  f"{_code(line['id'])} · {counted(len(line['story_ids']), 'story', 'stories')}"
                  + (f" · {span}" if span else ""), ""]
        for sid in line["story_ids"]:
            lines.append(f"1. {_escape(headlines.get(sid, sid))} ({_code(sid)})")
        if line["summary"]:
            lines.append("")
        for sentence in line["summary"]:
            sources = ", ".join(f"{_source(articles, c['article_id'])} \\[{c['start']}:{c['end']}\\]"
                                for c in sentence["citations"] if c["article_id"] in articles)
            lines.append(f"- {_escape(sentence['text'])}" + (f" — *{sources}*" if sources else ""))
        lines.append("")
    return lines


def render_markdown(data: dict[str, Any]) -> str:
    """``stories.md``: the digest's stories as Markdown (``markdown_pieces`` joined)."""
    return "".join(markdown_pieces(data))


def markdown_pieces(data: dict[str, Any]) -> Iterator[str]:
    """``stories.md`` in pieces, one story at a time, so a writer need not hold it whole (nor every story's dict:
    ``data["stories"]`` may be a ``StoryDicts``)."""
    for n, block in enumerate(block for block in _markdown_blocks(data) if block):
        yield ("\n" if n else "") + "\n".join(block)


def _markdown_blocks(data: dict[str, Any]) -> Iterator[list[str]]:
    """The lines of ``stories.md`` in blocks (the head, each story, the rejected inputs)."""
    articles = label_unnamed(data["articles"])
    stats = data["stats"]
    lines = [
        "# Stories",
        "",
        f"{counted(stats['stories'], 'story', 'stories')} from {counted(stats['articles'], 'article')} "
        f"({counted(stats['duplicates'], 'duplicate')}, {counted(stats['rejected'], 'rejected input')}).",
        "",
    ]
    lines += _storylines(data)
    yield lines
    for story in data["stories"]:
        count = len(story["article_ids"])
        lines = [f"## {_escape(story['headline'])}", "", f"{_code(story['id'])} · {counted(count, 'article')}", ""]
        for sentence in story["summary"]:
            sources = ", ".join(
                f"{_source(articles, c['article_id'])} \\[{c['start']}:{c['end']}\\]" for c in sentence["citations"]
            )
            note = " (single source)" if sentence.get("single_source") else ""
            lines.append(f"- {_escape(sentence['text'])} — *{sources}*{note}")
        lines += _coverage(story)
        for section, title in (("agreed", "Agreed"), ("unique", "Only one source"), ("conflicts", "Conflicts")):
            if story.get(section):
                lines += ["", f"**{title}**", ""]
                for item in story[section]:
                    if section == "conflicts":
                        sides = "; ".join(
                            f"{_escape(s['value'])} ({_source(articles, s['article_id'])})" for s in item["sides"]
                        )
                        lines.append(f"- {_escape(item['about'])}: {sides}")
                    elif section == "unique":
                        if item.get("shown", True):
                            lines.append(f"- {_unique(item, articles)}")
                    else:
                        names = sorted({_source(articles, c["article_id"]) for c in item["citations"]})
                        agreed_by = len({c["article_id"] for c in item["citations"]})
                        lines.append(
                            f"- {_escape(item['text'])} — agreed by {agreed_by} of {_originals(story, articles)} "
                            f"sources: *{', '.join(names)}*"
                        )
                hidden = [item for item in story[section] if section == "unique" and not item.get("shown", True)]
                if hidden:
                    lines.append(f"- Show all ({len(hidden)} more):")
                    lines += [f"  - {_unique(item, articles)}" for item in hidden]
        lines += _compare_sections(story, articles)
        lines += ["", "Articles:", ""]
        for aid in story["article_ids"]:
            article = articles[aid]
            dup = f" (duplicate of {_code(article['duplicate_of'])})" if article["duplicate_of"] else ""
            title = _escape(article["title"] or article["text"][:80])
            lines.append(f"- {_code(aid)} {_source(articles, aid)}: {title}{dup}")
        lines.append("")
        yield lines
    if data["rejected"]:
        lines = ["## Rejected inputs", ""]
        lines += [f"- {_code(r['input'])}: {_escape(r['reason'])}" for r in data["rejected"]]
        lines.append("")
        yield lines
