"""Request and response bodies: `XCreate`, `XUpdate`, `XRead`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scalechat.domain import (
    Conversation,
    Feedback,
    Message,
    MessageStatus,
    Parameters,
    ParametersUpdate,
    Preset,
    Rating,
    Role,
    Usage,
)
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


class FeedbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    rating: Rating
    reason: str | None = Field(default=None, max_length=100, description="A short reason, such as a chosen chip.")
    comment: str | None = Field(default=None, max_length=2000)


class FeedbackRead(BaseModel):
    message_id: str
    rating: Rating
    reason: str | None
    comment: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, f: Feedback) -> FeedbackRead:
        return cls(
            message_id=f.message_id,
            rating=f.rating,
            reason=f.reason,
            comment=f.comment,
            created_at=f.created_at,
            updated_at=f.updated_at,
        )


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
    edited_at: datetime | None = Field(description="When the owner last edited this answer by hand.")
    feedback: FeedbackRead | None = Field(description="The owner's feedback on this answer.")

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
            edited_at=m.edited_at,
            feedback=FeedbackRead.of(m.feedback) if m.feedback else None,
        )


class MessageUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    content: str = Field(description="The answer's new text. Later questions on its branch are asked with it.")


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


class PresetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(description="1 to 100 characters once surrounding spaces are removed; unique per user.")
    system_prompt: str = ""
    parameters: ParametersUpdate | None = Field(default=None, description="Absent fields take the defaults.")
    model: str | None = Field(default=None, description="A model id from GET /api/models; null: the default model.")


class PresetUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str | None = None
    system_prompt: str | None = None
    parameters: ParametersUpdate | None = None
    model: str | None = Field(default=None, description="Absent: unchanged; null: the default model.")


class PresetRead(BaseModel):
    id: str
    name: str
    system_prompt: str
    parameters: Parameters
    model: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, p: Preset) -> PresetRead:
        return cls(
            id=p.id,
            name=p.name,
            system_prompt=p.system_prompt,
            parameters=p.parameters,
            model=p.model,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


class PresetList(BaseModel):
    items: list[PresetRead] = Field(description="By name, case-insensitively.")


class MeRead(BaseModel):
    id: str
    name: str
    email: str | None
    roles: list[str]
    auth_mode: str
    initials: str = Field(description="One or two letters from the name, upper case, for an avatar.")
    tenant_id: str | None = Field(description="The user's Entra tenant; null in local mode.")
    photo_url: str | None = Field(description="The user's photo (from Microsoft Graph); null: show the initials.")
    can_sign_out: bool = Field(description="POST /auth/logout ends the session; false in local mode.")


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


class ClientConfig(BaseModel):
    default_model: str = Field(description="The model a chat uses when it names none.")
    default_system_prompt: str
    default_parameters: Parameters
    max_content_chars: int = Field(description="Longest question or edited answer, in characters.")
    max_system_prompt_chars: int
    max_title_chars: int


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
