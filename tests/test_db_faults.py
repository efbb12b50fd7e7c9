"""Database faults in the middle of use (issue 12): a SQLite file that turns read-only or whose
disk is full, and a PostgreSQL restart under load (tests/test_db_restart.py).

A write the database refuses answers 503 in the page's language, says that nothing was saved,
shows what was typed again, and leaves every row as it was: no 500, nothing half-written.
"""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from sqlalchemy import event

from app.extensions import db
from tests.advisor_helpers import Clock, full_login, make_account
from tests.advisor_helpers import url as advisor_url
from tests.assessment_helpers import BASE, STEP, answer_all, form_value, start
from tests.conftest import dispose, make_app, migrate_fresh
from tests.fault_texts import HEADING, STEP_AGAIN, SUBMIT, TYPED_AGAIN
from tests.helpers import check_page, text_of
from tests.test_sending import CONTACT, SEND, sending_of

NOT_SAVED = {
    "da": "Det, I sendte, kunne ikke gemmes, og intet af det er gemt.",
    "sv": "Det ni skickade kunde inte sparas, och inget av det har lagrats.",
}
CANNOT_STORE = {"da": "Vi kan ikke gemme noget lige nu", "sv": "Vi kan inte spara något just nu"}
# Long enough that storing it needs pages of its own: a full disk cannot take it.
LONG = "Et langt notat, skrevet med omhu. " * 50


@dataclass
class Stock:
    """A SQLite file with what the writes below act on, and an advisor's session cookie."""

    path: Path
    draft: str  # page 1 answered, more to go
    ready: str  # every page answered, not submitted
    done: str  # submitted, not sent
    sent: int  # a sending that an advisor has open
    advisor_cookie: str
    advisor_secret: str


@pytest.fixture(scope="module")
def stocked(tmp_path_factory: pytest.TempPathFactory) -> Stock:
    """Made once: each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("faults") / "faults.db"
    app = make_app(f"sqlite:///{path}")
    migrate_fresh(app)
    client = app.test_client()
    questionnaire = app.extensions["questionnaires"]["kommune"]
    draft = start(client)
    page = {f"q_{q.id}": form_value(q) for q in questionnaire.dimensions[0].questions}
    assert client.post(f"{BASE['da']}/{draft}/trin/1", data={"action": "save", **page}).status_code
    ready = start(client)
    answer_all(client, "da", ready, questionnaire)
    done = start(client)
    answer_all(client, "da", done, questionnaire)
    assert client.post(f"{BASE['da']}/{done}/{SUBMIT['da']}").status_code == 302
    sent_token = start(client)
    answer_all(client, "da", sent_token, questionnaire)
    assert client.post(f"{BASE['da']}/{sent_token}/{SUBMIT['da']}").status_code == 302
    assert client.post(f"{BASE['da']}/{sent_token}/{SEND['da']}", data=CONTACT).status_code == 302
    advisor = app.test_client()
    account = make_account(app)
    full_login(advisor, app, account, Clock())
    sending_id = sending_of(app, sent_token).id
    cookie = advisor.get_cookie("session").value
    dispose(app)
    with sqlite3.connect(path) as connection:
        connection.execute("VACUUM")  # no free pages left inside the file
    connection.close()
    return Stock(path, draft, ready, done, sending_id, cookie, account.secret or "")


# Rows that take the last free bytes of a table, as a disk that fills up does: appended at the
# end of the table (and of each index), where the next real row would go.
FILLERS = {
    "audit_event": "INSERT INTO audit_event (at, actor, action, assessment_id, detail) "
    "VALUES ('9999-12-31 00:00:00', 'system', 'filler', NULL, ?)",
    "page_feedback": "INSERT INTO page_feedback (page_key, lang, useful, comment, created_at) "
    "VALUES ('zz/filler', 'da', 1, ?, '9999-12-31 00:00:00')",
}


def no_room(connection) -> None:  # type: ignore[no-untyped-def]
    """The file may not grow beyond the pages it has (SQLite then answers SQLITE_FULL)."""
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")


def fill_up(path: Path) -> None:
    """Fill the tables the writes below append to, to their last bytes: rows ever smaller."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA synchronous = OFF")
        no_room(connection)
        for insert in FILLERS.values():
            size = 1024
            while size:
                try:
                    connection.execute(insert, ('"' + "x" * size + '"',))
                    connection.commit()
                except sqlite3.OperationalError as error:
                    assert "full" in str(error)
                    connection.rollback()
                    size //= 2
    connection.close()


@dataclass
class Faulty:
    kind: str  # "read-only" or "disk full"
    app: Flask
    stock: Stock


