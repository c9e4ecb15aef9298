"""The upstream SSE reader: data lines whatever the network's chunk boundaries."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scalechat.llm.chat_completions import sse_data

STREAM = b'data: {"a":1}\n\n: a comment\n\ndata: {"b":"x\\ny"}\r\n\r\nevent: ignored\ndata: [DONE]\n\n'


async def chunks_of(data: bytes, cuts: list[int]) -> AsyncIterator[bytes]:
    previous = 0
    for cut in sorted(set(cuts)):
        yield data[previous:cut]
        previous = cut
    yield data[previous:]


async def collect(data: bytes, cuts: list[int]) -> list[bytes]:
    return [payload async for payload in sse_data(chunks_of(data, cuts))]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_data_lines_in_order() -> None:
    assert await collect(STREAM, []) == [b'{"a":1}', b'{"b":"x\\ny"}', b"[DONE]"]


@pytest.mark.anyio
async def test_a_last_line_without_newline_is_kept() -> None:
    assert await collect(b'data: {"a":1}\n\ndata: [DONE]', []) == [b'{"a":1}', b"[DONE]"]


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_any_chunking_gives_the_same_payloads(cuts: list[int]) -> None:
    import asyncio

    assert asyncio.run(collect(STREAM, cuts)) == [b'{"a":1}', b'{"b":"x\\ny"}', b"[DONE]"]
