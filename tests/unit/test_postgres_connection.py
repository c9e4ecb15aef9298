"""How scalechat reaches PostgreSQL: URLs as Azure prints them, pool settings, Entra ID tokens as
passwords, and migrations that several instances start at once."""

from __future__ import annotations

import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import anyio.to_thread
import pytest
from azure.core.credentials import AccessToken
from sqlalchemy.exc import DBAPIError

from scalechat.domain import Conversation, Parameters
from scalechat.settings import DatabaseSettings, SettingsError, load_settings, tls_mode
from scalechat.store.factory import open_backend
from scalechat.store.sql.engine import POSTGRES_ENTRA_SCOPE, engine_for
from scalechat.store.sql.migrate import head_revision, upgrade
from scalechat.store.sql.store import SqlConversationStore
from tests.postgres_server import PostgresServer
from tests.support import clean_env, make_certificate


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://app:pw@db.example:5432/chat?sslmode=require", "postgresql+asyncpg://app:pw@db.example:5432/chat?ssl=require"),
        ("postgresql://app:pw@db.example/chat", "postgresql+asyncpg://app:pw@db.example/chat"),
        ("postgresql+asyncpg://app@db.example/chat?ssl=verify-full", "postgresql+asyncpg://app@db.example/chat?ssl=verify-full"),
    ],
)  # fmt: skip
def test_postgresql_urls_in_the_forms_azure_prints_are_accepted(given: str, used: str) -> None:
    assert load_settings(database_url=given).effective_database_url == used


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("postgresql://app:s3cret@db.example/chat?application_name=x", "unknown option 'application_name'"),
        ("postgresql://app:s3cret@db.example/chat?sslmode=sometimes", "sslmode must be one of"),
        ("mysql://app:s3cret@db.example/chat", "must start with sqlite+aiosqlite://"),
    ],
)
def test_an_unusable_url_is_refused_in_one_line_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, given: str, problem: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)

    with pytest.raises(SettingsError) as raised:
        load_settings()

    message = str(raised.value)
    assert message.startswith("invalid setting DATABASE_URL:")
    assert problem in message
    assert "s3cret" not in message and "db.example" not in message
    assert "\n" not in message


class FakeCredential:
    """azure-identity's async credential interface (`get_token`, `close`), handing out a token we chose."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []
        self.closed = False

    async def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
def token_role(postgres: PostgresServer) -> tuple[str, str, str]:
    """A role that signs in with a password, as Azure's Entra ID roles take a token; (role, token, database)."""
    role, token = f"entra_{uuid.uuid4().hex[:10]}", f"eyJ-{uuid.uuid4().hex}"
    postgres.psql(f"CREATE ROLE {role} LOGIN PASSWORD '{token}'")
    database = postgres.create_database(f"entra_{uuid.uuid4().hex[:10]}")
    postgres.psql(f"ALTER DATABASE {database} OWNER TO {role}")
    postgres.require_password(role)
    return role, token, database


@pytest.mark.anyio
async def test_an_entra_token_signs_in_for_migrations_and_the_app(
    postgres: PostgresServer, token_role: tuple[str, str, str]
) -> None:
    role, token, database = token_role
    url = f"postgresql://{role}@127.0.0.1:{postgres.port}/{database}"
    settings = load_settings(database_url=url, database=DatabaseSettings(auth="entra", pool_size=2, max_overflow=1))
    for_migrations = FakeCredential(token)

    # Migrations build their own engine, on their own event loop: run them off this one.
    await anyio.to_thread.run_sync(lambda: upgrade(settings.effective_database_url, credential=lambda: for_migrations))
    for_app = FakeCredential(token)
    engine = engine_for(settings, for_app)
    store = SqlConversationStore(engine, credential=for_app)
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    chat = Conversation("c" * 32, "u1", "Hi", "", Parameters(), None, stamp, stamp)
    await store.create_conversation(chat)
    assert await store.get_conversation("u1", chat.id) == chat
    assert (engine.pool.size(), engine.pool._max_overflow) == (2, 1)  # type: ignore[attr-defined]
    await store.aclose()

    assert for_migrations.scopes and for_app.scopes
    assert set(for_migrations.scopes + for_app.scopes) == {(POSTGRES_ENTRA_SCOPE,)}
    assert for_migrations.closed and for_app.closed


