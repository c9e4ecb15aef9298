"""The one exception hierarchy of scalechat. Every error a client sees is one of these.

    ScalechatError                  base; `status`, stable `code`, human `detail`
    +-- InvalidRequest              400/422: the request cannot be served as sent
    |   +-- ContentTooLarge         413: content over the configured size
    |   +-- PromptTooLong           422: system prompt + question exceed the model's window
    +-- NotSignedIn                 401: no valid session or bearer token; `login_url` says where to sign in
    +-- NotAllowed                  403: signed in, but without the role, tenant or group the app requires
    +-- CsrfRejected                403: a browser request from another site, or without the CSRF token
    +-- NotFound                    404: unknown, or owned by someone else (never 403)
    +-- Conflict                    409: the resource is not in a state that allows it
    +-- NotReady                    503: a dependency is not reachable
    |   +-- StorageBusy             503: the database kept throttling (429) past our wait; carries `retry_after`
    +-- ModelError                  raised by llm/ only; mapped from SDK errors in one place
        +-- RateLimited             429 from the model; carries `retry_after` seconds
        +-- UpstreamUnavailable     5xx, timeouts, connection errors
        +-- ContentFiltered         the model's content filter refused the prompt
        +-- ContextTooLong          the model says the prompt exceeds its context window
        +-- BadCredentials          401/403 from the model: key or Entra ID token refused
        +-- ModelRequestRejected    any other 4xx from the model

`to_problem()` shapes an error as RFC 9457 `application/problem+json`; nothing else
in an error response: no stack trace, no upstream body, no secret.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ScalechatError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.extra = extra

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        return problem_body(self.status, self.code, self.title, self.detail, instance=instance, **self.extra)


def problem_body(status: int, code: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem document with our stable `code`."""
    body: dict[str, Any] = {
        "type": f"https://scalechat.dev/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


class InvalidRequest(ScalechatError):
    status = 422
    code = "invalid_request"
    title = "Invalid request"


class ContentTooLarge(InvalidRequest):
    status = 413
    code = "content_too_large"
    title = "Content too large"


class PromptTooLong(InvalidRequest):
    code = "prompt_too_long"
    title = "Prompt too long for the model"


class NotSignedIn(ScalechatError):
    status = 401
    code = "not_signed_in"
    title = "Not signed in"

    def __init__(self, detail: str = "Sign in to continue.", *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail, code=code, **{"login_url": "/auth/login", **extra})


class NotAllowed(ScalechatError):
    status = 403
    code = "not_allowed"
    title = "Not allowed"


class CsrfRejected(ScalechatError):
    status = 403
    code = "csrf_rejected"
    title = "Request refused"


class NotFound(ScalechatError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(ScalechatError):
    status = 409
    code = "conflict"
    title = "Conflict"


class NotReady(ScalechatError):
    status = 503
    code = "not_ready"
    title = "Not ready"


class StorageBusy(NotReady):
    code = "storage_busy"
    title = "The database is busy"

    def __init__(self, detail: str, *, retry_after: float | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class ModelError(ScalechatError):
    status = 502
    code = "model_error"
    title = "Model error"
    retryable: ClassVar[bool] = False

    def __init__(self, detail: str, *, retry_after: float | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class RateLimited(ModelError):
    status = 429
    code = "rate_limited"
    title = "The model is busy"
    retryable = True


class UpstreamUnavailable(ModelError):
    status = 503
    code = "upstream_unavailable"
    title = "The model is unavailable"
    retryable = True


class ContentFiltered(ModelError):
    status = 400
    code = "content_filtered"
    title = "Blocked by the content filter"


class ContextTooLong(ModelError):
    status = 400
    code = "context_too_long"
    title = "Too long for the model"


class BadCredentials(ModelError):
    status = 502
    code = "model_credentials"
    title = "The model refused our credentials"


class ModelRequestRejected(ModelError):
    status = 502
    code = "model_rejected"
    title = "The model rejected the request"
