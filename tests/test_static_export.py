"""The static export (`flask export-static DIR`) served by nginx, as a reader would get it.

The test exports the site into a temporary directory, starts Debian's nginx on 127.0.0.1 with
deploy/nginx-static.conf, crawls every page of both languages from /, /da/ and /sv/ (no broken
link, sensible content types), runs axe on one page of each type, and searches in the browser.
"""

from __future__ import annotations

import os
import pwd
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup
from playwright.sync_api import ConsoleMessage, Page, expect

from app.core.static_site import LayoutError, file_for, rewrite_links
from app.public import every_view_args, is_public
from app.security import HEADERS
from app.static_export import nginx_config
from tests.helpers import check_page

NGINX = "/usr/sbin/nginx"
# The live app the export's links to the self-assessment and the simulator lead to. The crawl
# never asks it: those addresses are checked against the app's own url_map.
PUBLIC_URL = "https://socialeinvesteringer.example"
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
MAX_REQUESTS = 3000
START_DEADLINE = 10.0
CONTENT_TYPES = {
    ".css": {"text/css"},
    ".js": {"application/javascript", "text/javascript"},
    ".json": {"application/json"},
    ".map": {"application/octet-stream", "application/json"},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ".woff2": {"font/woff2"},
    ".woff": {"font/woff", "application/font-woff"},
    ".svg": {"image/svg+xml"},
    ".png": {"image/png"},
    ".ico": {"image/x-icon", "image/vnd.microsoft.icon"},
}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
# DKFDS's @font-face rules list .eot and .ttf after woff2 and woff; the Makefile copies only
# woff2 and woff (every browser the site supports takes woff2), so the app has none to serve.
UNSHIPPED_FONTS = (".eot", ".ttf")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand back a redirect as it is, to look at its Location."""

    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def open_local(url: str, headers: dict[str, str] | None = None, follow: bool = True):  # type: ignore[no-untyped-def]
    """GET an address of the nginx under test; the test sends nothing anywhere else."""
    assert url.startswith("http://127.0.0.1:"), url
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (http, 127.0.0.1)
    opener = urllib.request.build_opener(*(() if follow else (NoRedirect,)))
    return opener.open(request, timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_addresses_become_files_that_a_plain_file_server_finds():
    assert str(file_for("/")) == "index.html"
    assert str(file_for("/da/vaerktoejskasse/")) == "da/vaerktoejskasse/index.html"
    assert str(file_for("/da/vaerktoejskasse/maalgruppe")) == "da/vaerktoejskasse/maalgruppe.html"
    assert str(file_for("/sv/mallar/logikmodell.xlsx")) == "sv/mallar/logikmodell.xlsx"
    assert str(file_for("/sv/sok")) == "sv/sok.html"
    for unsafe in ("/da/../etc/passwd", "da/om", "/da//om", "/da/soeg?q=x"):
        with pytest.raises(LayoutError):
            file_for(unsafe)


def test_links_to_what_the_export_does_not_hold_lead_to_the_live_app():
    page = (
        '<a href="/da/om">Om</a> <a href="/da/selvevaluering/">Start</a> '
        '<form action="/feedback?kind=a&amp;key=b"></form> <a href="#top">Top</a> '
        '<a href="//cdn.example/x">cdn</a> <link href="/static/css/app.css?v=1&amp;x=2">'
    )
    held = {"/da/om"}
    result = rewrite_links(
        page, lambda path: path in held or path.startswith("/static/"), "https://app.example/"
    )
    assert '<a href="/da/om">' in result
    assert '<a href="https://app.example/da/selvevaluering/">' in result
    assert 'action="https://app.example/feedback?kind=a&amp;key=b"' in result
    assert '<a href="#top">' in result and '<a href="//cdn.example/x">' in result
    assert '<link href="/static/css/app.css?v=1&amp;x=2">' in result


@pytest.fixture(scope="module")
def app(_sqlite_app):
    return _sqlite_app


@pytest.fixture(scope="module")
def export(app, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("export") / "site"
    result = app.test_cli_runner().invoke(
        args=["export-static", str(directory), "--public-url", PUBLIC_URL]
    )
    assert result.exit_code == 0, result.output
    assert "pages" in result.output
    return directory


@dataclass
class Nginx:
    url: str
    process: subprocess.Popen
    error_log: Path


@pytest.fixture(scope="module")
def nginx(export: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    """nginx serving the export on a free port of 127.0.0.1, stopped by its pid afterwards."""
    if not Path(NGINX).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{NGINX} is missing: 'make setup-test' installs Debian's nginx")
        pytest.skip(f"{NGINX} is not installed (make setup-test installs it); CI fails instead")
    prefix = tmp_path_factory.mktemp("nginx")
    port = free_port()
    user = pwd.getpwuid(os.geteuid()).pw_name
    (prefix / "nginx.conf").write_text(nginx_config(export, port, prefix, user))
    error_log = prefix / "error.log"
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(error_log)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_DEADLINE
        while True:
            if process.poll() is not None:
                pytest.fail(f"nginx stopped at start: {process.stderr.read().decode()}")
            try:
                with open_local(url + "/da/") as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"nginx did not answer within {START_DEADLINE} s")
                time.sleep(0.05)
        yield Nginx(url, process, error_log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        process.stderr.close()


def expected_pages(app) -> dict[str, int]:
    """How many HTML pages and XLSX files the url_map's public views have, in both languages."""
    counts = {"html": 0, "xlsx": 0}
    with app.app_context():
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            if is_public(view):
                number = len(every_view_args(view, rule.defaults["lang_code"]))
                counts["xlsx" if rule.rule.endswith(".xlsx") else "html"] += number
    return counts


