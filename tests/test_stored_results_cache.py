"""A stored result, its radar and its PDF never change: a browser asking again gets a 304.

They sit behind a secret link, so only the respondent's own browser may keep them (private,
no-cache), never a shared cache. The result page also shows where the assessment stands with the
fund: when that changes, the page's ETag changes with it.
"""

from __future__ import annotations

import pytest

from tests.test_sending import CONTACT, SEND, submitted, url


def again(client, address: str, response):  # type: ignore[no-untyped-def]
    return client.get(address, headers={"If-None-Match": response.headers["ETag"]})


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_repeat_view_of_a_stored_result_is_answered_304(db_app, db_client, lang):
    token = submitted(db_app, db_client, lang)
    address = url(lang, token, "resultat")
    db_client.get(address)  # the first view draws and stores the page
    first = db_client.get(address)
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    unchanged = again(db_client, address, first)
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    # Sent to the fund, the page shows a new status: the old copy is no longer current.
    assert db_client.post(url(lang, token, SEND), data=CONTACT).status_code == 302
    changed = again(db_client, address, first)
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert "Sendt til fonden" in changed.get_data(as_text=True) or lang == "sv"


@pytest.mark.parametrize(
    "page", [{"da": "rapport.pdf", "sv": "rapport.pdf"}, {"da": "radar.png", "sv": "radar.png"}]
)
def test_the_radar_and_the_pdf_are_answered_304_when_unchanged(app, client, page):
    token = submitted(app, client, "da")
    address = url("da", token, page)
    first = client.get(address)
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    unchanged = again(client, address, first)
    assert unchanged.status_code == 304 and unchanged.get_data() == b""


def test_pages_that_change_are_kept_nowhere(app, client):
    token = submitted(app, client, "da")
    for page in ("dine-svar", "slet"):
        response = client.get(url("da", token, page))
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "ETag" not in response.headers
