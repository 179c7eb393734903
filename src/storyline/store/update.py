"""Group the store's pending articles into stories: the step behind ``watch`` and the ``POST`` API.

Today it re-runs the pipeline over every stored article (correct, O(all articles)); the incremental assignment of
the clustering component can replace ``regroup`` without changing its callers. Story ids stay stable: a new group
keeps the id of the stored story that holds most of its articles.
"""

from __future__ import annotations

from collections import Counter

from ..cluster import story_id
from ..config import Settings
from ..errors import StoreError
from ..models import Article, Digest, Rejected
from ..pipeline import run_pipeline
from .repository import SaveReport, Store

__all__ = ["GroupingError", "add_and_regroup", "keep_story_ids", "regroup"]


class GroupingError(StoreError):
    """The stored articles could not be grouped into stories; they stay stored and pending."""


def keep_story_ids(digest: Digest, homes: dict[str, str | None]) -> None:
    """Rename each new story to the stored story most of its articles were in (each stored id used once)."""
    taken: set[str] = set()
    unnamed = []
    for story in sorted(digest.stories, key=lambda s: (-len(s.article_ids), s.id)):
        votes = Counter(homes[a] for a in story.article_ids if homes.get(a))
        for old_id, _ in votes.most_common():
            if old_id and old_id not in taken:
                story.id = old_id
                taken.add(old_id)
                break
        else:
            unnamed.append(story)
    for story in unnamed:  # keeps its own id unless a renamed story already holds it (a split of that story)
        salt = 0
        while story.id in taken:
            salt += 1
            story.id = story_id([*story.article_ids, f"#split{salt}"])
        taken.add(story.id)


def regroup(store: Store, settings: Settings, *, kind: str = "regroup") -> SaveReport:
    """Group every stored article (pending ones included) into stories and save the result."""
    everything = store.load_digest()
    if not everything.articles:
        return SaveReport()
    homes = store.article_homes()
    articles = [_fresh(a) for a in everything.articles]
    try:
        result = run_pipeline(articles, settings)
    except ValueError as exc:  # e.g. no article has a content word: the clustering has no vocabulary
        raise GroupingError(
            f"could not group the {len(articles)} stored articles into stories: {exc}; the new articles are stored "
            "and stay pending (see /status)"
        ) from exc
    keep_story_ids(result, homes)
    return store.save_digest(result, kind=kind)


def add_and_regroup(store: Store, articles: list[Article], rejected: list[Rejected], settings: Settings, *,
                    kind: str) -> SaveReport:
    """Save new articles (and rejects), then regroup when there was anything new."""
    added = store.save_articles(articles, rejected, kind=kind)
    if not articles:
        return added
    grouped = regroup(store, settings, kind=kind)
    grouped.articles_new, grouped.articles_updated = added.articles_new, added.articles_updated
    grouped.rejects_new, grouped.rejects_seen_again = added.rejects_new, added.rejects_seen_again
    return grouped


def _fresh(article: Article) -> Article:
    """A copy the pipeline may annotate (duplicate links and sentences are recomputed)."""
    return Article(id=article.id, text=article.text, title=article.title, source=article.source, url=article.url,
                   published=article.published, language=article.language, author=article.author,
                   input=article.input, meta=article.meta)
