"""Server-sent events: JSON payloads, written straight to the socket (nothing buffers them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import StreamingResponse

from scalechat.services.chat import Exchange
from scalechat.services.generations import StreamEvent

# OpenAPI description of the routes that answer with a stream.
SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "message.created, delta..., done | error"}
}

SSE_HEADERS = {
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",  # nginx and App Service's front ends: do not buffer
}


def encode(event: str, payload: dict[str, Any]) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + orjson.dumps(payload) + b"\n\n"


async def _frames(first: bytes | None, events: AsyncIterator[StreamEvent]) -> AsyncIterator[bytes]:
    if first is not None:
        yield first
    async for name, payload in events:
        yield encode(name, payload)


def event_stream(events: AsyncIterator[StreamEvent], *, first: bytes | None = None) -> StreamingResponse:
    return StreamingResponse(_frames(first, events), media_type="text/event-stream", headers=SSE_HEADERS)


def exchange_stream(exchange: Exchange) -> StreamingResponse:
    """`message.created` with both ids at once, then the answer's events."""
    created = encode(
        "message.created",
        {"user_message_id": exchange.user_message_id, "assistant_message_id": exchange.assistant_message_id},
    )
    return event_stream(exchange.events, first=created)


def simulator_headers(request: Request) -> dict[str, str]:
    """`x-simulator-*` headers; the chat service passes them on only when the model is the simulator."""
    return {k: v for k, v in request.headers.items() if k.startswith("x-simulator-")}
