"""Absolute addresses that leave the site (secret links, the PDF's links) on its public address."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for


def public_root() -> str:
    """The site's public address with a trailing slash: PUBLIC_URL, else (in development) the host.

    The request's Host header is the visitor's to choose, so it must not decide where a secret
    link or a PDF's links lead; production refuses to start without PUBLIC_URL.
    """
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/") + "/"
    return request.url_root


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute public address of an endpoint (url_for's path on the public root)."""
    if not current_app.config.get("PUBLIC_URL"):
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)
    # The path starts with the app's mount point (script root); PUBLIC_URL already names it.
    if request.script_root and path.startswith(request.script_root):
        path = path[len(request.script_root) :]
    return public_root() + path.lstrip("/")
