"""Alembic environment: online migrations over the async engine."""

from __future__ import annotations

import asyncio
import time

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from scalechat.store.sql.engine import create_engine
from scalechat.store.sql.migrate import MIGRATION_LOCK_KEY
from scalechat.store.sql.tables import metadata

config = context.config


# Long enough for an index to be built on a big table by the instance that went first.
LOCK_WAIT_SECONDS = 30 * 60
LOCK_POLL_SECONDS = 0.5


def _take_migration_lock(connection: Connection) -> None:
    """A session lock, taken before Alembic reads the current revision: a second instance waits here,
    then finds the schema at head and does nothing.

    A session lock, not a transaction lock: a migration that builds an index CONCURRENTLY commits in
    the middle (autocommit_block). And tried, not waited for inside a statement: CREATE INDEX
    CONCURRENTLY waits for every open transaction, including one blocked on this very lock, which
    PostgreSQL then reports as a deadlock.
    """
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY}).scalar()
        connection.commit()
        if taken:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"another instance has been migrating the database for over {LOCK_WAIT_SECONDS} s")
        time.sleep(LOCK_POLL_SECONDS)


def _run(connection: Connection) -> None:
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        _take_migration_lock(connection)
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if postgres:
            connection.rollback()  # a failed migration leaves its transaction aborted
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()


async def _main() -> None:
    make_credential = config.attributes.get("credential")
    credential = make_credential() if make_credential is not None else None
    url = config.attributes["database_url"]
    if url.startswith("sqlite"):
        # Not the app's engine: its foreign_keys=ON would make a batch rebuild of a table
        # (copy, drop, rename) cascade the drop into the rows that refer to it.
        engine = create_async_engine(url)
    else:
        ca_path = config.attributes.get("ca_path")
        engine = create_engine(url, pool_size=1, max_overflow=0, credential=credential, ca_path=ca_path)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()
        if credential is not None:
            await credential.close()


asyncio.run(_main())
