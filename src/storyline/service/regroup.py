"""``storyline regroup --db``: the full rebuild, a maintenance command (the live path never needs it).

Every stored article is grouped again from scratch and the clustering state is rebuilt with the stories, both saved
in one transaction. Ids are kept where possible: a new story takes the id of the stored story that held most of its
articles; a stored story that no new story took is recorded as merged into the one that took most of its articles
(its id redirects). Cost: the whole pipeline over the whole store (``bench/live.py`` measures it).
"""

from __future__ import annotations

from collections import Counter

from ..cluster import story_id
from ..cluster.state_store import MemoryRows, load_state, save_state
from ..cluster.storyline_rows import MemoryStorylineRows, old_blob_keys
from ..config import Settings
from ..models import Article, Digest
from ..pipeline import (
    ClusterStories,
    DescribeStories,
    Executor,
    FindDuplicates,
    SplitSentences,
    Stage,
    group_storylines,
    run_pipeline,
)
from ..store import SaveReport, Store
from .live import GroupingError

__all__ = ["keep_story_ids", "regroup"]


def keep_story_ids(digest: Digest, homes: dict[str, str | None]) -> dict[str, str]:
    """Rename each new story to the stored story most of its articles were in (each stored id used once).

    Returns the renames (id the run gave -> id kept)."""
    taken: set[str] = set()
    unnamed = []
    renamed: dict[str, str] = {}
    for story in sorted(digest.stories, key=lambda s: (-len(s.article_ids), s.id)):
        votes = Counter(homes[a] for a in story.article_ids if homes.get(a))
        for old_id, _ in votes.most_common():
            if old_id and old_id not in taken:
                renamed[story.id], story.id = old_id, old_id
                taken.add(old_id)
                break
        else:
            unnamed.append(story)
    for story in unnamed:  # keeps its own id unless a renamed story already holds it (a split of that story)
        given, salt = story.id, 0
        while story.id in taken:
            salt += 1
            story.id = story_id([*story.article_ids, f"#split{salt}"])
        taken.add(story.id)
        if story.id != given:
            renamed[given] = story.id
    return renamed


def regroup(store: Store, settings: Settings, *, executor: Executor | None = None) -> SaveReport:
    """Group every stored article again and rebuild the clustering state with the stories (one transaction)."""
    with store.writer(holder="regroup", wait=settings.live.writer_wait):
        everything = store.load_digest()
        if not everything.articles:
            return SaveReport()
        homes = store.article_homes()
        fresh = MemoryRows()  # starts empty: the clustering stage builds a new state instead of loading the stored one
        cluster = ClusterStories(rows=fresh, load_articles=store.articles)
        stages: list[Stage] = [SplitSentences(), FindDuplicates(), cluster, DescribeStories()]
        articles = [_fresh(a) for a in everything.articles]
        try:
            result = run_pipeline(articles, settings, stages=stages, executor=executor)
        except ValueError as exc:
            raise GroupingError(f"could not group the {len(articles)} stored articles into stories: {exc}") from exc
        renamed = keep_story_ids(result, homes)
        state = load_state(fresh, settings.cluster)
        state.rename(renamed)
        live = {story.id for story in result.stories}
        went: dict[str, Counter[str]] = {}
        for story in result.stories:
            for aid in story.article_ids:
                old = homes.get(aid)
                if old and old not in live:
                    went.setdefault(old, Counter())[story.id] += 1
        merges = {old: counts.most_common(1)[0][0] for old, counts in went.items()}
        with store.deferred_blobs():
            save_state(store, state, replace=True)  # every row of the new state, committed with the stories
            if settings.storylines.enabled:  # storylines rebuilt over the renamed stories, saved with them
                lines = MemoryStorylineRows()
                result.storylines, gone = group_storylines(result.stories, result.articles, settings, rows=lines)
                store.put_storylines(lines.as_delta(drop_blobs=old_blob_keys(store)))  # every row, the old ones gone
                for key, data in lines.blobs.items():
                    store.put_blob(key, data)
                kept = {line.id for line in result.storylines}
                result.storylines_gone = sorted(set(gone) | (set(store.storyline_ids()) - kept))
            return store.save_digest(result, kind="regroup", merges=merges)


def _fresh(article: Article) -> Article:
    """A copy the pipeline may annotate (duplicate links and sentences are recomputed)."""
    return Article(id=article.id, text=article.text, title=article.title, source=article.source, url=article.url,
                   published=article.published, language=article.language, author=article.author,
                   input=article.input, meta=article.meta)
