"""Asking: store the question, build the prompt, start a server-side generation.

Everything that can be refused is checked before anything is written, and the
write itself is conditional on the conversation being as it was read, so a
refused or racing request leaves no half-written state.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Final

from scalechat.domain import (
    DEFAULT_TITLE,
    Conversation,
    Message,
    MessageStatus,
    ParametersUpdate,
    Principal,
    Role,
    new_id,
    now,
)
from scalechat.errors import Conflict, InvalidRequest, NotFound, NotReady
from scalechat.llm.base import ChatRequest
from scalechat.llm.catalog import ModelCatalog
from scalechat.llm.tokens import TokenCounter
from scalechat.promptlog.record import LoggedTurn, PromptContext
from scalechat.services.generations import GenerationManager, StreamEvent, replay_stored
from scalechat.services.prompt import branch_to, build_prompt
from scalechat.services.text import check_content
from scalechat.services.titles import title_from_question
from scalechat.settings import Settings
from scalechat.store.base import ConversationStore, NewExchange

log = logging.getLogger(__name__)


class Root:
    """Where a question goes when it starts the conversation anew (editing the first question)."""


ROOT: Final = Root()


@dataclass(frozen=True, slots=True)
class Exchange:
    user_message_id: str
    assistant_message_id: str
    events: AsyncIterator[StreamEvent]


class ChatService:
    def __init__(
        self,
        store: ConversationStore,
        catalog: ModelCatalog,
        generations: GenerationManager,
        settings: Settings,
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._generations = generations
        self._settings = settings

    async def send(
        self,
        principal: Principal,
        conversation_id: str,
        *,
        content: str,
        parent_id: str | Root | None,
        model: str | None,
        parameters: ParametersUpdate | None,
        simulator_headers: dict[str, str] | None = None,
    ) -> Exchange:
        """Ask a question after the answer `parent_id` (None: the current message; ROOT: as a first question)."""
        check_content("message", content, self._settings.max_content_chars)
        conversation, messages = await self._load(principal, conversation_id)
        by_id = {m.id: m for m in messages}
        self._check_not_streaming(by_id, conversation)
        parent = self._parent(by_id, conversation, parent_id)
        question = Message(
            id=new_id(),
            conversation_id=conversation.id,
            user_id=principal.user_id,
            parent_id=parent.id if parent else None,
            role=Role.USER,
            content=content,
            status=MessageStatus.COMPLETED,
            model=None,
            created_at=now(),
        )
        history = branch_to(by_id, parent.id) if parent else []
        return await self._ask(
            principal, conversation, history, question, model, parameters, simulator_headers, new_question=True
        )

    async def regenerate(
        self,
        principal: Principal,
        message_id: str,
        *,
        model: str | None,
        parameters: ParametersUpdate | None,
        simulator_headers: dict[str, str] | None = None,
    ) -> Exchange:
        """A new answer to the same question, as a sibling of the answer `message_id`."""
        answer = await self._store.get_message(principal.user_id, message_id)
        if answer is None:
            raise NotFound("No such message.", code="message_not_found")
        if answer.role is not Role.ASSISTANT or answer.parent_id is None:
            raise InvalidRequest("Only an answer can be regenerated.", code="not_an_answer")
        conversation, messages = await self._load(principal, answer.conversation_id)
        by_id = {m.id: m for m in messages}
        self._check_not_streaming(by_id, conversation)
        question = by_id[answer.parent_id]
        history = branch_to(by_id, question.parent_id) if question.parent_id else []
        return await self._ask(
            principal, conversation, history, question, model, parameters, simulator_headers, new_question=False
        )

    async def attach(self, principal: Principal, message_id: str) -> AsyncIterator[StreamEvent]:
        """Follow an answer: live if it is still being written, else its stored end."""
        generation = self._generations.find(principal.user_id, message_id)
        if generation is not None:
            return self._generations.subscribe(generation)
        message = await self._store.get_message(principal.user_id, message_id)
        if message is None:
            raise NotFound("No such message.", code="message_not_found")
        if message.role is not Role.ASSISTANT:
            raise InvalidRequest("Only an answer can be streamed.", code="not_an_answer")
        return replay_stored(message)

    async def stop(self, principal: Principal, message_id: str) -> Message:
        """Stop an answer being written; return it as stored (also when it had already ended)."""
        generation = self._generations.find(principal.user_id, message_id)
        if generation is not None:
            await self._generations.stop(generation)
        message = await self._store.get_message(principal.user_id, message_id)
        if message is None:
            raise NotFound("No such message.", code="message_not_found")
        return message

    # -- helpers -----------------------------------------------------------

    async def _load(self, principal: Principal, conversation_id: str) -> tuple[Conversation, list[Message]]:
        loaded = await self._store.get_conversation_with_messages(principal.user_id, conversation_id)
        if loaded is None:
            raise NotFound("No such conversation.", code="conversation_not_found")
        conversation, messages = loaded
        return conversation, self._generations.overlay(messages)

    def _check_not_streaming(self, by_id: dict[str, Message], conversation: Conversation) -> None:
        current = by_id.get(conversation.current_message_id or "")
        generation = self._generations.find(current.user_id, current.id) if current is not None else None
        if current is not None and generation is not None and generation.in_progress:
            raise Conflict(
                "An answer is still being written in this conversation; stop it or wait for it.",
                code="answer_in_progress",
                message_id=current.id,
            )

    @staticmethod
    def _parent(by_id: dict[str, Message], conversation: Conversation, parent_id: str | Root | None) -> Message | None:
        if isinstance(parent_id, Root):
            return None
        if parent_id is None:
            return by_id.get(conversation.current_message_id or "")
        parent = by_id.get(parent_id)
        if parent is None:
            raise InvalidRequest("parent_id is not a message of this conversation.", code="invalid_parent")
        if parent.role is not Role.ASSISTANT:
            raise InvalidRequest("parent_id must be an answer: a question follows an answer.", code="invalid_parent")
        return parent

    async def _ask(
        self,
        principal: Principal,
        conversation: Conversation,
        history: list[Message],
        question: Message,
        model_id: str | None,
        parameters: ParametersUpdate | None,
        simulator_headers: dict[str, str] | None,
        *,
        new_question: bool,
    ) -> Exchange:
        if not self._generations.accepting:
            raise NotReady("The server is shutting down; try again in a moment.", code="shutting_down", retry_after=5)
        model = self._catalog.get(model_id or conversation.model)
        params = parameters.apply_to(conversation.parameters) if parameters else conversation.parameters
        turns = build_prompt(
            system_prompt=conversation.system_prompt,
            history=history,
            question=question.content,
            past_messages=params.past_messages,
            max_tokens=params.max_tokens,
            context_window=model.info.context_window,
            counter=TokenCounter(model.info.tokenizer_model),
        )
        answer = Message(
            id=new_id(),
            conversation_id=conversation.id,
            user_id=principal.user_id,
            parent_id=question.id,
            role=Role.ASSISTANT,
            content="",
            status=MessageStatus.STREAMING,
            model=model.info.id,
            created_at=now(),
        )
        untitled = new_question and question.parent_id is None and conversation.title == DEFAULT_TITLE
        with self._generations.starting(answer.id):
            stored = await self._store.add_exchange(
                principal.user_id,
                conversation.id,
                NewExchange(
                    messages=[question, answer] if new_question else [answer],
                    expected_current_id=conversation.current_message_id,
                    current_message_id=answer.id,
                    updated_at=answer.created_at,
                    title_if_untitled=title_from_question(question.content) if untitled else None,
                ),
            )
        if not stored:
            if await self._store.get_conversation(principal.user_id, conversation.id) is None:
                raise NotFound("No such conversation.", code="conversation_not_found")
            raise Conflict(
                "The conversation changed while this question was being sent (another question or a branch "
                "switch); reload it and send again.",
                code="conversation_changed",
            )
        if self._settings.log_message_text:
            log.info("chat.question", extra={"message_id": question.id, "text": question.content})
        request = ChatRequest(
            messages=turns,
            max_tokens=params.max_tokens,
            temperature=params.temperature,
            top_p=params.top_p,
            headers=(simulator_headers or {}) if model.info.simulated else {},
        )
        log_context = None
        if self._settings.promptlog_sink != "off":
            log_context = PromptContext(
                chat_session_id=conversation.id,
                question_id=question.id,
                user_id=principal.user_id,
                user_name=principal.name,
                tenant_id=principal.tenant_id,
                prompt=tuple(LoggedTurn(turn.role.value, turn.content) for turn in turns),
                max_tokens=params.max_tokens,
                temperature=params.temperature,
                top_p=params.top_p,
                past_messages=params.past_messages,
                deployment=model.info.id,
                provider=model.info.provider,
                # Azure names the deployment; the model behind it is what the original logged.
                model=model.info.tokenizer_model if model.info.provider == "azure" else model.info.id,
            )
        generation = self._generations.start(
            message_id=answer.id,
            conversation_id=conversation.id,
            user_id=principal.user_id,
            model=model,
            request=request,
            log_context=log_context,
        )
        return Exchange(question.id, answer.id, self._generations.subscribe(generation))
