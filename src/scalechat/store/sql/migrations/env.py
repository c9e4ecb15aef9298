"""Alembic environment: online migrations over the async engine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from scalechat.store.sql.engine import create_engine
from scalechat.store.sql.migrate import MIGRATION_LOCK_KEY
from scalechat.store.sql.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Held until this transaction ends, before Alembic reads the current revision: a second
        # instance waits here, then finds the schema at head and does nothing.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _main() -> None:
    make_credential = config.attributes.get("credential")
    credential = make_credential() if make_credential is not None else None
    url = config.attributes["database_url"]
    if url.startswith("sqlite"):
        # Not the app's engine: its foreign_keys=ON would make a batch rebuild of a table
        # (copy, drop, rename) cascade the drop into the rows that refer to it.
        engine = create_async_engine(url)
    else:
        engine = create_engine(url, pool_size=1, max_overflow=0, credential=credential)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()
        if credential is not None:
            await credential.close()


asyncio.run(_main())
