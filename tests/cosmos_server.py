"""The Cosmos DB test server (tests/cosmos/launcher.cjs over npm @vercel/cosmosdb-server) for the tests.

    cosmos_server          session fixture: a running CosmosServer (HTTPS with a throwaway certificate)
    cosmos_database        module fixture: a fresh database name on it (dropped at the end)
    cosmos_server.app_env(database)   the AZURE_COSMOSDB_* settings of a scalechat server against it
    running_cosmos(workdir)           the same server as a plain context manager, for scripts
    ThrottlingProxy(upstream)         answers 429 with x-ms-retry-after-ms to document requests on demand

The server keeps data in memory for as long as it runs; it checks no key (any key works). Tests of
what it cannot do (rollback of a failed batch, TTL expiry, ...) carry the `real_cosmos` marker and run
only against a real account: see tests/cosmos/conftest.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from scalechat.settings import CosmosSettings, Settings, load_settings
from scalechat.store.factory import Backend
from tests.support import REPO, make_certificate, stop_process

COSMOS_DIR = REPO / "tests" / "cosmos"
LAUNCHER = COSMOS_DIR / "launcher.cjs"
# The Cosmos DB emulator's published key: the test server ignores keys, but the SDK needs one.
EMULATOR_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="


@dataclass(frozen=True)
class CosmosServer:
    endpoint: str
    key: str | None  # None: Entra ID (a real account only)
    ca_path: Path | None  # None for a real account (its certificate is public)

    def app_env(self, database: str, **extra: str) -> dict[str, str]:
        env = {"AZURE_COSMOSDB_ENDPOINT": self.endpoint, "AZURE_COSMOSDB_DATABASE": database}
        if self.key is not None:
            env["AZURE_COSMOSDB_KEY"] = self.key
        if self.ca_path is not None:
            env["AZURE_COSMOSDB_CA_CERTIFICATE_PATH"] = str(self.ca_path)
        return {**env, **extra}


@contextlib.contextmanager
def running_cosmos(workdir: Path, *, timeout: float = 30.0) -> Iterator[CosmosServer]:
    """Start the launcher on a free port over HTTPS; stop it on exit."""
    if not (COSMOS_DIR / "node_modules" / "@vercel" / "cosmosdb-server").is_dir():
        raise RuntimeError("the Cosmos DB test server is not installed: run `make cosmos-setup`")
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH (the Cosmos DB test server runs on Node.js)")
    cert, key = make_certificate(workdir)
    log_path = workdir / "cosmos.log"
    env = {"PORT": "0", "CERT": str(cert), "KEY": str(key), "EXIT_WITH_STDIN": "1", "PATH": "/usr/bin:/bin"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, str(LAUNCHER)], cwd=COSMOS_DIR, env=env, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.PIPE
        )
        try:
            endpoint = _await_ready(process, timeout, log_path)
            yield CosmosServer(endpoint=endpoint, key=EMULATOR_KEY, ca_path=cert)
        finally:
            if process.stdin is not None:
                process.stdin.close()
            stop_process(process)
            if process.stdout is not None:
                process.stdout.close()


def _await_ready(process: subprocess.Popen[bytes], timeout: float, log_path: Path) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    result: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.decode(errors="replace").strip()
            if line.startswith("READY "):
                result.append(line.removeprefix("READY "))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(max(0.0, deadline - time.monotonic()))
    if not result:
        process.kill()
        raise RuntimeError(f"the Cosmos DB test server did not start: {log_path.read_text(errors='replace')[-2000:]}")
    return result[0]


@pytest.fixture(scope="session")
def cosmos_server() -> Iterator[CosmosServer]:
    workdir = Path(tempfile.mkdtemp(prefix="cosmos-"))
    try:
        with running_cosmos(workdir) as server:
            yield server
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# A real account for the `real_cosmos` tests (what the test server cannot do). Without a key: Entra ID.
REAL_ENDPOINT_ENV = "COSMOS_TEST_ENDPOINT"
REAL_KEY_ENV = "COSMOS_TEST_KEY"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`real_cosmos` tests run only when a real account is configured; otherwise they are deselected
    (not skipped: they are not part of this run at all)."""
    if os.environ.get(REAL_ENDPOINT_ENV):
        return
    deselected = [item for item in items if item.get_closest_marker("real_cosmos")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("real_cosmos")]


@pytest.fixture(scope="session")
def real_cosmos() -> CosmosServer:
    """The real account named by COSMOS_TEST_ENDPOINT (and COSMOS_TEST_KEY, else Entra ID)."""
    endpoint = os.environ.get(REAL_ENDPOINT_ENV)
    if not endpoint:
        raise RuntimeError(f"real_cosmos tests need {REAL_ENDPOINT_ENV}")
    return CosmosServer(endpoint=endpoint, key=os.environ.get(REAL_KEY_ENV), ca_path=None)


