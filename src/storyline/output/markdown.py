"""``stories.md``: the stories as Markdown, each summary sentence followed by its sources."""

from __future__ import annotations

from typing import Any


def _escape(text: str) -> str:
    """Article text as inert Markdown: no raw HTML, and no ``[x](javascript:...)`` links."""
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("[", "\\[").replace("]", "\\]")


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
                         f"*{articles[q['article_id']]['source']} [{q['start']}:{q['end']}]*")  # fmt: skip
    if story.get("entities"):
        lines += ["", "**Entities**", ""]
        for e in story["entities"]:
            aliases = f" (also {_escape(', '.join(e['aliases']))})" if e["aliases"] else ""
            lines.append(f"- {_escape(e['name'])}{aliases} — {e['type']}, {len(e['article_ids'])} articles")
    if story.get("timeline"):
        lines += ["", "**Timeline**", ""]
        for t in story["timeline"]:
            when = t["date"] or "date unknown"
            anchor = " (no publication date to resolve it)" if t["anchor"] == "unknown" else ""
            flag = " **conflicting date**" if t.get("conflict") else ""
            lines.append(f"- {when} — “{_escape(t['expression'])}”{anchor}: {_escape(t['text'])} — "
                         f"*{articles[t['article_id']]['source']}*{flag}")  # fmt: skip
    return lines


def render_markdown(data: dict[str, Any]) -> str:
    articles = {a["id"]: a for a in data["articles"]}
    stats = data["stats"]
    lines = [
        "# Stories",
        "",
        f"{stats['stories']} stories from {stats['articles']} articles "
        f"({stats['duplicates']} duplicates, {stats['rejected']} rejected inputs).",
        "",
    ]
    for story in data["stories"]:
        lines += [f"## {_escape(story['headline'])}", "", f"`{story['id']}` · {len(story['article_ids'])} articles", ""]
        for sentence in story["summary"]:
            sources = ", ".join(
                f"{articles[c['article_id']]['source']} [{c['start']}:{c['end']}]" for c in sentence["citations"]
            )
            note = " (single source)" if sentence.get("single_source") else ""
            lines.append(f"- {_escape(sentence['text'])} — *{_escape(sources)}*{note}")
        for section, title in (("agreed", "Agreed"), ("unique", "Only one source"), ("conflicts", "Conflicts")):
            if story.get(section):
                lines += ["", f"**{title}**", ""]
                for item in story[section]:
                    if section == "conflicts":
                        sides = "; ".join(
                            f"{s['value']} ({articles[s['article_id']]['source']})" for s in item["sides"]
                        )
                        lines.append(f"- {_escape(item['about'])}: {_escape(sides)}")
                    elif section == "unique":
                        lines.append(f"- {_escape(item['text'])} — *{articles[item['article_id']]['source']}*")
                    else:
                        names = sorted({articles[c["article_id"]]["source"] for c in item["citations"]})
                        agreed_by = len({c["article_id"] for c in item["citations"]})
                        lines.append(
                            f"- {_escape(item['text'])} — agreed by {agreed_by} of {_originals(story, articles)} "
                            f"sources: *{_escape(', '.join(names))}*"
                        )
        lines += _compare_sections(story, articles)
        lines += ["", "Articles:", ""]
        for aid in story["article_ids"]:
            article = articles[aid]
            dup = f" (duplicate of `{article['duplicate_of']}`)" if article["duplicate_of"] else ""
            title = _escape(article["title"] or article["text"][:80])
            lines.append(f"- `{aid}` {article['source']}: {title}{dup}")
        lines.append("")
    if data["rejected"]:
        lines += ["## Rejected inputs", ""]
        lines += [f"- `{r['input']}`: {_escape(r['reason'])}" for r in data["rejected"]]
        lines.append("")
    return "\n".join(lines)