@pytest.fixture(scope="module")
def faulty_apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple]]:
    """One app per fault (made once), each on its own file.

    Read-only: the file opened with mode=ro, so that SQLite refuses every write, even as root.
    Disk full: the file filled to its last bytes (fill_up) and every connection forbidden to add
    a page to it (no_room), so that a write needing room gets SQLITE_FULL.
    """
    folder = tmp_path_factory.mktemp("faulty")
    apps = {}
    for kind, name in (("read-only", "ro.db"), ("disk full", "full.db")):
        path = folder / name
        url = (
            f"sqlite:///file:{path}?mode=ro&uri=true"
            if kind == "read-only"
            else f"sqlite:///{path}"
        )
        app = make_app(url, TESTING=False, PROPAGATE_EXCEPTIONS=False)
        if kind == "disk full":
            with app.app_context():
                event.listen(db.engine, "connect", lambda connection, record: no_room(connection))
        apps[kind] = (path, app)
    yield apps
    for _path, app in apps.values():
        dispose(app)


@pytest.fixture(params=["read-only", "disk full"])
def faulty(request, stocked: Stock, faulty_apps) -> Faulty:
    """The fault's app on a fresh copy of the stocked file."""
    path, app = faulty_apps[request.param]
    dispose(app)  # no pooled connection holds the copy before
    shutil.copyfile(stocked.path, path)
    if request.param == "disk full":
        fill_up(path)
    return Faulty(request.param, app, dataclasses.replace(stocked, path=path))


def rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read past the app."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        select = 'SELECT * FROM "{}"'  # the names come from sqlite_master
        return {t: sorted(map(repr, connection.execute(select.format(t)))) for t in tables}


def refused_page(response, lang: str):  # type: ignore[no-untyped-def]
    """The 503 page: its language, its heading and that nothing was stored."""
    assert response.status_code == 503, response.get_data(as_text=True)[:2000]
    assert response.headers["Retry-After"]
    soup = check_page(response.get_data(as_text=True), "503")
    assert soup.html["lang"] == lang
    return soup


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_questionnaire_page_that_cannot_be_stored_is_shown_again_with_its_answers(faulty, lang):
    app, stock = faulty.app, faulty.stock
    questionnaire = app.extensions["questionnaires"]["kommune"]
    dimension = questionnaire.dimensions[1]
    data = {"action": "continue", "questionnaire": "kommune"}
    for q in dimension.questions:
        data[f"q_{q.id}"] = form_value(q, "worst")
        data[f"note_{q.id}"] = f"Vores notat om {q.id}. {LONG}"
    before = rows(stock.path)
    response = app.test_client().post(f"{BASE[lang]}/{stock.draft}/{STEP[lang]}/2", data=data)
    soup = refused_page(response, lang)
    assert STEP_AGAIN[lang] in text_of(soup, ".alert-warning")
    for q in dimension.questions:
        if q.type != "text":
            assert soup.select_one(f"#note_{q.id}").get_text() == data[f"note_{q.id}"]
    assert rows(stock.path) == before


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_submitting_when_nothing_can_be_stored_says_so_and_leaves_the_draft(faulty, lang):
    app, stock = faulty.app, faulty.stock
    before = rows(stock.path)
    response = app.test_client().post(f"{BASE[lang]}/{stock.ready}/{SUBMIT[lang]}")
    soup = refused_page(response, lang)
    assert text_of(soup, "h1") == HEADING[lang]
    assert NOT_SAVED[lang] in text_of(soup, ".alert-warning")
    assert CANNOT_STORE[lang] in soup.get_text()
    assert rows(stock.path) == before
    # Reading still works: the answers wait on the check-your-answers page.
    answers = {"da": "dine-svar", "sv": "dina-svar"}[lang]
    assert app.test_client().get(f"{BASE[lang]}/{stock.ready}/{answers}").status_code == 200


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_sending_to_the_fund_is_stored_whole_or_not_at_all(faulty, lang):
    """A sending writes several rows (the sending, its flags, the audit log): none of them."""
    app, stock = faulty.app, faulty.stock
    token = stock.done  # submitted before the fault, sent now
    before = rows(stock.path)
    response = app.test_client().post(f"{BASE[lang]}/{token}/{SEND[lang]}", data=CONTACT)
    soup = refused_page(response, lang)
    assert NOT_SAVED[lang] in text_of(soup, ".alert-warning")
    assert "Anna Holm" in text_of(soup, ".typed-text")  # the name typed, to copy
    assert rows(stock.path) == before


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_feedback_form_is_shown_again_with_the_comment(faulty, lang):
    app, stock = faulty.app, faulty.stock
    client = app.test_client()
    key = {"da": "/da/vaerktoejskasse/", "sv": "/sv/verktygslada/"}[lang]
    page = check_page(client.get(key).get_data(as_text=True), "toolbox")
    form = page.select_one("form[action$='/feedback']")
    if form is None:  # the toolbox front page has none: take its first article
        link = page.select_one("main a[href^='" + key + "']")["href"]
        page = check_page(client.get(link).get_data(as_text=True), link)
        form = page.select_one("form[action$='/feedback']")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    data.update(useful="no", comment=f"Siden mangler et eksempel. {LONG}"[:1000])
    before = rows(stock.path)
    response = client.post(form["action"], data=data)
    soup = refused_page(response, lang)
    assert TYPED_AGAIN[lang] in text_of(soup, "#feedback .alert-warning")
    assert soup.select_one("#feedback textarea").get_text() == data["comment"]
    assert rows(stock.path) == before


