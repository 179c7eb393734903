"""The web app as an exposed server: security headers on every answer, token checks, request and page size caps,
SQL injection attempts, and no debug output. XSS in pages is covered by test_web_api.py and test_browser.py."""

from __future__ import annotations

import csv
import io
import json
import secrets
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storehelp import BACKENDS, filled_store, fresh_database
from storyline import Settings
from storyline.web import create_app

TOKEN = "s3cret-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
ARTICLE = {"id": "sec-1", "text": "The harbour authority said the ferry would resume service on Monday."}


@pytest.fixture(scope="module", params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with fresh_database(request.param, tmp_path_factory.mktemp("sec")) as url:
        store, everything = filled_store(url)
        settings = Settings().with_overrides({"web.token": TOKEN, "web.max_request_bytes": 50_000})
        yield TestClient(create_app(store, settings), raise_server_exceptions=False), store, everything
        store.close()


PATHS = ["/", "/search?q=harbour", "/sources", "/entities", "/status", "/api/stories", "/api/search?q=bridge",
         "/api/status", "/api/docs", "/api/openapi.json", "/static/style.css", "/no-such-page", "/api/stories/s-none",
         "/feed.atom"]


def check_headers(response) -> None:
    csp = response.headers.get("content-security-policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert "script-src" in directives and "'unsafe-inline'" not in directives["script-src"], csp
    assert directives.get("object-src") == "object-src 'none'" and "frame-ancestors 'none'" in csp
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("referrer-policy")


@pytest.mark.parametrize("path", PATHS)
def test_every_answer_carries_the_security_headers(served, path: str) -> None:
    client, _, _ = served
    response = client.get(path)
    assert response.status_code < 500, response.text[:300]
    check_headers(response)


def test_refusals_carry_the_security_headers_too(served) -> None:
    client, _, _ = served
    for response in (
        client.post("/api/ingest"),  # 401
        TestClient(client.app, client=("203.0.113.9", 1)).get("/"),  # 401 from another host
        client.post("/api/articles", content=b"x" * 60_000, headers={**AUTH, "content-type": "application/json"}),
    ):
        assert response.status_code in (401, 413)
        check_headers(response)


@pytest.mark.parametrize(
    "headers",
    [{}, {"authorization": "Bearer wrong"}, {"authorization": "Bearer " + TOKEN[:-1]}, {"authorization": TOKEN},
     {"authorization": "Basic " + TOKEN}, {"authorization": "Bearer s3cr\u00e9t"}, {"authorization": "Bearer "}],
    ids=["none", "wrong", "prefix", "no-scheme", "basic", "non-ascii", "empty"],
)
def test_writes_without_the_right_token_are_refused(served, headers: dict[str, str]) -> None:
    client, store, _ = served
    before = store.counts()
    encoded = {k: v.encode("latin-1") for k, v in headers.items()}
    for response in (client.post("/api/articles", json={"articles": [ARTICLE]}, headers=encoded),
                     client.post("/api/ingest", headers=encoded)):
        assert response.status_code == 401, response.text
    assert store.counts() == before


def test_writes_take_the_token_from_the_header_only(served) -> None:
    client, store, _ = served
    before = store.counts()
    body = {"articles": [ARTICLE]}
    assert client.post(f"/api/articles?token={TOKEN}", json=body).status_code == 401
    client.cookies.set("storyline_token", TOKEN)
    try:
        assert client.post("/api/articles", json=body).status_code == 401  # no CSRF through a cookie
    finally:
        client.cookies.clear()
    assert store.counts() == before


def test_token_is_compared_in_constant_time(served, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _, _ = served
    calls: list[tuple[object, object]] = []
    real = secrets.compare_digest

    def spy(a, b):  # type: ignore[no-untyped-def]
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("storyline.web.auth.secrets.compare_digest", spy)
    client.post("/api/ingest", headers={"authorization": "Bearer nope"})
    client.post("/api/ingest", headers={"authorization": "Bearer n\u00f6pe".encode("latin-1")})
    assert len(calls) == 2 and all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in calls)


def test_request_bodies_over_the_cap_are_refused_before_parsing(served) -> None:
    client, store, _ = served
    before = store.counts()
    big = {"articles": [{**ARTICLE, "text": "word " * 20_000}]}  # ~100 kB > 50 kB cap
    response = client.post("/api/articles", json=big, headers=AUTH)
    assert response.status_code == 413
    assert "web.max_request_bytes" in response.json()["detail"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(20):
            yield b" " * 5_000

    chunked = client.post("/api/articles", content=chunks(), headers={**AUTH, "content-type": "application/json"})
    assert chunked.status_code == 413
    assert store.counts() == before
    small = client.post("/api/articles", json={"articles": [ARTICLE], "group": False}, headers=AUTH)
    assert small.status_code == 202 and small.json()["accepted"] == 1


@pytest.mark.parametrize(
    "path",
    ["/api/stories?limit=501", "/api/stories?limit=0", "/api/stories?offset=-1", "/api/stories?offset=10000001",
     "/api/articles?limit=100000", "/api/search?q=a&limit=9999", "/api/sources?limit=1000000",
     "/api/stories?q=" + "a" * 501],
)
def test_page_sizes_and_offsets_are_bounded(served, path: str) -> None:
    client, _, _ = served
    assert client.get(path).status_code == 422


def test_html_pages_clamp_page_sizes(served) -> None:
    client, _, _ = served
    page = client.get("/", params={"limit": 10**9})
    assert page.status_code == 200
    assert client.get("/", params={"limit": "9" * 5000}).status_code == 400


INJECTIONS = ["'; DROP TABLE articles; --", "x' OR '1'='1", '" OR 1=1 --', "harbour) OR (1=1", "*", "NEAR(a b)",
              "a AND b", "\\", "%", "_", "'||(SELECT sqlite_version())||'", "$$; DROP TABLE stories; $$"]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_sql_injection_in_query_parameters_changes_nothing(served, payload: str) -> None:
    client, store, _ = served
    before = store.counts()
    for path, params in (("/api/search", {"q": payload}), ("/api/stories", {"q": payload}),
                         ("/api/stories", {"source": payload}), ("/api/stories", {"entity": payload}),
                         ("/api/articles", {"source": payload}), ("/search", {"q": payload}),
                         (f"/api/articles/{payload}", {}), (f"/api/stories/{payload}", {})):
        response = client.get(path, params=params)
        assert response.status_code in (200, 404), (path, payload, response.status_code, response.text[:200])
    assert client.get("/api/stories", params={"source": "x' OR '1'='1"}).json()["total"] == 0
    assert store.counts() == before


def test_a_server_error_shows_no_internals(served, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _, _ = served
    assert client.app.debug is False

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("internal detail: /etc/storyline/secret.toml")

    monkeypatch.setattr("storyline.store.queries.list_sources", broken)
    response = client.get("/api/sources", params={"limit": 7, "offset": 3})
    assert response.status_code == 500
    assert "secret.toml" not in response.text and "Traceback" not in response.text


def test_validation_errors_do_not_echo_the_whole_input(served) -> None:
    client, _, _ = served
    query = client.get("/api/search", params={"q": "harbour " * 7500})  # 60,000 characters
    assert query.status_code == 422 and len(query.content) < 2_000, len(query.content)
    assert "60,000 characters" in query.text
    title = "T" * 40_000
    body = client.post("/api/articles", headers=AUTH, json={"articles": [{**ARTICLE, "title": title}]})
    assert body.status_code == 422 and len(body.content) < 2_000 and "40,000 characters" in body.text
    many = client.post("/api/articles", headers=AUTH, json={"articles": [{"id": "x"}] * 2_000})
    assert many.status_code == 422 and len(many.content) < 40_000, len(many.content)
    missing = client.get("/api/stories/" + "s" * 30_000)
    assert missing.status_code == 404 and len(missing.content) < 2_000
    page = client.get("/stories/" + "s" * 30_000)
    assert page.status_code == 404 and "s" * 1_000 not in page.text
    number = client.get("/", params={"offset": "9x" * 15_000})
    assert number.status_code == 400 and "9x" * 500 not in number.text


def test_api_docs_load_nothing_from_outside_and_run_no_inline_script(served) -> None:
    import re

    client, _, _ = served
    page = client.get("/api/docs")
    assert page.status_code == 200
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts and all(body.strip() == "" and re.search(r'src="/', attrs) for attrs, body in scripts), scripts
    assert "http://" not in page.text and "https://" not in page.text and "//cdn" not in page.text
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200, asset


FORMULAS = json.loads((Path(__file__).parent / "hostile" / "spreadsheet_formulas.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_exports_never_hand_a_spreadsheet_a_formula(value: str) -> None:
    # a sibling of issue 19 item 4 (output not escaped): a title, source or text opening with = + - @, or a tab or
    # carriage return before one, is a formula to Excel and LibreOffice; every CSV cell stays text
    from storyline.web.export import to_csv

    cells = next(csv.reader(io.StringIO(to_csv([["s-1", value, 3, value + " tail"]]), newline="")))
    assert cells[2] == "3"
    for cell in (cells[1], cells[3]):
        assert cell.startswith("'") and cell[1:].startswith(value[:1]), repr(cell)