@dataclass
class Crawl:
    pages: dict[str, BeautifulSoup] = field(default_factory=dict)  # final URL -> parsed page
    types: dict[str, str] = field(default_factory=dict)  # URL -> content type
    broken: list[str] = field(default_factory=list)
    app_links: set[str] = field(default_factory=set)  # absolute links to PUBLIC_URL
    requests: int = 0


def links_of(soup: BeautifulSoup) -> list[str]:
    found = []
    for tag, attribute in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
                           ("form", "action"), ("button", "formaction")):  # fmt: skip
        found += [element[attribute] for element in soup.find_all(tag) if element.get(attribute)]
    return found


def crawl(base: str) -> Crawl:
    """Every address reachable from /, /da/ and /sv/ through the site's own links, fetched once."""
    result = Crawl()
    queue = [base + "/", base + "/da/", base + "/sv/"]
    seen = set(queue)
    while queue:
        url = queue.pop(0)
        result.requests += 1
        assert result.requests <= MAX_REQUESTS, "the crawl found more addresses than it may ask"
        try:
            with open_local(url) as response:
                body = response.read()
                final = response.geturl()
                mimetype = response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            result.broken.append(f"{url}: {error.code}")
            continue
        result.types[url] = mimetype
        found: list[str] = []
        if mimetype == "text/html":
            soup = check_page(body.decode(), url)
            result.pages[final] = soup
            found = links_of(soup)
        elif mimetype == "text/css":
            found = [
                link
                for link in CSS_URL.findall(body.decode())
                if not link.startswith("data:")
                and not urlsplit(link).path.endswith(UNSHIPPED_FONTS)
            ]
        for link in found:
            target = urldefrag(urljoin(final, link)).url
            if target.startswith(PUBLIC_URL):
                result.app_links.add(target)
            elif target.startswith(base) and target not in seen:
                seen.add(target)
                queue.append(target)
    return result


@pytest.fixture(scope="module")
def crawled(nginx: Nginx) -> Crawl:
    return crawl(nginx.url)


def test_every_page_of_both_languages_is_reachable_and_no_link_is_broken(app, crawled: Crawl):
    assert crawled.broken == []
    expected = expected_pages(app)
    xlsx = [url for url, kind in crawled.types.items() if url.endswith(".xlsx")]
    # The crawl counts the public pages and the 404 pages are not linked: at least every public
    # page of the url_map, in both languages, reached by following links.
    assert expected["html"] > 50
    assert len(crawled.pages) >= expected["html"], sorted(crawled.pages)
    assert len(xlsx) >= expected["xlsx"] > 0
    languages = {soup.html["lang"] for soup in crawled.pages.values()}
    assert languages == {"da", "sv"}


def test_every_address_answers_with_a_sensible_content_type(crawled: Crawl):
    for url, mimetype in crawled.types.items():
        path = urlsplit(url).path
        suffix = Path(path).suffix if "." in path.rsplit("/", 1)[-1] else ""
        if not suffix or suffix == ".html":
            assert mimetype == "text/html", url
        else:
            assert mimetype in CONTENT_TYPES[suffix], (url, mimetype)
    assert any("/static/dkfds/fonts/" in url for url in crawled.types), "the fonts were not asked"


