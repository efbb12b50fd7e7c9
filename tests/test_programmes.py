"""An advisor files sent assessments under a programme and reads the programme's page.

The respondents' side is walked through the site (start, answer, submit, send to the fund); the
advisor logs in with both factors. Every test that stores data runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from app.core.compare import shared_questions
from app.extensions import db
from app.models import Assessment, AuditEvent, Programme, Sending, SendingVersion
from tests.advisor_helpers import LOGIN_PATH, full_login, make_account, url
from tests.assessment_helpers import BASE, TOKEN_RE, answer_all
from tests.helpers import check_page, text_of
from tests.test_sending import CONTACT, SEND, sending_of
from tests.test_sending import url as respondent_url

SUBMIT = {"da": "indsend", "sv": "skicka-in"}
LOCK_RE = re.compile(r'name="lock_version"[^>]*value="(\d+)"')
STEPS = {"da": "2 trin", "sv": "2 steg"}
FINDING = {"da": "Den uenighed er i sig selv et fund", "sv": "Den oenigheten är i sig ett resultat"}
CONFLICT = {
    "da": "Nogen anden har ændret vurderingen imens",
    "sv": "Någon annan har ändrat bedömningen under tiden",
}
NO_NAME = {"da": "Fejl: Skriv et navn på programmet.", "sv": "Fel: Skriv ett namn på programmet."}


def scale_questions(app):  # type: ignore[no-untyped-def]
    known = app.extensions["questionnaires"]
    shared = shared_questions(known["kommune"], known["leverandoer"])
    return [q for q in shared if q.type == "scale"]


def sent_as(app, client, lang: str, role: str, organisation: str, how: str = "best", **given):  # type: ignore[no-untyped-def]
    """A respondent starts, answers every page, submits and sends to the fund: the sending's id."""
    started = client.post(
        f"{BASE[lang]}/",
        data={"role": role, "organisation": organisation, "programme": "Tidlig hjælp"},
    )
    token = TOKEN_RE.search(started.headers["Location"]).group(1)
    answer_all(client, lang, token, app.extensions["questionnaires"][role], how, **given)
    assert client.post(f"{BASE[lang]}/{token}/{SUBMIT[lang]}").status_code == 302
    assert client.post(respondent_url(lang, token, SEND), data=CONTACT).status_code == 302
    return sending_of(app, token).id


def advisor(app, clock, lang: str = "da", email: str = "anna@dsi.dk"):  # type: ignore[no-untyped-def]
    client = app.test_client()
    full_login(client, app, make_account(app, email), clock, lang)
    return client


def make_programme(client, app, name: str, lang: str = "da") -> int:  # type: ignore[no-untyped-def]
    response = client.post(url(app, "advisor.programmes", lang), data={"name": name})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def lock_of(client, app, sending_id: int, lang: str = "da") -> str:  # type: ignore[no-untyped-def]
    page = client.get(url(app, "advisor.assessment", lang, sending_id=sending_id))
    return LOCK_RE.search(page.get_data(as_text=True)).group(1)


def file_under(client, app, sending_id: int, choice: str, lang: str = "da", **extra):  # type: ignore[no-untyped-def]
    data = {"programme_id": choice, "lock_version": lock_of(client, app, sending_id, lang), **extra}
    return client.post(url(app, "advisor.file_sending", lang, sending_id=sending_id), data=data)


def programme_page(client, app, programme_id: int, lang: str = "da"):  # type: ignore[no-untyped-def]
    response = client.get(url(app, "advisor.programme", lang, programme_id=programme_id))
    assert response.status_code == 200
    return check_page(response.get_data(as_text=True), "programme")


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_programme_overlays_the_parties_and_shows_where_they_answer_far_apart(
    db_app, db_client, clock, lang
):
    wide, near = scale_questions(db_app)[:2]
    authority = sent_as(db_app, db_client, lang, "kommune", "Aarhus Kommune")
    # The best answer is 5: the supplier answers two steps lower on one, one step on the other.
    supplier = sent_as(
        db_app, db_client, lang, "leverandoer", "Nærvær ApS", **{wide.id: "3", near.id: "4"}
    )
    client = advisor(db_app, clock, lang)
    programme_id = make_programme(client, db_app, "Tidlig hjælp i Aarhus", lang)
    for sending_id in (authority, supplier):
        assert file_under(client, db_app, sending_id, str(programme_id), lang).status_code == 302

    page = programme_page(client, db_app, programme_id, lang)
    assert text_of(page, "h1") == "Tidlig hjælp i Aarhus"
    assert page.select_one("figure.radar svg#programme-radar")
    heads = [th.get_text(strip=True) for th in page.select(".overlay-table thead th")]
    assert heads[1:] == [
        ("Kommune eller region" if lang == "da" else "Kommun eller region") + ": Aarhus Kommune",
        ("Leverandør" if lang == "da" else "Utförare") + ": Nærvær ApS",
    ]
    assert len(page.select(".overlay-table tbody tr")) == 8  # the dimensions both have
    apart = text_of(page, ".apart-table tbody")
    assert ("Leverandørens forpligtelser" if lang == "da" else "Utförarens åtaganden") in apart
    assert FINDING[lang] in text_of(page, ".finding-note")
    rows = page.select(".disagreements-table tbody tr")
    assert [text_of(row, "th") for row in rows] == [wide.text[lang]]
    assert text_of(rows[0], ".gap") == STEPS[lang]
    cells = [td.get_text(" ", strip=True) for td in rows[0].select("td")]
    assert cells[0].startswith("5:") and cells[1].startswith("3:")
    assert near.text[lang] not in page.get_text()


