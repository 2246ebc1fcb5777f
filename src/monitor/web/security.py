"""Who may use the workbench, and what a page may do (SPEC section 6).

- With ``web.auth_token`` set, ``/api/`` needs ``Authorization: Bearer TOKEN`` and
  pages need a login with the same token, which sets a session cookie
  (``HttpOnly``, ``SameSite=Lax``): ``issued_at.HMAC(token, issued_at)``, so it
  expires and changing the token ends every session.
- Every state-changing page request carries a CSRF token: a random cookie
  echoed in a form field (double submit) and a same-origin ``Origin`` when the
  browser sends one. The API is exempt (a Bearer token is not sent by a browser
  on its own).
- Every response carries a Content-Security-Policy with no inline script.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from urllib.parse import urlsplit

from starlette.requests import Request

SESSION_COOKIE = "monitor_session"
CSRF_COOKIE = "monitor_csrf"
SESSION_TTL_S = 14 * 86400
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # outlets see no referrer; our POSTs keep an Origin
    "X-Frame-Options": "DENY",
}


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bearer_ok(request: Request, token: str | None) -> bool:
    if token is None:
        return True
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token)


def new_session(token: str, now: float | None = None) -> str:
    issued = str(int(now if now is not None else time.time()))
    return f"{issued}.{_sign(token, issued)}"


def session_ok(request: Request, token: str | None, now: float | None = None) -> bool:
    if token is None:
        return True
    value = request.cookies.get(SESSION_COOKIE, "")
    issued, _, signature = value.partition(".")
    if not issued.isdigit() or not hmac.compare_digest(signature, _sign(token, issued)):
        return False
    return (now if now is not None else time.time()) - int(issued) < SESSION_TTL_S


def _sign(token: str, issued: str) -> str:
    return hmac.new(token.encode(), f"session:{issued}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The CSRF cookie's value, or a new one (the page sets it on its response)."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)


def csrf_ok(request: Request, submitted: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        return False
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc == request.headers.get("host", "")
    return origin != "null"
