"""The built web app (`web/` → `src/scalechat/static/`), served from the API's own origin.

Hashed assets under /assets are cached for a year; `index.html` is never cached,
so a deploy is picked up on the next load. Any other GET that is not an API route
gets `index.html`: the app's own paths (`/c/<id>`) survive a reload.
"""

from __future__ import annotations

import gzip
import mimetypes
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# Paths that belong to the server, never to the web app's client-side routes.
_SERVER_PREFIXES = ("/api/", "/healthz", "/readyz", "/docs", "/openapi.json", "/redoc", "/assets/")


IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = (".js", ".css", ".svg", ".json", ".html", ".map", ".txt")


class _ImmutableAssets(StaticFiles):
    """Hashed build output: cached for a year, and sent gzipped to clients that accept it.

    Each file is compressed once, on its first request, and kept in memory: the
    build is a few megabytes, and App Service does not compress a Python app's responses.
    """

    def __init__(self, *, directory: Path) -> None:
        super().__init__(directory=directory)
        self._gzipped: dict[str, bytes] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        accepts_gzip = any(k == b"accept-encoding" and b"gzip" in v.lower() for k, v in scope.get("headers", []))
        if accepts_gzip and path.endswith(COMPRESSIBLE) and scope["method"] in ("GET", "HEAD"):
            # Compressing a large chunk takes milliseconds: off the event loop, where answers stream.
            body = await anyio.to_thread.run_sync(self._compressed, path)
            if body is not None:
                media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return Response(
                    b"" if scope["method"] == "HEAD" else body,
                    media_type=media_type,
                    headers={
                        "Content-Encoding": "gzip",
                        "Content-Length": str(len(body)),
                        "Vary": "Accept-Encoding",
                        "Cache-Control": IMMUTABLE,
                    },
                )
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
            response.headers["Vary"] = "Accept-Encoding"
        return response

    def _compressed(self, path: str) -> bytes | None:
        if path in self._gzipped:
            return self._gzipped[path]
        full_path, stat = self.lookup_path(path)
        if stat is None or not full_path:
            return None
        body = gzip.compress(Path(full_path).read_bytes(), compresslevel=9, mtime=0)
        self._gzipped[path] = body
        return body


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
