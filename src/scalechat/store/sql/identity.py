"""`IdentityStore` on SQLAlchemy Core: users, browser sessions, sign-ins under way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from scalechat.domain import User
from scalechat.store.base import StoredSession
from scalechat.store.sql.tables import auth_sessions, users


class SqlIdentityStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def save_user(self, user: User) -> None:
        changes = {
            "tenant_id": user.tenant_id,
            "name": user.name,
            "email": user.email,
            "last_seen_at": user.last_seen_at,
        }
        async with self._engine.begin() as conn:
            result = await conn.execute(update(users).where(users.c.id == user.id).values(**changes))
            if result.rowcount:
                return
            try:
                async with conn.begin_nested():
                    await conn.execute(insert(users).values(id=user.id, created_at=user.created_at, **changes))
            except IntegrityError:  # created by a concurrent first sign-in: theirs is as good
                pass

    async def get_user(self, user_id: str) -> User | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
        # The columns are the dataclass's fields, by name.
        return None if row is None else User(**row._mapping)

    async def delete_user(self, user_id: str) -> bool:
        # Sessions first, in the same transaction: nobody stays signed in as a user who is gone.
        async with self._engine.begin() as conn:
            await conn.execute(delete(auth_sessions).where(auth_sessions.c.user_id == user_id))
            result = await conn.execute(delete(users).where(users.c.id == user_id))
        return bool(result.rowcount)

    async def create_session(self, session: StoredSession) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(auth_sessions).values(
                    id=session.id,
                    user_id=session.user_id,
                    claims=session.claims,
                    secrets=session.secrets,
                    version=session.version,
                    created_at=session.created_at,
                    last_seen_at=session.last_seen_at,
                    expires_at=session.expires_at,
                )
            )

    async def get_session(self, session_id: str) -> StoredSession | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(auth_sessions).where(auth_sessions.c.id == session_id))).first()
        return None if row is None else StoredSession(**row._mapping)

    async def touch_session(self, session_id: str, last_seen_at: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(auth_sessions).where(auth_sessions.c.id == session_id).values(last_seen_at=last_seen_at)
            )

    async def renew_session(
        self, session_id: str, *, expected_version: int, claims: dict[str, Any], secrets: str
    ) -> bool:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(auth_sessions)
                .where(auth_sessions.c.id == session_id, auth_sessions.c.version == expected_version)
                .values(claims=claims, secrets=secrets, version=expected_version + 1)
            )
        return bool(result.rowcount)

    async def delete_session(self, session_id: str) -> bool:
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(auth_sessions).where(auth_sessions.c.id == session_id))
        return bool(result.rowcount)

    async def purge(self, *, expired_before: datetime, idle_before: datetime) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                delete(auth_sessions).where(
                    or_(auth_sessions.c.expires_at < expired_before, auth_sessions.c.last_seen_at < idle_before)
                )
            )
        return int(result.rowcount or 0)
