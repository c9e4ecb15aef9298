"""Request and response bodies: `XCreate`, `XUpdate`, `XRead`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scalechat.domain import Conversation, Message, MessageStatus, Parameters, ParametersUpdate, Role, Usage
from scalechat.llm.base import ModelInfo


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    title: str | None = Field(default=None, description="Absent: taken from the first question.")
    system_prompt: str | None = None
    parameters: ParametersUpdate | None = None
    model: str | None = Field(default=None, description="A model id from GET /api/models.")


class ConversationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    title: str | None = None
    system_prompt: str | None = None
    parameters: ParametersUpdate | None = None
    model: str | None = None
    current_message_id: str | None = Field(default=None, description="Switch branch: the message to show last.")


class ConversationRead(BaseModel):
    id: str
    title: str
    system_prompt: str
    parameters: Parameters
    model: str | None
    created_at: datetime
    updated_at: datetime
    current_message_id: str | None

    @classmethod
    def of(cls, c: Conversation) -> ConversationRead:
        return cls(
            id=c.id,
            title=c.title,
            system_prompt=c.system_prompt,
            parameters=c.parameters,
            model=c.model,
            created_at=c.created_at,
            updated_at=c.updated_at,
            current_message_id=c.current_message_id,
        )


class MessageError(BaseModel):
    code: str
    detail: str | None


class MessageRead(BaseModel):
    id: str
    conversation_id: str
    parent_id: str | None
    role: Role
    content: str
    status: MessageStatus
    model: str | None
    usage: Usage | None
    finish_reason: str | None
    error: MessageError | None
    created_at: datetime

    @classmethod
    def of(cls, m: Message) -> MessageRead:
        return cls(
            id=m.id,
            conversation_id=m.conversation_id,
            parent_id=m.parent_id,
            role=m.role,
            content=m.content,
            status=m.status,
            model=m.model,
            usage=m.usage,
            finish_reason=m.finish_reason,
            error=MessageError(code=m.error_code, detail=m.error_detail) if m.error_code else None,
            created_at=m.created_at,
        )


class ConversationDetail(ConversationRead):
    messages: list[MessageRead]


class ConversationList(BaseModel):
    items: list[ConversationRead]
    next_cursor: str | None


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    content: str = Field(description="The question. Must not be empty.")
    parent_id: str | None = Field(
        default=None,
        description=(
            "The answer this question follows. Absent: the conversation's current message. "
            "null: a new first question (editing the first question makes a sibling branch)."
        ),
    )
    model: str | None = None
    parameters: ParametersUpdate | None = Field(default=None, description="For this answer only.")


class RegenerateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    model: str | None = None
    parameters: ParametersUpdate | None = None


class ModelRead(BaseModel):
    id: str
    label: str
    provider: str
    context_window: int
    simulated: bool

    @classmethod
    def of(cls, info: ModelInfo) -> ModelRead:
        return cls(
            id=info.id,
            label=info.label,
            provider=info.provider,
            context_window=info.context_window,
            simulated=info.simulated,
        )


class ModelList(BaseModel):
    items: list[ModelRead]
    default: str


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, Any] = Field(default_factory=dict)


class Problem(BaseModel):
    """RFC 9457 problem details, with a stable `code`."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    instance: str | None = None
