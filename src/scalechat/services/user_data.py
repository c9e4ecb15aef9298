"""Data-subject requests: everything kept about one user, exported or erased.

"Everything" is the user's profile and sessions, conversations with their messages,
edits and feedback, presets, and their records in the prompt log. Erasure goes
prompt log first and profile last, so a run that fails part-way can simply be
run again: what is left still names the user.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from scalechat.domain import Preset, User, now
from scalechat.services.export import conversation_document
from scalechat.store.base import Cursor, IdentityStore, Store

EXPORT_FORMAT = "scalechat.user-data"
EXPORT_VERSION = 1

_PAGE = 100


class UserRecords(Protocol):
    """What a prompt-log sink offers for one user's records."""

    def records_of_user(self, user_id: str) -> AsyncIterator[dict[str, Any]]: ...

    async def delete_user(self, user_id: str) -> int: ...


@dataclass(frozen=True, slots=True)
class Erased:
    """How much was removed for one user."""

    prompt_log_records: int
    conversation_items: int
    user: bool

    @property
    def anything(self) -> bool:
        return bool(self.prompt_log_records or self.conversation_items or self.user)


def _user_document(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.id,
        "tenant_id": user.tenant_id,
        "name": user.name,
        "email": user.email,
        "created_at": user.created_at.isoformat(),
        "last_seen_at": user.last_seen_at.isoformat(),
    }


def _preset_document(preset: Preset) -> dict[str, Any]:
    return {
        "id": preset.id,
        "name": preset.name,
        "system_prompt": preset.system_prompt,
        "parameters": preset.parameters.model_dump(),
        "model": preset.model,
        "created_at": preset.created_at.isoformat(),
        "updated_at": preset.updated_at.isoformat(),
    }


class UserDataService:
    def __init__(self, store: Store, identity: IdentityStore, prompt_log: UserRecords | None) -> None:
        self._store = store
        self._identity = identity
        self._prompt_log = prompt_log

    async def export(self, user_id: str) -> dict[str, Any]:
        """One JSON document with all the user's data (sessions hold only tokens: left out)."""
        conversations = []
        cursor: Cursor | None = None
        while True:
            page = await self._store.list_conversations(user_id, limit=_PAGE, cursor=cursor, query=None)
            for listed in page.items:
                loaded = await self._store.get_conversation_with_messages(user_id, listed.id)
                if loaded is not None:  # deleted meanwhile
                    conversations.append(conversation_document(*loaded))
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        records = []
        if self._prompt_log is not None:
            records = [record async for record in self._prompt_log.records_of_user(user_id)]
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "exported_at": now().isoformat(),
            "user_id": user_id,
            "user": _user_document(await self._identity.get_user(user_id)),
            "conversations": conversations,
            "presets": [_preset_document(p) for p in await self._store.list_presets(user_id)],
            "prompt_log": records,
        }

    async def erase(self, user_id: str) -> Erased:
        """Remove all the user's data and end their sessions."""
        records = await self._prompt_log.delete_user(user_id) if self._prompt_log is not None else 0
        items = await self._store.delete_user_data(user_id)
        user = await self._identity.delete_user(user_id)
        return Erased(prompt_log_records=records, conversation_items=items, user=user)