def test_one_step_apart_is_no_disagreement(db_app, db_client, clock):
    near = scale_questions(db_app)[0]
    authority = sent_as(db_app, db_client, "da", "kommune", "Aarhus Kommune")
    supplier = sent_as(db_app, db_client, "da", "leverandoer", "Nærvær ApS", **{near.id: "4"})
    client = advisor(db_app, clock)
    programme_id = make_programme(client, db_app, "Tidlig hjælp")
    for sending_id in (authority, supplier):
        file_under(client, db_app, sending_id, str(programme_id))
    page = programme_page(client, db_app, programme_id)
    assert not page.select(".disagreements-table")
    assert "højst ét trin fra hinanden" in text_of(page, ".disagreement-count")


def test_the_change_over_time_shows_two_assessments_of_the_same_party(db_app, db_client, clock):
    first = sent_as(db_app, db_client, "da", "kommune", "Aarhus Kommune", how="worst")
    second = sent_as(db_app, db_client, "da", "kommune", "Aarhus  kommune")
    client = advisor(db_app, clock)
    programme_id = make_programme(client, db_app, "Tidlig hjælp")
    for sending_id in (first, second):
        file_under(client, db_app, sending_id, str(programme_id))
    page = programme_page(client, db_app, programme_id)
    assert len(page.select(".parties-table tbody tr")) == 1  # one party, two assessments
    tables = page.select(".changes-table")
    assert len(tables) == 1
    overall = tables[0].select("tbody tr")[-1]
    before, after, difference = (td.get_text(strip=True) for td in overall.select("td"))
    assert text_of(overall, "th") == "Samlet score"
    assert int(after) > int(before) and difference == f"+{int(after) - int(before)}"
    assert "Kun én vurdering" not in page.get_text()


def test_the_versions_of_one_sending_come_from_the_funds_copy_not_the_draft(
    db_app, db_client, clock
):
    sending_id = sent_as(db_app, db_client, "da", "kommune", "Aarhus Kommune")
    client = advisor(db_app, clock)
    programme_id = make_programme(client, db_app, "Tidlig hjælp")
    file_under(client, db_app, sending_id, str(programme_id))
    with db_app.app_context():
        sending = db.session.get(Sending, sending_id)
        sent = sending.assessment
        earlier = {**sent.result, "overall": 10.0}
        earlier["dimensions"] = [{**d, "score": 10.0} for d in sent.result["dimensions"]]
        for number, result in ((1, earlier), (2, sent.result)):
            db.session.add(
                SendingVersion(
                    sending_id=sending_id,
                    number=number,
                    questionnaire_version=sent.questionnaire_version,
                    answers=sent.answers,
                    result=result,
                )
            )
        # Returned and reopened: the respondent's draft has no result and other answers.
        sending.version, sending.revising = 2, True
        sent.status, sent.result, sent.answers = "draft", None, {}
        db.session.commit()
    page = programme_page(client, db_app, programme_id)
    assert text_of(page, ".parties-table tbody td:nth-of-type(3)") == "2"
    caption = text_of(page, ".changes-table caption")
    assert "version 1" in caption and "version 2" in caption
    first_row = [td.get_text(strip=True) for td in page.select(".changes-table tbody tr")[0]("td")]
    assert first_row[0] == "10" and int(first_row[1]) > 10
    assert all(td.get_text(strip=True) != "–" for td in page.select(".overlay-table tbody td"))


