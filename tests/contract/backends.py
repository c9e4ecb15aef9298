"""The backends the contract suite runs against, by name.

`BACKENDS[name](request)` runs outside the event loop: it may use fixtures of its own
(`request.getfixturevalue("postgres")`, which may start servers and run migrations) and returns an
`Opener`: called inside the test's loop, an async context manager that yields a `Backend` (store +
identity store) and closes it afterwards. Every test in tests/contract runs once per entry.
The opener should open stores
over one database per test session: the tests use fresh user ids and never truncate, and the
few global operations (`interrupt_streaming`, `IdentityStore.purge`) are asserted only on what the
test itself wrote.

Adding a backend is one entry below, for example the Cosmos DB test server:

    "cosmos": lazy("tests.cosmos_server", "cosmos_contract_backend"),

where `cosmos_contract_backend(request) -> Opener` is in that module (imported only when its
tests run). A fixture it asks for by name must be visible from tests/contract:
registered as a plugin in tests/conftest.py's `pytest_plugins`, as `tests.postgres_server` is.
"""

from __future__ import annotations

import contextlib
import importlib
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from scalechat.settings import load_settings
from scalechat.store.factory import Backend, open_backend
from scalechat.store.sql.migrate import upgrade
from tests.postgres_server import PostgresServer

Opener = Callable[[], AbstractAsyncContextManager[Backend]]
BackendFactory = Callable[[pytest.FixtureRequest], Opener]


def lazy(module: str, name: str) -> BackendFactory:
    """A factory defined in `module`, imported when first used (so its imports cost nothing otherwise)."""

    def factory(request: pytest.FixtureRequest) -> Opener:
        made: BackendFactory = getattr(importlib.import_module(module), name)
        return made(request)

    return factory


@contextlib.asynccontextmanager
async def sql_backend(database_url: str) -> AsyncIterator[Backend]:
    """The app's own way in: settings, then the factory (pool settings, engine, stores)."""
    backend = await open_backend(load_settings(database_url=database_url, store_backend="sql"))
    try:
        yield backend
    finally:
        await backend.store.aclose()


@pytest.fixture(scope="session")
def contract_sqlite_url() -> str:
    folder = Path(tempfile.mkdtemp(prefix="contract-sqlite-"))
    url = f"sqlite+aiosqlite:///{folder / 'contract.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def contract_postgres_url(postgres: PostgresServer) -> str:
    return postgres.url(postgres.fresh_database("contract"))


def sqlite(request: pytest.FixtureRequest) -> Opener:
    url: str = request.getfixturevalue("contract_sqlite_url")
    return lambda: sql_backend(url)


def postgresql(request: pytest.FixtureRequest) -> Opener:
    url: str = request.getfixturevalue("contract_postgres_url")
    return lambda: sql_backend(url)


BACKENDS: dict[str, BackendFactory] = {
    "sqlite": sqlite,
    "postgresql": postgresql,
    "cosmos": lazy("tests.cosmos_server", "cosmos_contract_backend"),
}
