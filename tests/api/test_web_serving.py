"""The server hands out the built web app: deep links, caching, compression, and the API left alone."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import ServerProcess, running_server

SCRIPT = "console.log('scalechat');\n" * 200


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    build = tmp_path_factory.mktemp("build")
    (build / "assets").mkdir()
    (build / "index.html").write_text('<!doctype html><script type="module" src="/assets/app-1a2b.js"></script>')
    (build / "assets" / "app-1a2b.js").write_text(SCRIPT)
    (build / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    with running_server(tmp_path_factory.mktemp("data"), SCALECHAT_WEB_DIR=str(build)) as process:
        yield process


@pytest.fixture
def web(web_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web_server.url, timeout=10) as http:
        yield http


@pytest.mark.parametrize("path", ["/", "/c/0123abcd", "/some/deep/link"])
def test_app_paths_get_the_app_uncached(web: httpx.Client, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/assets/app-1a2b.js" in response.text
    assert response.headers["cache-control"] == "no-cache"
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_hashed_assets_are_immutable_and_gzipped(web: httpx.Client) -> None:
    raw = web.get("/assets/app-1a2b.js", headers={"Accept-Encoding": "gzip"}, extensions={})
    assert raw.status_code == 200
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert raw.text == SCRIPT  # httpx decodes it
    assert int(raw.headers["content-length"]) < len(SCRIPT) / 10
    plain = web.get("/assets/app-1a2b.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == SCRIPT
    assert gzip.decompress(gzip.compress(plain.content)) == SCRIPT.encode()


def test_top_level_files_are_served(web: httpx.Client) -> None:
    response = web.get("/favicon.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg")


@pytest.mark.parametrize("path", ["/assets/missing.js", "/assets/..%2F..%2Findex.html", "/api/nothing-here"])
def test_missing_files_and_unknown_api_routes_are_404_problems(web: httpx.Client, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_api_keeps_its_405_and_writes_are_not_answered_by_the_app(web: httpx.Client) -> None:
    assert web.put("/api/conversations").status_code == 405
    response = web.post("/c/0123abcd")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_without_a_build_the_api_still_serves(tmp_path: Path) -> None:
    with running_server(tmp_path, SCALECHAT_WEB_DIR=str(tmp_path / "nothing")) as process:
        assert httpx.get(process.url + "/api/models").status_code == 200
        assert httpx.get(process.url + "/").status_code == 404
