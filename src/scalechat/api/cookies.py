"""The app's cookies, set one way: Path=/, `__Host-` and Secure over HTTPS (Secure everywhere but
plain-HTTP loopback), HttpOnly unless the app's script must read it (the CSRF token)."""

from __future__ import annotations

from starlette.responses import Response

from scalechat.auth.authenticator import CSRF_COOKIE, cookie_name


def set_cookie(response: Response, base: str, value: str, *, secure: bool, max_age: int, script: bool = False) -> None:
    """SameSite=Lax for the session and sign-in cookies (the issuer's redirect back is a cross-site
    navigation); Strict for the script-readable CSRF token, which only the app's own pages send."""
    response.set_cookie(
        cookie_name(base, secure),
        value,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=not script,
        samesite="strict" if script else "lax",
    )


def clear_cookies(response: Response, secure: bool, *bases: str) -> None:
    for base in bases:
        response.delete_cookie(cookie_name(base, secure), path="/", secure=secure, httponly=base != CSRF_COOKIE)
