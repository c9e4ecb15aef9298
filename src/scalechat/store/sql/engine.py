"""The SQLAlchemy engine for SQLite or PostgreSQL, and Entra ID sign-in to Azure Database for PostgreSQL.

With DATABASE_AUTH=entra the password is an access token from the managed identity (`az login` on a
laptop): asyncpg asks for it each time it opens a connection, so a new connection always gets a
fresh token, while open connections keep working after theirs expires (PostgreSQL checks it only
at sign-in). Whoever makes the credential closes it: `SqlConversationStore.aclose` for the app,
the migration environment for migrations (it runs on an event loop of its own).
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from scalechat.settings import tls_mode

if TYPE_CHECKING:
    from azure.core.credentials import AccessToken

    from scalechat.settings import Settings

POSTGRES_ENTRA_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"


class TokenCredential(Protocol):
    """The part of azure-core's `AsyncTokenCredential` we use."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken: ...

    async def close(self) -> None: ...


def database_credential(settings: Settings) -> TokenCredential | None:
    """The credential that signs in to PostgreSQL under DATABASE_AUTH=entra; None for a password (or none).

    Under AUTH_MODE=entra the AZURE_CLIENT_ID/SECRET variables belong to the sign-in app, so the
    environment credential is left out: the database is reached as the managed identity.
    """
    if settings.database.auth != "entra":
        return None
    # Imported here: azure-identity is only needed for token sign-in.
    from azure.identity.aio import DefaultAzureCredential

    return DefaultAzureCredential(
        managed_identity_client_id=settings.managed_identity_client_id,
        exclude_environment_credential=settings.auth.mode == "entra",
    )


def token_password(credential: TokenCredential) -> Callable[[], Awaitable[str]]:
    """asyncpg's `password` may be an async callable: it is awaited once per new connection."""

    async def password() -> str:
        token = await credential.get_token(POSTGRES_ENTRA_SCOPE)
        return token.token

    return password


def _tls(url: str, ca_path: Path | None) -> tuple[str, ssl.SSLContext | None]:
    """The URL and an SSL context for the verifying modes. asyncpg verifies only against a CA file
    (~/.postgresql/root.crt), not the system's store: give it a context that uses the system's CAs
    (Azure Database for PostgreSQL's chain to public roots) or DATABASE_CA_PATH."""
    mode = tls_mode(url)
    if mode not in ("verify-ca", "verify-full"):
        return url, None
    context = ssl.create_default_context(cafile=str(ca_path) if ca_path else None)
    context.check_hostname = mode == "verify-full"
    return make_url(url).difference_update_query(["ssl"]).render_as_string(hide_password=False), context


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    credential: TokenCredential | None = None,
    ca_path: Path | None = None,
) -> AsyncEngine:
    """The engine for `url`; pool sizes apply to PostgreSQL (DATABASE_POOL_SIZE, DATABASE_MAX_OVERFLOW)."""
    if url.startswith("sqlite"):
        # One connection: SQLite has a single writer anyway, and queueing for the connection in
        # asyncio is far cheaper than threads contending for SQLite's lock (measured by
        # bench/stream_bench.py: at 100 streams, added first-token p99 fell from ~100 ms to ~18 ms).
        # No store method holds a connection while asking for another, so this cannot deadlock.
        engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=30, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    connect_args: dict[str, Any] = {}
    url, context = _tls(url, ca_path)
    if context is not None:
        connect_args["ssl"] = context
    if credential is not None:
        connect_args["password"] = token_password(credential)
    # No pre-ping: it costs a round trip on every checkout of the hot path; recycle instead
    # (also well within an Entra token's lifetime, though open connections outlive it anyway).
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=max_overflow, pool_recycle=1800, connect_args=connect_args
    )


def engine_for(settings: Settings, credential: TokenCredential | None = None) -> AsyncEngine:
    """The app's engine as the settings describe it (`credential`: from `database_credential`)."""
    return create_engine(
        settings.effective_database_url,
        pool_size=settings.database.pool_size,
        max_overflow=settings.database.max_overflow,
        credential=credential,
        ca_path=settings.database.ca_path,
    )
