"""The model adapter for the Chat Completions API, Azure's or any OpenAI-compatible server's.

It uses the official SDK to build and authenticate the request, then reads the
SSE lines itself: building a pydantic object per chunk is most of a streaming
proxy's CPU (see the streaming notes), and Azure's chunk shapes (a first chunk
with only prompt-filter results, filter annotations, a last chunk with only
usage) are easier to follow on plain dicts.

Some servers ignore `stream_options` and send no usage at all (llama.cpp's
Python server); the adapter then counts the tokens itself, so quotas and the
prompt log still see every answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

import openai
import orjson

from scalechat.domain import Usage
from scalechat.errors import UpstreamUnavailable
from scalechat.llm.base import ChatRequest, ModelInfo
from scalechat.llm.events import FilterResults, Finished, ModelEvent, TextDelta, UsageReport
from scalechat.llm.sdk_errors import map_sdk_error
from scalechat.llm.tokens import TOKENS_PER_REPLY, TokenCounter


class Closeable(Protocol):
    async def close(self) -> None: ...


class ChatCompletionsModel:
    def __init__(
        self,
        client: openai.AsyncOpenAI,
        info: ModelInfo,
        upstream_model: str,
        *,
        credential: Closeable | None = None,
    ) -> None:
        """`credential`: what signs the client's requests (an Entra ID credential); closed with the model."""
        self._client = client
        self._info = info
        self._upstream_model = upstream_model
        self._credential = credential

    @property
    def info(self) -> ModelInfo:
        return self._info

    async def stream(self, request: ChatRequest) -> AsyncIterator[ModelEvent]:
        messages: Any = [{"role": turn.role.value, "content": turn.content} for turn in request.messages]
        finished = False
        usage_reported = False
        answer: list[str] = []
        try:
            async with self._client.chat.completions.with_streaming_response.create(
                model=self._upstream_model,
                messages=messages,
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                top_p=request.top_p,
                stream=True,
                stream_options={"include_usage": True},
                extra_headers=request.headers or None,
            ) as response:
                async for data in sse_data(response.http_response.aiter_bytes()):
                    if not data:
                        continue
                    if data == b"[DONE]":
                        break
                    chunk = orjson.loads(data)
                    if "error" in chunk:
                        raise UpstreamUnavailable("The model reported an error mid-stream.")
                    for event in _events_of(chunk):
                        if isinstance(event, TextDelta):
                            answer.append(event.text)
                        elif isinstance(event, Finished):
                            finished = True
                        elif isinstance(event, UsageReport):
                            usage_reported = True
                        yield event
        except Exception as exc:
            raise map_sdk_error(exc) from exc
        if not finished:
            raise UpstreamUnavailable("The model's stream ended before the answer was finished.")
        if not usage_reported:
            yield UsageReport(self._count_usage(request, "".join(answer)), estimated=True)

    def _count_usage(self, request: ChatRequest, answer: str) -> Usage:
        counter = TokenCounter(self._info.tokenizer_model)
        prompt = sum(counter.count_turn(turn) for turn in request.messages) + TOKENS_PER_REPLY
        completion = counter.count_text(answer)
        return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)

    async def check(self) -> None:
        try:
            await self._client.models.list()
        except openai.NotFoundError:
            return  # Azure has no /models under a deployment; an answer at all means reachable
        except Exception as exc:
            raise map_sdk_error(exc) from exc

    async def aclose(self) -> None:
        try:
            await self._client.close()
        finally:
            if self._credential is not None:
                await self._credential.close()


async def sse_data(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The payload of each `data:` line of a server-sent event stream, as bytes.

    Bytes in, bytes out: decoding text and splitting lines through the SDK's
    generic line iterator costs more than everything else done per chunk.
    """
    buffer = b""
    async for chunk in chunks:
        buffer = buffer + chunk if buffer else chunk
        start = 0
        while (end := buffer.find(b"\n", start)) != -1:
            line = buffer[start:end]
            start = end + 1
            if line.startswith(b"data:"):
                yield line[5:].strip()
        buffer = buffer[start:]
    if buffer.startswith(b"data:"):
        yield buffer[5:].strip()


def _events_of(chunk: dict[str, Any]) -> list[ModelEvent]:
    events: list[ModelEvent] = []
    prompt_filter = chunk.get("prompt_filter_results")
    if prompt_filter:
        events.append(FilterResults("prompt", {"results": prompt_filter}))
    for choice in chunk.get("choices") or ():
        delta = choice.get("delta") or {}
        text = delta.get("content")
        if text:
            events.append(TextDelta(text))
        annotations = choice.get("content_filter_results")
        if annotations and any(isinstance(v, dict) and v.get("filtered") for v in annotations.values()):
            events.append(FilterResults("completion", annotations))
        reason = choice.get("finish_reason")
        if reason:
            events.append(Finished(reason))
    usage = chunk.get("usage")
    if usage:
        events.append(
            UsageReport(
                Usage(
                    prompt_tokens=usage.get("prompt_tokens") or 0,
                    completion_tokens=usage.get("completion_tokens") or 0,
                    total_tokens=usage.get("total_tokens") or 0,
                )
            )
        )
    return events
