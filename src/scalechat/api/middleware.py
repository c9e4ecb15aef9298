"""Pure ASGI middleware (never BaseHTTPMiddleware): it must not buffer streamed answers.

Unhandled errors pass through this middleware before Starlette's own error
middleware, so it answers them: every response, a 500 included, carries the
request id and the security headers, and the error is logged with the request id.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scalechat.api.security import send_problem
from scalechat.telemetry import request_id_var

log = logging.getLogger("scalechat.access")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        b"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    ),
]


# Over HTTPS only (the scheme a trusted proxy reports counts): on plain HTTP it would be ignored anyway.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class RequestContextMiddleware:
    """Request id (X-Request-ID when sane), security headers, a body size limit, one access log
    line per request, and problem+json for anything unhandled."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, hsts: bool = False) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.hsts = hsts  # SCALECHAT_PUBLIC_URL is https: always, whatever a proxy reports

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        received = 0
        too_large = f"The request body is over {self.max_body_bytes} bytes."

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(SECURITY_HEADERS)
                if self.hsts or scope.get("scheme") == "https":
                    headers.append(HSTS)
                message = {**message, "headers": headers}
            await send(message)

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # An HTTPException passes through FastAPI's body parsing unchanged.
                    raise HTTPException(413, detail=too_large)
            return message

        async def answer(status_code: int, code: str, title: str, detail: str) -> None:
            await send_problem(send_with_headers, status_code, code, title, detail, scope["path"])

        try:
            declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"0")
            if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
                await answer(400, "invalid_characters", "Invalid request", "The URL contains a NUL character.")
            elif declared.isdigit() and int(declared) > self.max_body_bytes:
                await answer(413, "body_too_large", "Content too large", too_large)
            else:
                await self.app(scope, receive_limited, send_with_headers)
        except Exception:
            log.exception("request.unhandled_error", extra={"method": scope["method"], "path": scope["path"]})
            if not response_started:
                detail = f"Something went wrong on our side; quote request id {request_id} when you report it."
                await answer(500, "internal_error", "Internal error", detail)
        finally:
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id_var.reset(token)
