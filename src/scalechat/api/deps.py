"""Typed dependencies. Everything comes from the `Services` the lifespan put on app.state.

All `async def`: FastAPI runs a plain `def` dependency in a worker thread, a thread hop
per dependency per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from scalechat.domain import Principal
from scalechat.llm.catalog import ModelCatalog
from scalechat.services.chat import ChatService
from scalechat.services.conversations import ConversationService
from scalechat.services.generations import GenerationManager
from scalechat.services.messages import MessageService
from scalechat.services.presets import PresetService
from scalechat.settings import Settings
from scalechat.store.base import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    catalog: ModelCatalog
    generations: GenerationManager
    conversations: ConversationService
    chat: ChatService
    # Stateless over the store: built here from the parts above rather than by each caller.
    messages: MessageService = field(init=False)
    presets: PresetService = field(init=False)

    def __post_init__(self) -> None:
        self.messages = MessageService(self.store, self.settings)
        self.presets = PresetService(self.store, self.catalog, self.settings)


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


async def get_message_service(services: Annotated[Services, Depends(get_services)]) -> MessageService:
    return services.messages


async def get_preset_service(services: Annotated[Services, Depends(get_services)]) -> PresetService:
    return services.presets


async def get_settings(services: Annotated[Services, Depends(get_services)]) -> Settings:
    return services.settings


ServicesDep = Annotated[Services, Depends(get_services)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
ConversationsDep = Annotated[ConversationService, Depends(get_conversation_service)]
ChatDep = Annotated[ChatService, Depends(get_chat_service)]
MessagesDep = Annotated[MessageService, Depends(get_message_service)]
PresetsDep = Annotated[PresetService, Depends(get_preset_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