def test_a_withdrawn_sending_is_not_shown(db_app, db_client, clock):
    sending_id = sent_as(db_app, db_client, "da", "kommune", "Aarhus Kommune")
    client = advisor(db_app, clock)
    programme_id = make_programme(client, db_app, "Tidlig hjælp")
    file_under(client, db_app, sending_id, str(programme_id))
    assert programme_page(client, db_app, programme_id).select(".parties-table")
    with db_app.app_context():
        db.session.execute(update(Sending).values(status="withdrawn"))
        db.session.commit()
    page = programme_page(client, db_app, programme_id)
    assert not page.select(".parties-table") and "Der hører endnu ingen" in page.get_text()
    listing = check_page(client.get(url(db_app, "advisor.programmes")).get_data(as_text=True), "")
    assert text_of(listing, ".programmes-table tbody td.num") == "0"


def test_filing_suggests_matching_programmes_first_and_writes_the_audit_log(
    db_app, db_client, clock
):
    sending_id = sent_as(db_app, db_client, "da", "kommune", "Aarhus Kommune")
    client = advisor(db_app, clock)
    other = make_programme(client, db_app, "Unge hjemløse")
    matching = make_programme(client, db_app, "Tidlig hjælp i Aarhus")
    page = check_page(
        client.get(url(db_app, "advisor.assessment", sending_id=sending_id)).get_data(as_text=True),
        "assessment",
    )
    groups = page.select("#programme_id optgroup")
    assert [o["value"] for o in groups[0]("option")] == [str(matching)]
    assert [o["value"] for o in groups[1]("option")] == [str(other)]
    assert "Hører ikke til noget program." in text_of(page, ".programme-current")

    assert file_under(client, db_app, sending_id, str(matching)).status_code == 302
    shown = client.get(url(db_app, "advisor.assessment", sending_id=sending_id))
    assert "Tidlig hjælp i Aarhus" in text_of(
        check_page(shown.get_data(as_text=True), ""), ".programme-current"
    )
    assert file_under(client, db_app, sending_id, "").status_code == 302  # taken out again
    with db_app.app_context():
        assert db.session.get(Sending, sending_id).programme_id is None
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "programme_set").order_by(AuditEvent.id)
        ).all()
        assert [e.detail["programme_id"] for e in events] == [matching, None]
        assert all(e.actor.startswith("advisor:") for e in events)


def test_filing_under_a_new_programme_makes_it(db_app, db_client, clock):
    sending_id = sent_as(db_app, db_client, "da", "kommune", "Aarhus Kommune")
    client = advisor(db_app, clock)
    response = file_under(client, db_app, sending_id, "new", programme_name=" Nye veje ")
    assert response.status_code == 302
    with db_app.app_context():
        programme = db.session.scalar(select(Programme))
        assert programme.name == "Nye veje"
        assert db.session.get(Sending, sending_id).programme_id == programme.id


@pytest.mark.parametrize("lang", ["da", "sv"])
@pytest.mark.parametrize("name", ["", "   ", "\x00"])
def test_a_programme_needs_a_name_and_the_page_says_so(db_app, db_client, clock, lang, name):
    client = advisor(db_app, clock, lang)
    response = client.post(url(db_app, "advisor.programmes", lang), data={"name": name})
    assert response.status_code == 400
    page = check_page(response.get_data(as_text=True), "programmes")
    assert text_of(page, "#name-error") == NO_NAME[lang]
    assert page.select_one(".error-summary")
    with db_app.app_context():
        assert db.session.query(Programme).count() == 0


def test_an_overlong_name_is_refused_and_kept_and_nul_bytes_never_reach_the_database(
    db_app, db_client, clock
):
    client = advisor(db_app, clock)
    response = client.post(url(db_app, "advisor.programmes"), data={"name": "x" * 201})
    assert response.status_code == 400
    page = check_page(response.get_data(as_text=True), "programmes")
    assert text_of(page, "#name-error") == "Fejl: Skriv højst 200 tegn."
    assert page.select_one("#name")["value"] == "x" * 201
    make_programme(client, db_app, "Tidlig\x00 hjælp")
    with db_app.app_context():
        assert db.session.scalars(select(Programme.name)).all() == ["Tidlig hjælp"]


