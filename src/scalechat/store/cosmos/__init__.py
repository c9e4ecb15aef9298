"""`Store` and `IdentityStore` on Azure Cosmos DB (NoSQL API, async SDK).

client.py     the client (key or Entra ID, 429 wait cap, own CA) and `ensure_containers`
documents.py  the containers and how our types are stored in them
store.py      CosmosConversationStore: conversations, messages, feedback, presets
identity.py   CosmosIdentityStore: users and browser sessions
errors.py     SDK errors to ours, in one place
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scalechat.settings import Settings
    from scalechat.store.cosmos.client import ContainerSpec
    from scalechat.store.factory import Backend


async def open_cosmos_backend(settings: Settings) -> Backend:
    """The Cosmos DB stores, with their containers created or checked.

    Raises `CosmosSetupError` (a `SettingsError`: one line) when the containers are missing and
    may not be created, differ from what scalechat needs, or the account cannot be reached.
    """
    from scalechat.store.cosmos.client import ensure_containers, open_client
    from scalechat.store.cosmos.documents import CONVERSATIONS, PRESETS, SESSIONS, STORE_CONTAINERS, USERS
    from scalechat.store.cosmos.identity import CosmosIdentityStore
    from scalechat.store.cosmos.store import CosmosConversationStore
    from scalechat.store.factory import Backend

    client = open_client(settings)
    try:
        containers = await ensure_containers(
            client, settings.cosmos.database, STORE_CONTAINERS, create=settings.cosmos.create_containers
        )
    except BaseException:
        await client.close()
        raise
    store = CosmosConversationStore(client, containers[CONVERSATIONS.name], containers[PRESETS.name])
    identity = CosmosIdentityStore(
        containers[USERS.name], containers[SESSIONS.name], idle=timedelta(minutes=settings.auth.session_idle_minutes)
    )
    return Backend(store, identity, cosmos_client=client)


async def prepare_cosmos(settings: Settings, others: Iterable[ContainerSpec] = ()) -> None:
    """Create or check the store's containers (and `others`, such as the prompt log's) before the
    server starts; `CosmosSetupError` names everything that is wrong, in one line."""
    from scalechat.store.cosmos.client import ensure_containers, open_client
    from scalechat.store.cosmos.documents import STORE_CONTAINERS

    client = open_client(settings)
    try:
        specs = [*(STORE_CONTAINERS if settings.conversation_backend == "cosmos" else ()), *others]
        await ensure_containers(client, settings.cosmos.database, specs, create=settings.cosmos.create_containers)
    finally:
        await client.close()
