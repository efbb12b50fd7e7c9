"""`flask backup create` and `flask backup restore`, on SQLite and on PostgreSQL.

The database is filled through the site (a respondent's answers and notes, a sending, an
advisor's comment and internal note, and the audit events all of that leaves), backed up, changed,
and restored: every row of the original is back and what came after the backup is gone. A file
that is not a backup of this kind is refused and the database stays as it was.
"""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update

from app import backup as backup_module
from app.extensions import db
from app.models import Assessment, AuditEvent, ReviewComment
from tests.advisor_helpers import full_login, make_account, url
from tests.assessment_helpers import BASE, STEP, answer_all, form_value, start
from tests.conftest import NO_POSTGRES, POSTGRES_URL, dispose, make_app
from tests.helpers import check_page
from tests.test_review_workflow import act, first_scale_question, lock_of
from tests.test_sending import CONTACT, SEND, sending_of
from tests.test_sending import url as respondent_url

NOTE = "Tallet er fra budgettet 2025; ÆØÅ og “citat”."
COMMENT = "Hvor kommer tallet fra?"
INTERNAL = "Intern: ring til kommunen"


def flask_backup(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["backup", *args])


def everything(app) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every row of every table, in key order: what a restore must give back."""
    with app.app_context():
        db.session.remove()
        rows = {}
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            found = db.session.execute(table.select().order_by(*order))
            rows[table.name] = [tuple(row) for row in found]
        rows["alembic_version"] = list(db.session.execute(text("SELECT * FROM alembic_version")))
        db.session.remove()
        return rows


def filled(app, respondent, clock) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Through the site: an assessment with a note, sent; an advisor's comment and note."""
    questionnaire = app.extensions["questionnaires"]["kommune"]
    token = start(respondent)
    answer_all(respondent, "da", token, questionnaire)
    first = questionnaire.dimensions[0]
    page = {"action": "continue"}
    for q in first.questions:
        page[f"q_{q.id}"] = form_value(q, "best")
    page[f"note_{first.questions[0].id}"] = NOTE
    assert respondent.post(f"{BASE['da']}/{token}/{STEP['da']}/1", data=page).status_code == 302
    assert respondent.post(f"{BASE['da']}/{token}/indsend").status_code == 302
    assert respondent.post(respondent_url("da", token, SEND), data=CONTACT).status_code == 302
    sending_id = sending_of(app, token).id

    advisor = app.test_client()
    full_login(advisor, app, make_account(app), clock)
    lock = {"start-lock_version": lock_of(app, sending_id)}
    assert act(advisor, app, "da", sending_id, "start", lock).status_code == 302
    question = first_scale_question(app)
    comment = {f"c-{question.id}-body": COMMENT}
    assert (
        act(advisor, app, "da", sending_id, "comment", comment, question=question.id).status_code
        == 302
    )
    assert act(advisor, app, "da", sending_id, "note", {"note-body": INTERNAL}).status_code == 302
    return sending_id, token


def test_a_restore_gives_back_every_row_of_the_backup_and_drops_what_came_after(
    db_app, db_client, clock, tmp_path
):
    app, respondent = db_app, db_client
    sending_id, token = filled(app, respondent, clock)
    original = everything(app)
    # What the backup must carry is really there: answers, the note, both comments, the audit.
    (assessment,) = original["assessment"]
    with app.app_context():
        stored = db.session.get(Assessment, assessment[0])
        assert stored.answers and NOTE in stored.notes.values() and stored.result
        bodies = set(db.session.scalars(select(ReviewComment.body)))
        assert bodies == {COMMENT, INTERNAL}
        audit = set(db.session.scalars(select(AuditEvent.action)))
        assert len(audit) >= 3, audit

    path = tmp_path / "site.backup"
    made = flask_backup(app, "create", str(path))
    assert made.exit_code == 0, made.output
    assert str(path) in made.output
    assert "1 assessment(s), 1 sending(s), 2 review comment(s) and note(s)" in made.output
    assert f"{len(original['audit_event'])} audit event(s)" in made.output
    assert path.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only

    # After the backup: a second assessment, the note changed, a comment and the audit deleted.
    later = start(respondent)
    with app.app_context():
        db.session.execute(update(Assessment).values(notes={}, answers={}))
        db.session.execute(delete(ReviewComment).where(ReviewComment.body == INTERNAL))
        db.session.execute(delete(AuditEvent))
        db.session.commit()
    assert everything(app) != original

    restored = flask_backup(app, "restore", str(path))
    assert restored.exit_code == 0, restored.output
    assert "Closed this process's pooled database connections" in restored.output
    assert "Checked: the database holds the backup's rows" in restored.output
    assert "1 assessment(s), 1 sending(s), 2 review comment(s) and note(s)" in restored.output
    assert everything(app) == original

    # What people see: the later assessment is gone, the first one and its note are back.
    assert respondent.get(f"{BASE['da']}/{later}/{STEP['da']}/1").status_code == 404
    assert respondent.get(respondent_url("da", token, "resultat")).status_code == 200
    advisor = app.test_client()
    full_login(advisor, app, make_account(app, email="bo@dsi.dk", name="Bo Lund"), clock)
    page = advisor.get(url(app, "advisor.assessment", "da", sending_id=sending_id))
    text_seen = check_page(page.get_data(as_text=True), "restored assessment").get_text()
    assert COMMENT in text_seen and INTERNAL in text_seen and "Eksempel Kommune" in text_seen


