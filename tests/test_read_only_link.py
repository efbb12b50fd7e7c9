"""A read-only link beside the secret link (issue #13), as the respondent and a board use it.

The respondent makes the link at their secret link, copies it for a board or a steering group,
and revokes it when they want. Whoever has it reads the result and the answers with their notes,
and finds no way to change, submit, send or delete, and never the secret link.
"""

from __future__ import annotations

import logging
import re
import secrets
import urllib.request

import pytest
from sqlalchemy import select

from app.extensions import db
from app.logredact import redact, token_hash
from app.models import Assessment
from tests.assessment_helpers import BASE, STEP, answer_all, form_value, start
from tests.conftest import LiveServer, make_app
from tests.helpers import check_page, get_page, text_of

READ_ONLY = {"da": "laeseadgang", "sv": "lasbehorighet"}
MAKE = {"da": "opret", "sv": "skapa"}
REVOKE = {"da": "tilbagekald", "sv": "aterkalla"}
VIEW_LINK = re.compile(r"/(?:selvevaluering/laeseadgang|sjalvskattning/lasbehorighet)/([\w-]{43})")
# The secret link's pages that change the assessment or lead on to doing so, in both languages.
PAGES_THAT_CHANGE = ("/trin/", "/steg/", "/slet", "/radera", "/send-til-fonden",
                     "/skicka-till-fonden", "/ny-vurdering", "/ny-bedomning", "/gemt", "/sparad",
                     "/indsend", "/skicka-in", "/dine-svar", "/dina-svar")  # fmt: skip
NOTE = "Referat fra <b>styregruppen</b> 3. marts"


def manage_url(lang: str, token: str) -> str:
    return f"{BASE[lang]}/{token}/{READ_ONLY[lang]}"


def view_url(lang: str, view_token: str, tail: str = "") -> str:
    return f"{BASE[lang]}/{READ_ONLY[lang]}/{view_token}{tail}"


def press(client, lang: str, token: str, action: str):  # type: ignore[no-untyped-def]
    """Press "Make" or "Revoke" on the page at the secret link; the page it leads back to."""
    response = client.post(f"{manage_url(lang, token)}/{action}", follow_redirects=True)
    assert [r.headers["Location"] for r in response.history] == [manage_url(lang, token)]
    return check_page(response.get_data(as_text=True), manage_url(lang, token))


def make_link(client, lang: str, token: str) -> str:
    """Press "Make a read-only link"; return the token of the link the page then shows."""
    found = VIEW_LINK.search(str(press(client, lang, token, MAKE[lang])))
    assert found, "the page shows no read-only link"
    return found.group(1)


def revoke_link(client, lang: str, token: str):  # type: ignore[no-untyped-def]
    return press(client, lang, token, REVOKE[lang])


def answered_with_a_note(client, app, lang: str, how: str = "worst") -> str:
    """Every page answered, and a note on the first question of the first page."""
    questionnaire = app.extensions["questionnaires"]["kommune"]
    token = start(client, lang)
    answer_all(client, lang, token, questionnaire, how)
    first = questionnaire.dimensions[0]
    data = {"action": "continue", f"note_{first.questions[0].id}": NOTE}
    for q in first.questions:
        data[f"q_{q.id}"] = form_value(q, "best" if q.type == "text" else how)
    assert client.post(f"{BASE[lang]}/{token}/{STEP[lang]}/1", data=data).status_code == 302
    return token


def submitted_with_a_note(client, app, lang: str) -> str:
    token = answered_with_a_note(client, app, lang)
    submit = {"da": "indsend", "sv": "skicka-in"}[lang]
    assert client.post(f"{BASE[lang]}/{token}/{submit}").status_code == 302
    return token


def assert_nothing_to_change(html: str, secret: str) -> None:
    """No secret link, no change link, no form that posts, no way to send or delete."""
    assert secret not in html
    assert 'method="post"' not in html
    assert "summary-action" not in html  # the answers' "Change" links
    for slug in PAGES_THAT_CHANGE:
        assert slug not in html, slug


