"""The one check every article passes before it is kept, whatever brought it (a reader, the web API, watch)."""

from __future__ import annotations

from ..config import IngestOptions
from ..models import Article, Rejected
from .language import detect_language

__all__ = ["validate_article"]


def validate_article(article: Article, options: IngestOptions) -> Article | Rejected:
    """``article`` (its language detected when unknown and ``ingest.detect_language``), or why it is refused:
    an id and a text between ``ingest.min_article_chars`` and ``ingest.max_article_chars`` characters."""
    where = f"{article.input} (id {article.id})"
    if not article.id or not article.id.strip():
        return Rejected(where, "article has no id")
    if len(article.text.strip()) < options.min_article_chars:
        return Rejected(where, f"text shorter than {options.min_article_chars} characters")
    if len(article.text) > options.max_article_chars:
        return Rejected(where, f"text longer than {options.max_article_chars:,} characters (ingest.max_article_chars)")
    if article.language is None and options.detect_language:
        article.language = detect_language(article.text)
    return article
