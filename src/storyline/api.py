"""The Python API: ``digest()`` over paths or articles, ``summarize()`` over one group of articles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .config import Settings
from .errors import NothingToReadError
from .models import Article, Digest, Rejected, SummarySentence
from .pipeline import model_packages, run_pipeline

if TYPE_CHECKING:
    from .store import Store


def digest(
    articles: Iterable[Article] | None = None,
    *,
    paths: Sequence[str] = (),
    settings: Settings | None = None,
    incremental: Store | None = None,
) -> Digest:
    """Group ``articles`` (and the articles read from ``paths``) into cited stories.

    With ``incremental`` (a ``storyline.store.Store``) the articles join the stories of earlier runs kept there
    (docs/clustering.md); the digest then holds every story this run touched, with all of its articles. The
    clustering state is written to the store at once, the digest is not saved: to save articles, stories and state
    together (what ``digest --db`` does) call ``storyline.service.add_articles``.

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
        from .service.live import incremental_stages

        stages, _ = incremental_stages(incremental)
    # One executor for the whole run (settings.scale.engine): workers and their loaded models serve every stage.
    with open_executor(settings.scale, progress=settings.progress, preload=model_packages(settings)) as executor:
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
    from .text.sentences import ensure_sentences

    settings = settings or Settings()
    ensure_sentences(articles)
    summary, _ = summarize_story(list(articles), settings.summary)
    return summary
