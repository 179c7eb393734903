"""The API contract: schemathesis with all its checks against a live ``storyline serve`` on loopback (issue 17),
over SQLite and PostgreSQL.

The real command serves a store holding the demo corpus over HTTP; schemathesis's own CLI (``st run``) generates
requests from ``/api/openapi.json`` and checks every answer: status codes and media types as declared, response
schemas, invalid parameters refused (``until=0.5``), valid ones accepted, ``Allow`` on 405, the token enforced.
Any finding fails the test with schemathesis's report. The worker is off (``STORYLINE_WEB_WORKER=false``) so that
posted articles stay pending instead of being grouped while the run goes on: the run checks the HTTP contract.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from storehelp import BACKENDS, filled_store, fresh_database

from conftest import ROOT

TOKEN = "contract-token"
SEED = "20261206"  # fixed: the same requests every run, so a finding is reproducible (`st replay` ids in the report)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module", params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """``storyline serve --token`` in a subprocess over a SQLite or PostgreSQL store holding the demo corpus."""
    folder = tmp_path_factory.mktemp("contract")
    with fresh_database(request.param, folder) as url:
        store, _ = filled_store(url)
        store.close()
        yield from _serve(url, folder)


def _serve(url: str, folder: Path):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "STORYLINE_WEB_WORKER": "false"}
    log = (folder / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "storyline.cli", "serve", "--db", url,
                               "--port", str(port), "--token", TOKEN, "-q"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/api/openapi.json", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        assert server.poll() is None, (folder / "serve.log").read_text()
        assert time.monotonic() < deadline, "storyline serve did not answer within 60 s"
        time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(10)
    log.close()


def test_schemathesis_all_checks_find_nothing(served: str, tmp_path: Path) -> None:
    """Every operation, every phase, every check: no finding (undeclared status or media type, accepted bad input,
    refused good input, a 405 without ``Allow``, a 5xx...)."""
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{served}/api/openapi.json", "--checks", "all",
         "--max-examples", "20", "--workers", "1", "--seed", SEED, "--no-color",
         "-H", f"Authorization: Bearer {TOKEN}"],
        capture_output=True, text=True, timeout=170, cwd=tmp_path,  # its .schemathesis/ cache stays out of the tree
    )
    report = run.stdout + run.stderr
    (ROOT / "test-output").mkdir(exist_ok=True)
    (ROOT / "test-output" / f"schemathesis-{tmp_path.name}.txt").write_text(report, encoding="utf-8")
    tested = re.search(r"Tested: (\d+)", report)
    assert tested and int(tested.group(1)) >= 20, report[-3000:]  # every operation was exercised
    assert run.returncode == 0, report[-6000:]
    assert re.search(r"\b0 failures|no failures|passed", report, re.IGNORECASE), report[-3000:]
    assert time.monotonic() - started < 120  # CI budget: under two minutes


def test_schemathesis_catches_an_undeclared_answer(tmp_path: Path, served: str) -> None:
    """The same checks find a contract broken on purpose: an OpenAPI document that leaves out the 404 of
    ``GET /api/stories/{story_id}`` (so the test above would fail if the server answered that undeclared)."""
    import json

    with urllib.request.urlopen(served + "/api/openapi.json", timeout=10) as answer:
        spec = json.load(answer)
    del spec["paths"]["/api/stories/{story_id}"]["get"]["responses"]["404"]
    broken = tmp_path / "openapi.json"
    broken.write_text(json.dumps(spec), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", str(broken), "--url", served, "--checks",
         "status_code_conformance", "--include-path", "/api/stories/{story_id}", "--include-method", "GET",
         "--max-examples", "10", "--seed", SEED, "--no-color", "--phases", "coverage,fuzzing"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    report = run.stdout + run.stderr
    assert run.returncode != 0, report[-3000:]
    assert "Undocumented status code" in report and "404" in report, report[-3000:]
