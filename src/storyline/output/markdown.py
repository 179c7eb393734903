"""``stories.md``: the stories as Markdown, each summary sentence followed by its sources."""

from __future__ import annotations

from typing import Any


def _escape(text: str) -> str:
    """Article text as inert Markdown: no raw HTML, and no ``[x](javascript:...)`` links."""
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("[", "\\[").replace("]", "\\]")


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
                        sides = "; ".join(f"{s['value']} ({articles[s['article_id']]['source']})" for s in item["sides"])
                        lines.append(f"- {_escape(item['about'])}: {_escape(sides)}")
                    elif section == "unique":
                        lines.append(f"- {_escape(item['text'])} — *{articles[item['article_id']]['source']}*")
                    else:
                        lines.append(f"- {_escape(item['text'])} — {len(item['citations'])} sources")
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
