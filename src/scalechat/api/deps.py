"""Typed dependencies. Everything comes from the `Services` the lifespan put on app.state.

All `async def`: FastAPI runs a plain `def` dependency in a worker thread, a thread hop
per dependency per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from scalechat.api.security import UNSAFE_METHODS, is_secure
from scalechat.auth.authenticator import CSRF_COOKIE, Authenticated, Authenticator, cookie_name
from scalechat.auth.sessions import csrf_matches, same_secret
from scalechat.domain import Principal
from scalechat.errors import CsrfRejected
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
    authenticator: Authenticator
    # Stateless over the store: built here from the parts above rather than by each caller.
    messages: MessageService = field(init=False)
    presets: PresetService = field(init=False)

    def __post_init__(self) -> None:
        self.messages = MessageService(self.store, self.generations, self.settings)
        self.presets = PresetService(self.store, self.catalog, self.settings)


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_authenticated(request: Request) -> Authenticated:
    """Who is asking (401/403 if nobody, or somebody the app does not let in). A browser session's
    state-changing request must also carry the session's CSRF token in X-CSRF-Token."""
    services: Services = request.app.state.services
    secure = is_secure(request.scope, services.settings.public_url)
    authenticated = await services.authenticator.authenticate(request.headers, request.cookies, secure)
    if request.method in UNSAFE_METHODS:
        sent = request.headers.get("x-csrf-token")
        if authenticated.session is not None and not csrf_matches(sent, authenticated.session.cookie):
            raise CsrfRejected("This request needs the X-CSRF-Token header of your session.", reason="token")
        if authenticated.via == "easyauth":
            check_double_submit(request, sent, secure)
    return authenticated


def check_double_submit(request: Request, sent: str | None, secure: bool) -> None:
    """Easy Auth's session cookie is App Service's, so its CSRF token is a random cookie of ours
    (set by GET /api/me) that the app's script must echo: another site can neither read nor set it."""
    expected = request.cookies.get(cookie_name(CSRF_COOKIE, secure))
    if not expected or not same_secret(sent, expected):
        raise CsrfRejected(
            "This request needs the X-CSRF-Token header (from the scalechat_csrf cookie).", reason="token"
        )


async def get_principal(authenticated: Annotated[Authenticated, Depends(get_authenticated)]) -> Principal:
    return authenticated.principal


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
AuthenticatedDep = Annotated[Authenticated, Depends(get_authenticated)]
ConversationsDep = Annotated[ConversationService, Depends(get_conversation_service)]
ChatDep = Annotated[ChatService, Depends(get_chat_service)]
MessagesDep = Annotated[MessageService, Depends(get_message_service)]
PresetsDep = Annotated[PresetService, Depends(get_preset_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