@pytest.mark.anyio
async def test_a_wrong_token_is_refused(postgres: PostgresServer, token_role: tuple[str, str, str]) -> None:
    role, _, database = token_role
    settings = load_settings(
        database_url=f"postgresql://{role}@127.0.0.1:{postgres.port}/{database}",
        database=DatabaseSettings(auth="entra"),
    )
    wrong = FakeCredential("expired-or-forged")
    store = SqlConversationStore(engine_for(settings, wrong), credential=wrong)

    with pytest.raises(DBAPIError, match="password authentication failed"):
        await store.ping()
    await store.aclose()


@pytest.mark.anyio
async def test_sslmode_from_an_azure_connection_string_reaches_the_driver(postgres: PostgresServer) -> None:
    # This server has no TLS: `disable` connects, `require` must fail, so the option is really passed on.
    database = postgres.fresh_database()
    plain = f"postgres://postgres@127.0.0.1:{postgres.port}/{database}"
    backend = await open_backend(load_settings(database_url=plain + "?sslmode=disable"))
    await backend.store.ping()
    await backend.store.aclose()

    backend = await open_backend(load_settings(database_url=plain + "?sslmode=require"))
    with pytest.raises(ConnectionError, match="SSL"):
        await backend.store.ping()
    await backend.store.aclose()


MIGRATE_ON_CUE = """
import sys
from scalechat.store.sql.migrate import upgrade
print("ready", flush=True)
sys.stdin.readline()
upgrade(sys.argv[1])
"""


def test_instances_starting_at_once_migrate_one_after_another(postgres: PostgresServer) -> None:
    database = postgres.create_database(f"race_{uuid.uuid4().hex[:10]}")  # empty
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_ON_CUE, postgres.url(database)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env({}),
        )
        for _ in range(3)
    ]
    for process in processes:  # all imported and waiting: then they start together
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    errors = [process.communicate(timeout=60)[1] for process in processes]

    assert [process.returncode for process in processes] == [0, 0, 0], [error[-1500:] for error in errors]
    assert postgres.psql("SELECT version_num FROM alembic_version", database) == head_revision()
    assert postgres.psql("SELECT count(*) FROM conversations", database) == "0"


@pytest.mark.parametrize(
    ("url", "mode"),
    [
        ("postgresql+asyncpg://app@chat.postgres.database.azure.com/chat", "verify-full"),  # remote: verified
        ("postgresql+asyncpg://app@127.0.0.1:5432/chat", None),  # this machine: the driver's default
        ("postgresql+asyncpg://app@localhost/chat", None),
        ("postgresql+asyncpg://app@db.example/chat?ssl=require", "require"),  # what was asked for
    ],
)
def test_a_remote_server_gets_verified_tls_unless_told_otherwise(url: str, mode: str | None) -> None:
    assert tls_mode(url) == mode


@pytest.mark.parametrize("sslmode", ["disable", "allow", "prefer"])
def test_entra_tokens_are_never_sent_where_tls_may_be_off(sslmode: str) -> None:
    url = f"postgresql://app@chat.postgres.database.azure.com/chat?sslmode={sslmode}"
    with pytest.raises(SettingsError, match="sslmode must be require, verify-ca or verify-full"):
        load_settings(database_url=url, database=DatabaseSettings(auth="entra"))
    load_settings(database_url=url.split("?")[0], database=DatabaseSettings(auth="entra"))  # verify-full


@pytest.fixture(scope="module")
def tls_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PostgresServer, Path]]:
    cert, key = make_certificate(tmp_path_factory.mktemp("pg-tls"))
    server = PostgresServer(tls=(cert, key))
    server.start()
    try:
        server.create_database("tls")
        yield server, cert
    finally:
        server.stop()


@pytest.mark.anyio
async def test_verify_full_checks_the_certificate_against_the_given_ca(
    tls_postgres: tuple[PostgresServer, Path],
) -> None:
    server, cert = tls_postgres
    url = f"postgresql://postgres@127.0.0.1:{server.port}/tls?sslmode=verify-full"
    trusted = await open_backend(load_settings(database_url=url, database=DatabaseSettings(ca_path=cert)))
    await trusted.store.ping()
    await trusted.store.aclose()
    # The system's CAs do not vouch for this self-signed certificate: refused, not silently trusted.
    untrusted = await open_backend(load_settings(database_url=url))
    with pytest.raises(ssl.SSLCertVerificationError):
        await untrusted.store.ping()
    await untrusted.store.aclose()
