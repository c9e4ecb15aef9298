"""The Cosmos DB backend against the test server: containers, start-up checks, 429s, and what is
Cosmos-specific in the stores (the behaviour every backend shares is the contract suite's)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo

from scalechat.domain import DEFAULT_TITLE, Conversation, Message, MessageStatus, Parameters, Role, new_id, now
from scalechat.errors import StorageBusy
from scalechat.store.base import ConversationChanges, NewExchange, StoredSession
from scalechat.store.cosmos import open_cosmos_backend
from scalechat.store.cosmos.client import ContainerSpec, CosmosSetupError, ensure_containers, open_client
from scalechat.store.cosmos.documents import STORE_CONTAINERS
from scalechat.store.factory import Backend
from tests.cosmos_server import CosmosServer, ThrottlingProxy, cosmos_settings, fresh_database_name

pytestmark = pytest.mark.anyio


@pytest.fixture
async def backend(cosmos_server: CosmosServer, cosmos_database: str) -> AsyncIterator[Backend]:
    opened = await open_cosmos_backend(cosmos_settings(cosmos_server, cosmos_database))
    try:
        yield opened
    finally:
        await opened.store.aclose()


def _conversation(user_id: str) -> Conversation:
    return Conversation(new_id(), user_id, DEFAULT_TITLE, "system", Parameters(), None, now(), now())


def _question(conversation: Conversation, message_id: str | None = None) -> Message:
    return Message(
        message_id or new_id(), conversation.id, conversation.user_id, None, Role.USER, "hi",
        MessageStatus.COMPLETED, None, now(),
    )  # fmt: skip


async def _properties(server: CosmosServer, database: str) -> dict[str, dict[str, object]]:
    client = open_client(cosmos_settings(server, database))
    try:
        db = client.get_database_client(database)
        return {spec.name: await db.get_container_client(spec.name).read() for spec in STORE_CONTAINERS}
    finally:
        await client.close()


# -- containers -------------------------------------------------------------------------------------


async def test_the_backend_creates_its_containers_as_designed(cosmos_server: CosmosServer) -> None:
    database = fresh_database_name()
    backend = await open_cosmos_backend(cosmos_settings(cosmos_server, database))
    await backend.store.ping()
    await backend.store.aclose()
    found = await _properties(cosmos_server, database)
    assert {name: p["partitionKey"]["paths"] for name, p in found.items()} == {  # type: ignore[index]
        "conversations": ["/user_id"],
        "presets": ["/user_id"],
        "users": ["/id"],
        "sessions": ["/id"],
    }
    assert found["presets"]["uniqueKeyPolicy"] == {"uniqueKeys": [{"paths": ["/name"]}]}
    assert found["conversations"]["indexingPolicy"]["compositeIndexes"] == [  # type: ignore[index]
        [{"path": "/updated_at", "order": "descending"}, {"path": "/id", "order": "descending"}]
    ]
    assert found["sessions"]["defaultTtl"] == -1


async def test_a_second_start_finds_the_containers_it_made(cosmos_server: CosmosServer) -> None:
    database = fresh_database_name()
    for create in (True, False):
        backend = await open_cosmos_backend(cosmos_settings(cosmos_server, database, create_containers=create))
        await backend.store.ping()
        await backend.store.aclose()


async def test_without_create_a_missing_container_is_named(cosmos_server: CosmosServer) -> None:
    database = fresh_database_name()
    client = open_client(cosmos_settings(cosmos_server, database))
    try:
        await ensure_containers(client, database, STORE_CONTAINERS[:2], create=True)  # no users, no sessions
        with pytest.raises(CosmosSetupError) as raised:
            await ensure_containers(client, database, STORE_CONTAINERS, create=False)
    finally:
        await client.close()
    message = str(raised.value)
    assert "container 'users' is missing (partition key /id)" in message
    assert "container 'sessions' is missing" in message
    assert "conversations" not in message and "\n" not in message
    assert "AZURE_COSMOSDB_CREATE_CONTAINERS" in message


async def test_without_create_a_missing_database_is_named(cosmos_server: CosmosServer) -> None:
    settings = cosmos_settings(cosmos_server, fresh_database_name(), create_containers=False)
    with pytest.raises(CosmosSetupError, match=r"database 't-[0-9a-f]+' does not exist"):
        await open_cosmos_backend(settings)


async def test_a_container_with_another_partition_key_is_refused(cosmos_server: CosmosServer) -> None:
    database = fresh_database_name()
    client = open_client(cosmos_settings(cosmos_server, database))
    try:
        await ensure_containers(client, database, [ContainerSpec("presets", "/userId")], create=True)
        for create in (True, False):
            with pytest.raises(CosmosSetupError, match="'presets' has partition key /userId instead of /user_id"):
                await ensure_containers(client, database, STORE_CONTAINERS, create=create)
    finally:
        await client.close()


def test_plain_http_is_refused_off_loopback(cosmos_server: CosmosServer) -> None:
    settings = cosmos_settings(cosmos_server, "db", endpoint="http://cosmos.example.com:8081/")
    with pytest.raises(CosmosSetupError, match="must use https://"):
        open_client(settings)


# -- 429 --------------------------------------------------------------------------------------------


async def test_throttling_is_waited_out_as_the_server_asks(cosmos_server: CosmosServer, cosmos_database: str) -> None:
    with ThrottlingProxy(cosmos_server, retry_after_ms=20) as proxy:
        backend = await open_cosmos_backend(cosmos_settings(proxy, cosmos_database))
        try:
            conversation = _conversation(new_id())
            proxy.throttle(3)
            await backend.store.create_conversation(conversation)
            assert proxy.throttled == 3
            assert await backend.store.get_conversation(conversation.user_id, conversation.id) == conversation
        finally:
            await backend.store.aclose()


async def test_throttling_past_the_wait_cap_is_storage_busy(cosmos_server: CosmosServer, cosmos_database: str) -> None:
    with ThrottlingProxy(cosmos_server, retry_after_ms=50) as proxy:
        settings = cosmos_settings(proxy, cosmos_database, max_retry_wait_seconds=0.2)
        backend = await open_cosmos_backend(settings)
        try:
            proxy.throttle(-1)
            with pytest.raises(StorageBusy) as raised:
                await backend.store.get_conversation(new_id(), new_id())
            assert 1 < proxy.throttled < 20  # retried, then gave up at the cap
            assert raised.value.retry_after == pytest.approx(0.05)
            assert raised.value.status == 503
            proxy.throttle(0)
            assert await backend.store.get_conversation(new_id(), new_id()) is None
        finally:
            await backend.store.aclose()


# -- what only this backend has to get right ----------------------------------------------------------


async def test_a_message_id_is_not_a_conversation(backend: Backend) -> None:
    conversation = _conversation(new_id())
    await backend.store.create_conversation(conversation)
    question = _question(conversation)
    assert await backend.store.add_exchange(
        conversation.user_id, conversation.id, NewExchange([question], None, question.id, now())
    )
    store = backend.store
    assert await store.get_conversation(conversation.user_id, question.id) is None
    assert await store.update_conversation(conversation.user_id, question.id, ConversationChanges(title="x")) is None
    assert await store.delete_conversation(conversation.user_id, question.id) is False
    assert await store.get_message(conversation.user_id, conversation.id) is None
    assert await store.get_message(conversation.user_id, question.id) == question


async def test_ids_unfit_for_a_predicate_take_the_etag_path(backend: Backend) -> None:
    # Ids the store cannot write into a condition's text (upper case, quotes) still work.
    conversation = _conversation(new_id())
    await backend.store.create_conversation(conversation)
    first = _question(conversation, "Q'1")
    second = _question(conversation, "Q2")
    user = conversation.user_id
    assert await backend.store.add_exchange(user, conversation.id, NewExchange([first], None, first.id, now()))
    assert not await backend.store.add_exchange(user, conversation.id, NewExchange([second], "Q2", second.id, now()))
    assert await backend.store.add_exchange(user, conversation.id, NewExchange([second], "Q'1", second.id, now()))
    stored = await backend.store.get_conversation(user, conversation.id)
    assert stored is not None and stored.current_message_id == "Q2"


async def test_session_items_carry_their_time_to_live(
    backend: Backend, cosmos_server: CosmosServer, cosmos_database: str
) -> None:
    start = datetime.now(UTC)
    session = StoredSession(new_id(), new_id(), {}, "sealed", 1, start, start, start + timedelta(minutes=5))
    await backend.identity.create_session(session)
    client = open_client(cosmos_settings(cosmos_server, cosmos_database))
    try:
        sessions = client.get_database_client(cosmos_database).get_container_client("sessions")
        item = await sessions.read_item(session.id, partition_key=session.id)
    finally:
        await client.close()
    # The absolute limit (5 min) comes before the idle limit (8 h by default), plus the margin.
    assert 5 * 60 < item["ttl"] <= 5 * 60 + 61


class _StaticToken:
    """Stands in for azure-identity's DefaultAzureCredential (no Entra ID here): a fixed token."""

    instances: ClassVar[list[_StaticToken]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.scopes: list[str] = []
        self.closed = False
        self.instances.append(self)

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes += scopes
        return AccessToken("not-a-real-token", int(time.time()) + 3600)

    async def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        self.scopes += scopes
        return AccessTokenInfo("not-a-real-token", int(time.time()) + 3600)

    async def close(self) -> None:
        self.closed = True


async def test_without_a_key_it_signs_in_with_entra_id_and_closes_the_credential(
    cosmos_server: CosmosServer, cosmos_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import azure.identity.aio

    monkeypatch.setattr(azure.identity.aio, "DefaultAzureCredential", _StaticToken)
    monkeypatch.setenv("AZURE_CLIENT_ID", "mi-client-id")
    settings = cosmos_settings(cosmos_server, cosmos_database, key=None)
    backend = await open_cosmos_backend(settings)
    await backend.store.ping()
    await backend.store.aclose()
    (credential,) = _StaticToken.instances
    assert credential.kwargs == {"managed_identity_client_id": "mi-client-id"}
    assert credential.scopes and all(scope.endswith("/.default") for scope in credential.scopes)
    assert credential.closed
