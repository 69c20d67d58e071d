"""This file defines what every request and response goes through: security headers, the per-route request
size limit, the one check of a redirect target, and the trusted-proxy setting.

Headers: all scripts and styles are files under web/static/, so the policy allows 'self' only: no inline script,
no inline style, no style attribute, no CDN. Pages that show an applicant's data are not cached.

Request size: the site-wide MAX_CONTENT_LENGTH is small (512 KB); a view that takes files is marked
`@request_limit("UPLOAD_REQUEST_MAX")` and its limit is set *before* anything reads the body — CSRF protection
reads the form in its own before-request hook, so a limit raised inside the view comes too late.

Redirects: `safe_redirect_target(next)` is the one check of every `next` parameter: a relative path on this site
or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


_NAMES = tuple((name.lower(), name, value) for name, value in HEADERS.items())


def add_security_headers(response: Response) -> Response:
    """Every header of HEADERS, HSTS when configured and `Cache-Control: no-store` (not on static files) that the
    view has not set itself, appended in that order (the response's header names read once: a `setdefault` per
    header searched the whole list each time, ≈ 0.25 M instructions a response)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    missing = [(name, value) for lower, name, value in _NAMES if lower not in present]
    seconds = int(current_app.config.get("HSTS_SECONDS") or 0)
    if seconds and "strict-transport-security" not in present:
        missing.append(("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains"))
    if "cache-control" not in present and request.endpoint != "static":
        missing.append(("Cache-Control", "no-store"))
    headers.extend(missing)
    return response


F = TypeVar("F", bound=Callable[..., Any])
LIMIT_ATTRIBUTE = "request_limit"


def request_limit(limit: int | str) -> Callable[[F], F]:
    """Mark a view with its own request-size limit: bytes, or the name of the config key that holds them."""
    def mark(view: F) -> F:
        setattr(view, LIMIT_ATTRIBUTE, limit)
        return view
    return mark


def route_limit() -> int | None:
    """The request-size limit of the current request's view (None: the site-wide MAX_CONTENT_LENGTH)."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, LIMIT_ATTRIBUTE, None)
    if limit is None:
        return None
    return int(current_app.config.get(limit) or 0) if isinstance(limit, str) else int(limit)


def _apply_route_limit() -> None:
    limit = route_limit()
    if limit:
        request.max_content_length = limit


def safe_redirect_target(target: str | None) -> str | None:
    """A local path to send the browser to, or None: never another site.

    Control characters (tab, CR, LF … which browsers drop) are removed first; what remains must parse with
    `urlsplit` as a path with no scheme and no host, start with exactly one "/" and hold no backslash.

    >>> safe_redirect_target("/review/?page=2"), safe_redirect_target("/\t/evil.example"), safe_redirect_target("//x")
    ('/review/?page=2', None, None)
    """
    if not target:
        return None
    cleaned = "".join(ch for ch in target if ch.isprintable() and not ch.isspace() or ch == " ").strip()
    if not cleaned.startswith("/") or cleaned.startswith("//") or "\\" in cleaned:
        return None
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return cleaned


def init_security(app: Flask) -> None:
    """Headers after every response; the per-route size limit before every other hook (CSRF included); the
    trusted proxies' forwarded headers when TRUSTED_PROXIES is set."""
    app.after_request(add_security_headers)
    app.before_request_funcs.setdefault(None, []).insert(0, _apply_route_limit)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
