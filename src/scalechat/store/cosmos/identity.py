"""`IdentityStore` on Azure Cosmos DB: users (`users`, key /id) and browser sessions (`sessions`, key /id).

Every session item carries its own `ttl`: the seconds to its idle or absolute limit, whichever comes
first, as of the write (Cosmos DB counts it from the item's last write). So a real account removes
ended sessions by itself, at no request cost. `purge` still works by query and delete: the
test server ignores TTL, and a renewal, which does not know the last-seen time, leaves the `ttl`
as it was (the session manager refuses an ended session anyway).
"""

from __future__ import annotations

import contextlib
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import (
    CosmosAccessConditionFailedError,
    CosmosResourceExistsError,
    CosmosResourceNotFoundError,
)

from scalechat.domain import User, utc_text
from scalechat.store.base import StoredSession
from scalechat.store.cosmos.documents import session_item, session_of, user_item, user_of
from scalechat.store.cosmos.errors import maps_cosmos_errors

# Slack on top of a session's limits, so clock skew never removes a session the app still honours.
TTL_MARGIN_SECONDS = 60


@maps_cosmos_errors
class CosmosIdentityStore:
    def __init__(
        self,
        users: ContainerProxy,
        sessions: ContainerProxy,
        *,
        idle: timedelta,
        ttl_margin_seconds: int = TTL_MARGIN_SECONDS,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._idle = idle
        self._ttl_margin = ttl_margin_seconds

    def _ttl(self, last_seen_at: datetime, expires_at: datetime) -> int:
        ends = min(last_seen_at + self._idle, expires_at)
        return max(1, math.ceil((ends - datetime.now(UTC)).total_seconds()) + self._ttl_margin)

    # -- users ----------------------------------------------------------------------------------

    async def save_user(self, user: User) -> None:
        changes: list[dict[str, Any]] = [
            {"op": "set", "path": f"/{name}", "value": value}
            for name, value in user_item(user).items()
            if name in ("tenant_id", "name", "email", "last_seen_at")
        ]
        try:
            await self._users.patch_item(user.id, partition_key=user.id, patch_operations=changes)
            return
        except CosmosResourceNotFoundError:
            pass
        with contextlib.suppress(CosmosResourceExistsError):  # a concurrent first sign-in: theirs is as good
            await self._users.create_item(user_item(user))

    async def get_user(self, user_id: str) -> User | None:
        try:
            item = await self._users.read_item(user_id, partition_key=user_id)
        except CosmosResourceNotFoundError:
            return None
        return user_of(item)

    async def delete_user(self, user_id: str) -> bool:
        # Sessions first (signed out everywhere), then the user: a retry after a failure finishes it.
        sessions = self._sessions.query_items(
            "SELECT VALUE c.id FROM c WHERE c.user_id = @user", parameters=[{"name": "@user", "value": user_id}]
        )
        for session_id in [str(s) async for s in sessions]:
            await self.delete_session(session_id)
        try:
            await self._users.delete_item(user_id, partition_key=user_id)
        except CosmosResourceNotFoundError:
            return False
        return True

    # -- sessions -------------------------------------------------------------------------------

    async def create_session(self, session: StoredSession) -> None:
        await self._sessions.create_item(session_item(session, self._ttl(session.last_seen_at, session.expires_at)))

    async def get_session(self, session_id: str) -> StoredSession | None:
        try:
            item = await self._sessions.read_item(session_id, partition_key=session_id)
        except CosmosResourceNotFoundError:
            return None
        return session_of(item)

    async def touch_session(self, session_id: str, last_seen_at: datetime) -> None:
        session = await self.get_session(session_id)
        if session is None:
            return
        operations: list[dict[str, Any]] = [
            {"op": "set", "path": "/last_seen_at", "value": utc_text(last_seen_at)},
            {"op": "set", "path": "/ttl", "value": self._ttl(last_seen_at, session.expires_at)},
        ]
        with contextlib.suppress(CosmosResourceNotFoundError):  # ended meanwhile
            await self._sessions.patch_item(session_id, partition_key=session_id, patch_operations=operations)

    async def renew_session(
        self, session_id: str, *, expected_version: int, claims: dict[str, Any], secrets: str
    ) -> bool:
        operations: list[dict[str, Any]] = [
            {"op": "set", "path": "/claims", "value": claims},
            {"op": "set", "path": "/secrets", "value": secrets},
            {"op": "set", "path": "/version", "value": expected_version + 1},
        ]
        try:
            await self._sessions.patch_item(
                session_id,
                partition_key=session_id,
                patch_operations=operations,
                # An int we formatted ourselves: safe in the predicate's text.
                filter_predicate=f"FROM c WHERE c.version = {int(expected_version)}",
            )
        except (CosmosResourceNotFoundError, CosmosAccessConditionFailedError):
            return False
        return True

    async def delete_session(self, session_id: str) -> bool:
        try:
            await self._sessions.delete_item(session_id, partition_key=session_id)
        except CosmosResourceNotFoundError:
            return False
        return True

    async def purge(self, *, expired_before: datetime, idle_before: datetime) -> int:
        ended = self._sessions.query_items(
            "SELECT VALUE c.id FROM c WHERE c.expires_at < @expired OR c.last_seen_at < @idle",
            parameters=[
                {"name": "@expired", "value": utc_text(expired_before)},
                {"name": "@idle", "value": utc_text(idle_before)},
            ],
        )
        count = 0
        for session_id in [str(s) async for s in ended]:
            count += await self.delete_session(session_id)
        return count
