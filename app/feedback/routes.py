"""Store readers' feedback on content pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect
from flask_wtf.csrf import CSRFError

from app.extensions import csrf, db
from app.feedback.forms import FeedbackForm
from app.i18n import localized_route
from app.main.routes import FEEDBACK_SENT, library, page_url, render_page
from app.models import PageFeedback
from app.security import from_this_site

bp = Blueprint("feedback", __name__)


@localized_route(bp, "/feedback", methods=["POST"])
@csrf.exempt  # the form is on public pages, which carry no token: the request's origin is checked
def submit():
    """Save one answer, then return to the page; on errors show the page with the error summary.

    A POST from another site is refused with the page a refused CSRF token gets (see
    app/security.py from_this_site for what counts as this site). Like Flask-WTF's token check,
    the check is off when WTF_CSRF_ENABLED is (the tests' default app, see tests/conftest.py).
    """
    if current_app.config.get("WTF_CSRF_ENABLED", True) and not from_this_site():
        raise CSRFError("The form was not sent from this site.")
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
    # The thank-you is part of the page shown next (not a flashed message, which would need a
    # session cookie on a public page).
    name, value = FEEDBACK_SENT
    return redirect(f"{page_url(page)}?{name}={value}#feedback")


def show_feedback_unsaved() -> str | None:
    """While the database is down or refuses to store: the page with the feedback as typed."""
    from app.assessment.routes import typed_but_not_saved

    form = FeedbackForm()
    page = library().by_key(g.lang, form.kind.data or "", form.key.data or "")
    if page is None:
        return None
    html, _status = render_page(page, form=form, notice=typed_but_not_saved())
    return html