def fresh_database_name(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def cosmos_database(cosmos_server: CosmosServer) -> Iterator[str]:
    """A database name no other test module uses; dropped at the end if something created it."""
    name = fresh_database_name()
    yield name
    asyncio.run(_drop_database(cosmos_server, name))


async def _drop_database(server: CosmosServer, name: str) -> None:
    from azure.cosmos.aio import CosmosClient
    from azure.cosmos.exceptions import CosmosResourceNotFoundError

    assert server.key is not None
    verify = str(server.ca_path) if server.ca_path else True
    async with CosmosClient(server.endpoint, server.key, connection_verify=verify) as client:
        with contextlib.suppress(CosmosResourceNotFoundError):
            await client.delete_database(name)


def cosmos_settings(server: CosmosServer | ThrottlingProxy, database: str, **cosmos: Any) -> Settings:
    """scalechat's settings against this server (or proxy), as a test process would load them."""
    env = server.app_env(database)
    values: dict[str, Any] = {
        "endpoint": env["AZURE_COSMOSDB_ENDPOINT"],
        "key": env.get("AZURE_COSMOSDB_KEY"),
        "database": database,
        "ca_certificate_path": env.get("AZURE_COSMOSDB_CA_CERTIFICATE_PATH"),
        **cosmos,
    }
    return load_settings(cosmos=CosmosSettings(**values))


@pytest.fixture(scope="session")
def contract_cosmos_database(cosmos_server: CosmosServer) -> Iterator[str]:
    """The contract suite's one database (its tests use fresh user ids, so they can share it)."""
    name = fresh_database_name("contract")
    yield name
    asyncio.run(_drop_database(cosmos_server, name))


def cosmos_contract_backend(request: pytest.FixtureRequest) -> Callable[[], AbstractAsyncContextManager[Backend]]:
    """The contract suite's opener for the test server (tests/contract/backends.py)."""
    server: CosmosServer = request.getfixturevalue("cosmos_server")
    database: str = request.getfixturevalue("contract_cosmos_database")

    @contextlib.asynccontextmanager
    async def opened() -> AsyncIterator[Backend]:
        from scalechat.store.cosmos import open_cosmos_backend

        backend = await open_cosmos_backend(cosmos_settings(server, database))
        try:
            yield backend
        finally:
            await backend.store.aclose()

    return opened


class ThrottlingProxy:
    """A plain-HTTP proxy on loopback in front of the server, in a thread of its own (so a server in
    another process can use it too). `throttle(n)` answers the next n document requests with 429 and
    `x-ms-retry-after-ms`; n = -1: every one, until `throttle(0)`. `throttled` counts the 429s sent."""

    def __init__(self, upstream: CosmosServer, *, retry_after_ms: int = 50) -> None:
        self.upstream = upstream
        self.retry_after_ms = retry_after_ms
        self.throttled = 0
        self._remaining = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self.port = 0
        self._thread = threading.Thread(target=self._run, name="cosmos-throttle", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def app_env(self, database: str, **extra: str) -> dict[str, str]:
        return {**self.upstream.app_env(database), "AZURE_COSMOSDB_ENDPOINT": self.endpoint, **extra}

    def throttle(self, count: int) -> None:
        with self._lock:
            self._remaining = count

    def __enter__(self) -> ThrottlingProxy:
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the throttling proxy did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _take(self) -> bool:
        with self._lock:
            if self._remaining == 0:
                return False
            if self._remaining > 0:
                self._remaining -= 1
            self.throttled += 1
            return True

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())
        # Closed transports finish closing in the loop's next rounds: give them those before the
        # loop goes, or they are collected later, unclosed, in some other test (a ResourceWarning).
        self._loop.run_until_complete(asyncio.sleep(0.05))
        self._loop.close()

    async def _serve(self) -> None:
        import ssl

        context = ssl.create_default_context(cafile=str(self.upstream.ca_path)) if self.upstream.ca_path else None
        upstream = self.upstream.endpoint.rstrip("/")
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context or True)) as session:

            async def handle(request: web.Request) -> web.StreamResponse:
                body = await request.read()
                if "/docs" in request.path and self._take():
                    return web.json_response(
                        {"code": "TooManyRequests", "message": "Request rate is large (test proxy)"},
                        status=429,
                        headers={"x-ms-retry-after-ms": str(self.retry_after_ms), "x-ms-substatus": "3200"},
                    )
                skip = {"host", "content-length", "transfer-encoding", "connection"}
                headers = {k: v for k, v in request.headers.items() if k.lower() not in skip}
                async with session.request(request.method, upstream + request.path_qs, data=body, headers=headers) as r:
                    data = await r.read()
                    drop = {"content-length", "transfer-encoding", "connection", "content-encoding", "keep-alive"}
                    out = {k: v for k, v in r.headers.items() if k.lower() not in drop}
                    return web.Response(body=data, status=r.status, headers=out)

            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handle)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.port = runner.addresses[0][1]
            self._stop = asyncio.Event()
            self._started.set()
            try:
                await self._stop.wait()
            finally:
                await runner.cleanup()
