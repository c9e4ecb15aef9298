"""Apply the Alembic migrations that ship inside the package (no alembic.ini needed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from azure.core.exceptions import ClientAuthenticationError
from sqlalchemy.exc import DBAPIError

from scalechat.settings import Settings, mask_url
from scalechat.store.sql.engine import TokenCredential, database_credential

MIGRATIONS = Path(__file__).parent / "migrations"

# Several instances starting at once (a scale-out, a deployment slot swap) all migrate on start:
# on PostgreSQL they take turns under this advisory lock, and the later ones find nothing to do.
MIGRATION_LOCK_KEY = 0x5CA1EC4A7  # any constant bigint, the same in every instance


def alembic_config(
    database_url: str,
    credential: Callable[[], TokenCredential | None] | None = None,
    ca_path: Path | None = None,
) -> Config:
    """`credential` makes the Entra ID credential for token sign-in; it is called (and the credential
    closed) inside the migration's own event loop."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    config.attributes["credential"] = credential
    config.attributes["ca_path"] = ca_path
    return config


def head_revision() -> str:
    """The revision the shipped migrations end at."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://")).get_current_head()
    assert head is not None  # the package ships migrations
    return head


def upgrade(
    database_url: str,
    revision: str = "head",
    *,
    credential: Callable[[], TokenCredential | None] | None = None,
    ca_path: Path | None = None,
) -> None:
    """Bring the schema up to `revision`. Runs its own event loop: call it outside one."""
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url, credential, ca_path), revision)


class MigrationFailed(Exception):
    """The database could not be reached or signed in to; the message is one line, without secrets."""


def migrate(settings: Settings) -> None:
    """Bring the configured SQL database up to date, signing in as the app does."""
    try:
        upgrade(
            settings.effective_database_url,
            credential=lambda: database_credential(settings),
            ca_path=settings.database.ca_path,
        )
    except (OSError, DBAPIError, ClientAuthenticationError) as exc:
        # Neither carries the password: asyncpg names the user and host, azure-identity the credential.
        reason: BaseException = exc
        if isinstance(exc, DBAPIError):  # SQLAlchemy's wrapper, then the driver's adapter, then asyncpg's own
            reason = exc.orig.__cause__ or exc.orig if exc.orig is not None else exc
        first_line = (str(reason).strip().splitlines() or [""])[0]
        raise MigrationFailed(
            f"could not migrate the database {mask_url(settings.effective_database_url)}: "
            f"{type(reason).__name__}: {first_line}"
        ) from exc
