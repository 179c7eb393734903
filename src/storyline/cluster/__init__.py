"""Group articles into stories: features, batch clustering and stable story ids."""

from .batch import cluster_articles, story_id

__all__ = ["cluster_articles", "story_id"]
