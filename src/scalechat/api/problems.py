"""Every error response is `application/problem+json` with a stable `code`; no trace, no secret."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from scalechat.errors import ScalechatError, problem_body

PROBLEM_JSON = "application/problem+json"

_HTTP_CODES = {
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    413: ("body_too_large", "Content too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
}


def problem(
    status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = problem_body(status, code, title, detail, **extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_detail(exc: RequestValidationError) -> tuple[str, str, list[dict[str, Any]]]:
    errors = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        errors.append({"field": location, "message": error.get("msg", "invalid")})
    first = exc.errors()[0] if exc.errors() else {}
    if first.get("type") == "json_invalid":
        return "malformed_json", "The body is not valid JSON.", errors
    if errors:
        return "validation_failed", f"{errors[0]['field'] or 'body'}: {errors[0]['message']}", errors
    return "validation_failed", "The request is not valid.", errors


def _allowed_methods(request: Request) -> list[str]:
    """Every method any route serves at this path (Starlette's own 405 names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ScalechatError)
    async def _scalechat_error(request: Request, exc: ScalechatError) -> JSONResponse:
        headers = {}
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = f"{max(1, round(retry_after))}"
        return JSONResponse(
            exc.to_problem(instance=request.url.path),
            status_code=exc.status,
            media_type=PROBLEM_JSON,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        code, detail, errors = _validation_detail(exc)
        status = 400 if code == "malformed_json" else 422
        return problem(status, code, "Invalid request", detail, errors=errors, instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = _HTTP_CODES.get(exc.status_code, (f"http_{exc.status_code}", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:
            headers = {"Allow": ", ".join(_allowed_methods(request))}
        return problem(exc.status_code, code, title, detail, headers=headers, instance=request.url.path)
