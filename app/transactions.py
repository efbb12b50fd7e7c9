"""Reads without a transaction: a GET or HEAD request queries on an autocommit connection.

A questionnaire page read in a transaction cost PostgreSQL four round trips: the pool's ping,
BEGIN, the SELECT and ROLLBACK. A page that only reads needs no transaction: each statement sees
the committed data of its own moment, as it does inside a READ COMMITTED transaction. So a
GET or HEAD request's session takes its connection with isolation_level="AUTOCOMMIT" (ping and
SELECT), and every other request's session the ordinary one.

Some GETs do write (a result page or PDF drawn and kept, an advisor's audit event, a login
step). Whatever such a request writes still goes into a transaction of its own, on the same
connection: before the first statement that is not a plain read, BEGIN is sent, and the
session's commit or rollback ends it as before (psycopg and sqlite3 commit or roll back whatever
the server has open, autocommit or not). "Not a plain read" is anything but a compiled SELECT
without FOR UPDATE, without WITH, and not streamed from a server-side cursor: an INSERT, UPDATE or
DELETE, text SQL, a savepoint, a lock, a cursor that lives in a transaction.

The isolation level is SQLAlchemy's connection characteristic: it is put back to the engine's
default when the connection goes back to the pool, so the next request that checks it out gets
an ordinary transaction (tests/test_transactions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import Select

# The methods whose requests read only, apart from the writes that get a transaction as above.
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})
# In session.info: this session's transactions run on autocommit connections.
NO_TRANSACTION = "no_transaction"
# app.extensions key: each engine of the app and its autocommit twin (the same pool).
ENGINES = "autocommit_engines"
# An execution option: this statement is a whole write by itself (one UPDATE of one row, say).
# Outside a transaction it commits alone, with no BEGIN and COMMIT around it; inside one it is
# part of that transaction, as any statement is.
STANDS_ALONE = "stands_alone"
# The drivers whose "is a transaction open?" is known here; others always get transactions.
IN_TRANSACTION = {
    # psycopg 3: the server's transaction status, kept on the client (0 is IDLE).
    "psycopg": lambda dbapi: dbapi.info.transaction_status != 0,
    "pysqlite": lambda dbapi: dbapi.in_transaction,
}


class RequestSession(Session):
    """Flask-SQLAlchemy's session, on the autocommit engine while NO_TRANSACTION is set: from
    its start when it is made for a GET or HEAD request, until that request ends.

    A session made before the request (a test's own, in an outer app context) keeps ordinary
    transactions: one transaction stays on one connection.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if has_request_context() and (
            request.method in READ_ONLY_METHODS
            or getattr(current_app.view_functions.get(request.endpoint), WITHOUT, False)
        ):
            self.info[NO_TRANSACTION] = True

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):  # type: ignore[no-untyped-def, override]
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if bind is None and self.info.get(NO_TRANSACTION):
            return autocommit(engine)
        return engine


WITHOUT = "reads_without_transaction"


def reads_without_transaction(view: Callable) -> Callable:
    """A view whose every request (POST too) reads outside a transaction, as a GET does.

    For a view whose writes are statements that stand alone (STANDS_ALONE): any other write it
    makes still begins a transaction first.
    """
    setattr(view, WITHOUT, True)
    return view


def autocommit(engine: Any) -> Any:
    """The engine's autocommit twin, or the engine itself where it has none."""
    return current_app.extensions[ENGINES].get(engine, engine)


def plain_read(context: Any) -> bool:
    """Whether a statement reads only and needs no transaction around it."""
    compiled = context.compiled
    statement = getattr(compiled, "statement", None)
    return (
        isinstance(statement, Select)
        and statement._for_update_arg is None
        and not compiled.ctes
        and not context.execution_options.get("stream_results")
    )


def begin_before_writes(in_transaction):  # type: ignore[no-untyped-def]
    """A before_cursor_execute listener: BEGIN before the first statement that is not a read."""

    def listener(conn: Connection, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if context is not None and (
            plain_read(context) or context.execution_options.get(STANDS_ALONE)
        ):
            return
        dbapi = conn.connection.dbapi_connection
        if not in_transaction(dbapi):
            # On the connection, not on the cursor: that may be a server-side one.
            dbapi.execute("BEGIN")

    return listener


def twin(engine: Engine) -> Engine | None:
    """The engine's autocommit twin on the same pool, for the drivers known here."""
    in_transaction = IN_TRANSACTION.get(engine.dialect.driver)
    if in_transaction is None:
        return None
    made = engine.execution_options(isolation_level="AUTOCOMMIT")
    event.listen(made, "before_cursor_execute", begin_before_writes(in_transaction))
    return made


def init_app(app: Flask, db: Any) -> None:
    """Twin the app's engines; end a GET or HEAD request's session with the request."""
    with app.app_context():
        engines = {}
        for engine in db.engines.values():
            made = twin(engine)
            if made is not None:
                engines[engine] = made
    app.extensions[ENGINES] = engines

    def end_read_only_session(error: BaseException | None) -> None:
        if not db.session.registry.has():
            return
        session = db.session.registry()
        if session.info.pop(NO_TRANSACTION, False):
            # What this request left open ends with it (an uncommitted write is rolled back,
            # as Flask-SQLAlchemy's removal of the session would), so that no later use of the
            # same session shares a transaction across the two engines.
            session.close()

    app.teardown_request(end_read_only_session)
