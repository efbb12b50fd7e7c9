"""The audit log as a lead advisor reads it: newest first, filtered and paginated in the database.

Actors are stored as "advisor:<id>", "respondent", "system" or "unknown" (a failed login for an
address with no account); the names of the advisors on a page are read in one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Advisor, AuditEvent

PER_PAGE = 50
BATCH = 500
ADVISOR_PREFIX = "advisor:"


@dataclass(frozen=True)
class LogFilters:
    """What a lead narrows the log by; empty fields filter nothing."""

    action: str = ""
    assessment: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

    def query_args(self, **changes: Any) -> dict[str, Any]:
        """The filters as URL arguments, for links that keep them (a page, the export)."""
        values = {**self.__dict__, **changes}
        args = {k: v for k, v in values.items() if v not in ("", None)}
        for key in ("date_from", "date_to"):
            if key in args:
                args[key] = args[key].isoformat()
        if args.get("page") == 1:
            args.pop("page")
        return args


@dataclass
class LogPage:
    """One page of the log and how many events matched."""

    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def read_log_filters(args: Any, actions: Iterable[str]) -> LogFilters:
    """Filters from query arguments; anything that does not parse is left out, never a 500."""

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(args.get(name, ""))
        except ValueError:
            return None

    def number(name: str) -> int | None:
        text = args.get(name, "").strip().removeprefix("#")
        return int(text) if text.isdigit() and len(text) < 10 else None

    action = args.get("action", "")
    return LogFilters(
        action=action if action in set(actions) else "",
        assessment=number("assessment"),
        date_from=day("date_from"),
        date_to=day("date_to"),
        page=max(1, number("page") or 1),
    )


def _conditions(f: LogFilters) -> list:  # type: ignore[type-arg]
    conditions = []
    if f.action:
        conditions.append(AuditEvent.action == f.action)
    if f.assessment is not None:
        conditions.append(AuditEvent.assessment_id == f.assessment)
    if f.date_from:
        conditions.append(AuditEvent.at >= datetime.combine(f.date_from, time.min, UTC))
    if f.date_to:
        end = datetime.combine(f.date_to + timedelta(days=1), time.min, UTC)
        conditions.append(AuditEvent.at < end)
    return conditions


NEWEST_FIRST = (AuditEvent.at.desc(), AuditEvent.id.desc())


def last_id() -> int:
    """The newest event's id (0 for an empty log): an export holds the events up to it."""
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def count(f: LogFilters, up_to: int | None = None) -> int:
    """How many events the filters match (up to an event's id, if given)."""
    bound = [AuditEvent.id <= up_to] if up_to is not None else []
    query = select(func.count(AuditEvent.id)).where(*_conditions(f), *bound)
    return db.session.scalar(query) or 0


def log_page(f: LogFilters, per_page: int = PER_PAGE) -> LogPage:
    """One page of the filtered log, newest first."""
    total = count(f)
    pages = max(1, -(-total // per_page))
    page = min(f.page, pages)
    events = db.session.scalars(
        select(AuditEvent)
        .where(*_conditions(f))
        .order_by(*NEWEST_FIRST)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return LogPage(list(events), total, page, pages)


def every_event(f: LogFilters, up_to: int) -> Iterator[AuditEvent]:
    """Every event the filters match up to an event's id, newest first, read BATCH at a time."""
    query = (
        select(AuditEvent)
        .where(*_conditions(f), AuditEvent.id <= up_to)
        .order_by(*NEWEST_FIRST)
        .execution_options(yield_per=BATCH)
    )
    yield from db.session.scalars(query)


def advisor_id(actor: str) -> int | None:
    """The advisor's id in an actor string ("advisor:7"), else None."""
    number = actor.removeprefix(ADVISOR_PREFIX) if actor.startswith(ADVISOR_PREFIX) else ""
    return int(number) if number.isdigit() else None


def advisor_names(actors: Iterable[str] | None = None) -> dict[int, str]:
    """The names of the advisors among the actors (every advisor's, when none are given)."""
    query = select(Advisor.id, Advisor.name)
    if actors is not None:
        ids = {i for i in (advisor_id(a) for a in actors) if i is not None}
        if not ids:
            return {}
        query = query.where(Advisor.id.in_(ids))
    return {number: name for number, name in db.session.execute(query)}
