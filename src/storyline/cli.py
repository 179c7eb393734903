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
@click.option("--engine", type=click.Choice(["local", "process", "dask"]), default=None,
              help="Where the work runs: this process, all cores (process pool) or Dask [default: process].")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler, e.g. tcp://host:8786 (with --engine dask); without it a local cluster starts.")
@click.option("--workers", type=click.IntRange(0, 1024), default=None,
              help="Worker processes for the process pool or local Dask cluster [default: one per core].")
@_config_option
@_quiet_option
def digest(inputs: tuple[str, ...], out: str, fmt: str | None, words: int | None, threshold: float | None,
           engine: str | None, scheduler: str | None, workers: int | None, config: str | None, quiet: bool) -> None:
    """Read INPUTS (files, folders, '-' for JSONL on stdin), group them into stories and write a report.

    Files may be plain text (a first line followed by a blank line is the title), JSONL (one article a line:
    id, text or html, title, url, source, published, language), HTML, RSS/Atom/JSON feeds or WARC, each
    optionally gzipped. Unreadable inputs are listed in the report with their reason; the exit status is
    non-zero only when nothing at all could be read.
    """
    from .api import digest as run_digest
    from .output import write_outputs

    try:
        overrides = {"ingest.format": fmt, "summary.words": words, "cluster.threshold": threshold,
                     "scale.engine": engine, "scale.scheduler": scheduler, "scale.workers": workers}
        settings = _settings(config, quiet, overrides)
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
@_config_option
@_quiet_option
def summarize(inputs: tuple[str, ...], words: int | None, out_format: str, config: str | None, quiet: bool) -> None:
    """Summarize all INPUTS as one story (for articles you have already grouped)."""
    from .api import summarize as run_summarize
    from .ingest import read_inputs

    try:
        settings = _settings(config, quiet, {"summary.words": words})
        articles, rejected, _ = read_inputs(list(inputs), settings.ingest)
    except StorylineError as exc:
        _fail(str(exc))
        return
    for item in rejected:
        click.echo(f"storyline: skipped {item}", err=True)
    if not articles:
        _fail("no article could be read from " + ", ".join(inputs))
    summary = run_summarize(articles, settings=settings)
    if out_format == "json":
        from .output.json import _plain

        click.echo(json.dumps({"summary": _plain(summary)}, ensure_ascii=False, indent=1))
    else:
        for sentence in summary:
            sources = ", ".join(sorted({c.article_id for c in sentence.citations}))
            click.echo(f"{sentence.text} [{sources}]")


@main.command("schema")
def schema() -> None:
    """Print the JSON Schema of stories.json."""
    from .output.json import load_schema

    click.echo(json.dumps(load_schema(), indent=1))


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["main"]
