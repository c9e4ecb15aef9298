from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import AUTH_PREFIXES, ServerProcess, running_server

# The sign-in tests' identity provider (`idp`, `make_idp`); a throwaway PostgreSQL (`postgres`, `postgres_url`);
# the Cosmos DB test server (`cosmos_server`, `cosmos_database`).
pytest_plugins = ["tests.identity_provider", "tests.postgres_server", "tests.cosmos_server"]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real scalechat process (SQLite + the simulator as its child) for the API tests."""
    with running_server(tmp_path_factory.mktemp("server")) as process:
        yield process


@pytest.fixture
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.fixture
def conversation(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/api/conversations", json={})
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture(autouse=True)
def _no_real_model_traffic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach a real Azure or OpenAI endpoint: only what a test sets itself is used.

    Servers the tests start get the same treatment from `tests.support.clean_env`.
    """
    import os

    for name in list(os.environ):
        if name.startswith(("AZURE_", "OPENAI_", "MODEL_", "DATABASE_URL", *AUTH_PREFIXES)):
            monkeypatch.delenv(name)
