"""A read-only link beside the secret link (issue #13).

The respondent makes it at their secret link and may revoke it; whoever has it reads the result
and the answers with their notes, and nothing more: no change link, form, secret link or link
to a page behind the secret link is on its pages. Its token is a second random token of its own
(app/models.py new_token), looked up in its own column, so neither link leads to the other.
Revoking empties the column: the old token opens nothing, and a new link gets a new token.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from app.assessment import service
from app.assessment.answer_rows import answer_rows
from app.assessment.forms import ReadOnlyLinkForm
from app.assessment.report import render_result
from app.assessment.routes import TOKEN, keep_private, pdf_download, radar_download
from app.errors import UnknownLink
from app.i18n import current_language, localized_route
from app.models import Assessment
from app.urls import public_url

bp = Blueprint("read_only", __name__)
# The read-only token: the same form and length as the secret link's (43 URL-safe characters).
VIEW_TOKEN = "<string(length=43):view_token>"  # noqa: S105 (a URL rule, not a password)
# Both kinds of page are nobody's cache and no search engine's business.
bp.after_request(keep_private)


class UnknownReadOnlyLink(UnknownLink):
    """A read-only link that leads to nothing: revoked, deleted with its assessment, mistyped."""


@bp.errorhandler(UnknownReadOnlyLink)
def unknown_read_only_link(error: UnknownReadOnlyLink):  # type: ignore[no-untyped-def]
    return render_template("views/assessment/read_only_unknown.html"), 404


# --- at the secret link: make, show and revoke the read-only link -------------------------------


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{read_only}}", methods=["GET"])
def manage(token: str):
    """The read-only link to copy and a button to revoke it, or a button to make one."""
    assessment = service.find(token)
    link = None
    if assessment.view_token:
        link = public_url("read_only.page", view_token=assessment.view_token)  # not the Host
    return render_template(
        "views/assessment/read_only_manage.html",
        assessment=assessment,
        link=link,
        form=ReadOnlyLinkForm(),
    )


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{read_only}}/{{share_link}}", methods=["POST"])
def share(token: str):
    """Make the read-only link (a link that exists already is kept as it is)."""
    assessment = service.find(token)
    if not ReadOnlyLinkForm().validate_on_submit():
        abort(400)
    had_one = assessment.view_token is not None
    service.share_read_only(assessment)
    if had_one:
        flash(_("The assessment already has a read-only link. It is shown below."), "info")
    else:
        flash(_("The read-only link is ready. Copy it and share it."), "success")
    return redirect(url_for(".manage", token=token))


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{read_only}}/{{revoke_link}}", methods=["POST"])
def revoke(token: str):
    """Revoke the read-only link: it stops working at once, for everyone who has it."""
    assessment = service.find(token)
    if not ReadOnlyLinkForm().validate_on_submit():
        abort(400)
    service.revoke_read_only(assessment)
    flash(_("The read-only link is revoked. It no longer opens the assessment."), "success")
    return redirect(url_for(".manage", token=token))


# --- at the read-only link: read, never change ---------------------------------------------------


def shared(view_token: str) -> Assessment:
    """The assessment behind a read-only link, or the read-only link's own 404 page."""
    try:
        return service.find_by_view_token(view_token)
    except UnknownLink:
        raise UnknownReadOnlyLink() from None


def shared_result(view_token: str) -> Assessment:
    """Files exist only for submitted results."""
    assessment = shared(view_token)
    if not assessment.submitted:
        abort(404)
    return assessment


@localized_route(bp, f"/{{assessment}}/{{read_only}}/{VIEW_TOKEN}", methods=["GET"])
def page(view_token: str):
    """The result (once submitted) and the answers with their notes, without a way to change."""
    assessment = shared(view_token)
    questionnaire = service.questionnaire_of(assessment)
    context = {
        "view_token": view_token,
        "same_version": assessment.questionnaire_version == questionnaire.version,
        # No change links: None leaves them out.
        "rows": answer_rows(
            questionnaire, assessment.answers, assessment.notes, current_language(), None
        ),
    }
    template = "views/assessment/read_only.html"
    if assessment.submitted:
        return render_result(assessment, g.lang, template, **context)
    return render_template(template, assessment=assessment, view=None, chart=None, **context)


@localized_route(bp, f"/{{assessment}}/{{read_only}}/{VIEW_TOKEN}/radar.png", methods=["GET"])
def radar_png(view_token: str):
    """The radar as a PNG file, as at the secret link."""
    return radar_download(shared_result(view_token))


@localized_route(bp, f"/{{assessment}}/{{read_only}}/{VIEW_TOKEN}/{{report}}.pdf", methods=["GET"])
def pdf(view_token: str):
    """The PDF report, as at the secret link (it holds no link back to the result)."""
    return pdf_download(shared_result(view_token))
