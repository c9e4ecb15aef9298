"""/api/messages/{id}: follow, stop and regenerate answers."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from scalechat.api.deps import ChatDep, PrincipalDep
from scalechat.api.schemas import MessageRead, RegenerateRequest
from scalechat.api.sse import SSE_RESPONSE, event_stream, exchange_stream, simulator_headers

router = APIRouter(prefix="/api/messages", tags=["messages"])


@router.get("/{message_id}/stream", operation_id="streamMessage", response_class=Response, responses=SSE_RESPONSE)
async def stream_message(message_id: str, principal: PrincipalDep, chat: ChatDep) -> Response:
    """Replay what the answer has so far, then follow it live until it ends."""
    return event_stream(await chat.attach(principal, message_id))


@router.post("/{message_id}/stop", operation_id="stopMessage")
async def stop_message(message_id: str, principal: PrincipalDep, chat: ChatDep) -> MessageRead:
    """Stop the answer now; the partial text is kept with status `stopped`."""
    return MessageRead.of(await chat.stop(principal, message_id))


@router.post(
    "/{message_id}/regenerate", operation_id="regenerateMessage", response_class=Response, responses=SSE_RESPONSE
)
async def regenerate_message(
    message_id: str, request: Request, principal: PrincipalDep, chat: ChatDep, body: RegenerateRequest | None = None
) -> Response:
    """A new answer to the same question, kept beside the old one as a sibling branch."""
    exchange = await chat.regenerate(
        principal,
        message_id,
        model=body.model if body else None,
        parameters=body.parameters if body else None,
        simulator_headers=simulator_headers(request),
    )
    return exchange_stream(exchange)
