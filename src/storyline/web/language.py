"""The reader's language on a story page and in the API (``?lang=es``): the story's summary made again from its
articles in that language (``summary.language``), each sentence marked with its language and cited from the
story's stored comparison (``compare.claims.cite_from_facts``): a sentence an agreed fact holds cites that fact's
articles in every language, so its "N sources" is the comparison's agreement.

The stored story keeps the summary of ``summary.language`` as set when it was described; a page or API call asking
for another language the story has articles in gets one made on request from the stored articles (cached like any
response until the store changes). A language the story has no article in leaves the story as stored.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..config import Settings
from ..serialize import sentence_to_dict
from ..store import Store

LANGUAGE = re.compile(r"[a-z]{2,3}")
"""What ``?lang=`` takes: an ISO 639-1 (or 639-3) code, lower case."""


def reader_language(raw: str | None) -> str | None:
    """The code ``?lang=`` asks for (None when absent or not a language code: the page shows the story as stored)."""
    value = (raw or "").strip().lower()
    return value if LANGUAGE.fullmatch(value) else None


def story_in_language(store: Store, body: dict[str, Any], language: str | None, settings: Settings) -> dict[str, Any]:
    """``body`` (a stored story) with its summary in ``language`` and ``summary_language`` set, when the story has
    articles in it; else ``body`` unchanged."""
    if not language or language not in (body.get("languages") or []):
        return body
    from ..compare.claims import cite_from_facts
    from ..models import Citation, Claim, UniqueFact
    from ..summary import summarize_story
    from ..text.sentences import ensure_sentences

    articles = store.articles(body["article_ids"])
    originals = [a for a in articles if a.duplicate_of is None] or articles
    ensure_sentences(originals)
    summary, _ = summarize_story(originals, replace(settings.summary, language=language))
    summary = cite_from_facts(summary, [Claim(c["text"], [Citation(**x) for x in c["citations"]])
                                        for c in body.get("agreed") or []],
                              [UniqueFact(**u) for u in body.get("unique") or []])  # fmt: skip
    return {**body, "summary": [sentence_to_dict(s) for s in summary], "summary_language": language}
