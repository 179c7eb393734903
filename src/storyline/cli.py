"""The ``storyline`` command: a thin layer that parses options, calls the library and prints."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._version import __version__
from .config import ClusterOptions, Settings
from .errors import StorylineError

if TYPE_CHECKING:  # the store (and SQLAlchemy) is loaded only by the commands that open one
    from .store import Store


def _settings(config: str | None, quiet: bool, overrides: dict) -> Settings:
    settings = Settings.load(config)
    return settings.with_overrides({**overrides, "progress": False if quiet else None})


def _fail(message: str) -> None:
    click.echo(f"storyline: error: {message}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="storyline")
def main() -> None:
    """Turn news articles from many outlets into stories with cited summaries.

    Start with `storyline digest FOLDER -o OUT` and open OUT/index.html.
    """


_config_option = click.option(
    "--config", type=click.Path(exists=True, dir_okay=False), help="TOML settings file (see docs/configuration.md)."
)
_quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary line on stderr.")


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "out", type=click.Path(file_okay=False), default=None,
              help="Folder for stories.json, stories.md and index.html (created if missing); needed unless --db.")
@click.option("--db", "db", default=None, metavar="PATH|URL",
              help="Also save everything into this store (SQLite file or postgresql://…) and write OUT from the "
                   "whole store; `storyline serve --db` shows it.")
@click.option("--format", "fmt", default=None,
              help="Read every input with this reader instead of detecting it: text, jsonl, html, feed, warc, urls.")
@click.option("--fetch", "fetch", is_flag=True, default=None,
              help="Download URL inputs, URL lists, OPML feed lists and the pages of feed entries that are teasers "
                   "(polite: robots.txt, per-host delay, retries; see docs/ingest.md).")
@click.option("--words", type=click.IntRange(10, 2000), default=None,
              help="Word budget of each summary [default: 100].")
@click.option("--language", default=None, metavar="CODE",
              help="Reader's language (ISO 639-1, e.g. es): a story with articles in it is summarized from those "
                   "[default: every article].")
@click.option("--threshold", type=click.FloatRange(0.0, 2.0), default=None,
              help="Clustering distance threshold; lower gives smaller, tighter stories "
                   f"[default: {ClusterOptions().threshold} or the config file's cluster.threshold].")
@click.option("--engine", type=click.Choice(["local", "process", "dask"]), default=None,
              help="Where the work runs: this process, all cores (process pool) or Dask [default: process].")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler, e.g. tcp://host:8786 (with --engine dask); without it a local cluster starts.")
@click.option("--workers", type=click.IntRange(0, 1024), default=None,
              help="Worker processes for the process pool or local Dask cluster [default: one per core].")
@_config_option
@_quiet_option
def digest(inputs: tuple[str, ...], out: str | None, fmt: str | None, words: int | None, threshold: float | None,
           engine: str | None, scheduler: str | None, workers: int | None, config: str | None, quiet: bool,
           db: str | None = None, fetch: bool | None = None, language: str | None = None) -> None:
    """Read INPUTS (files, folders, '-' for JSONL on stdin), group them into stories and write a report.

    Files may be plain text (a first line followed by a blank line is the title), JSONL (one article a line:
    id, text or html, title, url, source, published, language), HTML, RSS/Atom/JSON feeds, OPML, WARC or URL
    lists, each optionally gzipped; inputs may also be fsspec URLs (file://, s3://) or, with --fetch, http(s)
    URLs. Unreadable inputs are listed in the report with their reason; the exit status is
    non-zero only when nothing at all could be read.
    """
    from .output import write_outputs
    from .service.digest import digest as run_digest

    if out is None and db is None:
        _fail("pass -o OUT (a folder for the report) or --db PATH (a store), or both")
        return
    try:
        overrides = {"ingest.format": fmt, "summary.words": words, "summary.language": language,
                     "cluster.threshold": threshold,
                     "fetch.enabled": fetch, "scale.engine": engine, "scale.scheduler": scheduler,
                     "scale.workers": workers}
        settings = _settings(config, quiet, overrides)
        if db is not None:
            from .service.digest import digest_into_store
            from .store import Store

            # Incremental, through the one write path: new articles join the stored stories (ids stable,
            # docs/clustering.md); articles, stories and clustering state are committed in one transaction.
            with Store.open(db or settings.store.url) as store, _waiting_note(store, quiet):
                result, saved = digest_into_store(store, list(inputs), settings)
                # The whole store is loaded only to write the report; the closing line needs counts only.
                whole = store.load_digest() if out is not None else None
                held = store.counts()
        else:
            result = run_digest(paths=list(inputs), settings=settings, packed=True)  # only written: kept packed
            whole = result
    except StorylineError as exc:
        _fail(str(exc))
        return
    for rejected in result.rejected:
        click.echo(f"storyline: skipped {rejected}", err=True)
    paths = write_outputs(whole, out) if out is not None and whole is not None else {}
    if not quiet:
        s = result.stats
        where = str(paths["html"]) if paths else str(db)
        from .output.story_view import counted

        replaced = f", {s.replaced_bytes:,} undecodable bytes replaced" if s.replaced_bytes else ""
        if s.charset_guessed:
            replaced += f", {counted(s.charset_guessed, 'article')} in a guessed charset (no declaration, not UTF-8)"

        click.echo(
            f"{counted(s.stories, 'story', 'stories')} from {counted(s.articles, 'article')} "
            f"({counted(s.duplicates, 'duplicate')}, {s.rejected:,} rejected{replaced}) -> {where}",
            err=True,
        )
        if db is not None:
            click.echo(
                f"store {db}: {counted(saved.articles_new, 'new article')}, {saved.stories_new:,} new and "
                f"{saved.stories_changed:,} changed stories; it holds {counted(held['stories'], 'story', 'stories')} "
                f"from {counted(held['articles'], 'article')}",
                err=True,
            )


@main.command()
@click.argument("inputs", nargs=-1, required=False)
@click.option("--words", type=click.IntRange(10, 2000), default=None, help="Word budget [default: 100].")
@click.option("--language", default=None, metavar="CODE",
              help="Reader's language (ISO 639-1, e.g. es): summarize from the articles in it when there are any.")
@click.option("--format", "out_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one sentence a line with its sources; json: sentences with citations.")
@click.option("--since", default=None, metavar="TIME",
              help="Only what articles published after TIME (ISO 8601, e.g. 2024-03-01T12:00) add: an update summary.")
@click.option("--verify", type=click.Choice(["auto", "static", "minilm"]), default=None,
              help="How citations are checked: static (fast), minilm (precise) or auto (minilm for small stories).")
@click.option("--db", "db", default=None, metavar="PATH|URL",
              help="With --since and no INPUTS: update summaries of every story in this store changed since TIME.")
@_config_option
@_quiet_option
def summarize(inputs: tuple[str, ...], words: int | None, out_format: str, since: str | None, verify: str | None,
              db: str | None, config: str | None, quiet: bool, language: str | None = None) -> None:
    """Summarize all INPUTS as one story (for articles you have already grouped).

    Every sentence is followed by the articles that support it; a sentence only one article supports is marked
    (single source). With --since, only articles published after that time are summarized, and a sentence is
    left out when older articles already said it.
    """
    from .ingest import read_inputs
    from .service.digest import summarize as run_summarize

    cutoff = None
    if since is not None:
        try:
            cutoff = datetime.fromisoformat(since)
        except ValueError:
            _fail(f"cannot read --since {since!r}: not an ISO 8601 time; write it like 2024-03-01 or 2024-03-01T12:00Z")
            return
    if db is not None or not inputs:
        if db is None or cutoff is None or inputs:
            _fail("give INPUT files to summarize as one story, or --db PATH with --since TIME (not both)")
            return
        _summarize_store(db, cutoff, out_format, _settings(config, quiet, {"summary.words": words,
                                                                           "summary.verifier": verify,
                                                                           "summary.language": language}))
        return
    try:
        settings = _settings(config, quiet, {"summary.words": words, "summary.verifier": verify,
                                             "summary.language": language})
        articles, rejected, _ = read_inputs(list(inputs), settings.ingest)
    except StorylineError as exc:
        _fail(str(exc))
        return
    for item in rejected:
        click.echo(f"storyline: skipped {item}", err=True)
    if not articles:
        _fail("no article could be read from " + ", ".join(inputs))
    header: dict = {}
    if cutoff is None:
        summary = run_summarize(articles, settings=settings)
    else:
        from .summary import summarize_update
        from .text.sentences import ensure_sentences

        ensure_sentences(articles)
        update = summarize_update(articles, cutoff, (), settings.summary)
        summary = update.summary
        header = {"since": cutoff.isoformat(), "new_articles": update.new_article_ids,
                  "undated_articles": update.undated_article_ids}
        if update.undated_article_ids and not quiet:
            click.echo(f"storyline: {len(update.undated_article_ids)} articles have no publication time and were "
                       "not counted as new; give them a 'published' field (JSONL) to include them", err=True)
    if out_format == "json":
        from .serialize import sentence_to_dict

        sentences = [sentence_to_dict(s) for s in summary]
        click.echo(json.dumps({**header, "summary": sentences}, ensure_ascii=False, indent=1))
    else:
        if cutoff is not None:
            click.echo(f"New since {cutoff.isoformat()} ({len(header['new_articles'])} new articles):")
        for sentence in summary:
            sources = ", ".join(dict.fromkeys(c.article_id for c in sentence.citations))
            marker = " (single source)" if sentence.single_source else ""
            click.echo(f"{sentence.text} [{sources}]{marker}")


_db_option = click.option("--db", "db", default=None, metavar="PATH|URL",
                          help="Store: a SQLite file or postgresql://… [default: storyline.db in the user's data dir].")


@main.command()
@_db_option
@click.option("--host", default=None, help="Address to bind [default: 127.0.0.1]; others need --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port [default: 8000].")
@click.option("--token", default=None, envvar="STORYLINE_WEB_TOKEN",
              help="Token for writing (POST /api/articles, /api/ingest) and for reading from other hosts.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes (each opens the store; use about one per core).")
@_config_option
@click.option("-q", "--quiet", is_flag=True, help="No start-up line, no access log; only warnings on stderr.")
def serve(db: str | None, host: str | None, port: int | None, token: str | None, config: str | None,
          quiet: bool, workers: int = 1) -> None:
    """Serve the web app and the JSON API (docs at /api/docs) over the store that `digest --db` fills."""
    import uvicorn

    from .store import Store
    from .web import create_app
    from .web.auth import is_loopback

    try:
        settings = _settings(config, quiet, {"web.host": host, "web.port": port, "web.token": token})
        if not is_loopback(settings.web.host) and not settings.web.token:
            _fail(f"refusing to serve on {settings.web.host}: other hosts could read the store; "
                  "pass --token TOKEN (or bind 127.0.0.1)")
        store = Store.open(db or settings.store.url)
    except StorylineError as exc:
        _fail(str(exc))
        return
    if not quiet:
        counts = store.counts()
        click.echo(f"storyline: serving {counts['stories']} stories ({store.dialect}) on "
                   f"http://{settings.web.host}:{settings.web.port}/  (API docs: /api/docs)", err=True)
    log_level = "warning" if quiet else "info"
    if workers > 1:
        from .web.workers import export_for_workers

        store.close()
        export_for_workers(db or settings.store.url, settings)
        uvicorn.run("storyline.web.workers:app_from_environment", factory=True, workers=workers,
                    host=settings.web.host, port=settings.web.port, log_level=log_level, access_log=not quiet)
        return
    uvicorn.run(create_app(store, settings), host=settings.web.host, port=settings.web.port,
                log_level=log_level, access_log=not quiet)


@main.command()
@click.argument("folders", nargs=-1)
@_db_option
@click.option("--feeds", "feeds", type=click.Path(exists=True, dir_okay=False), default=None,
              help="OPML file listing the feeds to poll.")
@click.option("--interval", type=click.FloatRange(0.0), default=None, help="Seconds between rounds [default: 300].")
@click.option("--rounds", type=click.IntRange(1), default=None, help="Stop after this many rounds [default: never].")
@_config_option
@_quiet_option
def watch(folders: tuple[str, ...], db: str | None, feeds: str | None, interval: float | None, rounds: int | None,
          config: str | None, quiet: bool) -> None:
    """Keep ingesting FOLDERS and feeds into the store and updating its stories (open story pages refresh)."""
    from .service.watch import WatchRound, read_opml
    from .service.watch import watch as run_watch
    from .store import Store

    if not folders and not feeds:
        _fail("nothing to watch: pass one or more FOLDERS and/or --feeds subscriptions.opml")
    try:
        settings = _settings(config, quiet, {"watch.interval": interval})
        urls = read_opml(feeds) if feeds else []
        store = Store.open(db or settings.store.url)
    except StorylineError as exc:
        _fail(str(exc))
        return

    def report(result: WatchRound) -> None:
        for rejected in result.rejected:
            click.echo(f"storyline: skipped {rejected}", err=True)
        if result.error:
            click.echo(f"storyline: error: {result.error}", err=True)
        if not quiet:
            s = result.saved
            click.echo(f"watch: {result.files} files, {result.feeds} feeds -> {result.articles} new articles "
                       f"({result.already_stored} already stored, {len(result.rejected)} rejected); "
                       f"{s.stories_new} new, {s.stories_changed} changed stories", err=True)

    try:
        with _waiting_note(store, quiet):
            run_watch(store, list(folders), urls, settings, rounds=rounds, report=report)
    except KeyboardInterrupt:
        click.echo("watch: stopped", err=True)
    except StorylineError as exc:
        _fail(str(exc))
    finally:
        store.close()


@contextmanager
def _waiting_note(store: Store, quiet: bool) -> Iterator[None]:
    """Say on stderr when this command has to wait for another writer of the store (``live.writer_wait``)."""
    def note(holder: str) -> None:
        click.echo(f"storyline: waiting for the other writer of this store to finish ({holder})", err=True)

    store.on_writer_wait = None if quiet else note
    try:
        yield
    finally:
        store.on_writer_wait = None


@main.command()
@_db_option
@click.option("--once", is_flag=True, help="Group what is pending now, then exit (instead of waiting for more).")
@_config_option
@_quiet_option
def worker(db: str | None, once: bool, config: str | None, quiet: bool) -> None:
    """Group the articles posted to the web API (its write jobs) into stories, batch by batch.

    `storyline serve` runs this worker as a child process unless web.worker is false; run it as its own process beside
    several web servers on PostgreSQL. Only one writer works on a store at a time: a second worker, `watch` or
    `digest --db` waits for it (live.writer_wait). A worker killed mid-batch loses nothing: the next one finishes.
    """
    from .service.worker import run_worker
    from .store import Store

    try:
        settings = _settings(config, quiet, {})
        store = Store.open(db or settings.store.url)
    except StorylineError as exc:
        _fail(str(exc))
        return

    def report(job: dict) -> None:
        if job["error"]:
            click.echo(f"storyline: error: job {job['id']} failed: {job['error']}", err=True)
        elif not quiet:
            saved = job["saved"]
            click.echo(f"worker: job {job['id']} done: {job['grouped']} articles, {saved.get('stories_new', 0)} "
                       f"new and {saved.get('stories_changed', 0)} changed stories", err=True)

    try:
        with _waiting_note(store, quiet):
            done = run_worker(store, settings, once=once, report=report)
    except KeyboardInterrupt:
        click.echo("worker: stopped", err=True)
        return
    except StorylineError as exc:
        _fail(str(exc))
        return
    finally:
        store.close()
    if not quiet:
        click.echo(f"worker: {done.jobs} jobs ({done.failed} failed), {done.articles} articles grouped", err=True)


@main.command()
@_db_option
@_config_option
@_quiet_option
def regroup(db: str | None, config: str | None, quiet: bool) -> None:
    """Maintenance: group every stored article into stories again and rebuild the clustering state with them.

    Never needed in normal use (digest --db, watch and the API add articles incrementally); use it after changing
    clustering settings. Story ids are kept where a new story holds most of an old one's articles; a story that
    disappears redirects to the one that took most of its articles. Its cost grows with the whole store.
    """
    from .service.regroup import regroup as run_regroup
    from .store import Store

    try:
        settings = _settings(config, quiet, {})
        with Store.open(db or settings.store.url) as store, _waiting_note(store, quiet):
            saved = run_regroup(store, settings)
            held = store.counts()
    except StorylineError as exc:
        _fail(str(exc))
        return
    if not quiet:
        click.echo(f"regroup: {saved.stories_new} new, {saved.stories_changed} changed, {saved.stories_emptied} "
                   f"merged-away stories; the store holds {held['stories']} stories from {held['articles']} "
                   "articles", err=True)


def _summarize_store(db: str, since: datetime, out_format: str, settings: Settings) -> None:
    """``summarize --db --since``: the update summary of every story of the store changed since ``since``."""
    from .serialize import sentence_to_dict
    from .store import Store
    from .summary.history import updates_since

    try:
        with Store.open(db) as store:
            updates = updates_since(store, since, settings.summary)
    except StorylineError as exc:
        _fail(str(exc))
        return
    if out_format == "json":
        stories = [{"id": u.story_id, "headline": u.headline, "previous_version": u.previous_version,
                    "new_articles": u.update.new_article_ids, "undated_articles": u.update.undated_article_ids,
                    "summary": [sentence_to_dict(s) for s in u.update.summary]}
                   for u in updates]
        click.echo(json.dumps({"since": since.isoformat(), "stories": stories}, ensure_ascii=False, indent=1))
        return
    for u in updates:
        click.echo(f"# {u.headline} ({u.story_id}): {len(u.update.new_article_ids)} new articles since "
                   f"{since.isoformat()}")
        for sentence in u.update.summary:
            sources = ", ".join(dict.fromkeys(c.article_id for c in sentence.citations))
            click.echo(f"{sentence.text} [{sources}]" + (" (single source)" if sentence.single_source else ""))


@main.command()
@click.option("--build", is_flag=True, help="Build the models that are not built yet.")
def models(build: bool) -> None:
    """The models storyline builds from weights its packages ship: where they are kept and whether they are built.

    Nothing is downloaded. On first use storyline distils its static sentence model from MiniLM (model2vec) and
    writes MiniLM's int8 graph for ONNX Runtime, once per machine (in $STORYLINE_CACHE, else ~/.cache/storyline).
    --build does it now, e.g. when you build a container image, so that the first digest does not wait for it.
    """
    from . import embed
    from .ingest import language

    for name, marker, make in _models(embed, language):
        if build and marker is not None and not marker.exists():
            try:
                make()
            except StorylineError as exc:
                _fail(f"{name}: {exc}")
                return
        if marker is None:
            click.echo(f"{name}: its packages are not installed")
            continue
        kept = marker if marker.suffix == ".onnx" else marker.parent  # a file, or the folder the marker completes
        click.echo(f"{name}: {'built' if marker.exists() else 'not built yet'}, {kept}")


def _models(embed: Any, language: Any) -> list[tuple[str, Path | None, Callable[[], object]]]:
    """(name, the file that marks it built, or None when its packages are not installed; its builder)."""
    int8 = None
    if embed.minilm_runtime() == "onnxruntime":
        import onnxruntime

        int8 = embed.minilm_int8_path(onnxruntime.__version__)
    static = embed.static_model_path() / "model.safetensors" if embed._importable("model2vec") else None
    return [
        ("static sentence model (model2vec, distilled from MiniLM)", static, embed.StaticEmbedder),
        ("MiniLM int8 graph (ONNX Runtime)", int8, embed.MiniLMInt8Embedder),
        ("language identification arrays (py3langid)", language.unpacked_model_marker(), language.unpack_model),
    ]


@main.command("schema")
def schema() -> None:
    """Print the JSON Schema of stories.json."""
    from .output.json import load_schema

    click.echo(json.dumps(load_schema(), indent=1))


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["main"]