def garbage_files(app, tmp_path: Path) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    """Files a restore must refuse, and the word its message gives for each."""
    files = {}
    text_file = tmp_path / "notes.txt"
    text_file.write_text("Det her er ikke en backup.\n")
    files["not a backup made by 'flask backup create'"] = text_file
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
        conn.commit()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        files["not a backup of this site"] = other
        fake_dump = tmp_path / "fake.dump"
        fake_dump.write_bytes(b"PGDMP" + bytes(range(256)) * 4)
        files["is a PostgreSQL dump, not a SQLite backup"] = fake_dump
    else:
        files["is a SQLite backup, not a PostgreSQL dump"] = other
        fake_dump = tmp_path / "fake.dump"
        fake_dump.write_bytes(b"PGDMP" + bytes(range(256)) * 4)
        files["failed"] = fake_dump
    files["does not exist"] = tmp_path / "missing.backup"
    return files


def test_a_file_that_is_not_a_backup_is_refused_and_the_database_stays_as_it_was(
    db_app, db_client, clock, tmp_path
):
    app = db_app
    filled(app, db_client, clock)
    before = everything(app)
    good = tmp_path / "good.backup"
    assert flask_backup(app, "create", str(good)).exit_code == 0
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])

    files = garbage_files(app, tmp_path)
    files[""] = truncated  # SQLite: damaged; PostgreSQL: a read error or a rolled-back restore
    for words, path in files.items():
        result = flask_backup(app, "restore", str(path))
        assert result.exit_code != 0, (path, result.output)
        assert words in result.output and "Error:" in result.output, result.output
        assert everything(app) == before, path


def test_a_backup_of_a_schema_this_code_does_not_know_is_refused(db_app, db_client, tmp_path):
    app = db_app
    start(db_client)
    version = text("UPDATE alembic_version SET version_num = :v")
    with app.app_context():
        head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.execute(version, {"v": "fff9"})
        db.session.commit()
    path = tmp_path / "future.backup"
    try:
        assert flask_backup(app, "create", str(path)).exit_code == 0
    finally:
        with app.app_context():
            db.session.execute(version, {"v": head})
            db.session.commit()
    before = everything(app)
    result = flask_backup(app, "restore", str(path))
    assert result.exit_code != 0
    assert "schema revision fff9, which this version of the site does not know" in result.output
    assert everything(app) == before


def test_create_does_not_overwrite_a_file_unless_forced(db_app, db_client, tmp_path):
    app = db_app
    path = tmp_path / "kept.backup"
    path.write_bytes(b"an earlier backup, to keep")
    refused = flask_backup(app, "create", str(path))
    assert refused.exit_code != 0
    assert "already exists; use --force to overwrite it" in refused.output
    assert path.read_bytes() == b"an earlier backup, to keep"
    assert not list(tmp_path.glob(".*partial*"))  # nothing half-written left behind

    start(db_client)
    forced = flask_backup(app, "create", "--force", str(path))
    assert forced.exit_code == 0, forced.output
    assert "1 assessment(s)" in forced.output
    assert flask_backup(app, "restore", str(path)).exit_code == 0


def test_the_libpq_url_drops_the_driver_and_the_password():
    url = backup_module.make_url("postgresql+psycopg://socinv:s3cr%40t@db.example:5433/socinv")
    address, env = backup_module.libpq(url)
    assert address == "postgresql://socinv@db.example:5433/socinv"
    assert env["PGPASSWORD"] == "s3cr@t" and "lock_timeout" in env["PGOPTIONS"]


@pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
def test_pg_dump_and_pg_restore_get_the_password_in_the_environment_only(tmp_path, monkeypatch):
    """A password in DATABASE_URL never reaches a command line (the process list shows those)."""
    password = "pw-not-on-the-command-line"
    url = backup_module.make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    app = make_app(url.set(password=password).render_as_string(hide_password=False))
    calls = []
    real_run = subprocess.run

    def recording_run(command, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((command, kwargs.get("env") or {}))
        return real_run(command, **kwargs)

    monkeypatch.setattr(backup_module.subprocess, "run", recording_run)
    path = tmp_path / "pg.backup"
    try:
        made = flask_backup(app, "create", str(path))
        assert made.exit_code == 0, made.output
        assert password not in made.output
        restored = flask_backup(app, "restore", str(path))
        assert restored.exit_code == 0, restored.output
        assert password not in restored.output
    finally:
        dispose(app)
    programs = {command[0] for command, _ in calls}
    assert programs == {"pg_dump", "pg_restore"}
    for command, env in calls:
        assert not any(password in part for part in command), command
        if any(part.startswith("--dbname=") for part in command):
            assert env["PGPASSWORD"] == password


def test_a_postgresql_restore_that_fails_half_way_changes_nothing(db_app, db_client, tmp_path):
    """pg_restore runs in one transaction: when a step fails, what it had done is rolled back."""
    app = db_app
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite restores in one step of its backup API")
    start(db_client)
    path = tmp_path / "before.backup"
    assert flask_backup(app, "create", str(path)).exit_code == 0
    start(db_client)  # after the backup
    # Something the dump does not know depends on a table, so dropping that table fails.
    with app.app_context():
        db.session.execute(text("CREATE VIEW tokens AS SELECT token FROM assessment"))
        db.session.commit()
    before = everything(app)
    try:
        result = flask_backup(app, "restore", str(path))
        assert result.exit_code != 0
        assert "nothing was changed: it runs in one transaction" in result.output
        assert "depend" in result.output  # pg_restore's own reason is shown
        assert everything(app) == before and len(before["assessment"]) == 2
    finally:
        with app.app_context():
            db.session.execute(text("DROP VIEW tokens"))
            db.session.commit()