@pytest.mark.parametrize("lang", ["da", "sv"])
@pytest.mark.parametrize("faulty", ["read-only"], indirect=True)
def test_starting_an_assessment_shows_the_start_form_again(faulty, lang):
    """Read-only only: a new draft is one small row, which fits in a page a full file has."""
    app, stock = faulty.app, faulty.stock
    data = {"role": "kommune", "organisation": "Ringsted Kommune", "programme": "Unge i job"}
    before = rows(stock.path)
    response = app.test_client().post(f"{BASE[lang]}/", data=data)
    soup = refused_page(response, lang)
    assert TYPED_AGAIN[lang] in text_of(soup, ".alert-warning")
    assert soup.select_one("#organisation")["value"] == "Ringsted Kommune"
    assert soup.select_one("#programme")["value"] == "Unge i job"
    assert rows(stock.path) == before


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_an_advisors_note_that_cannot_be_stored_is_shown_to_copy(faulty, lang):
    app, stock = faulty.app, faulty.stock
    client = app.test_client()
    client.set_cookie("session", stock.advisor_cookie)
    page = advisor_url(app, "advisor.assessment", lang, sending_id=stock.sent)
    assert client.get(page).status_code == 200  # still logged in: reading works
    action = advisor_url(app, "advisor.review", lang, sending_id=stock.sent, action="note")
    note = f"Ring til kommunen om datagrundlaget.\n{LONG}\n{LONG}"
    before = rows(stock.path)
    response = client.post(action, data={"note-body": note})
    soup = refused_page(response, lang)
    assert NOT_SAVED[lang] in text_of(soup, ".alert-warning")
    assert text_of(soup, ".typed-text") == " ".join(note.split())
    assert soup.select_one(".typed-text").get_text() == note  # line breaks kept
    assert rows(stock.path) == before
    # The flashed "saved" message was not kept for the next page.
    assert "er gemt" not in client.get(page).get_data(as_text=True).split("<main")[1][:3000]


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_login_that_cannot_be_stored_leaves_no_half_login(faulty, lang, request):
    """The second factor marks its code used and logs the login, in one transaction: refused,
    the code is not marked, nothing is logged, and the session is not logged in."""
    app, stock = faulty.app, faulty.stock
    statements: list[str] = []

    def note(connection, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.startswith(("INSERT", "UPDATE")):
            statements.append(" ".join(statement.split()[:3]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    request.addfinalizer(lambda: event.remove(engine, "before_cursor_execute", note))
    client = app.test_client()
    data = {"email": "anna@dsi.dk", "password": "Kaffe-bord-hest-9271"}
    assert client.post(advisor_url(app, "advisor.login", lang), data=data).status_code == 302
    before = rows(stock.path)
    code = pyotp.TOTP(stock.advisor_secret).at(datetime.now(UTC) + timedelta(seconds=30))
    statements.clear()
    response = client.post(advisor_url(app, "advisor.second_factor", lang), data={"code": code})
    refused_page(response, lang)
    assert rows(stock.path) == before
    if faulty.kind == "disk full":
        # The code's step was claimed and the account's row changed before the audit log found no
        # room; the one transaction undid both (the rows above are as before).
        claimed, logged_in, audited = (
            "UPDATE advisor SET",
            "UPDATE advisor SET",
            "INSERT INTO audit_event",
        )
        assert statements == [claimed, logged_in, audited], statements
    home = client.get(advisor_url(app, "advisor.home", lang))
    assert home.status_code == 302 and "/log" in home.headers["Location"]


def test_a_page_posted_while_the_database_is_down_keeps_questions_shown_by_earlier_pages():
    """A question shown because of an answer on an earlier page comes back too, typed answer
    and note: the page that was posted showed it, though the stored answers cannot be read."""
    app = make_app("sqlite:////nonexistent-folder/down.db", TESTING=False)
    questionnaire = app.extensions["questionnaires"]["leverandoer"]
    # A page asked only when an earlier page's answer says so (a supplier with partners).
    number, dimension = next(
        (n, d) for n, d in enumerate(questionnaire.dimensions, start=1) if d.show_if
    )
    data = {"action": "continue", "questionnaire": questionnaire.id}
    for q in dimension.questions:
        data[f"q_{q.id}"] = form_value(q)
        data[f"note_{q.id}"] = f"Notat om {q.id}"
    token = "T" * 43
    response = app.test_client().post(f"{BASE['sv']}/{token}/{STEP['sv']}/{number}", data=data)
    soup = refused_page(response, "sv")
    for q in dimension.questions:
        if q.type != "text":
            assert soup.select_one(f"#note_{q.id}").get_text() == data[f"note_{q.id}"], q.id
