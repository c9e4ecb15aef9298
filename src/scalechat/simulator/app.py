"""The simulator's HTTP app: `/v1/chat/completions` (SSE or JSON) and `/v1/models`.

Kept on bare Starlette with pre-encoded chunks: the benchmark runs a thousand
streams through it, and it must not be what is measured.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from scalechat.simulator.behaviour import (
    Behaviour,
    directive_overrides,
    header_overrides,
    strip_directives,
)
from scalechat.simulator.reply import chunks_of, count_tokens_roughly, demo_reply

MODEL_ID = "simulated"
SAFE_FILTER = {
    category: {"filtered": False, "severity": "safe"} for category in ("hate", "self_harm", "sexual", "violence")
}


class StreamCut(Exception):
    """Raised mid-stream to drop the connection without ending the response."""


def _json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return _json_response({"error": {"code": code, "message": message, "type": code}}, status, headers)


def create_simulator_app(defaults: Behaviour | None = None) -> Starlette:
    base = defaults or Behaviour()
    failures_seen: Counter[str] = Counter()

    async def models(_: Request) -> Response:
        return _json_response(
            {
                "object": "list",
                "data": [
                    {
                        "id": MODEL_ID,
                        "object": "model",
                        "created": 0,
                        "owned_by": "scalechat-simulator",
                        "description": "simulated model: answers are canned, not generated",
                    }
                ],
            }
        )

    async def chat_completions(request: Request) -> Response:
        try:
            body = orjson.loads(await request.body())
            messages = body["messages"]
            last_user = next((m.get("content") or "" for m in reversed(messages) if m.get("role") == "user"), "")
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            return _error(400, "invalid_request", "Body must be JSON with a messages list.")
        if not isinstance(last_user, str):
            last_user = str(last_user)
        behaviour = base.with_overrides(header_overrides(request.headers)).with_overrides(
            directive_overrides(last_user)
        )
        if behaviour.fail is not None:
            failures_seen[last_user] += 1
            if behaviour.fail_count is None or failures_seen[last_user] <= behaviour.fail_count:
                headers = {"retry-after": f"{behaviour.retry_after:g}"} if behaviour.fail == 429 else None
                return _error(behaviour.fail, f"simulated_{behaviour.fail}", "Simulated failure.", headers)

        question = strip_directives(last_user)
        text_chunks = chunks_of(question if behaviour.echo else demo_reply(question), behaviour.chunks)
        prompt_tokens = sum(count_tokens_roughly(str(m.get("content") or "")) + 4 for m in messages)
        max_tokens = body.get("max_tokens") or body.get("max_completion_tokens")
        finish = behaviour.finish
        if isinstance(max_tokens, int) and max_tokens < len(text_chunks):
            text_chunks = text_chunks[:max_tokens]
            finish = "length"
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(text_chunks),
            "total_tokens": prompt_tokens + len(text_chunks),
        }
        if not body.get("stream"):
            await asyncio.sleep(behaviour.first_token_ms / 1000.0)
            return _json_response(_completion(body, "".join(text_chunks), finish, usage))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return StreamingResponse(
            _stream(behaviour, text_chunks, finish, usage, include_usage),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache"},
        )

    return Starlette(
        routes=[
            Route("/v1/models", models, methods=["GET"]),
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/healthz", lambda _: _json_response({"status": "ok"}), methods=["GET"]),
        ]
    )


def _completion(body: dict[str, Any], text: str, finish: str, usage: dict[str, int]) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model") or MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
        "usage": usage,
    }


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + orjson.dumps(payload) + b"\n\n"


async def _stream(
    behaviour: Behaviour,
    text_chunks: list[str],
    finish: str,
    usage: dict[str, int],
    include_usage: bool,
) -> AsyncIterator[bytes]:
    azure = behaviour.shape == "azure"
    head = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL_ID,
    }
    if azure:
        # Azure's first chunk: no choices, only the prompt's filter results.
        yield _event(
            {
                **head,
                "choices": [],
                "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": SAFE_FILTER}],
            }
        )
    if behaviour.hang:
        await asyncio.sleep(3600)
    await asyncio.sleep(behaviour.first_token_ms / 1000.0)
    interval = behaviour.interval_seconds
    for index, text in enumerate(text_chunks):
        if behaviour.cut_after is not None and index >= behaviour.cut_after:
            raise StreamCut("simulated cut")
        if index:
            await asyncio.sleep(interval)
        choice: dict[str, Any] = {"index": 0, "delta": {"content": text}, "finish_reason": None}
        if azure:
            choice["content_filter_results"] = SAFE_FILTER
        yield _event({**head, "choices": [choice]})
    last: dict[str, Any] = {"index": 0, "delta": {}, "finish_reason": finish}
    if azure and finish == "content_filter":
        last["content_filter_results"] = {**SAFE_FILTER, "violence": {"filtered": True, "severity": "high"}}
    yield _event({**head, "choices": [last]})
    if include_usage:
        yield _event({**head, "choices": [], "usage": usage})
    yield b"data: [DONE]\n\n"
