"""The one place where errors of the openai SDK become scalechat's `ModelError`s."""

from __future__ import annotations

import httpx2
import openai
from azure.core.exceptions import ClientAuthenticationError

from scalechat.errors import (
    BadCredentials,
    ContentFiltered,
    ContextTooLong,
    ModelError,
    ModelRequestRejected,
    RateLimited,
    UpstreamUnavailable,
)


def _retry_after(response_headers: object) -> float | None:
    get = getattr(response_headers, "get", None)
    if get is None:
        return None
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = get(name)
        if value:
            try:
                return float(value) / 1000.0
            except ValueError:
                pass
    value = get("retry-after")
    if value:
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _error_code(exc: openai.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", body)
    code = error.get("code") if isinstance(error, dict) else None
    return str(code or getattr(exc, "code", "") or "")


def map_sdk_error(exc: Exception) -> ModelError:
    """Translate an SDK or transport error; the upstream's own text is not passed on."""
    if isinstance(exc, ModelError):
        return exc
    if isinstance(exc, ClientAuthenticationError):
        # Entra ID: no managed identity, no `az login`, or the token request was refused.
        return BadCredentials("scalechat could not get an Entra ID token for the model endpoint.")
    if isinstance(exc, openai.APITimeoutError):
        return UpstreamUnavailable("The model did not answer in time.")
    if isinstance(exc, openai.APIConnectionError):
        return UpstreamUnavailable("Could not connect to the model endpoint.")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        code = _error_code(exc)
        retry_after = _retry_after(exc.response.headers)
        if status == 429:
            return RateLimited("The model is receiving too many requests.", retry_after=retry_after)
        if status in (401, 403):
            return BadCredentials("The model endpoint refused scalechat's credentials (API key or Entra ID role).")
        if code == "content_filter" or code == "ResponsibleAIPolicyViolation":
            return ContentFiltered("The question was blocked by the content filter.")
        if code == "context_length_exceeded":
            return ContextTooLong("The conversation is too long for this model.")
        if status >= 500:
            return UpstreamUnavailable(f"The model endpoint failed (HTTP {status}).", retry_after=retry_after)
        return ModelRequestRejected(f"The model endpoint rejected the request (HTTP {status}).")
    if isinstance(exc, httpx2.TimeoutException):
        return UpstreamUnavailable("The model stopped sending in time.")
    if isinstance(exc, httpx2.TransportError):
        return UpstreamUnavailable("The connection to the model broke.")
    if isinstance(exc, openai.OpenAIError):
        return UpstreamUnavailable("The model stream failed.")
    raise exc
