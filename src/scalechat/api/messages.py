"""/api/messages/{id}: follow, stop, regenerate and edit answers; feedback on them."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from scalechat.api.deps import ChatDep, MessagesDep, PrincipalDep
from scalechat.api.schemas import FeedbackCreate, FeedbackRead, MessageRead, MessageUpdate, RegenerateRequest
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


@router.patch("/{message_id}", operation_id="editMessage")
async def edit_message(
    message_id: str, body: MessageUpdate, principal: PrincipalDep, messages: MessagesDep
) -> MessageRead:
    """Correct an answer by hand. Questions are not edited: send the new question as a branch."""
    return MessageRead.of(await messages.edit(principal, message_id, content=body.content))


@router.post("/{message_id}/feedback", operation_id="setFeedback")
async def set_feedback(
    message_id: str, body: FeedbackCreate, principal: PrincipalDep, messages: MessagesDep
) -> FeedbackRead:
    """Thumbs up or down on an answer, with an optional reason and comment; replaces earlier feedback."""
    feedback = await messages.set_feedback(
        principal, message_id, rating=body.rating, reason=body.reason, comment=body.comment
    )
    return FeedbackRead.of(feedback)


@router.delete("/{message_id}/feedback", status_code=status.HTTP_204_NO_CONTENT, operation_id="deleteFeedback")
async def delete_feedback(message_id: str, principal: PrincipalDep, messages: MessagesDep) -> Response:
    """Withdraw feedback (also answers 204 when there was none)."""
    await messages.delete_feedback(principal, message_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
