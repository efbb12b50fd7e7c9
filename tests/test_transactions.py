"""GET and HEAD requests read on autocommit connections; every write is still in a transaction
(app/transactions.py).

The app here has a pool of one connection, so every request below uses the same pooled
connection: what a GET set on it must be gone when a POST gets it, and a write a GET makes
must still be all or nothing. On SQLite and, where TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, jsonify, request
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from app.extensions import db
from app.models import PageFeedback
from app.transactions import STANDS_ALONE, reads_without_transaction
from tests.conftest import dispose, empty_tables, make_app


def autocommit(dbapi: Any) -> bool:
    """Whether the driver's connection is in autocommit mode (psycopg 3 or sqlite3)."""
    if isinstance(dbapi, sqlite3.Connection):
        return dbapi.isolation_level is None
    return dbapi.autocommit


def in_transaction(dbapi: Any) -> bool:
    """Whether the server has a transaction open on the driver's connection."""
    if hasattr(dbapi, "info") and hasattr(dbapi.info, "transaction_status"):
        return dbapi.info.transaction_status != 0  # psycopg 3: IDLE is 0
    return dbapi.in_transaction


def driver_connection() -> Any:
    return db.session.connection().connection.dbapi_connection


def feedback(row_id: int) -> PageFeedback:
    return PageFeedback(id=row_id, page_key="transactions", lang="da", useful=True)


def comment_of_row_1(engine: Any) -> str:
    with engine.connect() as connection:
        return connection.scalar(select(PageFeedback.comment).where(PageFeedback.id == 1))


def count_rows(engine: Any) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(PageFeedback))


def add_routes(app: Flask, other: Any) -> None:
    """Routes that read or write and say what their connection was like."""

    def read():  # type: ignore[no-untyped-def]
        db.session.execute(select(PageFeedback.id)).all()
        dbapi = driver_connection()
        return jsonify(
            connection=id(dbapi), autocommit=autocommit(dbapi), in_transaction=in_transaction(dbapi)
        )

    def two_writes():  # type: ignore[no-untyped-def]
        """Two rows; the second fails (the same primary key) when ?fail is given."""
        db.session.execute(select(PageFeedback.id)).all()  # a read first, as pages do
        db.session.add(feedback(1))
        db.session.flush()
        dbapi = driver_connection()
        state = {
            "connection": id(dbapi),
            "autocommit": autocommit(dbapi),
            "in_transaction": in_transaction(dbapi),
            # Another connection does not see the first row before the commit.
            "seen_elsewhere": count_rows(other),
        }
        db.session.add(feedback(1 if request.args.get("fail") else 2))
        db.session.commit()
        return jsonify(state)

    def locked_read():  # type: ignore[no-untyped-def]
        db.session.execute(select(PageFeedback.id).with_for_update()).all()
        return jsonify(in_transaction=in_transaction(driver_connection()))

    def streamed_read():  # type: ignore[no-untyped-def]
        rows = db.session.execute(select(PageFeedback.id).execution_options(yield_per=1))
        return jsonify(ids=sorted(row.id for row in rows))

    @reads_without_transaction
    def alone():  # type: ignore[no-untyped-def]
        """A POST outside a transaction: an UPDATE that stands alone, after a write that begins
        a transaction when ?after_write is given, and before one that fails when ?fail is."""
        if request.args.get("after_write"):
            db.session.add(feedback(3))
            db.session.flush()
        db.session.execute(
            update(PageFeedback)
            .where(PageFeedback.id == 1)
            .values(comment="changed")
            .execution_options(synchronize_session=False, **{STANDS_ALONE: True})
        )
        dbapi = driver_connection()
        state = {"autocommit": autocommit(dbapi), "in_transaction": in_transaction(dbapi)}
        if request.args.get("fail"):
            db.session.add(feedback(1))
        db.session.commit()
        return jsonify(state)

    app.add_url_rule("/t/alone", "t_alone", alone, methods=["POST"])
    app.add_url_rule("/t/read", "t_read", read, methods=["GET", "POST"])
    app.add_url_rule("/t/two-writes", "t_two_writes", two_writes, methods=["GET", "POST"])
    app.add_url_rule("/t/locked-read", "t_locked_read", locked_read)
    app.add_url_rule("/t/streamed-read", "t_streamed_read", streamed_read)


