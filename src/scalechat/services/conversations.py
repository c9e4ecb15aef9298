"""Conversations of one user: create, list, read, change, delete, export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import orjson

from scalechat.domain import (
    DEFAULT_TITLE,
    Conversation,
    Message,
    Parameters,
    ParametersUpdate,
    Principal,
    Role,
    new_id,
    now,
)
from scalechat.errors import InvalidRequest, NotFound
from scalechat.llm.catalog import ModelCatalog
from scalechat.services.export import conversation_document
from scalechat.services.generations import GenerationManager
from scalechat.services.prompt import branch_to
from scalechat.services.text import check_system_prompt_length, check_text
from scalechat.settings import Settings
from scalechat.store.base import ConversationChanges, ConversationPage, ConversationStore, Cursor


@dataclass(frozen=True, slots=True)
class ConversationWithMessages:
    conversation: Conversation
    messages: list[Message]


class ConversationService:
    def __init__(
        self, store: ConversationStore, catalog: ModelCatalog, generations: GenerationManager, settings: Settings
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._generations = generations
        self._settings = settings

    def _check_text(self, *, title: str | None, system_prompt: str | None) -> None:
        if title is not None and len(title) > self._settings.max_title_chars:
            raise InvalidRequest(
                f"The title is {len(title)} characters; the limit is {self._settings.max_title_chars}.",
                code="title_too_long",
            )
        check_system_prompt_length(system_prompt, self._settings.max_system_prompt_chars)
        check_text("title", title)
        check_text("system_prompt", system_prompt)

    async def create(
        self,
        principal: Principal,
        *,
        title: str | None,
        system_prompt: str | None,
        parameters: ParametersUpdate | None,
        model: str | None,
    ) -> Conversation:
        self._check_text(title=title, system_prompt=system_prompt)
        if model is not None:
            self._catalog.get(model)
        stamp = now()
        conversation = Conversation(
            id=new_id(),
            user_id=principal.user_id,
            title=(title or "").strip() or DEFAULT_TITLE,
            system_prompt=self._settings.default_system_prompt if system_prompt is None else system_prompt,
            parameters=(parameters or ParametersUpdate()).apply_to(Parameters()),
            model=model,
            created_at=stamp,
            updated_at=stamp,
        )
        await self._store.create_conversation(conversation)
        return conversation

    async def get(self, principal: Principal, conversation_id: str) -> Conversation:
        conversation = await self._store.get_conversation(principal.user_id, conversation_id)
        if conversation is None:
            raise NotFound("No such conversation.", code="conversation_not_found")
        return conversation

    async def get_with_messages(self, principal: Principal, conversation_id: str) -> ConversationWithMessages:
        loaded = await self._store.get_conversation_with_messages(principal.user_id, conversation_id)
        if loaded is None:
            raise NotFound("No such conversation.", code="conversation_not_found")
        conversation, messages = loaded
        return ConversationWithMessages(conversation, self._generations.overlay(messages))

    async def list(
        self, principal: Principal, *, limit: int, cursor: str | None, query: str | None
    ) -> ConversationPage:
        decoded = Cursor.decode(cursor) if cursor else None
        return await self._store.list_conversations(
            principal.user_id, limit=limit, cursor=decoded, query=(query or "").strip() or None
        )

    async def update(
        self,
        principal: Principal,
        conversation_id: str,
        *,
        title: str | None = None,
        system_prompt: str | None = None,
        parameters: ParametersUpdate | None = None,
        model: str | None = None,
        current_message_id: str | None = None,
    ) -> Conversation:
        self._check_text(title=title, system_prompt=system_prompt)
        if title is not None and not title.strip():
            raise InvalidRequest("The title cannot be empty.", code="title_empty")
        if model is not None:
            self._catalog.get(model)
        if current_message_id is not None:
            message = await self._store.get_message(principal.user_id, current_message_id)
            if message is None or message.conversation_id != conversation_id or message.role is not Role.ASSISTANT:
                raise InvalidRequest(
                    "current_message_id must be an answer in this conversation.", code="invalid_message"
                )
        parameters_now = None
        if parameters is not None:
            parameters_now = parameters.apply_to((await self.get(principal, conversation_id)).parameters)
        updated = await self._store.update_conversation(
            principal.user_id,
            conversation_id,
            ConversationChanges(
                title=title.strip() if title is not None else None,
                system_prompt=system_prompt,
                parameters=parameters_now,
                model=model,
                current_message_id=current_message_id,
            ),
        )
        if updated is None:
            raise NotFound("No such conversation.", code="conversation_not_found")
        return updated

    async def delete(self, principal: Principal, conversation_id: str) -> None:
        await self._generations.stop_conversation(principal.user_id, conversation_id)
        deleted = await self._store.delete_conversation(principal.user_id, conversation_id)
        # Again: a question stored just before the delete may have started its answer meanwhile.
        await self._generations.stop_conversation(principal.user_id, conversation_id)
        if not deleted:
            raise NotFound("No such conversation.", code="conversation_not_found")

    async def export(
        self, principal: Principal, conversation_id: str, fmt: Literal["json", "markdown"]
    ) -> tuple[str, str]:
        """Return (body, media type). JSON holds the whole tree; Markdown the current branch."""
        full = await self.get_with_messages(principal, conversation_id)
        if fmt == "json":
            document = conversation_document(full.conversation, full.messages)
            return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode(), "application/json"
        return self._markdown(full), "text/markdown; charset=utf-8"

    @staticmethod
    def _markdown(full: ConversationWithMessages) -> str:
        conversation = full.conversation
        by_id = {m.id: m for m in full.messages}
        lines = [f"# {conversation.title}", ""]
        if conversation.system_prompt:
            lines += ["_System prompt:_", "", *(f"> {line}" for line in conversation.system_prompt.splitlines()), ""]
        for message in branch_to(by_id, conversation.current_message_id):
            heading = "You" if message.role is Role.USER else "Assistant"
            suffix = "" if message.status.value in ("completed",) else f" _({message.status.value})_"
            lines += [f"## {heading}{suffix}", "", message.content, ""]
        return "\n".join(lines)