def test_links_to_pages_the_export_does_not_hold_lead_to_the_live_app(app, crawled: Crawl):
    client = app.test_client()
    paths = {urlsplit(link).path for link in crawled.app_links}
    assert {"/da/selvevaluering/", "/sv/sjalvskattning/"} <= paths
    assert {"/da/betalingssimulator", "/sv/betalningssimulator"} <= paths
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_pages_hold_the_apps_content_without_the_feedback_form(app, crawled: Crawl, nginx: Nginx):
    client = app.test_client()
    for path in ("/da/om", "/sv/verktygslada/", "/da/ordliste"):
        ours = crawled.pages[nginx.url + path]
        theirs = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
        assert ours.h1.get_text() == theirs.h1.get_text()
        assert ours.title.get_text() == theirs.title.get_text()
    step = crawled.pages[nginx.url + "/da/om"]
    assert step.find(id="feedback") is None
    assert not step.find_all("form", method="post")
    nav = step.select_one(".navigation-menu nav")
    assert nav.find("a", href=PUBLIC_URL + "/da/selvevaluering/")


def test_nginx_sends_the_apps_headers_caching_gzip_and_downloads(app, nginx: Nginx, export: Path):
    def get(path: str, **headers: str):  # type: ignore[no-untyped-def]
        try:
            return open_local(nginx.url + path, headers)
        except urllib.error.HTTPError as error:
            return error

    version = app.config["RENDER_VERSION"]
    for path in ("/da/", "/sv/mallar/", f"/static/css/app.css?v={version}", "/da/findes-ikke"):
        response = get(path)
        for name, value in HEADERS.items():
            assert response.headers[name] == value, (path, name)
    assert get("/da/om").headers["Cache-Control"] == "public, max-age=300"
    assert "immutable" in get(f"/static/js/app.js?v={version}").headers["Cache-Control"]
    assert get("/sv/om", **{"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"

    missing = get("/sv/finns-inte")
    assert missing.status == 404
    assert BeautifulSoup(missing.read(), "html.parser").html["lang"] == "sv"

    slug = next(p.slug for p in app.extensions["library"].list("da", "templates") if p.download)
    download = get(f"/da/skabeloner/{slug}.xlsx")
    assert download.headers["Content-Disposition"] == "attachment"
    assert download.read() == app.test_client().get(f"/da/skabeloner/{slug}.xlsx").get_data()

    for language, where in (("sv-SE,sv;q=0.9,en;q=0.5", "/sv/"), ("da,en;q=0.5", "/da/")):
        try:
            open_local(nginx.url + "/", {"Accept-Language": language}, follow=False)
        except urllib.error.HTTPError as redirect:
            assert (redirect.code, redirect.headers["Location"]) == (302, where)
        else:
            pytest.fail("/ did not send the visitor to a language")
    assert nginx.error_log.read_text().count("[error]") == 0


def test_the_export_refuses_a_directory_that_is_not_empty_or_no_public_url(app, tmp_path: Path):
    (tmp_path / "old.html").write_text("an older export")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export-static", str(tmp_path), "--public-url", PUBLIC_URL])
    assert result.exit_code != 0
    assert "is not empty" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.html"]

    result = runner.invoke(args=["export-static", str(tmp_path / "new")])
    assert result.exit_code != 0
    assert "PUBLIC_URL" in result.output

    a_file = tmp_path / "old.html"
    result = runner.invoke(args=["export-static", str(a_file), "--public-url", PUBLIC_URL])
    assert result.exit_code != 0
    assert "not a directory" in result.output


# --- in the browser, through nginx ------------------------------------------------------------


def watch_console(page: Page, missing: tuple[str, ...] = ()) -> list[str]:
    """Console errors (a CSP violation is one) and uncaught script errors of the page.

    Left out: the 404 of the paths in missing (a not-found page the test asks for), and of
    /favicon.ico, which Chromium asks for by itself: the site has no icon, and the app answers
    404 for it too.
    """
    problems: list[str] = []
    expected = {"/favicon.ico", *missing}

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and urlsplit(message.location["url"]).path not in expected:
            problems.append(f"{message.location['url']}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def first_slug(app, lang: str, kind: str) -> str:
    return app.extensions["library"].list(lang, kind)[0].slug


@pytest.mark.browser
def test_axe_finds_nothing_on_one_page_of_each_type(page: Page, app, nginx: Nginx):
    axe = Axe()
    problems = watch_console(page, missing=("/sv/finns-inte",))
    paths = [
        "/da/",
        "/sv/verktygslada/",
        f"/da/vaerktoejskasse/{first_slug(app, 'da', 'steps')}",
        "/sv/exempel/",
        f"/da/cases/{first_slug(app, 'da', 'cases')}",
        "/da/skabeloner/",
        f"/sv/mallar/{first_slug(app, 'sv', 'templates')}",
        "/sv/ordlista",
        "/da/om",
        "/sv/sok?q=målgrupperna",
        "/da/soeg?q=xqzvw",
        "/da/soeg",
        "/sv/finns-inte",
    ]
    for path in paths:
        page.goto(nginx.url + path)
        if "/so" in path:
            page.locator(".search-results > *").first.wait_for()
        results = axe.run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"
    assert problems == []


def region_structure(html: str) -> list[tuple[str, str, str]]:
    """The results region as (tag, class, text) per element: the markup a reader gets."""
    soup = BeautifulSoup(html, "html.parser")
    return [
        (tag.name, " ".join(tag.get("class", [])), " ".join(tag.get_text(" ").split()))
        for tag in soup.find_all(True)
    ]


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "query", "nonsense"),
    [("da", "målgrupper", "Ingen resultater for"), ("sv", "betalningsmodell", "Inga träffar för")],
)
def test_search_in_the_browser_finds_what_the_app_finds(
    page: Page, app, nginx: Nginx, lang: str, query: str, nonsense: str
):
    problems = watch_console(page)
    page.goto(f"{nginx.url}/{lang}/")
    page.locator("#header-search").fill(query)
    page.locator("#header-search").press("Enter")
    hits = page.locator(".search-results .search-hit")
    expect(hits.first).to_be_visible()

    app_hits = app.extensions["search"].search(lang, query)
    assert app_hits, "the query finds nothing in the app either"
    assert hits.first.locator("h2 a").inner_text() == app_hits[0].document.title
    assert page.locator("#page-search").input_value() == query
    theirs = app.test_client().get(page.url.removeprefix(nginx.url)).get_data(as_text=True)
    app_region = str(BeautifulSoup(theirs, "html.parser").select_one(".search-results"))
    ours = page.locator(".search-results").evaluate("node => node.outerHTML")
    assert region_structure(ours) == region_structure(app_region)
    assert page.title() == BeautifulSoup(theirs, "html.parser").title.get_text()
    assert page.locator(".search-results").get_attribute("aria-live") == "polite"

    # The start of a word finds the words it begins (the app, stemming, finds none of them).
    beginning = {"da": "betalingsmod", "sv": "betalningsmod"}[lang]
    page.locator("#page-search").fill(beginning)
    page.locator("#page-search").press("Enter")
    expect(hits.first).to_be_visible()
    assert "betal" in hits.first.locator(".search-snippet mark").first.inner_text().casefold()

    # Nonsense finds nothing; what was typed is shown as text, never read as HTML.
    page.locator("#page-search").fill("<b>xqzvw</b>")
    page.locator("#page-search").press("Enter")
    message = page.locator(".search-results .search-message")
    expect(message).to_contain_text(nonsense)
    expect(message).to_contain_text("<b>xqzvw</b>")
    assert page.locator(".search-results b").count() == 0
    assert page.locator(".search-hit").count() == 0
    assert problems == []


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "menu", "toolbox"), [("da", "Menu", "Værktøjskasse"), ("sv", "Meny", "Verktygslåda")]
)
def test_the_header_menu_opens_on_a_phone_in_the_export(
    page: Page, app, nginx: Nginx, lang: str, menu: str, toolbox: str
):
    """DKFDS's drawer works from the exported files as from the app (partials/header.html)."""
    problems = watch_console(page)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{nginx.url}/{lang}/om")
    page.get_by_role("button", name=menu, exact=True).click()
    drawer = page.get_by_role("dialog", name=menu)
    expect(drawer).to_be_visible()
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    page.get_by_role("button", name=menu, exact=True).click()
    drawer.get_by_role("link", name=toolbox).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(toolbox)
    assert page.url.startswith(nginx.url + f"/{lang}/")
    assert problems == []
