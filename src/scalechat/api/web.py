"""The built web app (`web/` → `src/scalechat/static/`), served from the API's own origin.

Hashed assets under /assets are cached for a year; `index.html` is never cached,
so a deploy is picked up on the next load. Any other GET that is not an API route
gets `index.html`: the app's own paths (`/c/<id>`) survive a reload.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# Paths that belong to the server, never to the web app's client-side routes.
_SERVER_PREFIXES = ("/api/", "/healthz", "/readyz", "/docs", "/openapi.json", "/redoc", "/assets/")


class _ImmutableAssets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def mount_web_app(app: FastAPI, directory: Path = STATIC_DIR) -> bool:
    """Serve the web app if it was built; False (API only) if not.

    It answers only what no route matched (the router's default), so the API keeps
    its own 404s and 405s.
    """
    index = directory / "index.html"
    if not index.is_file():
        return False
    if (directory / "assets").is_dir():
        app.mount("/assets", _ImmutableAssets(directory=directory / "assets"), name="assets")
    top_level = {p.name for p in directory.iterdir() if p.is_file() and p.name != "index.html"}
    not_found = app.router.default

    async def web_app(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if scope["method"] not in ("GET", "HEAD") or path.startswith(_SERVER_PREFIXES):
            await not_found(scope, receive, send)
            return
        name = path.lstrip("/")
        if name in top_level:
            response = FileResponse(directory / name, headers={"Cache-Control": "public, max-age=3600"})
        else:
            response = FileResponse(index, headers={"Cache-Control": "no-cache"})
        await response(scope, receive, send)

    app.router.default = web_app
    return True
