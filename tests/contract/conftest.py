"""The contract suite: every test runs against each backend in `tests.contract.backends.BACKENDS`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from scalechat.store.factory import Backend
from tests.contract.backends import BACKENDS, Opener, contract_postgres_url, contract_sqlite_url

__all__ = ["contract_postgres_url", "contract_sqlite_url"]  # session fixtures, visible to the suite


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=list(BACKENDS))
def backend_opener(request: pytest.FixtureRequest) -> Opener:
    """The backend's set-up that runs outside the event loop (servers, migrations)."""
    return BACKENDS[request.param](request)


@pytest.fixture
async def backend(backend_opener: Opener) -> AsyncIterator[Backend]:
    async with backend_opener() as opened:
        yield opened
