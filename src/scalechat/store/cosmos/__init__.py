"""`Store` and `IdentityStore` on Azure Cosmos DB (NoSQL API, async SDK)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scalechat.settings import Settings
    from scalechat.store.factory import Backend


async def open_cosmos_backend(settings: Settings) -> Backend:
    raise NotImplementedError("the Cosmos DB backend is being built (issue 5)")
