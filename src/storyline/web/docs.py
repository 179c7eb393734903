"""``/api/docs``: Swagger UI served from the swagger-ui-bundle-v2 package, so it works offline and under the
app's own Content-Security-Policy (no CDN, no inline script: the page loads ``/static/docs.js`` to start it)."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/api/docs/assets"

__all__ = ["ASSETS", "mount_docs"]


def mount_docs(app: FastAPI, openapi_url: str, title: str) -> None:
    """Add ``GET /api/docs`` and its assets to ``app``; a page saying what to install when the package is missing."""
    router = APIRouter(include_in_schema=False)
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        swagger_ui_path = None
    else:
        app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @router.get("/api/docs", response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        if swagger_ui_path is None:
            return HTMLResponse(
                f"<!doctype html><title>{escape(title)} API</title><p>The API reference needs the swagger-ui-bundle-v2 "
                f"package: <code>pip install 'storyline[web]'</code>. The schema itself is at "
                f'<a href="{escape(openapi_url)}">{escape(openapi_url)}</a>.</p>', status_code=503)
        return HTMLResponse(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)} API</title>"
            f'<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">'
            f'<link rel="icon" href="{ASSETS}/favicon-32x32.png"></head>'
            f'<body data-openapi="{escape(openapi_url)}"><div id="swagger-ui"></div>'
            f'<script src="{ASSETS}/swagger-ui-bundle.js"></script>'
            '<script src="/static/docs.js"></script></body></html>')

    app.include_router(router)
