"""/api/config: what a new chat starts with and the limits the server enforces, so the web
app neither copies the server's defaults nor finds a limit only by hitting it."""

from __future__ import annotations

from fastapi import APIRouter

from scalechat.api.deps import PrincipalDep, ServicesDep
from scalechat.api.schemas import ClientConfig
from scalechat.domain import Parameters

router = APIRouter(prefix="/api/config", tags=["config"])


@router.get("", operation_id="getConfig")
async def get_config(_: PrincipalDep, services: ServicesDep) -> ClientConfig:
    settings = services.settings
    return ClientConfig(
        default_model=services.catalog.default_id,
        default_system_prompt=settings.default_system_prompt,
        default_parameters=Parameters(),
        max_content_chars=settings.max_content_chars,
        max_system_prompt_chars=settings.max_system_prompt_chars,
        max_title_chars=settings.max_title_chars,
    )
