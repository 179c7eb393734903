"""Multi-document extractive summaries in which every sentence cites the articles that support it."""

from .headline import choose_headline
from .select import summarize_story
from .update import UpdateSummary, summarize_update

__all__ = ["UpdateSummary", "choose_headline", "summarize_story", "summarize_update"]
