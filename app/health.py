"""Health check for load balancers and monitoring."""

from flask import Blueprint, jsonify
from sqlalchemy import literal_column, select
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

bp = Blueprint("health", __name__)
HEALTH_QUERY = select(literal_column("1"))


@bp.get("/healthz")
def healthz():
    """Answer JSON: ok when the database answers, 503 when it does not."""
    try:
        # A compiled SELECT, not text SQL: it reads outside a transaction (app/transactions.py),
        # so a check is the pool's ping and this, with no BEGIN and ROLLBACK.
        db.session.execute(HEALTH_QUERY)
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/livez")
def livez():
    """Answer that the process is alive, touching nothing (also the benchmark's baseline)."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
