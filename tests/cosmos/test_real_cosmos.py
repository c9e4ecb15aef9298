"""What only a real Azure Cosmos DB account does (the test server lacks it): these run when
COSMOS_TEST_ENDPOINT (and COSMOS_TEST_KEY, else Entra ID) names an account, and are deselected
otherwise (tests/cosmos_server.py). Each module run makes one database and deletes it afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from azure.cosmos.aio import ContainerProxy

from scalechat.domain import DEFAULT_TITLE, Conversation, Message, MessageStatus, Parameters, Role, new_id, now
from scalechat.errors import ContentTooLarge, ScalechatError
from scalechat.store.base import NewExchange, StoredSession
from scalechat.store.cosmos import open_cosmos_backend
from scalechat.store.cosmos.client import ensure_containers, open_client
from scalechat.store.cosmos.documents import SESSIONS, USERS
from scalechat.store.cosmos.identity import CosmosIdentityStore
from scalechat.store.factory import Backend
from tests.cosmos_server import CosmosServer, cosmos_settings, fresh_database_name

pytestmark = [pytest.mark.anyio, pytest.mark.real_cosmos]


@dataclass
class RealAccount:
    backend: Backend
    server: CosmosServer
    database: str


@pytest.fixture
async def account(real_cosmos: CosmosServer) -> AsyncIterator[RealAccount]:
    database = fresh_database_name("scalechat-test")
    settings = cosmos_settings(real_cosmos, database)
    backend = await open_cosmos_backend(settings)
    try:
        yield RealAccount(backend, real_cosmos, database)
    finally:
        await backend.store.aclose()
        client = open_client(settings)
        try:
            await client.delete_database(database)
        finally:
            await client.close()


def _conversation() -> Conversation:
    return Conversation(new_id(), new_id(), DEFAULT_TITLE, "system", Parameters(), None, now(), now())


def _question(conversation: Conversation, message_id: str | None = None) -> Message:
    return Message(
        message_id or new_id(), conversation.id, conversation.user_id, None, Role.USER, "hi",
        MessageStatus.COMPLETED, None, now(),
    )  # fmt: skip


async def test_an_exchange_that_fails_part_way_writes_nothing(account: RealAccount) -> None:
    store = account.backend.store
    conversation = _conversation()
    await store.create_conversation(conversation)
    first = _question(conversation)
    assert await store.add_exchange(conversation.user_id, conversation.id, NewExchange([first], None, first.id, now()))
    fresh, duplicate = _question(conversation), _question(conversation, first.id)  # the second create fails: 409
    with pytest.raises(ScalechatError):
        await store.add_exchange(
            conversation.user_id, conversation.id, NewExchange([fresh, duplicate], first.id, fresh.id, now())
        )
    stored = await store.get_conversation_with_messages(conversation.user_id, conversation.id)
    assert stored is not None
    assert stored[0].current_message_id == first.id  # the conditioned patch, op 0, was rolled back
    assert [m.id for m in stored[1]] == [first.id]


async def test_sessions_expire_by_their_time_to_live(account: RealAccount) -> None:
    client = open_client(cosmos_settings(account.server, account.database))
    try:
        containers: dict[str, ContainerProxy] = await ensure_containers(
            client, account.database, [USERS, SESSIONS], create=False
        )
        identity = CosmosIdentityStore(
            containers["users"], containers["sessions"], idle=timedelta(seconds=1), ttl_margin_seconds=0
        )
        start = datetime.now(UTC)
        session = StoredSession(new_id(), new_id(), {}, "sealed", 1, start, start, start + timedelta(hours=1))
        await identity.create_session(session)
        await asyncio.sleep(4)  # reads stop returning an item the moment its ttl has passed
        assert await identity.get_session(session.id) is None
    finally:
        await client.close()


async def test_an_item_over_the_size_limit_is_content_too_large(account: RealAccount) -> None:
    conversation = _conversation()
    conversation.system_prompt = "x" * (2 * 1024 * 1024 + 1)
    with pytest.raises(ContentTooLarge):
        await account.backend.store.create_conversation(conversation)


async def test_a_user_with_hundreds_of_items_is_deleted_in_batches(account: RealAccount) -> None:
    store = account.backend.store
    conversation = _conversation()
    await store.create_conversation(conversation)
    messages = [_question(conversation) for _ in range(250)]
    for start in range(0, len(messages), 50):
        chunk = messages[start : start + 50]
        expected = None if start == 0 else messages[start - 1].id
        assert await store.add_exchange(
            conversation.user_id, conversation.id, NewExchange(chunk, expected, chunk[-1].id, now())
        )
    assert await store.delete_user_data(conversation.user_id) == 251
    assert await store.get_conversation(conversation.user_id, conversation.id) is None
