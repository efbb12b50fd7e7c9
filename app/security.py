"""Security headers sent with every response, and where a POST comes from."""

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Add the security headers to every response, static files and errors included."""

    sent = dict(HEADERS)
    if app.config["SESSION_COOKIE_SECURE"]:
        sent["Strict-Transport-Security"] = "max-age=31536000"
    lowered = [(name.lower(), name, value) for name, value in sent.items()]

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        # One look at the headers a view set itself (those win), not one search per header.
        own = {name.lower() for name in response.headers.keys()}  # noqa: SIM118 (names only)
        response.headers.extend([(name, value) for low, name, value in lowered if low not in own])
        return response


# --- where a POST comes from (OWASP CSRF cheat sheet: standard headers and Fetch Metadata) ------

DEFAULT_PORTS = {"http": 80, "https": 443}
# Sec-Fetch-Site values of a request this site's own page (or the visitor, typing) made.
OWN_FETCH_SITES = ("same-origin", "none")


def origin_of(url: str) -> str | None:
    """scheme://host:port of an address (ports written out), or None for what is no origin."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return f"{scheme}://{parts.hostname.lower()}:{port or DEFAULT_PORTS[scheme]}"


def site_origins() -> set[str]:
    """This site's own origins: the request's host (the public one, behind ProxyFix) and
    PUBLIC_URL when set."""
    origins = {origin_of(request.host_url)}
    if current_app.config.get("PUBLIC_URL"):
        origins.add(origin_of(current_app.config["PUBLIC_URL"]))
    origins.discard(None)
    return origins  # type: ignore[return-value]


def from_this_site() -> bool:
    """Whether a POST was sent by a page of this site, without any per-visitor token.

    - Sec-Fetch-Site, when the browser sends it, must be same-origin (or none: typed by the
      visitor). cross-site and same-site (a sibling subdomain) are refused.
    - Origin, when present, must be this site's; "null" (an opaque origin) is refused. Absent, the
      Referer's origin counts instead.
    - With neither Origin nor Referer, only a Sec-Fetch-Site from above lets it in; with no
      header at all it is refused, as OWASP advises. Every browser this site supports sends
      Origin on a form POST, so a reader loses nothing; a script that wants to post must say
      where it comes from.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site.strip().lower() not in OWN_FETCH_SITES:
        return False
    claimed = request.headers.get("Origin")
    if claimed is None:
        claimed = request.headers.get("Referer")
    if claimed is None:
        return fetch_site is not None
    return origin_of(claimed) in site_origins()
