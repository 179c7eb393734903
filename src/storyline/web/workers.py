"""``storyline serve --workers N``: each uvicorn worker process builds the app from what the parent exported."""

from __future__ import annotations

import dataclasses
import json
import os

from fastapi import FastAPI

from ..config import Settings
from ..store import Store
from .app import create_app

__all__ = ["app_from_environment", "export_for_workers"]

_DB = "STORYLINE_SERVE_DB"
_SETTINGS = "STORYLINE_SERVE_SETTINGS"


def export_for_workers(db: str, settings: Settings) -> None:
    """Put the store URL and the settings where worker processes (started by uvicorn) find them."""
    flat = {f"{section}.{name}": value
            for section, values in dataclasses.asdict(settings).items() if isinstance(values, dict)
            for name, value in values.items()}
    os.environ[_DB] = db
    os.environ[_SETTINGS] = json.dumps(flat)


def app_from_environment() -> FastAPI:
    """The app of one worker: opens its own connection pool to the store the parent named."""
    if _DB not in os.environ:
        raise RuntimeError(f"{_DB} is not set: start workers with `storyline serve --workers N`")
    settings = Settings().with_overrides(json.loads(os.environ.get(_SETTINGS, "{}")))
    return create_app(Store.open(os.environ[_DB]), settings)
