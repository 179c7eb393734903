"""What the API declares it answers: error bodies and status codes per operation, media types, typed parameters.

The OpenAPI document is the contract schemathesis checks (tests/test_web_contract.py): every status code and media
type an operation can answer is declared here, and parameters are validated as declared (a date is an ISO 8601
date, never a bare number).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator

__all__ = ["NO_NUL", "AtomResponse", "ErrorBody", "IsoDatetime", "StrictQueryBool", "errors"]


class ErrorBody(BaseModel):
    """An error answer: ``detail`` says what was wrong (a text, or FastAPI's list of bad parameters)."""

    detail: Any


_WHY = {
    301: "the story was merged into another one: `location` (and the Location header) name the same page of it",
    400: "the URL contains a NUL character (%00), or the request body is not valid JSON",
    401: "the token is needed (reading from another host than loopback, or writing) and was missing or wrong",
    403: "writing is disabled: the server was started without --token",
    404: "no such id in the store (or a name no route takes, such as one with a line break)",
    413: "the request body is larger than web.max_request_bytes",
    422: "a parameter or the body is invalid; `detail` names it",
}

READ_ERRORS = (400, 401)
"""What every operation may answer, whatever its parameters: a NUL in the URL, no token from another host."""


def errors(*codes: int, page: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for ``codes``, each with the error body and why it is answered;
    ``page``: answered with the HTML error page (paths outside ``/api/``, such as the feeds), not JSON."""
    declared: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {"description": _WHY[code]}
        if page:
            entry["content"] = {"text/html": {"schema": {"type": "string"}}}
        else:
            entry["model"] = ErrorBody
        if code == 301:
            entry["headers"] = {"Location": {"description": "the same page of the surviving story",
                                             "schema": {"type": "string"}}}
        declared[code] = entry
    return declared


NO_NUL = r"^[^\x00]*$"
"""Pattern of every free-text parameter: nothing stored can contain NUL, so a URL with one is refused (400)."""

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}(:?\d{2})?)?)?")


def _iso_only(value: Any) -> Any:
    """Refuse what pydantic would otherwise read as a Unix time (``until=0.5``): dates are ISO 8601 only."""
    if isinstance(value, str) and not _ISO.fullmatch(value.strip()):
        raise ValueError(f"expected an ISO 8601 date or date-time such as 2024-03-05 or 2024-03-05T10:00:00Z, "
                         f"got {value[:40]!r}")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_only)]
"""A date or date-time query parameter: ISO 8601 text only (``2024-03-05``, ``2024-03-05T10:00:00+02:00``)."""


def _bool_word(value: Any) -> Any:
    """Query flags: ``true``/``false`` or ``1``/``0`` only (pydantic alone also takes ``yes``, ``on``, ``t``...)."""
    if isinstance(value, str) and value.strip().lower() not in {"true", "false", "1", "0"}:
        raise ValueError(f"expected true, false, 1 or 0, got {value[:40]!r}")
    return value


StrictQueryBool = Annotated[bool, BeforeValidator(_bool_word)]
"""A yes/no query parameter: ``true``, ``false``, ``1`` or ``0``."""


class AtomResponse(Response):
    """An Atom 1.0 document: declared as ``application/atom+xml`` in the OpenAPI document, served as such."""

    media_type = "application/atom+xml"
