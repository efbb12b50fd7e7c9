"""A respondent sends a result to the fund, follows its status, withdraws it, and gets mails.

Mails go to a real SMTP server (aiosmtpd) on 127.0.0.1, started for the tests that read them.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.logredact import token_hash
from app.models import Advisor, Assessment, AuditEvent, Sending
from tests.assessment_helpers import BASE, answer_all, start
from tests.conftest import make_app, migrate_fresh
from tests.helpers import check_page, text_of
from tests.mail_helpers import body, free_port

SEND = {"da": "send-til-fonden", "sv": "skicka-till-fonden"}
WITHDRAW = {"da": "traek-tilbage", "sv": "dra-tillbaka"}
RESULT = "resultat"
SAVED = {"da": "gemt", "sv": "sparad"}
MAIL_LINK = {"da": "send-linket", "sv": "skicka-lanken"}
CONTACT = {"contact_name": "Anna Holm", "contact_email": "anna@example.dk", "consent": "y"}
SENT_WORDS = {"da": "Sendt. Ingen rådgiver er gået i gang med den endnu.",
              "sv": "Skickad. Ingen rådgivare har börjat på den än."}  # fmt: skip


# --- helpers ------------------------------------------------------------------------------------


def submitted(app, client, lang: str = "da", role: str = "kommune") -> str:
    token = start(client, lang, role)
    answer_all(client, lang, token, app.extensions["questionnaires"][role])
    assert client.post(f"{BASE[lang]}/{token}/" + ("indsend" if lang == "da" else "skicka-in"))
    return token


def url(lang: str, token: str, page: str | dict[str, str]) -> str:
    """A page behind the secret link; a page given per language is taken in this one."""
    return f"{BASE[lang]}/{token}/{page[lang] if isinstance(page, dict) else page}"


def sending_of(app, token: str) -> Sending | None:
    with app.app_context():
        return db.session.scalar(select(Sending).join(Assessment).where(Assessment.token == token))


def status_text(client, lang: str, token: str) -> str:
    soup = check_page(client.get(url(lang, token, RESULT)).get_data(as_text=True), "result")
    return text_of(soup, ".sending-status")


def add_advisor(app, mail: str, role: str = "lead", active: bool = True) -> None:
    with app.app_context():
        db.session.add(Advisor(email=mail, name=mail, role=role, password_hash="x", active=active))
        db.session.commit()


# --- sending ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "heading", "sees"),
    [
        ("da", "Send selvevalueringen til fonden", "Det får fonden at se"),
        ("sv", "Skicka självskattningen till DSI", "Det här får DSI se"),
    ],
)
def test_a_respondent_sends_the_result_and_sees_its_status(db_app, db_client, lang, heading,
                                                          sees):  # fmt: skip
    token = submitted(db_app, db_client, lang)
    before = status_text(db_client, lang, token)  # the result page is drawn and stored now
    assert url(lang, token, SEND) in db_client.get(url(lang, token, RESULT)).get_data(as_text=True)
    assert "DSI" in before
    page = check_page(db_client.get(url(lang, token, SEND)).get_data(as_text=True), "send")
    assert text_of(page, "h1") == heading and text_of(page, "#fund-sees-heading") == sees
    assert len(page.select("#fund-sees-heading ~ ul li")) >= 3
    response = db_client.post(url(lang, token, SEND), data=CONTACT)
    assert response.status_code == 302 and response.headers["Location"].endswith(RESULT)
    shown = status_text(db_client, lang, token)
    assert SENT_WORDS[lang] in shown
    assert url(lang, token, WITHDRAW) in db_client.get(url(lang, token, RESULT)).get_data(
        as_text=True
    )
    sending = sending_of(db_app, token)
    with db_app.app_context():
        assessment = db.session.get(Assessment, sending.assessment_id)
        result = assessment.result
        events = [(e.actor, e.action) for e in db.session.scalars(select(AuditEvent))]
    assert (sending.status, sending.contact_name, sending.contact_email) == (
        "sent", "Anna Holm", "anna@example.dk")  # fmt: skip
    assert sending.role == "kommune" and sending.overall_level == result["overall_level"]
    assert sending.overall_score == result["overall"]
    assert sending.requirements_unmet == result["gate"]["requirements_unmet"]
    assert sending.high_flags == result["gate"]["high_flags"]
    assert events == [("respondent", "sent")]
    # Sending twice changes nothing: the page leads back to the result.
    again = db_client.post(url(lang, token, SEND), data={**CONTACT, "contact_name": "Other"})
    assert again.status_code == 302 and sending_of(db_app, token).contact_name == "Anna Holm"


def test_only_a_submitted_assessment_can_be_sent(client):
    token = start(client)
    assert client.get(url("da", token, SEND)).headers["Location"].endswith("dine-svar")
    client.post(url("da", token, SEND), data=CONTACT)
    assert sending_of(client.application, token) is None


@pytest.mark.parametrize(
    ("lang", "errors"),
    [
        ("da", ["Skriv den e-mailadresse, fonden kan skrive til.",
                "Sæt kryds for at bekræfte, at I vil sende den."]),
        ("sv", ["Ange den e-postadress som DSI kan skriva till.",
                "Kryssa i rutan för att bekräfta att ni vill skicka den."]),
    ],
)  # fmt: skip
def test_a_refused_send_form_keeps_what_was_typed_and_explains_in_the_page_language(
    app, client, lang, errors
):
    token = submitted(app, client, lang)
    response = client.post(url(lang, token, SEND), data={"contact_name": "Anna <b>Holm</b>"})
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "send")
    assert soup.select_one("#contact_name")["value"] == "Anna <b>Holm</b>"
    assert [a.get_text(" ", strip=True) for a in soup.select(".error-summary a")] == errors
    assert soup.title.get_text().startswith("Fejl" if lang == "da" else "Fel")
    bad = client.post(url(lang, token, SEND), data={**CONTACT, "contact_email": "anna@"})
    soup = check_page(bad.get_data(as_text=True), "send")
    assert soup.select_one("#contact_email")["value"] == "anna@"
    assert soup.select_one("#consent").has_attr("checked")
    assert sending_of(app, token) is None


def test_the_send_form_starts_with_the_address_given_at_the_start(app, client):
    response = client.post(
        f"{BASE['da']}/",
        data={"role": "kommune", "organisation": "K", "programme": "P", "email": "k@example.dk"},
    )
    token = response.headers["Location"].split("/")[3]
    answer_all(client, "da", token, app.extensions["questionnaires"]["kommune"])
    client.post(url("da", token, "indsend"))
    soup = check_page(client.get(url("da", token, SEND)).get_data(as_text=True), "send")
    assert soup.select_one("#contact_email")["value"] == "k@example.dk"


def test_control_characters_in_the_contact_are_dropped_before_storing(db_app, db_client):
    token = submitted(db_app, db_client)
    data = {"contact_name": "An\x00na\x07 Holm", "contact_email": "anna\x00@example.dk",
            "consent": "y"}  # fmt: skip
    assert db_client.post(url("da", token, SEND), data=data).status_code == 302
    sending = sending_of(db_app, token)
    assert (sending.contact_name, sending.contact_email) == ("Anna Holm", "anna@example.dk")


def test_an_overlong_contact_name_is_refused(client, app):
    token = submitted(app, client)
    response = client.post(url("da", token, SEND), data={**CONTACT, "contact_name": "x" * 201})
    assert response.status_code == 400 and sending_of(app, token) is None


# --- mail ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "subject"),
    [
        ("da", "Jeres selvevaluering er sendt til fonden"),
        ("sv", "Er självskattning har skickats till Den Sociale Investeringsfond (DSI)"),
    ],
)
def test_mails_on_sending_reach_the_respondent_with_the_link_and_the_leads_without(
    db_app, db_client, db_inbox, lang, subject
):
    add_advisor(db_app, "lead@fund.example")
    add_advisor(db_app, "advisor@fund.example", role="advisor")
    add_advisor(db_app, "gone@fund.example", active=False)
    token = submitted(db_app, db_client, lang)
    db_client.post(url(lang, token, SEND), data=CONTACT)
    (confirmation,) = db_inbox.to("anna@example.dk")
    assert confirmation["Subject"] == subject and confirmation["From"] == "site@example.dk"
    text = body(confirmation)
    assert f"/{lang}/{'selvevaluering' if lang == 'da' else 'sjalvskattning'}/{token}/resultat" in (
        text
    )
    assert ("Anna Holm" in text) and (("Kære" if lang == "da" else "Hej") in text)
    (notice,) = db_inbox.to("lead@fund.example")
    number = str(sending_of(db_app, token).assessment_id)
    assert number in notice["Subject"] and number in body(notice)
    assert "Tidlig hjælp" in body(notice)
    assert not db_inbox.to("advisor@fund.example") and not db_inbox.to("gone@fund.example")
    # The link goes to the respondent's own address only.
    with_link = [rcpts for rcpts, message in db_inbox.mails if token in body(message)]
    assert with_link == [["anna@example.dk"]]
    assert len(db_inbox.mails) == 2


def test_in_development_a_mail_goes_to_the_log_without_its_secret_link(app, client, caplog):
    assert not app.config["MAIL_SERVER"]
    token = submitted(app, client)
    caplog.set_level(logging.INFO, logger="app.mail")
    client.post(url("da", token, SEND), data=CONTACT)
    logged = caplog.text
    assert "anna@example.dk" in logged and "Jeres selvevaluering er sendt til fonden" in logged
    assert token not in logged and token_hash(token) in logged


def test_a_mail_server_that_is_down_does_not_undo_the_sending(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)
    token = submitted(app, client)
    assert client.post(url("da", token, SEND), data=CONTACT).status_code == 302
    assert sending_of(app, token).status == "sent"
    saved = client.post(url("da", token, f"{SAVED['da']}/{MAIL_LINK['da']}"),
                        data={"email": "anna@example.dk"}, follow_redirects=True)  # fmt: skip
    assert "Mailen kunne ikke sendes lige nu" in saved.get_data(as_text=True)


# --- withdrawing --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_sending_is_withdrawn_while_no_review_has_started_and_can_be_sent_again(
    db_app, db_client, db_inbox, lang
):
    token = submitted(db_app, db_client, lang)
    db_client.post(url(lang, token, SEND), data=CONTACT)
    confirm = db_client.get(url(lang, token, WITHDRAW))
    assert confirm.status_code == 200
    soup = check_page(confirm.get_data(as_text=True), "withdraw")
    assert soup.select_one(f'form[action="{url(lang, token, WITHDRAW)}"] [name=csrf_token]')
    response = db_client.post(url(lang, token, WITHDRAW))
    assert response.status_code == 302
    sending = sending_of(db_app, token)
    assert (sending.status, sending.contact_name, sending.contact_email) == ("withdrawn", "", "")
    shown = status_text(db_client, lang, token)
    assert ("Trukket tilbage" if lang == "da" else "Tillbakadragen") in shown
    assert url(lang, token, SEND) in db_client.get(url(lang, token, RESULT)).get_data(as_text=True)
    # Later, they send it again.
    again = {**CONTACT, "contact_email": "ny@example.dk"}
    assert db_client.post(url(lang, token, SEND), data=again).status_code == 302
    assert sending_of(db_app, token).status == "sent"
    assert len(db_inbox.to("ny@example.dk")) == 1
    with db_app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["sent", "withdrawn", "sent"]


def test_a_sending_cannot_be_withdrawn_once_a_review_has_started(db_app, db_client):
    token = submitted(db_app, db_client)
    db_client.post(url("da", token, SEND), data=CONTACT)
    with db_app.app_context():
        db.session.execute(update(Sending).values(status="in_review"))
        db.session.commit()
    assert "En rådgiver er ved at gennemgå den." in status_text(db_client, "da", token)
    assert url("da", token, WITHDRAW) not in db_client.get(url("da", token, RESULT)).get_data(
        as_text=True
    )
    page = db_client.get(url("da", token, WITHDRAW))
    assert page.status_code == 409
    assert "kan ikke længere trækkes tilbage" in page.get_data(as_text=True)
    assert db_client.post(url("da", token, WITHDRAW)).status_code == 409
    sending = sending_of(db_app, token)
    assert (sending.status, sending.contact_email) == ("in_review", "anna@example.dk")


def test_withdrawing_something_never_sent_leads_back_to_the_result(app, client):
    token = submitted(app, client)
    assert client.post(url("da", token, WITHDRAW)).headers["Location"].endswith(RESULT)
    assert sending_of(app, token) is None


def sent_directly(app, lang: str = "da") -> str:
    """A submitted assessment sent to the fund through the service (no form, no CSRF token)."""
    from app.assessment import sending, service

    with app.test_request_context(f"/{lang}/"):
        questionnaire = app.extensions["questionnaires"]["kommune"]
        assessment = service.start("kommune", lang, "Kommune", "Program", "")
        answers = {q.id: "dont_know" for q in questionnaire.questions.values() if q.scored}
        service.save_page(assessment, list(answers), answers, {})
        service.submit(assessment)
        sending.send(assessment, "Anna", "anna@example.dk", lang)
        return assessment.token


def test_withdraw_needs_a_csrf_token(tmp_path):
    strict = make_app(f"sqlite:///{tmp_path / 'csrf.db'}", WTF_CSRF_ENABLED=True)
    migrate_fresh(strict)
    token = sent_directly(strict)
    client = strict.test_client()
    assert client.post(url("da", token, WITHDRAW)).status_code == 400
    assert sending_of(strict, token).status == "sent"
    page = client.get(url("da", token, WITHDRAW)).get_data(as_text=True)
    csrf = check_page(page, "withdraw").select_one("[name=csrf_token]")["value"]
    assert client.post(url("da", token, WITHDRAW), data={"csrf_token": csrf}).status_code == 302
    assert sending_of(strict, token).status == "withdrawn"


# --- deleting -----------------------------------------------------------------------------------


def test_deleting_a_sent_assessment_removes_the_sending_and_keeps_only_that_it_happened(
    db_app, db_client
):
    token = submitted(db_app, db_client)
    db_client.post(url("da", token, SEND), data=CONTACT)
    number = sending_of(db_app, token).assessment_id
    assert db_client.post(url("da", token, "slet")).status_code == 200
    with db_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Sending)) == 0
        events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [(e.action, e.assessment_id) for e in events] == [("sent", number), ("deleted", number)]
    assert all(e.detail == {} for e in events)
    stored = " ".join(f"{e.actor} {e.action} {e.detail}" for e in events)
    assert "Anna" not in stored and "example.dk" not in stored


def test_deleting_an_assessment_never_sent_leaves_no_trace_for_the_fund(app, client):
    token = submitted(app, client)
    client.post(url("da", token, "slet"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


# --- the save page mails the link -----------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "subject", "error"),
    [
        ("da", "Jeres hemmelige link til selvevalueringen",
         "Skriv den e-mailadresse, linket skal sendes til."),
        ("sv", "Er hemliga länk till självskattningen",
         "Ange den e-postadress som länken ska skickas till."),
    ],
)  # fmt: skip
def test_the_save_page_mails_the_link_to_the_address_typed_there(
    app, client, inbox, lang, subject, error
):
    token = start(client, lang)
    saved = url(lang, token, SAVED[lang])
    soup = check_page(client.get(saved).get_data(as_text=True), "saved")
    assert soup.select_one("#email")["value"] == ""  # never filled in from elsewhere
    target = url(lang, token, f"{SAVED[lang]}/{MAIL_LINK[lang]}")
    refused = client.post(target, data={"email": "  "})
    assert refused.status_code == 400 and error in refused.get_data(as_text=True)
    assert client.post(target, data={"email": "not an address"}).status_code == 400
    assert inbox.mails == []
    response = client.post(target, data={"email": "me@example.se"}, follow_redirects=True)
    assert "me@example.se" in text_of(check_page(response.get_data(as_text=True), "s"), ".alert")
    (mail,) = inbox.mails
    assert mail[0] == ["me@example.se"] and mail[1]["Subject"] == subject
    assert f"{BASE[lang]}/{token}" in body(mail[1])


def limited_client(tmp_path, **limits: str):
    app = make_app(f"sqlite:///{tmp_path / 'limits.db'}", RATELIMIT_ENABLED=True,
                   RATE_LIMITS=limits)  # fmt: skip
    migrate_fresh(app)
    return app, app.test_client()


def test_mailing_the_link_is_rate_limited_per_address_counting_only_sent_mails(tmp_path):
    app, client = limited_client(tmp_path, mail="2 per hour", mail_per_link="100 per hour")
    tokens = [start(client) for _ in range(3)]
    targets = [url("da", t, f"{SAVED['da']}/{MAIL_LINK['da']}") for t in tokens]
    # Mistyped addresses are refused without using up the limit.
    assert [client.post(targets[0], data={"email": "x"}).status_code for _ in range(3)] == [400] * 3
    statuses = [client.post(t, data={"email": "me@example.dk"}).status_code for t in targets]
    assert statuses == [302, 302, 429]
    # Another address is not held up by this one.
    other = app.test_client()
    response = other.post(
        targets[2], data={"email": "me@example.dk"}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert response.status_code == 302


def test_mailing_the_link_is_rate_limited_per_secret_link(tmp_path):
    _, client = limited_client(tmp_path, mail="100 per hour", mail_per_link="1 per hour")
    token = start(client)
    target = url("da", token, f"{SAVED['da']}/{MAIL_LINK['da']}")
    first = client.post(target, data={"email": "me@example.dk"},
                        environ_base={"REMOTE_ADDR": "10.0.0.1"})  # fmt: skip
    second = client.post(target, data={"email": "me@example.dk"},
                         environ_base={"REMOTE_ADDR": "10.0.0.2"})  # fmt: skip
    assert (first.status_code, second.status_code) == (302, 429)
    assert int(second.headers["Retry-After"]) > 0
    other_link = url("da", start(client), f"{SAVED['da']}/{MAIL_LINK['da']}")
    assert client.post(other_link, data={"email": "me@example.dk"}).status_code == 302


def test_the_mail_limit_holds_for_sending_to_the_fund(tmp_path):
    app, client = limited_client(tmp_path, mail="1 per hour")
    first, second = (submitted(app, client) for _ in range(2))
    assert client.post(url("da", first, SEND), data=CONTACT).status_code == 302
    assert client.post(url("da", second, SEND), data=CONTACT).status_code == 429
