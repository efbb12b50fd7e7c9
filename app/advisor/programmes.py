"""Programmes in the advisor workspace: the list, a programme's page, and filing an assessment.

Thin: reading and saving are in app/review/programmes.py, the page's rows in programme_view.py.
Filing uses optimistic locking: the form carries the sending's lock_version as the page read it,
and a save that finds it moved is told so and shown the current state, never saved over it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.advisor import review
from app.advisor.forms import FilingForm, ProgrammeForm
from app.advisor.programme_view import page_view
from app.advisor.routes import bp
from app.core.programme import NEW_PROGRAMME, suggested_first
from app.extensions import db
from app.i18n import localized_route
from app.models import Programme, Sending
from app.review import programmes as service

TEMPLATES = "views/advisor/"


@dataclass(frozen=True)
class Filing:
    """What the filing form on an assessment's page shows."""

    form: FilingForm
    suggested: list[tuple[int, str]]
    others: list[tuple[int, str]]
    current: Programme | None
    conflict: bool


def filing_form(sending: Sending, programmes: list[Programme], fresh: bool = False) -> FilingForm:
    """The form with its choices; fresh shows the sending as it is now, not what was posted."""
    form = FilingForm(formdata=None) if fresh else FilingForm()
    form.programme_id.choices = [
        ("", _("No programme")),
        *[(str(p.id), p.name) for p in programmes],
        (NEW_PROGRAMME, _("A new programme (name it below)")),
    ]
    if fresh:
        form.programme_id.data = str(sending.programme_id or "")
        form.lock_version.data = str(sending.lock_version)
    return form


def filing_for(sending: Sending, programmes: list[Programme] | None = None) -> Filing:
    """The filing form of a sending's page: a form kept from a refused save, or a fresh one.

    Programmes whose name matches the programme the respondent typed are suggested first.
    """
    programmes = service.every_programme() if programmes is None else programmes
    form = g.get("programme_filing_form") or filing_form(sending, programmes, fresh=True)
    suggested, others = suggested_first(
        [(p.id, p.name) for p in programmes], sending.assessment.programme
    )
    return Filing(
        form, suggested, others, sending.programme, bool(g.get("programme_conflict", False))
    )


@bp.context_processor
def programme_filing() -> dict:
    return {"programme_filing": filing_for}


def _shown_sending(sending_id: int) -> Sending:
    sending = db.session.get(Sending, sending_id)
    if sending is None or sending.status == "withdrawn":
        abort(404)
    return sending


@localized_route(bp, "/{advisor}/<int:sending_id>/{programmes}", methods=["POST"])
@login_required
def file_sending(sending_id: int):
    """File a sent assessment under a programme (or a new one, or none), unless it changed."""
    sending = _shown_sending(sending_id)
    form = filing_form(sending, service.every_programme())
    if not form.validate_on_submit():
        g.programme_filing_form = form
        return review.review_page(sending, status=400)
    read = form.read_version()
    try:
        service.file(
            sending,
            form.programme_id.data or "",
            form.programme_name.data or "",
            read if read is not None else -1,
            current_user.id,
        )
    except service.Conflict:
        db.session.rollback()
        g.programme_conflict = True
        db.session.refresh(sending)
        return review.review_page(sending, status=409)
    flash(_("Saved: the programme the assessment is filed under."), "success")
    return redirect(url_for(".assessment", sending_id=sending_id))


@localized_route(bp, "/{advisor}/{programmes}", methods=["GET", "POST"])
@login_required
def programmes():
    """Every programme, with a form to make a new one."""
    form = ProgrammeForm()
    if form.validate_on_submit():
        programme = service.create(form.name.data or "", current_user.id)
        db.session.commit()
        flash(_("The programme has been made."), "success")
        return redirect(url_for(".programme", programme_id=programme.id))
    page = render_template(TEMPLATES + "programmes.html", form=form, listed=service.listed())
    return page, 400 if form.errors else 200


@localized_route(bp, "/{advisor}/{programmes}/<int:programme_id>")
@login_required
def programme(programme_id: int):
    """One programme: its parties' latest radars overlaid, where they disagree, and the change."""
    found = db.session.get(Programme, programme_id)
    if found is None:
        abort(404)
    return render_template(
        TEMPLATES + "programme.html", programme=found, **page_view(found, g.lang)
    )
