"""Property-based API testing with schemathesis: no request the OpenAPI spec allows gets a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from storehelp import BACKENDS, filled_store, fresh_database
from storyline import Settings
from storyline.web import create_app

TOKEN = "schema-token"


@pytest.fixture(params=BACKENDS)
def api_schema(request: pytest.FixtureRequest, tmp_path):
    with fresh_database(request.param, tmp_path) as url:
        store, _ = filled_store(url)
        app = create_app(store, Settings().with_overrides({"web.token": TOKEN}))
        yield schemathesis.openapi.from_asgi("/api/openapi.json", app)
        store.close()


def test_no_server_errors(api_schema) -> None:
    """Every operation, ~25 generated requests each (write operations with the token), never a 5xx."""
    failures: list[str] = []
    operations = 0
    statuses: list[int] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case) -> None:
            response = case.call(headers={"authorization": f"Bearer {TOKEN}"})
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query}: {response.status_code} "
                                f"{response.text[:200]}")
            assert response.status_code < 500

        try:
            check()
        except AssertionError:
            pass  # a 5xx: recorded in failures with the request that caused it
        except Exception as exc:  # e.g. the app raised instead of answering; hypothesis wraps flaky ones in a group
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:300]}")
    assert operations >= 15 and len(statuses) >= 10 * operations
    assert statuses.count(200) >= operations  # not only validation errors: real answers too
    assert not failures, "\n".join(failures[:10])
