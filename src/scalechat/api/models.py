"""/api/models: what the user can pick."""

from __future__ import annotations

from fastapi import APIRouter

from scalechat.api.deps import PrincipalDep, ServicesDep
from scalechat.api.schemas import ModelList, ModelRead

router = APIRouter(prefix="/api/models", tags=["models"])


@router.get("", operation_id="listModels")
async def list_models(_: PrincipalDep, services: ServicesDep) -> ModelList:
    catalog = services.catalog
    return ModelList(items=[ModelRead.of(info) for info in catalog.infos()], default=catalog.default_id)
