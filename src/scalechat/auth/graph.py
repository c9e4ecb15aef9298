"""The signed-in user's Microsoft Graph profile and photo, with their delegated token.

Both are cached per user (an hour; a failure for ten minutes; at most 64 MB of photos per
process, the least recently fetched dropped first), so Graph sees about one request pair
per user per hour. No photo, no consent (403) or Graph being down all give the
same answer: no photo, and the web app shows initials.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

import httpx2

log = logging.getLogger(__name__)

CACHE_SECONDS = 3600.0
FAILURE_CACHE_SECONDS = 600.0
MAX_CACHED_USERS = 20_000
MAX_CACHED_BYTES = 64 * 1024 * 1024  # photos; the oldest are dropped first
MAX_PHOTO_BYTES = 256 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


@dataclass(frozen=True, slots=True)
class GraphProfile:
    display_name: str | None
    mail: str | None
    photo: bytes | None
    photo_type: str | None


class GraphClient:
    def __init__(self, base_url: str, http: httpx2.AsyncClient) -> None:
        self._base = base_url.rstrip("/")
        self._http = http
        self._cache: OrderedDict[str, tuple[float, GraphProfile]] = OrderedDict()
        self._cached_bytes = 0
        self._fetching: dict[str, asyncio.Lock] = {}

    def cached(self, user_id: str) -> GraphProfile | None:
        entry = self._cache.get(user_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    async def profile(self, user_id: str, access_token: str) -> GraphProfile:
        found = self.cached(user_id)
        if found is not None:
            return found
        lock = self._fetching.setdefault(user_id, asyncio.Lock())
        try:
            async with lock:  # /api/me and /api/me/photo arrive together: one fetch per user
                return self.cached(user_id) or await self._fetch(user_id, access_token)
        finally:
            if not lock.locked():
                self._fetching.pop(user_id, None)

    async def _fetch(self, user_id: str, access_token: str) -> GraphProfile:
        headers = {"Authorization": f"Bearer {access_token}"}
        display_name = mail = photo_type = None
        photo = None
        ok = True
        try:
            response = await self._http.get(f"{self._base}/me?$select=displayName,mail", headers=headers)
            if response.status_code == 200:
                body = response.json()
                display_name = body.get("displayName") if isinstance(body.get("displayName"), str) else None
                mail = body.get("mail") if isinstance(body.get("mail"), str) else None
                photo_response = await self._http.get(f"{self._base}/me/photo/$value", headers=headers)
                content_type = photo_response.headers.get("content-type", "").split(";")[0].strip().lower()
                if (
                    photo_response.status_code == 200
                    and content_type in PHOTO_TYPES
                    and len(photo_response.content) <= MAX_PHOTO_BYTES
                ):
                    photo, photo_type = photo_response.content, content_type
            else:
                ok = False
                log.info("auth.graph_profile_refused", extra={"status": response.status_code})
        except (httpx2.HTTPError, ValueError) as exc:
            ok = False
            log.warning("auth.graph_unavailable", extra={"error": type(exc).__name__})
        profile = GraphProfile(display_name, mail, photo, photo_type)
        self._remember(user_id, profile, CACHE_SECONDS if ok else FAILURE_CACHE_SECONDS)
        return profile

    def _remember(self, user_id: str, profile: GraphProfile, seconds: float) -> None:
        previous = self._cache.pop(user_id, None)
        if previous is not None:
            self._cached_bytes -= len(previous[1].photo or b"")
        self._cache[user_id] = (time.monotonic() + seconds, profile)
        self._cached_bytes += len(profile.photo or b"")
        while len(self._cache) > MAX_CACHED_USERS or self._cached_bytes > MAX_CACHED_BYTES:
            _, (_, dropped) = self._cache.popitem(last=False)
            self._cached_bytes -= len(dropped.photo or b"")
