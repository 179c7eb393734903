"""The Python API: ``digest()`` over paths or articles, ``summarize()`` over one group of articles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .config import Settings
from .errors import NothingToReadError
from .models import Article, Digest, Rejected, SummarySentence
from .pipeline import run_pipeline


def digest(
    articles: Iterable[Article] | None = None,
    *,
    paths: Sequence[str] = (),
    settings: Settings | None = None,
    incremental: Any = None,
) -> Digest:
    """Group ``articles`` (and the articles read from ``paths``) into cited stories.

    With ``incremental`` (a ``storyline.store.Store``, or anything with ``get_blob``, ``put_blob`` and
    ``articles(ids)``) the articles join the stories of earlier runs kept there (docs/clustering.md); the digest
    then holds every story this run touched, with all of its articles.

    >>> from storyline import Article, digest
    >>> result = digest([Article(id="a", text="A dam broke in Lowtown on Monday. Ten homes flooded.")])
    >>> len(result.stories)
    1
    """
    from .scale import open_executor
    from .scale.reading import read_inputs_parallel

    settings = settings or Settings()
    given = list(articles or [])
    rejected: list[Rejected] = []
    inputs = len(given)
    stages = None
    if incremental is not None:
        from .pipeline import DEFAULT_STAGES, ClusterStories, FindDuplicates, Stage

        # a store that keeps near-duplicate keys (Store does) also catches copies of articles earlier runs stored
        stored = incremental if hasattr(incremental, "dedup_candidates") else None
        made: dict[object, Stage] = {
            ClusterStories: ClusterStories(blobs=incremental, load_articles=incremental.articles),
            FindDuplicates: FindDuplicates(stored=stored),
        }
        stages = [made[make] if make in made else make() for make in DEFAULT_STAGES]
    # One executor for the whole run (settings.scale.engine): workers and their loaded models serve every stage.
    with open_executor(settings.scale, progress=settings.progress) as executor:
        if paths:
            read, rejected, files = read_inputs_parallel(paths, settings.ingest, executor, settings.fetch)
            given += read
            inputs += files
        if paths and not given:
            raise NothingToReadError(
                "no article could be read from " + ", ".join(paths) + ": " + "; ".join(str(r) for r in rejected[:5])
            )
        return run_pipeline(given, settings, rejected=rejected, inputs=inputs, executor=executor, stages=stages)


def summarize(articles: Sequence[Article], *, settings: Settings | None = None) -> list[SummarySentence]:
    """A cited summary of ``articles`` treated as one story."""
    from .summarize import summarize_story
    from .text.sentences import split_sentences

    settings = settings or Settings()
    for article in articles:
        if not article.sentences:
            article.sentences = split_sentences(article.text, article.id)
    summary, _ = summarize_story(list(articles), settings.summary)
    return summary
