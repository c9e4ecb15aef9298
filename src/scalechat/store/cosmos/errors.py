"""Azure SDK errors to ours, in one place: nothing from `azure.*` leaves the Cosmos DB stores.

The stores catch the statuses that mean something to them (404 missing, 409 taken, 412 condition
not met) where they happen; everything else reaches `map_cosmos_errors`, which every public
method of a store class goes through (`@maps_cosmos_errors`).

    429 after the SDK waited out AZURE_COSMOSDB_MAX_RETRY_WAIT_SECONDS -> StorageBusy (503, Retry-After)
    401/403, 408, 5xx, connection errors and timeouts                   -> NotReady (503)
    413 (an item over the 2 MB limit)                                   -> ContentTooLarge (413)
    anything else                                                       -> ScalechatError (500)
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from azure.core.exceptions import AzureError, HttpResponseError, ServiceRequestError, ServiceResponseError

from scalechat.errors import ContentTooLarge, NotReady, ScalechatError, StorageBusy

P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=type)

DEFAULT_RETRY_AFTER_SECONDS = 1.0


def retry_after_seconds(error: HttpResponseError) -> float:
    response: Any = error.response
    headers: Any = getattr(error, "headers", None) or (response.headers if response is not None else {})
    try:
        return max(0.001, int(headers["x-ms-retry-after-ms"]) / 1000)
    except (KeyError, TypeError, ValueError):
        return DEFAULT_RETRY_AFTER_SECONDS


def map_cosmos_error(error: AzureError) -> ScalechatError:
    """Our error for an SDK error (its message stays in the logs' cause chain, not in our detail)."""
    if isinstance(error, HttpResponseError):
        status = error.status_code or 0
        if status == 429:
            return StorageBusy("The database is busy; try again in a moment.", retry_after=retry_after_seconds(error))
        if status == 413:
            return ContentTooLarge("This is too large to store.", code="too_large_to_store")
        if status in (401, 403):
            return NotReady("The database refused our credentials.", code="storage_unavailable")
        if status in (408, 410, 449) or status >= 500:
            return NotReady("The database is not answering; try again.", code="storage_unavailable")
        return ScalechatError(f"The database refused a request ({status}).", code="storage_error")
    if isinstance(error, ServiceRequestError | ServiceResponseError):
        return NotReady("The database cannot be reached; try again.", code="storage_unavailable")
    return NotReady("The database is not answering; try again.", code="storage_unavailable")


def _mapped(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except AzureError as exc:
            raise map_cosmos_error(exc) from exc
        except TimeoutError as exc:  # aiohttp's timeouts, when the SDK lets one through
            raise NotReady("The database is not answering; try again.", code="storage_unavailable") from exc

    return wrapper


def maps_cosmos_errors(cls: C) -> C:
    """Route every public coroutine method of `cls` through `map_cosmos_error`."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.iscoroutinefunction(member):
            setattr(cls, name, _mapped(member))
    return cls
