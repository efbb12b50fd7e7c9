"""The file layout of the static export, and the rewriting of its links (no Flask here).

The export holds a file for every public address, at a path that a plain file server (nginx,
a CDN) can find from the address alone, so that the pages' links work unchanged:

- an address that ends in "/" (a section such as /da/vaerktoejskasse/) is ".../index.html";
- an address whose last segment has an extension (a template's .xlsx) is that file;
- any other address (a step, a plain page, /da/soeg) is the address plus ".html".

A server then tries, for an address, the file itself, then with ".html", then the directory's
index.html (deploy/nginx-static.conf: try_files $uri $uri.html $uri/).

Links of a page to an address the export does not hold (the self-assessment, the simulator, the
advisor pages) become absolute links to the live app: a reader who follows "Self-assessment"
from an exported page lands on the app at PUBLIC_URL, as on the app's own pages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import urlsplit

# The attributes of the site's pages that hold an address (the templates quote with ").
LINK_ATTRIBUTE = re.compile(r'(\s(?:href|src|action|formaction)=")([^"]*)(")')


class LayoutError(ValueError):
    """An address that cannot be written as a file of the export."""


def file_for(path: str) -> PurePosixPath:
    """The file of the export, relative to its root, that holds the page at this address."""
    if not path.startswith("/") or "?" in path or "#" in path or "\\" in path:
        raise LayoutError(f"not a plain path: {path!r}")
    segments = path.strip("/").split("/") if path.strip("/") else []
    if any(segment in ("", ".", "..") for segment in segments):
        raise LayoutError(f"a path with an empty, '.' or '..' segment: {path!r}")
    if path.endswith("/"):
        return PurePosixPath(*segments, "index.html")
    if "." in segments[-1]:
        return PurePosixPath(*segments)
    return PurePosixPath(*segments[:-1], segments[-1] + ".html")


def is_local(url: str) -> bool:
    """Whether a link leads to an address of this site by its path ("/...", not "//host")."""
    return url.startswith("/") and not url.startswith("//")


def rewrite_links(page: str, exported: Callable[[str], bool], public_root: str) -> str:
    """The page with every local link whose path the export does not hold made absolute on
    public_root (the live app's address); links the export holds, and anchors, stay as they are.
    """
    root = public_root.rstrip("/")

    def replace(match: re.Match[str]) -> str:
        before, value, after = match.groups()
        url = html.unescape(value)
        if not is_local(url) or exported(urlsplit(url).path):
            return match.group(0)
        return before + html.escape(root + url, quote=True) + after

    return LINK_ATTRIBUTE.sub(replace, page)
