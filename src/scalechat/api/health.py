"""Liveness and readiness probes for App Service / Container Apps."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from scalechat.api.deps import ServicesDep
from scalechat.api.schemas import Health

router = APIRouter(tags=["health"])

READY_TIMEOUT_SECONDS = 3.0


@router.get("/healthz", operation_id="healthz")
async def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok")


@router.get("/readyz", operation_id="readyz", responses={503: {"model": Health}})
async def readyz(services: ServicesDep) -> JSONResponse:
    """The database and the default model answer."""
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(services.store.ping(), READY_TIMEOUT_SECONDS)
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - a probe reports, it does not raise
        checks["database"] = "unavailable"
    try:
        await asyncio.wait_for(services.catalog.get(None).check(), READY_TIMEOUT_SECONDS)
        checks["model"] = "ok"
    except Exception:  # noqa: BLE001 - a probe reports, it does not raise
        checks["model"] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    body = Health(status="ok" if ready else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