# --- the respondent makes the link -----------------------------------------------------------


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_result_page_leads_to_a_read_only_link_that_the_respondent_makes(
    db_app, db_client, lang
):
    token = submitted_with_a_note(db_client, db_app, lang)
    result = db_client.get(f"{BASE[lang]}/{token}/resultat").get_data(as_text=True)
    assert f'href="{manage_url(lang, token)}"' in result

    page = get_page(db_client, manage_url(lang, token))
    button = {"da": "Opret et link med læseadgang", "sv": "Skapa en länk med läsbehörighet"}
    assert text_of(page, "main form button") == button[lang]
    assert not VIEW_LINK.search(str(page))

    page = press(db_client, lang, token, MAKE[lang])
    view_token = VIEW_LINK.search(str(page)).group(1)
    ready = {"da": "Linket med læseadgang er klart", "sv": "Länken med läsbehörighet är klar"}
    assert ready[lang] in text_of(page, ".alert")
    assert page.select_one(".secret-link a")["href"].endswith(view_url(lang, view_token))
    assert page.select_one("[data-copy-link]")["data-copy-link"].endswith(view_token)
    revoke = {"da": "Tilbagekald linket", "sv": "Återkalla länken"}
    assert text_of(page, "main form button") == revoke[lang]
    with db_app.app_context():
        stored = db.session.scalar(select(Assessment).where(Assessment.token == token))
        assert stored.view_token == view_token != stored.token
    assert len(view_token) == 43  # 32 random bytes: 256 bits


def test_the_saved_page_leads_to_the_read_only_link_too(client):
    token = start(client)
    saved = get_page(client, f"/da/selvevaluering/{token}/gemt")
    assert saved.find("a", href=manage_url("da", token))


def test_making_the_link_twice_keeps_the_one_link(client):
    token = start(client)
    first = make_link(client, "da", token)
    page = press(client, "da", token, MAKE["da"])
    assert VIEW_LINK.search(str(page)).group(1) == first
    shown = text_of(page, ".alert")
    assert "har allerede et link med læseadgang" in shown


def test_making_or_revoking_the_link_does_not_count_as_a_change_to_the_draft(app, client):
    token = start(client)
    with app.app_context():
        before = db.session.scalar(select(Assessment.updated_at).where(Assessment.token == token))
    make_link(client, "da", token)
    revoke_link(client, "da", token)
    with app.app_context():
        after = db.session.scalar(select(Assessment.updated_at).where(Assessment.token == token))
    assert after == before  # a draft is still deleted on time (app/retention.py)


# --- whoever has the link reads -----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_read_only_page_shows_the_result_and_the_answers_with_nothing_to_change(
    db_app, db_client, lang
):
    token = submitted_with_a_note(db_client, db_app, lang)
    view_token = make_link(db_client, lang, token)
    response = db_client.get(view_url(lang, view_token))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    html = response.get_data(as_text=True)
    page = check_page(html, view_url(lang, view_token))

    read_only = {"da": "Kun til læsning", "sv": "Endast läsning"}
    assert text_of(page, "#read-only-heading") == read_only[lang]
    assert page.select_one(".overall-level").get_text(strip=True)  # the verdict
    assert page.select_one("#actions-first-heading") and page.select(".action")
    assert page.select(".flag")  # the warnings of the worst answers
    assert page.select_one("figure.radar svg")
    scores = page.select(".scores-table tbody tr")
    assert len(scores) == len(db_app.extensions["questionnaires"]["kommune"].dimensions)
    assert NOTE in text_of(page, ".read-only-answers")  # the note, escaped: no <b> element
    assert not page.select(".read-only-answers b")
    assert page.find("a", href=view_url(lang, view_token, "/radar.png"))
    assert page.find("a", href=view_url(lang, view_token, "/rapport.pdf"))
    assert_nothing_to_change(html, token)


def test_the_read_only_page_in_the_other_language_is_the_same_link(client, app):
    token = submitted_with_a_note(client, app, "da")
    view_token = make_link(client, "da", token)
    page = get_page(client, view_url("sv", view_token))
    assert text_of(page, "#read-only-heading") == "Endast läsning"
    assert page.find("link", hreflang="da")["href"] == view_url("da", view_token)


def test_a_draft_read_only_shows_the_answers_so_far_and_says_it_is_not_submitted(app, client):
    token = answered_with_a_note(client, app, "sv", how="best")
    view_token = make_link(client, "sv", token)
    response = client.get(view_url("sv", view_token))
    html = response.get_data(as_text=True)
    page = check_page(html, view_url("sv", view_token))
    assert text_of(page, "#not-submitted-heading") == "Inte inskickad än"
    assert not page.select(".verdict, figure.radar, .scores-table")
    assert NOTE in text_of(page, ".read-only-answers")
    assert not page.find("a", href=re.compile(r"\.(pdf|png)$"))
    assert_nothing_to_change(html, token)
    for tail in ("/radar.png", "/rapport.pdf"):  # no result, so no files
        assert client.get(view_url("sv", view_token, tail)).status_code == 404