@pytest.fixture(scope="module")
def single(_backend_app: Flask) -> Iterator[tuple[Flask, Any]]:
    """An app on the backend's database whose pool holds one connection, and an engine
    outside that pool to look from."""
    url = _backend_app.config["SQLALCHEMY_DATABASE_URI"]
    options = {"pool_pre_ping": True, "pool_size": 1, "max_overflow": 0, "pool_timeout": 5}
    app = make_app(url, SQLALCHEMY_ENGINE_OPTIONS=options)
    other = create_engine(url, poolclass=NullPool)
    add_routes(app, other)
    yield app, other
    other.dispose()
    dispose(app)


@pytest.fixture
def pooled(single: tuple[Flask, Any]) -> Iterator[tuple[Any, Any]]:
    app, other = single
    yield app.test_client(), other
    empty_tables(app)


def test_a_get_reads_without_a_transaction_and_a_post_within_one(pooled) -> None:
    client, _other = pooled
    got = client.get("/t/read").get_json()
    assert got["autocommit"] is True
    assert got["in_transaction"] is False  # no BEGIN was sent for the SELECT
    posted = client.post("/t/read").get_json()
    assert posted["connection"] == got["connection"]
    assert posted["autocommit"] is False


def test_a_post_after_a_get_on_the_same_connection_rolls_back_as_a_whole(pooled) -> None:
    """The GET left its connection in autocommit mode; the pool put it back to transactions, so
    the POST's failing second statement takes its first one with it."""
    client, other = pooled
    got = client.get("/t/read").get_json()
    assert got["autocommit"] is True
    with pytest.raises(IntegrityError):
        client.post("/t/two-writes?fail=1")
    assert count_rows(other) == 0
    # The same connection both times, and the check can fail: without ?fail both rows stay.
    posted = client.post("/t/two-writes").get_json()
    assert posted["connection"] == got["connection"]
    assert posted["autocommit"] is False
    assert posted["seen_elsewhere"] == 0
    assert count_rows(other) == 2


def test_a_get_that_writes_writes_in_one_transaction(pooled) -> None:
    """A GET's connection is in autocommit mode, yet its writes begin a transaction: the first
    row is not seen elsewhere before the commit, and a failing second write takes it back."""
    client, other = pooled
    with pytest.raises(IntegrityError):
        client.get("/t/two-writes?fail=1")
    assert count_rows(other) == 0
    got = client.get("/t/two-writes").get_json()
    assert got["autocommit"] is True
    assert got["in_transaction"] is True
    assert got["seen_elsewhere"] == 0
    assert count_rows(other) == 2
    # What the GET began was ended: the next GET on the connection reads outside a transaction.
    again = client.get("/t/read").get_json()
    assert again["connection"] == got["connection"]
    assert again["in_transaction"] is False


def test_a_locking_or_streamed_read_in_a_get_gets_a_transaction(pooled) -> None:
    """FOR UPDATE holds its locks, and a server-side cursor lives, only inside a transaction."""
    client, _other = pooled
    client.post("/t/two-writes")
    assert client.get("/t/locked-read").get_json() == {"in_transaction": True}
    assert client.get("/t/streamed-read").get_json() == {"ids": [1, 2]}
    assert client.get("/t/read").get_json()["in_transaction"] is False


def test_a_session_made_before_the_request_keeps_its_transaction(single, pooled) -> None:
    """A session already in use when a GET starts (a test's own, in an outer app context)
    stays on its connection: no second connection is taken (the pool has one)."""
    app, _other = single
    client, _ = pooled
    with app.app_context():
        db.session.execute(select(PageFeedback.id)).all()
        got = client.get("/t/read").get_json()
        assert got["autocommit"] is False
        db.session.rollback()


def test_an_update_that_stands_alone_commits_alone_outside_a_transaction(pooled) -> None:
    """In a view that reads without a transaction, such an UPDATE needs no BEGIN: what fails
    after it does not take it back. After another write it is part of that one's transaction."""
    client, other = pooled
    client.post("/t/two-writes")
    with pytest.raises(IntegrityError):
        client.post("/t/alone?after_write=1&fail=1")
    assert comment_of_row_1(other) == ""
    assert count_rows(other) == 2
    with pytest.raises(IntegrityError):
        client.post("/t/alone?fail=1")
    assert comment_of_row_1(other) == "changed"
    assert count_rows(other) == 2
    assert client.post("/t/alone").get_json() == {"autocommit": True, "in_transaction": False}
    assert client.post("/t/alone?after_write=1").get_json()["in_transaction"] is True
    assert count_rows(other) == 3
