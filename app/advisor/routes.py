"""The advisor workspace's pages: login in two steps, TOTP setup, logout, and the home page.

Thin: the rules live in app/advisor/accounts.py. Every page here answers Cache-Control: no-store,
and every page but the three login steps (PUBLIC) needs a full login (tests/test_advisor_access.py
walks the URL map to prove it).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, logout_user

from app.advisor import accounts
from app.advisor.forms import CodeForm, LoginForm, SetupForm
from app.assessment import service
from app.extensions import db, login_manager
from app.i18n import localized_route
from app.models import Advisor
from app.review.listing import read_filters, sent_assessments

bp = Blueprint("advisor", __name__)

# The login steps, open without a full login; every other advisor page needs one.
PUBLIC = frozenset({"advisor.login", "advisor.second_factor", "advisor.setup"})
TEMPLATES = "views/advisor/"


def _wrong_login() -> str:
    # The same words for an unknown address, a wrong password and a disabled account.
    return _("The e-mail address or the password is wrong. Check both and try again.")


def _wrong_code() -> str:
    return _("The code is wrong or has been used. Check it and try again.")


def init_app(app: Flask) -> None:
    """Flask-Login: who is logged in is decided by the account and the session's own stamps."""
    # Flask-Login's own context processor loads the user for every page drawn, which reads the
    # session, and that makes every public page Vary: Cookie. The proxy loads the user only where
    # a template asks for it (the advisor pages).
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    # Its after-request hook looks into the session on every request for a "remember me" cookie
    # to set or clear (logins here never set one), which also makes every answer Vary: Cookie.
    # Only an advisor page logs in or out; the public pages, the questionnaire and the health
    # checks have nothing for it to do.
    app.after_request_funcs[None].remove(login_manager._update_remember_cookie)

    @app.after_request
    def update_remember_cookie(response):  # type: ignore[no-untyped-def]
        if request.blueprint != "advisor":
            return response
        return login_manager._update_remember_cookie(response)

    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> Advisor | None:
        if not user_id.isdigit():
            return None
        advisor = db.session.get(Advisor, int(user_id))
        if advisor is None:
            return None
        timeouts = accounts.Timeouts.of(current_app.config)
        if accounts.session_problem(session, advisor, accounts.timestamp(), timeouts):
            return None
        return advisor

    @login_manager.unauthorized_handler
    def to_login():  # type: ignore[no-untyped-def]
        if accounts.had_session(session):  # timed out, or ended elsewhere
            session.clear()
            flash(_("You have been logged out. Log in again to go on."), "info")
        wanted = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("advisor.login", next=accounts.safe_next(wanted)))


@bp.before_request
def note_activity() -> None:
    """A request of a logged-in advisor postpones the idle timeout (checked first, on loading)."""
    if current_user.is_authenticated:
        accounts.touch(session)


@bp.after_request
def no_store(response):  # type: ignore[no-untyped-def]
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def session_figures() -> dict:
    config = current_app.config
    return {
        "idle_timeout": config["ADVISOR_IDLE_TIMEOUT"],
        "idle_warning": config["ADVISOR_IDLE_WARNING"],
    }


def _start_again(message: str | None = None):  # type: ignore[no-untyped-def]
    if message or accounts.PENDING in session:
        session.pop(accounts.PENDING, None)
        flash(message or _("The login took too long. Start again."), "info")
    return redirect(url_for(".login"))


