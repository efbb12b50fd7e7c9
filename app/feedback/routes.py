"""Store readers' feedback on content pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect
from flask_babel import gettext as _

from app.extensions import db
from app.feedback.forms import FeedbackForm
from app.i18n import localized_route
from app.main.routes import library, page_url, render_page
from app.models import PageFeedback

bp = Blueprint("feedback", __name__)


@localized_route(bp, "/feedback", methods=["POST"])
def submit():
    """Save one answer, then return to the page; on errors show the page with the error summary."""
    form = FeedbackForm()
    kind, key = form.kind.data or "", form.key.data or ""
    page = library().by_key(g.lang, kind, key)
    if page is None:
        abort(404)
    if not form.validate_on_submit():
        return render_page(page, form=form, status=400)
    db.session.add(
        PageFeedback(
            page_key=f"{kind}/{key}",
            lang=g.lang,
            useful=form.useful.data == "yes",
            comment=(form.comment.data or "").strip(),
        )
    )
    db.session.commit()
    flash(_("Thank you. Your answer has been saved."), "success")
    return redirect(page_url(page) + "#feedback")
