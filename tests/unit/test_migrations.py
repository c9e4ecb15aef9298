"""The migrations build exactly the tables the code uses, and go down and up again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from scalechat.store.sql.migrate import alembic_config, upgrade
from scalechat.store.sql.tables import metadata
from tests.postgres_server import PostgresServer


def differences(url: str) -> list[Any]:
    async def compare() -> list[Any]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                found: list[Any] = await conn.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
                )
                return found
        finally:
            await engine.dispose()

    return asyncio.run(compare())


def test_migrations_match_the_tables_and_downgrade(tmp_path: Path) -> None:
    check_down_and_up(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")


def test_migrations_match_the_tables_and_downgrade_on_postgresql(postgres: PostgresServer) -> None:
    check_down_and_up(postgres.url(postgres.create_database("migrations_both_ways")))


def check_down_and_up(url: str) -> None:
    upgrade(url)
    assert differences(url) == []
    command.downgrade(alembic_config(url), "0001")
    upgrade(url)
    assert differences(url) == []
