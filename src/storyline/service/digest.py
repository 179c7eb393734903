"""The batch runs: ``digest()`` over paths or articles (the Python API and ``storyline digest``), ``summarize()``
over one group of articles, and ``digest_into_store()`` (``storyline digest --db``: the articles read join the
store's stories through the live path, ``live.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import NothingToReadError
from ..models import Article, Digest, Rejected, SummarySentence

if TYPE_CHECKING:
    from ..pipeline import Executor
    from ..store import SaveReport, Store

__all__ = ["digest", "digest_into_store", "summarize"]


def _read(paths: Sequence[str], settings: Settings, executor: Executor,
          given: int) -> tuple[list[Article], list[Rejected], int]:
    """The articles of ``paths``, the rejects with their reasons, and the number of inputs listed; fails when
    ``paths`` give nothing and no article was ``given`` either."""
    from ..scale.reading import read_inputs_parallel

    if not paths:
        return [], [], 0
    read, rejected, files = read_inputs_parallel(paths, settings.ingest, executor, settings.fetch)
    if not read and not given:
        raise NothingToReadError(
            "no article could be read from " + ", ".join(paths) + ": " + "; ".join(str(r) for r in rejected[:5])
        )
    return read, rejected, files


def digest(
    articles: Iterable[Article] | None = None,
    *,
    paths: Sequence[str] = (),
    settings: Settings | None = None,
    incremental: Store | None = None,
    packed: bool = False,
) -> Digest:
    """Group ``articles`` (and the articles read from ``paths``) into cited stories.

    The digest's ``stories`` are a list; with ``packed`` they stay as the pipeline keeps them, a
    ``models.PackedStories`` (each compressed until read, and each read gives a new ``Story``): what
    ``storyline digest`` does, which only writes them (at 100k articles ~0.6 GB less, bench/RESULTS.md, issue 15).

    With ``incremental`` (a ``storyline.store.Store``) the articles join the stories of earlier runs kept there
    (docs/clustering.md); the digest then holds every story this run touched, with all of its articles. The
    clustering state is written to the store at once, the digest is not saved: to save articles, stories and state
    together (what ``digest --db`` does) call ``storyline.service.add_articles``.

    >>> from storyline import Article, digest
    >>> result = digest([Article(id="a", text="A dam broke in Lowtown on Monday. Ten homes flooded.")])
    >>> len(result.stories)
    1
    """
    from ..pipeline import model_packages, run_pipeline
    from ..scale import open_executor

    settings = settings or Settings()
    given = list(articles or [])
    stages = None
    if incremental is not None:
        from .live import incremental_stages

        stages, _ = incremental_stages(incremental)
    # One executor for the whole run (settings.scale.engine): workers and their loaded models serve every stage;
    # a pool's workers start with the model packages imported (model_packages).
    with open_executor(settings.scale, progress=settings.progress, preload=model_packages(settings)) as executor:
        read, rejected, files = _read(paths, settings, executor, len(given))
        result = run_pipeline([*given, *read], settings, rejected=rejected, inputs=len(given) + files,
                              executor=executor, stages=stages)
    if not packed and not isinstance(result.stories, list):
        result.stories = list(result.stories)
    return result


def summarize(articles: Sequence[Article], *, settings: Settings | None = None) -> list[SummarySentence]:
    """A cited summary of ``articles`` treated as one story."""
    from ..summary import summarize_story
    from ..text.sentences import ensure_sentences

    settings = settings or Settings()
    ensure_sentences(articles)
    summary, _ = summarize_story(list(articles), settings.summary)
    return summary


def digest_into_store(store: Store, paths: Sequence[str], settings: Settings,
                      articles: Sequence[Article] = ()) -> tuple[Digest, SaveReport]:
    """Read ``paths`` (and take ``articles``), group them into the stored stories and save it all in one
    transaction. Returns the run's digest (the stories it touched) and what the save changed."""
    from ..pipeline import model_packages
    from ..scale import open_executor
    from .live import group_into_store

    with open_executor(settings.scale, progress=settings.progress, preload=model_packages(settings)) as executor:
        read, rejected, files = _read(paths, settings, executor, len(articles))
        return group_into_store(store, [*articles, *read], settings, rejected=rejected,
                                inputs=len(articles) + files, kind="digest", executor=executor)
