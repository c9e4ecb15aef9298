"""Open the storage backend the settings name: SQL (SQLite or PostgreSQL) or Azure Cosmos DB."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from scalechat.settings import Settings
from scalechat.store.base import IdentityStore, Store

if TYPE_CHECKING:
    from azure.cosmos.aio import CosmosClient
    from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True, slots=True)
class Backend:
    """The stores of one backend. `store.aclose()` closes what they share (engine or client).

    `sql_engine` and `cosmos_client` are there for the prompt log's sink to share: SQLite has one
    writer, and a second engine made chats wait on the log (first token p50 168 -> 800 ms at 100
    streams); a second Cosmos client would be a second connection pool and credential.
    """

    store: Store
    identity: IdentityStore
    sql_engine: AsyncEngine | None = None
    cosmos_client: CosmosClient | None = None


async def open_backend(settings: Settings) -> Backend:
    if settings.conversation_backend == "cosmos":
        from scalechat.store.cosmos import open_cosmos_backend

        return await open_cosmos_backend(settings)
    from scalechat.store.sql.engine import database_credential, engine_for
    from scalechat.store.sql.identity import SqlIdentityStore
    from scalechat.store.sql.store import SqlConversationStore

    credential = database_credential(settings)  # DATABASE_AUTH=entra; the store closes it
    engine = engine_for(settings, credential)
    return Backend(SqlConversationStore(engine, credential=credential), SqlIdentityStore(engine), sql_engine=engine)