def test_the_radar_and_the_pdf_come_through_the_read_only_link(app, client):
    token = submitted_with_a_note(client, app, "da")
    view_token = make_link(client, "da", token)
    png = client.get(view_url("da", view_token, "/radar.png"))
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG")
    pdf = client.get(view_url("da", view_token, "/rapport.pdf"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and token.encode() not in pdf.data
    for response in (png, pdf):
        assert response.headers["Cache-Control"].startswith("private")
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


# --- the link ends ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_revoked_link_opens_nothing_and_a_new_link_has_a_new_token(db_app, db_client, lang):
    token = submitted_with_a_note(db_client, db_app, lang)
    old = make_link(db_client, lang, token)
    page = revoke_link(db_client, lang, token)
    revoked = {"da": "Linket med læseadgang er tilbagekaldt", "sv": "återkallad"}
    assert revoked[lang] in text_of(page, ".alert")
    assert not VIEW_LINK.search(str(page))
    gone = get_page(db_client, view_url(lang, old), status=404)
    heading = {"da": "Dette link med læseadgang virker ikke",
               "sv": "Den här länken med läsbehörighet fungerar inte"}  # fmt: skip
    assert text_of(gone, "h1") == heading[lang]
    for tail in ("/radar.png", "/rapport.pdf"):
        assert db_client.get(view_url(lang, old, tail)).status_code == 404
    with db_app.app_context():
        stored = select(Assessment.view_token).where(Assessment.token == token)
        assert db.session.scalar(stored) is None

    new = make_link(db_client, lang, token)
    assert new != old
    assert db_client.get(view_url(lang, new)).status_code == 200
    assert db_client.get(view_url(lang, old)).status_code == 404


def test_deleting_the_assessment_ends_its_read_only_link(db_client):
    token = start(db_client)
    view_token = make_link(db_client, "da", token)
    assert db_client.post(f"/da/selvevaluering/{token}/slet").status_code == 200
    assert db_client.get(view_url("da", view_token)).status_code == 404


def test_unknown_or_malformed_read_only_links_are_not_found(client):
    token = start(client)
    make_link(client, "da", token)
    unknown = get_page(client, view_url("da", secrets.token_urlsafe(32)), status=404)
    assert text_of(unknown, "h1") == "Dette link med læseadgang virker ikke"
    assert client.get(view_url("da", token)).status_code == 404  # the secret link's token
    assert client.get(view_url("da", "x" * 42)).status_code == 404  # too short for a token
    assert client.get(view_url("da", "x" * 44)).status_code == 404
    assert client.get(view_url("da", "+" * 43)).status_code == 404  # not URL-safe
    assert client.get(manage_url("da", secrets.token_urlsafe(32))).status_code == 404


# --- the rules of every form and link -------------------------------------------------------


def test_making_and_revoking_need_the_forms_csrf_token(app, client, sqlite_url):
    strict = make_app(sqlite_url, WTF_CSRF_ENABLED=True).test_client()  # same database as app
    token = start(client)
    make = f"{manage_url('da', token)}/opret"
    assert strict.post(make, headers={"Origin": "http://localhost"}).status_code == 400
    html = strict.get(manage_url("da", token)).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert strict.post(make, data={"csrf_token": csrf}).status_code == 302
    revoke = f"{manage_url('da', token)}/tilbagekald"
    assert strict.post(revoke, headers={"Origin": "http://localhost"}).status_code == 400
    assert strict.post(revoke, data={"csrf_token": csrf}).status_code == 302


def test_making_links_is_rate_limited_like_other_forms(tmp_path):
    from tests.test_resilience import limited_app

    client = limited_app(tmp_path, forms="2 per minute").test_client()
    token = start(client)
    make = f"{manage_url('da', token)}/opret"
    assert [client.post(make).status_code for _ in range(3)] == [302, 302, 429]


def test_the_read_only_link_reaches_the_log_only_as_a_hash(app, client, caplog):
    token = start(client)
    view_token = make_link(client, "da", token)
    assert view_token not in redact(f'"GET {view_url("da", view_token)} HTTP/1.1" 200')
    caplog.set_level(logging.INFO, logger="werkzeug")
    with LiveServer(app) as server:
        urllib.request.urlopen(server.url + view_url("da", view_token)).read()  # noqa: S310
    assert view_token not in caplog.text and token_hash(view_token) in caplog.text
