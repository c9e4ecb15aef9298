"""/api/conversations: the user's conversations."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from scalechat.api.deps import ChatDep, ConversationsDep, PrincipalDep
from scalechat.api.schemas import (
    ConversationCreate,
    ConversationDetail,
    ConversationList,
    ConversationRead,
    ConversationUpdate,
    MessageCreate,
    MessageRead,
)
from scalechat.api.sse import SSE_RESPONSE, exchange_stream, simulator_headers
from scalechat.services.chat import ROOT

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


@router.post("", status_code=status.HTTP_201_CREATED, operation_id="createConversation")
async def create_conversation(
    body: ConversationCreate, principal: PrincipalDep, conversations: ConversationsDep
) -> ConversationRead:
    conversation = await conversations.create(
        principal,
        title=body.title,
        system_prompt=body.system_prompt,
        parameters=body.parameters,
        model=body.model,
    )
    return ConversationRead.of(conversation)


@router.get("", operation_id="listConversations")
async def list_conversations(
    principal: PrincipalDep,
    conversations: ConversationsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Search titles and message text")] = None,
) -> ConversationList:
    page = await conversations.list(principal, limit=limit, cursor=cursor, query=q)
    return ConversationList(
        items=[ConversationRead.of(c) for c in page.items],
        next_cursor=page.next_cursor.encode() if page.next_cursor else None,
    )


@router.get("/{conversation_id}", operation_id="getConversation")
async def get_conversation(
    conversation_id: str, principal: PrincipalDep, conversations: ConversationsDep
) -> ConversationDetail:
    full = await conversations.get_with_messages(principal, conversation_id)
    return ConversationDetail(
        **ConversationRead.of(full.conversation).model_dump(),
        messages=[MessageRead.of(m) for m in full.messages],
    )


@router.patch("/{conversation_id}", operation_id="updateConversation")
async def update_conversation(
    conversation_id: str, body: ConversationUpdate, principal: PrincipalDep, conversations: ConversationsDep
) -> ConversationRead:
    conversation = await conversations.update(
        principal,
        conversation_id,
        title=body.title,
        system_prompt=body.system_prompt,
        parameters=body.parameters,
        model=body.model,
        current_message_id=body.current_message_id,
    )
    return ConversationRead.of(conversation)


@router.delete("/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="deleteConversation")
async def delete_conversation(
    conversation_id: str, principal: PrincipalDep, conversations: ConversationsDep
) -> Response:
    await conversations.delete(principal, conversation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{conversation_id}/export",
    operation_id="exportConversation",
    responses={200: {"content": {"application/json": {}, "text/markdown": {}}}},
)
async def export_conversation(
    conversation_id: str,
    principal: PrincipalDep,
    conversations: ConversationsDep,
    format: Annotated[Literal["json", "markdown"], Query()] = "json",  # noqa: A002 - the API's name
) -> Response:
    body, media_type = await conversations.export(principal, conversation_id, format)
    extension = "md" if format == "markdown" else "json"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="conversation-{conversation_id}.{extension}"'},
    )


@router.post(
    "/{conversation_id}/messages",
    operation_id="sendMessage",
    response_class=Response,
    responses=SSE_RESPONSE,
)
async def send_message(
    conversation_id: str, body: MessageCreate, request: Request, principal: PrincipalDep, chat: ChatDep
) -> Response:
    # Absent: after the current answer. An explicit null: a new first question.
    parent = ROOT if body.parent_id is None and "parent_id" in body.model_fields_set else body.parent_id
    exchange = await chat.send(
        principal,
        conversation_id,
        content=body.content,
        parent_id=parent,
        model=body.model,
        parameters=body.parameters,
        simulator_headers=simulator_headers(request),
    )
    return exchange_stream(exchange)
