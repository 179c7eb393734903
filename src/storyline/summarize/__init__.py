"""Multi-document extractive summaries in which every sentence cites the articles that support it."""

from .headline import choose_headline
from .select import summarize_story

__all__ = ["choose_headline", "summarize_story"]