def test_a_new_programme_without_a_name_keeps_the_choice_on_the_assessment_page(
    db_app, db_client, clock
):
    sending_id = sent_as(db_app, db_client, "sv", "leverandoer", "Nærvær ApS")
    client = advisor(db_app, clock, "sv")
    response = file_under(client, db_app, sending_id, "new", "sv", programme_name="\x00 ")
    assert response.status_code == 400
    page = check_page(response.get_data(as_text=True), "assessment")
    assert text_of(page, "#programme_name-error") == "Fel: Skriv ett namn på det nya programmet."
    assert page.select_one("#programme_id option[selected]")["value"] == "new"
    with db_app.app_context():
        assert db.session.query(Programme).count() == 0
        assert db.session.get(Sending, sending_id).programme_id is None


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_save_on_a_page_read_before_someone_elses_change_is_told_of_the_conflict(
    db_app, db_client, clock, lang
):
    sending_id = sent_as(db_app, db_client, lang, "kommune", "Aarhus Kommune")
    anna = advisor(db_app, clock, lang)
    bo = advisor(db_app, clock, lang, "bo@dsi.dk")
    first = make_programme(anna, db_app, "Tidlig hjælp", lang)
    second = make_programme(anna, db_app, "Unge hjemløse", lang)
    read_by_anna = lock_of(anna, db_app, sending_id, lang)
    assert file_under(bo, db_app, sending_id, str(first), lang).status_code == 302
    response = anna.post(
        url(db_app, "advisor.file_sending", lang, sending_id=sending_id),
        data={"programme_id": str(second), "lock_version": read_by_anna},
    )
    assert response.status_code == 409
    page = check_page(response.get_data(as_text=True), "assessment")
    assert text_of(page, "#programme-conflict .alert-heading") == CONFLICT[lang]
    # The current state: Bo's programme, and the version to save against from now on.
    assert page.select_one("#programme_id option[selected]")["value"] == str(first)
    assert LOCK_RE.search(str(page)).group(1) != read_by_anna
    with db_app.app_context():
        assert db.session.get(Sending, sending_id).programme_id == first


def test_a_change_between_reading_and_saving_is_a_conflict_too(db_app, db_client, clock):
    from app.review.programmes import Conflict, file

    sending_id = sent_as(db_app, db_client, "da", "kommune", "Aarhus Kommune")
    account = make_account(db_app)
    with db_app.app_context():
        sending = db.session.get(Sending, sending_id)
        read = sending.lock_version
        with db.engine.begin() as other:  # another advisor's save, committed meanwhile
            other.execute(
                update(Sending)
                .where(Sending.id == sending_id)
                .values(status="in_review", lock_version=Sending.lock_version + 1)
            )
        with pytest.raises(Conflict):
            file(sending, "new", "Tidlig hjælp", read, account.id)
        assert db.session.query(Programme).count() == 0
        assert db.session.get(Sending, sending_id).status == "in_review"


def test_programme_pages_need_a_login_and_unknown_ones_are_not_found(db_app, db_client, clock):
    sending_id = sent_as(db_app, db_client, "da", "kommune", "Aarhus Kommune")
    stranger = db_app.test_client()
    for page in (
        url(db_app, "advisor.programmes"),
        url(db_app, "advisor.programme", programme_id=1),
    ):
        response = stranger.get(page)
        assert response.status_code == 302
        assert response.headers["Location"].startswith(LOGIN_PATH["da"])
    posted = stranger.post(
        url(db_app, "advisor.file_sending", sending_id=sending_id),
        data={"programme_id": "", "lock_version": "1"},
    )
    assert posted.status_code == 302 and LOGIN_PATH["da"] in posted.headers["Location"]
    client = advisor(db_app, clock)
    assert client.get(url(db_app, "advisor.programme", programme_id=999)).status_code == 404
    with db_app.app_context():
        db.session.execute(update(Sending).values(status="withdrawn"))
        db.session.commit()
    gone = client.post(
        url(db_app, "advisor.file_sending", sending_id=sending_id),
        data={"programme_id": "", "lock_version": "1"},
    )
    assert gone.status_code == 404
    with db_app.app_context():
        assert db.session.scalar(select(Assessment.id)) is not None


def test_a_programme_overlay_is_drawn_once_and_again_only_when_a_score_changes(app, monkeypatch):
    from app.advisor import programme_view
    from app.core import charts

    drawn = []
    real = charts.radar_overlay_figure
    monkeypatch.setattr(
        charts, "radar_overlay_figure", lambda *a, **k: drawn.append(a) or real(*a, **k)
    )
    programme_view.drawn_overlay.cache_clear()
    party = programme_view.PartyView(None, "Kommune", "Aarhus <Kommune> & co", "/x")
    with app.test_request_context("/da/"):
        first = programme_view.overlay_svg([party], [("Målgruppe", [40.0]), ("Økonomi", [55.5])])
        again = programme_view.overlay_svg([party], [("Målgruppe", [40.0]), ("Økonomi", [55.5])])
        changed = programme_view.overlay_svg([party], [("Målgruppe", [41.0]), ("Økonomi", [55.5])])
    assert len(drawn) == 2
    assert again == first and changed != first
    assert 'id="programme-radar"' in first
    assert "Aarhus &lt;Kommune&gt; &amp; co" in first and "<Kommune>" not in first
