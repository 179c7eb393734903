"""Settings are checked when they are loaded: a value outside a setting's choices fails at once, naming them."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline import ConfigError, Settings
from storyline.config import CompareOptions, IngestOptions, ScaleOptions, SummaryOptions


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ScaleOptions(engine="gpu"), "scale.engine must be one of local, process, dask; got 'gpu'"),
        (lambda: SummaryOptions(verifier="nli"), "summary.verifier must be one of auto, static, minilm"),
        (lambda: SummaryOptions(embedder="bert"), "summary.embedder must be one of static, minilm, tfidf"),
        (lambda: CompareOptions(embedder="x"), "compare.embedder must be one of auto, static, minilm, cascade"),
        (lambda: CompareOptions(conflict_match="fuzzy"), "compare.conflict_match must be one of counted, context"),
        (lambda: CompareOptions(model_sentences=-1), "compare.model_sentences must be 0 (no bound) or more; got -1"),
        (lambda: CompareOptions(cascade_units=-2), "compare.cascade_units must be 0 (no bound) or more; got -2"),
        (lambda: IngestOptions(format="pdf"), "ingest.format must be one of auto, text, jsonl, html, feed, warc"),
    ],
)
def test_choices_are_checked_when_built(make, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make()
    assert message in str(caught.value)


def test_toml_environment_and_overrides_are_checked_at_load(tmp_path: Path) -> None:
    config = tmp_path / "storyline.toml"
    config.write_text('[scale]\nengine = "spark"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"scale\.engine must be one of"):
        Settings.load(config, env={})
    with pytest.raises(ConfigError, match=r"summary\.verifier must be one of"):
        Settings.load(env={"STORYLINE_SUMMARY_VERIFIER": "nli"})
    with pytest.raises(ConfigError, match=r"compare\.enabled must be true or false, got 'maybe'"):
        Settings.load(env={"STORYLINE_COMPARE_ENABLED": "maybe"})
    assert Settings.load(env={"STORYLINE_COMPARE_ENABLED": "off"}).compare.enabled is False
    assert Settings().with_overrides({"scale.engine": "local"}).scale.engine == "local"


def test_cli_reports_a_bad_choice_before_reading(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from storyline.cli import main

    result = CliRunner().invoke(main, ["digest", str(tmp_path), "--format", "pdf", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "ingest.format must be one of auto, text, jsonl, html, feed, warc, urls; got 'pdf'" in result.output


def test_a_moved_setting_names_its_new_key_in_files_and_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "storyline.toml"
    config.write_text("[ingest]\nfetch = true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"is now fetch\.enabled \(environment: STORYLINE_FETCH_ENABLED\)"):
        Settings.load(config, env={})
    with pytest.raises(ConfigError, match=r"ingest\.fetch is now fetch\.enabled"):
        Settings.load(env={"STORYLINE_INGEST_FETCH": "1"})
    assert Settings.load(env={"STORYLINE_FETCH_ENABLED": "1"}).fetch.enabled
    assert not Settings().fetch.enabled
    # one setting for the reading and the work processes: scale.workers
    config.write_text("[ingest]\nworkers = 2\n", encoding="utf-8")
    moved = r"ingest\.workers is now scale\.workers \(environment: STORYLINE_SCALE_WORKERS\)"
    with pytest.raises(ConfigError, match=moved):
        Settings.load(config, env={})
    with pytest.raises(ConfigError, match=r"ingest\.workers is now scale\.workers"):
        Settings.load(env={"STORYLINE_INGEST_WORKERS": "2"})
    assert Settings.load(env={"STORYLINE_SCALE_WORKERS": "2"}).scale.workers == 2


def test_live_batch_sizes_are_checked_when_loaded() -> None:
    from storyline.config import LiveOptions

    with pytest.raises(ConfigError, match="max_batch_size"):
        LiveOptions(batch_size=100, max_batch_size=50)
    assert LiveOptions(batch_size=100, max_batch_size=100).max_batch_size == 100
