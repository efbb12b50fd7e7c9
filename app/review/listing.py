"""The list of assessments sent to the fund: filtered, sorted and paginated in the database.

Every filter reads an indexed column of `sending` (copied from the frozen result when it was
sent), so the list never loads every row or recomputes a score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import SENDING_STATUSES, Assessment, Sending

PER_PAGE = 25
SORTS = {
    "sent_desc": Sending.sent_at.desc(),
    "sent_asc": Sending.sent_at.asc(),
    "score_asc": Sending.overall_score.asc(),
    "score_desc": Sending.overall_score.desc(),
    "organisation": Assessment.organisation.asc(),
}


@dataclass(frozen=True)
class Filters:
    """What an advisor narrows the list by; empty fields filter nothing."""

    role: str = ""
    status: str = ""
    advisor: int | None = None
    level: str = ""
    high_flags: bool = False
    unmet: bool = False
    sent_from: date | None = None
    sent_to: date | None = None
    text: str = ""
    sort: str = "sent_desc"
    page: int = 1

    def query_args(self, **changes: Any) -> dict[str, Any]:
        """The filters as URL arguments, for links that keep them (a page, another sort)."""
        values = {**self.__dict__, **changes}
        args = {k: v for k, v in values.items() if v not in ("", None, False)}
        for key in ("sent_from", "sent_to"):
            if key in args:
                args[key] = args[key].isoformat()
        if args.get("page") == 1:
            args.pop("page")
        if args.get("sort") == "sent_desc":
            args.pop("sort")
        return args


@dataclass
class Page:
    """One page of the list, the total that matched, and the counts per status."""

    rows: list[tuple[Sending, Assessment]]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)


def read_filters(args: Any) -> Filters:
    """Filters from query arguments; anything that does not parse is left out, never a 500."""

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(args.get(name, ""))
        except ValueError:
            return None

    def number(name: str) -> int | None:
        text = args.get(name, "")
        return int(text) if text.isdigit() and len(text) < 10 else None

    status = args.get("status", "")
    sort = args.get("sort", "sent_desc")
    return Filters(
        role=args.get("role", "") if args.get("role") in ("kommune", "leverandoer") else "",
        status=status if status in SENDING_STATUSES else "",
        advisor=number("advisor"),
        level=args.get("level", "")[:40],
        high_flags=args.get("high_flags") == "1",
        unmet=args.get("unmet") == "1",
        sent_from=day("sent_from"),
        sent_to=day("sent_to"),
        text=args.get("text", "").strip()[:200],
        sort=sort if sort in SORTS else "sent_desc",
        page=max(1, number("page") or 1),
    )


def _conditions(f: Filters) -> list:  # type: ignore[type-arg]
    conditions = []
    if f.role:
        conditions.append(Sending.role == f.role)
    if f.status:
        conditions.append(Sending.status == f.status)
    if f.advisor is not None:
        conditions.append(Sending.assigned_advisor_id == f.advisor)
    if f.level:
        conditions.append(Sending.overall_level == f.level)
    if f.high_flags:
        conditions.append(Sending.high_flags > 0)
    if f.unmet:
        conditions.append(Sending.requirements_unmet > 0)
    if f.sent_from:
        conditions.append(Sending.sent_at >= datetime.combine(f.sent_from, time.min, UTC))
    if f.sent_to:
        end = datetime.combine(f.sent_to + timedelta(days=1), time.min, UTC)
        conditions.append(Sending.sent_at < end)
    if f.text:
        pattern = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                Assessment.organisation.ilike(pattern, escape="\\"),
                Assessment.programme.ilike(pattern, escape="\\"),
            )
        )
    return conditions


def sent_assessments(f: Filters, per_page: int = PER_PAGE) -> Page:
    """One page of the filtered list, with the total and the counts per status."""
    conditions = _conditions(f)
    base = select(Sending, Assessment).join(Assessment, Sending.assessment_id == Assessment.id)
    total = (
        db.session.scalar(
            select(func.count()).select_from(Sending).join(Assessment).where(*conditions)
        )
        or 0
    )
    pages = max(1, -(-total // per_page))
    page = min(f.page, pages)
    rows = db.session.execute(
        base.where(*conditions)
        .order_by(SORTS[f.sort], Sending.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    # The counts per status ignore the status filter, so every status can be picked from them.
    others = _conditions(Filters(**{**f.__dict__, "status": ""}))
    counted = db.session.execute(
        select(Sending.status, func.count())
        .select_from(Sending)
        .join(Assessment)
        .where(*others)
        .group_by(Sending.status)
    ).all()
    counts = {status: 0 for status in SENDING_STATUSES}
    counts.update({status: n for status, n in counted})
    return Page([tuple(r) for r in rows], total, page, pages, counts)  # type: ignore[misc]
