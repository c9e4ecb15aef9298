"""Transport-level protections, as pure ASGI middleware.

- `ForwardedHeadersMiddleware`: the scheme, host and client address a proxy (App Service's
  front ends, Container Apps' ingress, a reverse proxy) saw, from `X-Forwarded-*`, but only
  when the direct peer is one of FORWARDED_ALLOW_IPS; anyone else's are dropped.
- `LoopbackHostMiddleware` (AUTH_MODE=local): only a loopback Host is served, so a web page
  whose domain an attacker re-points at 127.0.0.1 (DNS rebinding) cannot use the local user.
- `SameOriginMiddleware`: a state-changing request (POST, PUT, PATCH, DELETE) that a browser
  sent from another site is refused, whatever credentials it carries. Together with the
  session's CSRF token (checked in `api/deps.py`) this is the CSRF defence.
"""

from __future__ import annotations

import ipaddress
import re

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from scalechat.errors import CsrfRejected, problem_body
from scalechat.settings import is_loopback

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_HOST = re.compile(r"^[A-Za-z0-9.\-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> list[Network] | None:
    """FORWARDED_ALLOW_IPS as networks; None means every peer ('*')."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if "*" in parts:
        return None
    return [ipaddress.ip_network(part, strict=False) for part in parts]


def _trusted(address: str | None, networks: list[Network] | None) -> bool:
    if networks is None:
        return True
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


async def send_problem(send: Send, status: int, code: str, title: str, detail: str, path: str, **extra: str) -> None:
    """Answer with a problem+json document from ASGI middleware (outside FastAPI's handlers)."""
    body = orjson.dumps(problem_body(status, code, title, detail, instance=path, **extra))
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class ForwardedHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, trusted: str) -> None:
        self.app = app
        self.networks = parse_networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            if _trusted(client[0] if client else None, self.networks):
                scope = dict(scope)
                proto = (_header(scope, b"x-forwarded-proto") or "").split(",")[0].strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = proto
                host = (_header(scope, b"x-forwarded-host") or "").split(",")[0].strip()
                if host and _HOST.match(host):
                    headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
                    headers.append((b"host", host.encode("latin-1")))
                    scope["headers"] = headers
                forwarded_for = _header(scope, b"x-forwarded-for")
                if forwarded_for:
                    # The nearest address that is not one of our proxies is the client.
                    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
                    client_ip = next((hop for hop in reversed(hops) if not _trusted(hop, self.networks)), None)
                    if client_ip or hops:
                        scope["client"] = (client_ip or hops[0], 0)
            else:
                scope = dict(scope)
                scope["headers"] = [(k, v) for k, v in scope["headers"] if not k.startswith(b"x-forwarded-")]
        await self.app(scope, receive, send)


def origin_of(scope: Scope, public_url: str | None) -> str:
    """This app's origin as users reach it: SCALECHAT_PUBLIC_URL, else the request's scheme and host."""
    if public_url:
        scheme, _, rest = public_url.partition("://")
        return f"{scheme.lower()}://{rest.split('/', 1)[0].lower()}"
    host = (_header(scope, b"host") or "").lower()
    return f"{scope.get('scheme', 'http')}://{host}"


def is_secure(scope: Scope, public_url: str | None) -> bool:
    """Secure cookies over HTTPS, and everywhere but loopback (plain HTTP is only for a laptop)."""
    scheme, _, host = origin_of(scope, public_url).partition("://")
    return scheme == "https" or not is_loopback(hostname_of(host))


def hostname_of(host: str) -> str:
    """A Host header without its port: '[::1]:8000' -> '::1', 'example.com:443' -> 'example.com'."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class SameOriginMiddleware:
    def __init__(self, app: ASGIApp, *, public_url: str | None) -> None:
        self.app = app
        self.public_url = public_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            refusal = self._refusal(scope)
            if refusal is not None:
                error = CsrfRejected(refusal)
                await send_problem(send, error.status, error.code, error.title, refusal, scope["path"], reason="origin")
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> str | None:
        site = _header(scope, b"sec-fetch-site")
        if site is not None and site.lower() not in ("same-origin", "none"):
            return "This request came from another site; it is only accepted from this app's own pages."
        origin = _header(scope, b"origin")
        if origin is not None and origin.lower() != origin_of(scope, self.public_url):
            return "This request came from another origin; it is only accepted from this app's own pages."
        return None


class LoopbackHostMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = (_header(scope, b"host") or "").lower() if scope["type"] == "http" else ""
        if scope["type"] == "http" and not is_loopback(hostname_of(host)):
            detail = "In local mode only http://127.0.0.1, localhost or [::1] is served."
            await send_problem(send, 421, "host_not_allowed", "Host not allowed", detail, scope["path"])
            return
        await self.app(scope, receive, send)
