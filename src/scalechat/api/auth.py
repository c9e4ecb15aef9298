"""Browser sign-in and sign-out (AUTH_MODE=entra): /auth/login, /auth/callback, /auth/logout.

Browser navigation endpoints, not part of the API document. The session cookie is
HttpOnly and SameSite=Lax (the issuer's redirect back is a cross-site navigation); over
HTTPS it is `__Host-` prefixed and Secure. The CSRF cookie is readable by the app's own
script, which echoes it in `X-CSRF-Token`; it is SameSite=Strict.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from scalechat.api.cookies import clear_cookies, set_cookie
from scalechat.api.deps import ServicesDep
from scalechat.api.security import is_secure, origin_of
from scalechat.auth import easyauth
from scalechat.auth.authenticator import CSRF_COOKIE, LOGIN_COOKIE, SESSION_COOKIE, cookie_name
from scalechat.auth.oidc import IssuerUnavailable, SignInFailed
from scalechat.auth.sessions import LOGIN_TIMEOUT, csrf_matches
from scalechat.domain import User
from scalechat.errors import CsrfRejected, NotAllowed, NotReady

log = logging.getLogger(__name__)

router = APIRouter(prefix="/auth", include_in_schema=False)

CALLBACK_PATH = "/auth/callback"
_ERROR_CODE = re.compile(r"^[a-z0-9_]{1,40}$")


def safe_return_to(value: str | None) -> str:
    """A path on this site, or "/": never another host (no open redirect), never back into /auth."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(ch in value for ch in "\\\r\n\t\x00") or value.startswith("/auth/"):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def _failed(code: str) -> RedirectResponse:
    safe = code if _ERROR_CODE.match(code) else "sign_in_failed"
    return RedirectResponse(f"/?auth_error={safe}", status_code=303)


@router.get("/login")
async def login(
    request: Request,
    services: ServicesDep,
    return_to: Annotated[str | None, Query(max_length=2000)] = None,
    login_hint: Annotated[str | None, Query(max_length=320)] = None,
) -> Response:
    authenticator = services.authenticator
    target = safe_return_to(return_to)
    if authenticator.mode == "easyauth":
        return RedirectResponse(f"{easyauth.LOGIN_URL}?post_login_redirect_uri={quote(target)}", status_code=302)
    if authenticator.sessions is None:  # local mode: nobody to sign in
        return RedirectResponse(target, status_code=302)
    public_url = services.settings.public_url
    redirect_uri = origin_of(request.scope, public_url) + CALLBACK_PATH
    try:
        url, login_cookie = await authenticator.sessions.begin_login(redirect_uri, target, login_hint)
    except IssuerUnavailable as exc:
        raise NotReady("The sign-in service cannot be reached; try again shortly.") from exc
    response = RedirectResponse(url, status_code=302)
    secure = is_secure(request.scope, public_url)
    set_cookie(response, LOGIN_COOKIE, login_cookie, secure=secure, max_age=int(LOGIN_TIMEOUT.total_seconds()))
    return response


@router.get("/callback")
async def callback(
    request: Request,
    services: ServicesDep,
    code: Annotated[str | None, Query(max_length=4000)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    authenticator = services.authenticator
    if authenticator.sessions is None:
        return RedirectResponse("/", status_code=303)
    public_url = services.settings.public_url
    secure = is_secure(request.scope, public_url)
    login_cookie = request.cookies.get(cookie_name(LOGIN_COOKIE, secure))
    response: Response
    if error:
        log.info("auth.sign_in_refused_by_issuer", extra={"error_code": error[:40]})
        response = _failed(error)
    elif not code or not state or not login_cookie:
        response = _failed("login_expired" if code else "invalid_callback")
    else:
        redirect_uri = origin_of(request.scope, public_url) + CALLBACK_PATH
        response = await _finish(services, login_cookie, state, code, redirect_uri, secure)
    clear_cookies(response, secure, LOGIN_COOKIE)  # each sign-in is finished (or failed) once
    return response


async def _finish(
    services: ServicesDep, login_cookie: str, state: str, code: str, redirect_uri: str, secure: bool
) -> Response:
    authenticator = services.authenticator
    assert authenticator.sessions is not None
    try:
        session, return_to = await authenticator.sessions.finish_login(login_cookie, state, code, redirect_uri)
    except SignInFailed as exc:
        log.info("auth.sign_in_failed", extra={"error_code": exc.code})
        return _failed(exc.code)
    except IssuerUnavailable:
        return _failed("issuer_unavailable")
    try:
        principal = authenticator.policy.principal(session.claims)
    except NotAllowed:
        log.info("auth.signed_in_not_allowed")
    else:
        now = datetime.now(UTC)
        await authenticator.sessions.remember_user(
            User(principal.user_id, principal.tenant_id, principal.name, principal.email, now, now)
        )
        log.info("auth.signed_in", extra={"user_id": principal.user_id})
    response = RedirectResponse(safe_return_to(return_to), status_code=303)
    max_age = services.settings.auth.session_max_seconds
    set_cookie(response, SESSION_COOKIE, session.cookie, secure=secure, max_age=max_age)
    set_cookie(response, CSRF_COOKIE, session.csrf_token, secure=secure, max_age=max_age, script=True)
    return response


@router.post("/logout")
async def logout(
    request: Request,
    services: ServicesDep,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> Response:
    authenticator = services.authenticator
    public_url = services.settings.public_url
    origin = origin_of(request.scope, public_url)
    secure = is_secure(request.scope, public_url)
    if authenticator.mode == "easyauth":
        # Nothing to end here (App Service owns the session), so no CSRF token is asked for.
        ended = JSONResponse({"redirect_url": f"{easyauth.LOGOUT_URL}?post_logout_redirect_uri=/"})
        clear_cookies(ended, secure, CSRF_COOKIE)
        return ended
    cookie = request.cookies.get(cookie_name(SESSION_COOKIE, secure))
    redirect_url = "/"
    if cookie and authenticator.sessions is not None and authenticator.oidc is not None:
        if not csrf_matches(x_csrf_token, cookie):
            raise CsrfRejected("Sign-out needs the X-CSRF-Token header of this session.", reason="token")
        if await authenticator.sessions.end(cookie):
            log.info("auth.signed_out")
            try:
                # No id_token_hint: the URL goes through the browser (history, the issuer's logs),
                # and an ID token there could be replayed. The issuer asks which account to end.
                redirect_url = await authenticator.oidc.end_session_url(origin + "/") or "/"
            except IssuerUnavailable:
                redirect_url = "/"
    response = JSONResponse({"redirect_url": redirect_url})
    clear_cookies(response, secure, SESSION_COOKIE, CSRF_COOKIE)
    return response
