"""GenerationManager edge cases that HTTP timing cannot pin down, on a real SQLite store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from scalechat.domain import Conversation, Message, MessageStatus, Parameters, Role, new_id, now
from scalechat.llm.base import ChatRequest, ChatTurn, ModelInfo
from scalechat.llm.events import Finished, ModelEvent, TextDelta
from scalechat.services.generations import Generation, GenerationManager
from scalechat.store.base import NewExchange
from scalechat.store.sql.migrate import upgrade
from scalechat.store.sql.store import SqlConversationStore, create_engine

USER = "u1"


class SlowModel:
    """A model that streams words slowly: enough to stop or shut down in the middle."""

    info = ModelInfo(id="slow", label="slow", provider="test", context_window=1000, tokenizer_model="gpt-4o")

    async def stream(self, request: ChatRequest) -> AsyncIterator[ModelEvent]:
        for index in range(100):
            await asyncio.sleep(0.01)
            yield TextDelta(f"w{index} ")
        yield Finished("stop")

    async def check(self) -> None:
        return None

    async def aclose(self) -> None:
        return None


REQUEST = ChatRequest(messages=[ChatTurn(Role.USER, "q")], max_tokens=10, temperature=0.5, top_p=1.0)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"
    upgrade(url)
    yield url


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def an_answer(store: SqlConversationStore) -> Message:
    stamp = now()
    conversation = Conversation(
        id=new_id(), user_id=USER, title="t", system_prompt="", parameters=Parameters(), model=None,
        created_at=stamp, updated_at=stamp,
    )  # fmt: skip
    await store.create_conversation(conversation)
    answer = Message(
        id=new_id(), conversation_id=conversation.id, user_id=USER, parent_id=None, role=Role.ASSISTANT,
        content="", status=MessageStatus.STREAMING, model="slow", created_at=now(),
    )  # fmt: skip
    exchange = NewExchange([answer], None, answer.id, answer.created_at)
    assert await store.add_exchange(USER, conversation.id, exchange)
    return answer


async def open_manager(database: str) -> tuple[SqlConversationStore, GenerationManager]:
    store = SqlConversationStore(create_engine(database))
    manager = GenerationManager(store, checkpoint_interval=1.0)
    await manager.start_background()
    return store, manager


def start_slow(manager: GenerationManager, answer: Message) -> Generation:
    return manager.start(
        message_id=answer.id, conversation_id=answer.conversation_id, user_id=USER, model=SlowModel(), request=REQUEST
    )


@pytest.mark.anyio
async def test_a_stop_in_the_same_turn_as_the_start_still_ends_the_answer(database: str) -> None:
    store, manager = await open_manager(database)
    answer = await an_answer(store)
    generation = start_slow(manager, answer)
    await asyncio.wait_for(manager.stop(generation), 5)  # before the task took its first step
    assert generation.outcome is not None and generation.outcome.status is MessageStatus.STOPPED
    assert manager.find(USER, answer.id) is None
    stored = await store.get_message(USER, answer.id)
    assert stored is not None and stored.status is MessageStatus.STOPPED
    await manager.shutdown(0)
    await store.aclose()


@pytest.mark.anyio
async def test_an_answer_started_after_the_drain_ends_interrupted_without_hanging(database: str) -> None:
    store, manager = await open_manager(database)
    answer = await an_answer(store)
    await manager.shutdown(0)  # nothing live: the drain ends at once
    generation = start_slow(manager, answer)
    events = [event async for event in manager.subscribe(generation)]
    assert events[-1][0] == "error" and events[-1][1]["code"] == "interrupted"
    assert generation.task is not None
    await asyncio.wait_for(generation.task, 5)
    stored = await store.get_message(USER, answer.id)
    assert stored is not None and stored.status is MessageStatus.INTERRUPTED
    await store.aclose()


@pytest.mark.anyio
async def test_shutdown_interrupts_after_the_grace_period_and_stores_the_text(database: str) -> None:
    store, manager = await open_manager(database)
    answer = await an_answer(store)
    generation = start_slow(manager, answer)
    await asyncio.sleep(0.2)
    await asyncio.wait_for(manager.shutdown(0.1), 5)
    stored = await store.get_message(USER, answer.id)
    assert stored is not None and stored.status is MessageStatus.INTERRUPTED
    assert stored.content == generation.text and stored.content.startswith("w0 w1 ")
    await store.aclose()


@pytest.mark.anyio
async def test_an_answer_nobody_writes_reads_as_interrupted_unless_it_is_about_to_start(database: str) -> None:
    """Reading a conversation and following its answer must agree: a row left `streaming` with no
    generation behind it is replayed as interrupted, so it must read as interrupted too (or a client
    would re-attach to it forever). Except while its generation is being started."""
    store, manager = await open_manager(database)
    try:
        answer = await an_answer(store)
        [shown] = manager.overlay([answer])
        assert shown.status is MessageStatus.INTERRUPTED and shown.error_code == "interrupted"
        with manager.starting(answer.id):
            [shown] = manager.overlay([answer])
            assert shown.status is MessageStatus.STREAMING
        generation = start_slow(manager, answer)
        [shown] = manager.overlay([answer])
        assert shown.status is MessageStatus.STREAMING
        await manager.stop(generation)
    finally:
        await manager.shutdown(1.0)
        await store.aclose()