@localized_route(bp, "/{advisor}/{login}", methods=["GET", "POST"])
def login():
    """Step 1: e-mail address and password."""
    if current_user.is_authenticated:
        return redirect(url_for(".home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = accounts.safe_next(request.args.get("next"))
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template(TEMPLATES + "login.html", form=form), status
    advisor = accounts.authenticate(form.email.data or "", form.password.data or "")
    if advisor is None:
        db.session.commit()  # the failure in the audit log
        form.password.errors = [_wrong_login()]
        return render_template(TEMPLATES + "login.html", form=form), 400
    accounts.start_pending(session, advisor, form.next.data)
    db.session.commit()
    return redirect(url_for(".second_factor" if advisor.totp_confirmed_at else ".setup"))


@localized_route(bp, "/{advisor}/{login_code}", methods=["GET", "POST"])
def second_factor():
    """Step 2: a code from the authenticator app, or a recovery code (each good once)."""
    advisor = accounts.pending(session, current_app.config["ADVISOR_PENDING_TIMEOUT"])
    if advisor is None:
        return _start_again()
    if advisor.totp_confirmed_at is None:
        return redirect(url_for(".setup"))
    form = CodeForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template(TEMPLATES + "second_factor.html", form=form), status
    method = accounts.check_second_factor(advisor, form.code.data or "")
    if method is None:
        last_try = accounts.wrong_code(session, advisor, "second_factor")
        db.session.commit()
        if last_try:
            return _start_again(_("Too many wrong codes. Log in again."))
        form.code.errors = [_wrong_code()]
        return render_template(TEMPLATES + "second_factor.html", form=form), 400
    next_url = accounts.begin_session(session, advisor, method)
    db.session.commit()
    if method == "recovery":
        left = len(advisor.recovery_codes)
        flash(
            ngettext(
                "You logged in with a recovery code, which cannot be used again. "
                "%(num)d recovery code is left.",
                "You logged in with a recovery code, which cannot be used again. "
                "%(num)d recovery codes are left.",
                left,
            ),
            "info",
        )
    return redirect(next_url or url_for(".home"))


@localized_route(bp, "/{advisor}/{setup}", methods=["GET", "POST"])
def setup():
    """The first login: add the account to an authenticator app, confirm with a code, and get
    the recovery codes, shown this once."""
    advisor = accounts.pending(session, current_app.config["ADVISOR_PENDING_TIMEOUT"])
    if advisor is None:
        return _start_again()
    if advisor.totp_confirmed_at is not None:
        return redirect(url_for(".second_factor"))
    if not session[accounts.PENDING]["setup"] or advisor.totp_secret is None:
        if request.method == "POST":
            return redirect(url_for(".setup"))
        advisor.totp_secret = accounts.new_totp_secret()  # new for each login until confirmed
        accounts.update_pending(session, setup=True)
        db.session.commit()
    form = SetupForm()
    if form.validate_on_submit():
        codes = accounts.confirm_totp(advisor, form.code.data or "")
        if codes is not None:
            next_url = accounts.begin_session(session, advisor, "totp_setup")
            db.session.commit()
            return render_template(
                TEMPLATES + "recovery_codes.html", codes=codes, next_url=next_url
            )
        last_try = accounts.wrong_code(session, advisor, "setup")
        db.session.commit()
        if last_try:
            return _start_again(_("Too many wrong codes. Log in again."))
        form.code.errors = [_wrong_code()]
    uri = accounts.totp_uri(advisor, current_app.config["ADVISOR_TOTP_ISSUER"])
    page = render_template(
        TEMPLATES + "setup.html",
        form=form,
        qr=accounts.qr_svg(uri, _("QR code for your authenticator app")),
        secret=accounts.grouped(advisor.totp_secret),
    )
    return page, 400 if form.errors else 200


@localized_route(bp, "/{advisor}/{logout}", methods=["POST"])
@login_required
def logout():
    """Log out here and everywhere else the account is logged in."""
    accounts.log_out(session, current_user._get_current_object())
    logout_user()
    db.session.commit()
    flash(_("You are logged out."), "success")
    return redirect(url_for(".login"))


@localized_route(bp, "/{advisor}/{stay}", methods=["POST"])
@login_required
def stay():
    """Stay logged in: the request itself postponed the idle timeout (note_activity)."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify(idle_timeout=current_app.config["ADVISOR_IDLE_TIMEOUT"])
    return redirect(accounts.safe_next(request.form.get("next")) or url_for(".home"))


def level_choices(lang: str) -> list[tuple[str, str]]:
    """The five levels, lowest first, in the page's language (both questionnaires share them)."""
    questionnaire = service.questionnaires()["kommune"]
    return [(level.id, level.title[lang]) for level in questionnaire.levels]


def dimension_choices(lang: str) -> list[tuple[str, str]]:
    """Every dimension of either questionnaire once, in questionnaire order, named in lang."""
    names: dict[str, str] = {}
    for questionnaire in service.questionnaires().values():
        for dimension in questionnaire.dimensions:
            names.setdefault(dimension.id, dimension.title[lang])
    return list(names.items())


@localized_route(bp, "/{advisor}/")
@login_required
def home():
    """The sent assessments: filtered, sorted and paged in the database, with counts per status."""
    levels = level_choices(g.lang)
    dimensions = dimension_choices(g.lang)
    filters = read_filters(request.args, dict(dimensions), [value for value, _name in levels])
    return render_template(
        "views/advisor/list.html",
        page=sent_assessments(filters),
        filters=filters,
        levels=levels,
        level_names=dict(levels),
        dimensions=dimensions,
    )


# The review of one sent assessment lives in its own module, on this blueprint.
from app.advisor import review  # noqa: E402, F401
