"""Public pages are the same for everyone: any cache may keep them, and the app draws them once.

The "was this page useful?" form on them has no per-visitor token: its POST is accepted only when
the browser says it comes from this site (Origin, else Referer; Sec-Fetch-Site). A POST with none
of these headers is refused, as OWASP's CSRF cheat sheet advises: every browser sends Origin on a
form POST. The tests' default app has CSRF checks off (tests/conftest.py) and with them this one;
here they are on, as a visitor gets the site.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import PageFeedback
from tests.conftest import make_app, migrate_fresh
from tests.helpers import check_page, text_of

# One page of each public kind, in both languages.
PUBLIC_PAGES = {
    "da": [
        "/da/",
        "/da/vaerktoejskasse/",
        "/da/vaerktoejskasse/betalingsmodel",
        "/da/cases/",
        "/da/cases/hjemloeshed-roskilde",
        "/da/skabeloner/",
        "/da/skabeloner/logikmodel",
        "/da/skabeloner/logikmodel.xlsx",
        "/da/ordliste",
        "/da/om",
        "/da/soeg?q=kommune",
        "/da/soeg",
    ],
    "sv": [
        "/sv/",
        "/sv/verktygslada/",
        "/sv/verktygslada/betalningsmodell",
        "/sv/exempel/",
        "/sv/exempel/hemloshet-roskilde",
        "/sv/mallar/",
        "/sv/mallar/logikmodell",
        "/sv/mallar/logikmodell.xlsx",
        "/sv/ordlista",
        "/sv/om",
        "/sv/sok?q=kommun",
        "/sv/sok",
    ],
}
ALL_PUBLIC = [(lang, url) for lang, urls in PUBLIC_PAGES.items() for url in urls]
SITE = "http://localhost"
ABOUT = {"da": "/da/om", "sv": "/sv/om"}
ANSWER = {"kind": "pages", "key": "about", "useful": "yes", "comment": "Godt"}
REFUSED = {"da": "Formularen kunne ikke sendes", "sv": "Formuläret kunde inte skickas"}


@pytest.fixture(scope="module")
def _site_app(tmp_path_factory):
    app = make_app(
        f"sqlite:///{tmp_path_factory.mktemp('public') / 'p.db'}",
        WTF_CSRF_ENABLED=True,
        TESTING=False,
    )
    migrate_fresh(app)
    return app


@pytest.fixture
def site(_site_app):
    """The app as visitors get it (CSRF checks on), with no feedback stored yet."""
    with _site_app.app_context():
        db.session.execute(PageFeedback.__table__.delete())
        db.session.commit()
    return _site_app


def stored(app) -> list[PageFeedback]:
    with app.app_context():
        return list(db.session.scalars(select(PageFeedback)))


@pytest.mark.parametrize(("lang", "url"), ALL_PUBLIC)
def test_a_public_page_is_the_same_for_everyone_and_may_be_cached(site, lang, url):
    client = site.test_client()
    first = client.get(url)
    assert first.status_code == 200, url
    headers = first.headers
    assert "Set-Cookie" not in headers, url
    assert "Cookie" not in headers.get("Vary", ""), url
    assert headers["Cache-Control"] == "public, max-age=300", url
    etag = headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/"), url  # strong: the same bytes
    # A browser that holds the page is told so; one that does not gets the very same bytes.
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304, url
    assert again.get_data() == b"" and "Set-Cookie" not in again.headers
    repeat = site.test_client().get(url)
    assert repeat.status_code == 200 and repeat.get_data() == first.get_data(), url
    assert repeat.headers["ETag"] == etag
    if url.endswith(".xlsx"):
        assert "attachment" in headers["Content-Disposition"]
    else:
        assert check_page(first.get_data(as_text=True), url).html["lang"] == lang


def test_a_returning_visitor_with_a_language_cookie_gets_no_cookie_back(site):
    client = site.test_client()
    client.set_cookie("lang", "sv")
    response = client.get("/da/vaerktoejskasse/")
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_a_stray_query_argument_does_not_end_up_in_the_stored_page(site):
    html = site.test_client().get("/da/om?utm_source=nyhedsbrev").get_data(as_text=True)
    assert "utm_source" not in html
    assert html == site.test_client().get("/da/om").get_data(as_text=True)
    # The search keeps its query when switching language.
    soup = check_page(site.test_client().get("/da/soeg?q=kommune").get_data(as_text=True), "s")
    assert soup.select_one('.language-nav a[hreflang="sv"]')["href"] == "/sv/sok?q=kommune"


def test_each_search_is_its_own_page(site):
    client = site.test_client()
    one = client.get("/da/soeg?q=kommune").get_data(as_text=True)
    other = client.get("/da/soeg?q=evaluering").get_data(as_text=True)
    assert one != other
    assert 'value="kommune"' in one and 'value="evaluering"' in other


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": SITE},
        {"Origin": SITE, "Sec-Fetch-Site": "same-origin"},
        {"Referer": SITE + "/sv/om"},
        {"Sec-Fetch-Site": "same-origin"},
    ],
    ids=["origin", "origin-and-fetch-metadata", "referer", "fetch-metadata"],
)
@pytest.mark.parametrize("lang", ["da", "sv"])
def test_feedback_sent_from_this_site_is_stored_and_thanked(site, lang, headers):
    client = site.test_client()
    response = client.post(f"/{lang}/feedback", data=ANSWER, headers=headers)
    assert response.status_code == 302
    assert "Set-Cookie" not in response.headers
    page = client.get(response.headers["Location"])
    thanks = {"da": "Tak. Svaret er gemt.", "sv": "Tack. Ert svar har sparats."}[lang]
    assert thanks in text_of(check_page(page.get_data(as_text=True), "thanked"), "[role=status]")
    assert "Set-Cookie" not in page.headers
    [row] = stored(site)
    assert (row.page_key, row.lang, row.comment) == ("pages/about", lang, "Godt")
    # The thank-you is on that page only.
    assert thanks not in client.get(ABOUT[lang]).get_data(as_text=True)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost.evil.example"},
        {"Origin": SITE, "Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Referer": "http://sub.localhost/"},
        {"Referer": "https://evil.example/da/om"},
        {},
    ],
    ids=[
        "foreign-origin",
        "opaque-origin",
        "lookalike-origin",
        "cross-site-metadata",
        "cross-site-only",
        "same-site-sibling",
        "foreign-referer",
        "no-headers",
    ],
)
@pytest.mark.parametrize("lang", ["da", "sv"])
def test_feedback_from_another_site_is_refused_in_the_pages_language(site, lang, headers):
    response = site.test_client().post(f"/{lang}/feedback", data=ANSWER, headers=headers)
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "refused")
    assert soup.html["lang"] == lang
    assert REFUSED[lang] in soup.get_text()
    assert stored(site) == []


def test_the_public_address_counts_as_this_site_behind_a_proxy(tmp_path):
    app = make_app(
        f"sqlite:///{tmp_path / 'proxy.db'}",
        WTF_CSRF_ENABLED=True,
        PUBLIC_URL="https://socialeinvesteringer.dk",
        TRUSTED_PROXIES=1,
    )
    migrate_fresh(app)
    client = app.test_client()
    ok = client.post(
        "/da/feedback", data=ANSWER, headers={"Origin": "https://socialeinvesteringer.dk"}
    )
    assert ok.status_code == 302
    # The proxy's forwarded host and scheme make the request's own origin the public one.
    forwarded = {"X-Forwarded-Host": "www.example.dk", "X-Forwarded-Proto": "https"}
    via_proxy = client.post(
        "/da/feedback", data=ANSWER, headers={**forwarded, "Origin": "https://www.example.dk"}
    )
    assert via_proxy.status_code == 302
    refused = client.post("/da/feedback", data=ANSWER, headers={"Origin": "http://www.example.dk"})
    assert refused.status_code == 400
    assert len(stored(app)) == 2


def test_other_forms_still_need_their_token(site):
    response = site.test_client().post(
        "/da/selvevaluering/",
        data={"role": "kommune", "organisation": "Eksempel Kommune", "programme": "X"},
        headers={"Origin": SITE, "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 400
    assert REFUSED["da"] in response.get_data(as_text=True)


def test_the_questionnaire_keeps_its_session_and_private_caching(site):
    response = site.test_client().get("/da/selvevaluering/")
    assert "session=" in response.headers["Set-Cookie"]
    assert "public" not in response.headers.get("Cache-Control", "")
