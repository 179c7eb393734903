"""The ``storyline`` command: a thin layer that parses options, calls the library and prints."""

from __future__ import annotations

import json
import sys

import click

from . import __version__
from .config import Settings
from .errors import StorylineError


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
@click.option("-o", "--out", "out", type=click.Path(file_okay=False), required=True,
              help="Folder for stories.json, stories.md and index.html (created if missing).")
@click.option("--format", "fmt", default=None,
              help="Read every input with this reader instead of detecting it: text, jsonl, html, feed, warc.")
@click.option("--words", type=click.IntRange(10, 2000), default=None, help="Word budget of each summary [default: 100].")
@click.option("--threshold", type=click.FloatRange(0.0, 2.0), default=None,
              help="Clustering distance threshold; lower gives smaller, tighter stories.")
@_config_option
@_quiet_option
def digest(inputs: tuple[str, ...], out: str, fmt: str | None, words: int | None, threshold: float | None,
           config: str | None, quiet: bool) -> None:
    """Read INPUTS (files, folders, '-' for JSONL on stdin), group them into stories and write a report.

    Files may be plain text (a first line followed by a blank line is the title), JSONL (one article a line:
    id, text or html, title, url, source, published, language), HTML, RSS/Atom/JSON feeds or WARC, each
    optionally gzipped. Unreadable inputs are listed in the report with their reason; the exit status is
    non-zero only when nothing at all could be read.
    """
    from .api import digest as run_digest
    from .output import write_outputs

    try:
        settings = _settings(config, quiet, {"ingest.format": fmt, "summary.words": words, "cluster.threshold": threshold})
        result = run_digest(paths=list(inputs), settings=settings)
    except StorylineError as exc:
        _fail(str(exc))
        return
    paths = write_outputs(result, out)
    for rejected in result.rejected:
        click.echo(f"storyline: skipped {rejected}", err=True)
    if not quiet:
        s = result.stats
        click.echo(
            f"{s.stories} stories from {s.articles} articles ({s.duplicates} duplicates, {s.rejected} rejected) "
            f"-> {paths['html']}",
            err=True,
        )


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--words", type=click.IntRange(10, 2000), default=None, help="Word budget [default: 100].")
@click.option("--format", "out_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one sentence a line with its sources; json: sentences with citations.")
@click.option("--since", default=None, metavar="TIME",
              help="Only what articles published after TIME (ISO 8601, e.g. 2024-03-01T12:00) add: an update summary.")
@click.option("--verify", type=click.Choice(["static", "minilm"]), default=None,
              help="How citations are checked: static (fast) or minilm (transformer, more precise) [default: static].")
@_config_option
@_quiet_option
def summarize(inputs: tuple[str, ...], words: int | None, out_format: str, since: str | None, verify: str | None,
              config: str | None, quiet: bool) -> None:
    """Summarize all INPUTS as one story (for articles you have already grouped).

    Every sentence is followed by the articles that support it; a sentence only one article supports is marked
    (single source). With --since, only articles published after that time are summarized, and a sentence is
    left out when older articles already said it.
    """
    from datetime import datetime

    from .api import summarize as run_summarize
    from .ingest import read_inputs

    cutoff = None
    if since is not None:
        try:
            cutoff = datetime.fromisoformat(since)
        except ValueError:
            _fail(f"cannot read --since {since!r}: not an ISO 8601 time; write it like 2024-03-01 or 2024-03-01T12:00Z")
            return
    try:
        settings = _settings(config, quiet, {"summary.words": words, "summary.verifier": verify})
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
        from .summarize import summarize_update
        from .text.sentences import split_sentences

        for article in articles:
            if not article.sentences:
                article.sentences = split_sentences(article.text, article.id)
        update = summarize_update(articles, cutoff, (), settings.summary)
        summary = update.summary
        header = {"since": cutoff.isoformat(), "new_articles": update.new_article_ids,
                  "undated_articles": update.undated_article_ids}
        if update.undated_article_ids and not quiet:
            click.echo(f"storyline: {len(update.undated_article_ids)} articles have no publication time and were "
                       "not counted as new; give them a 'published' field (JSONL) to include them", err=True)
    if out_format == "json":
        from .output.json import _plain

        sentences = [{**_plain(s), "single_source": s.single_source} for s in summary]
        click.echo(json.dumps({**header, "summary": sentences}, ensure_ascii=False, indent=1))
    else:
        if cutoff is not None:
            click.echo(f"New since {cutoff.isoformat()} ({len(header['new_articles'])} new articles):")
        for sentence in summary:
            sources = ", ".join(dict.fromkeys(c.article_id for c in sentence.citations))
            marker = " (single source)" if sentence.single_source else ""
            click.echo(f"{sentence.text} [{sources}]{marker}")


@main.command("schema")
def schema() -> None:
    """Print the JSON Schema of stories.json."""
    from .output.json import load_schema

    click.echo(json.dumps(load_schema(), indent=1))


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["main"]
