"""The real content: complete in both languages, and every internal link leads somewhere."""

from __future__ import annotations

from urllib.parse import urldefrag

from bs4 import BeautifulSoup

from app.core.content import KINDS
from app.i18n import LANGUAGES


def test_every_key_exists_in_both_languages(app):
    library = app.extensions["library"]
    for kind in KINDS:
        keys = {lang: {p.key for p in library.list(lang, kind)} for lang in LANGUAGES}
        assert keys["da"] == keys["sv"], kind


def test_the_starter_pages_exist(app):
    library = app.extensions["library"]
    for key in ("introduction", "about", "privacy", "accessibility"):
        for lang in LANGUAGES:
            assert library.by_key(lang, "pages", key), (lang, key)
    assert len(library.list("da", "steps")) >= 3


def test_every_internal_link_in_the_content_resolves(app, client):
    library = app.extensions["library"]
    checked = 0
    for page in library.pages.values():
        for a in BeautifulSoup(page.html, "html.parser").find_all("a", href=True):
            href = a["href"]
            if not href.startswith("/"):
                continue
            path, fragment = urldefrag(href)
            assert path.startswith(f"/{page.lang}/"), f"{page.source}: {href} is another language"
            response = client.get(path)
            assert response.status_code == 200, f"{page.source}: {href} -> {response.status_code}"
            if fragment:
                target = BeautifulSoup(response.get_data(as_text=True), "html.parser")
                assert target.find(id=fragment), f"{page.source}: {href} has no #{fragment}"
            checked += 1
    assert checked > 0
