"""An advisor finds what respondents sent and reads one of them, in both languages.

The respondent side is walked through the site (submit, then send to the fund); the advisor logs
in with both factors. Nothing the respondent has not sent is ever listed or shown.
"""

from __future__ import annotations

import pytest

from tests.advisor_helpers import full_login, make_account, url
from tests.helpers import check_page, text_of
from tests.test_sending import CONTACT, SEND, sending_of, submitted
from tests.test_sending import url as respondent_url

HEADING = {"da": "Sendte vurderinger", "sv": "Inskickade bedömningar"}


def sent(app, client, lang: str = "da", role: str = "kommune") -> int:  # type: ignore[no-untyped-def]
    token = submitted(app, client, lang, role)
    assert client.post(respondent_url(lang, token, SEND), data=CONTACT).status_code == 302
    return sending_of(app, token).id


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_an_advisor_finds_a_sent_assessment_and_reads_it(app, client, clock, lang):
    sending_id = sent(app, client, lang)
    submitted(app, client, lang, "leverandoer")  # submitted but not sent: never listed
    advisor = app.test_client()
    full_login(advisor, app, make_account(app), clock, lang)
    listing = check_page(advisor.get(url(app, "advisor.home", lang)).get_data(as_text=True), "list")
    assert text_of(listing, "h1") == HEADING[lang]
    rows = listing.select(".review-table tbody tr")
    assert len(rows) == 1 and "Eksempel Kommune" in rows[0].get_text()
    assert ("1 vurdering passer." if lang == "da" else "1 bedömning matchar.") == text_of(
        listing, ".review-total"
    )
    link = rows[0].select_one("a")["href"]
    assert link == url(app, "advisor.assessment", lang, sending_id=sending_id)
    page = check_page(advisor.get(link).get_data(as_text=True), "assessment")
    assert "Anna Holm" in text_of(page, ".sending-facts")
    assert page.select_one(".overall-level") and page.select(".answer-row")
    assert page.select_one("figure.radar svg")


def test_filters_and_a_search_that_finds_nothing_say_so(app, client, clock):
    sent(app, client)
    advisor = app.test_client()
    full_login(advisor, app, make_account(app), clock)
    home = url(app, "advisor.home")
    none = check_page(advisor.get(home + "?text=Rudersdal").get_data(as_text=True), "list")
    assert not none.select(".review-table") and "Ingen sendt vurdering" in none.get_text()
    found = check_page(advisor.get(home + "?text=eksempel&role=kommune").get_data(as_text=True), "")
    assert len(found.select(".review-table tbody tr")) == 1
    # A value that does not parse is ignored, not an error.
    assert advisor.get(home + "?sent_from=2026-99-99&page=abc&sort=x").status_code == 200


def test_an_unknown_or_withdrawn_sending_is_not_found(app, client, clock):
    sending_id = sent(app, client)
    advisor = app.test_client()
    full_login(advisor, app, make_account(app), clock)
    assert (
        advisor.get(url(app, "advisor.assessment", sending_id=sending_id + 999)).status_code == 404
    )
    from app.extensions import db
    from app.models import Sending

    with app.app_context():
        db.session.get(Sending, sending_id).status = "withdrawn"
        db.session.commit()
    assert advisor.get(url(app, "advisor.assessment", sending_id=sending_id)).status_code == 404


def test_the_list_and_an_assessment_need_a_full_login(app, client):
    sending_id = sent(app, client)
    stranger = app.test_client()
    for page in (url(app, "advisor.home"), url(app, "advisor.assessment", sending_id=sending_id)):
        response = stranger.get(page)
        assert response.status_code == 302 and "/raadgiver/" in response.headers["Location"]
