"""Typed dependencies. Everything comes from the `Services` the lifespan put on app.state.

All `async def`: FastAPI runs a plain `def` dependency in a worker thread, a thread hop
per dependency per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from scalechat.domain import Principal
from scalechat.llm.catalog import ModelCatalog
from scalechat.services.chat import ChatService
from scalechat.services.conversations import ConversationService
from scalechat.services.generations import GenerationManager
from scalechat.settings import Settings
from scalechat.store.base import ConversationStore


@dataclass
class Services:
    settings: Settings
    store: ConversationStore
    catalog: ModelCatalog
    generations: GenerationManager
    conversations: ConversationService
    chat: ChatService


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_principal(request: Request) -> Principal:
    # AUTH_MODE=local: the server only listens on loopback (checked at start-up).
    settings: Settings = request.app.state.services.settings
    return Principal(user_id=settings.local_user_id, name=settings.local_user_name)


async def get_conversation_service(services: Annotated[Services, Depends(get_services)]) -> ConversationService:
    return services.conversations


async def get_chat_service(services: Annotated[Services, Depends(get_services)]) -> ChatService:
    return services.chat


ServicesDep = Annotated[Services, Depends(get_services)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
ConversationsDep = Annotated[ConversationService, Depends(get_conversation_service)]
ChatDep = Annotated[ChatService, Depends(get_chat_service)]
