"""Server-sent events: JSON payloads, written straight to the socket (nothing buffers them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.responses import StreamingResponse

from scalechat.services.generations import StreamEvent

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
