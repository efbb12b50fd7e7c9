"""The self-assessment: start, one page per dimension, check answers, submit, results and files."""

from __future__ import annotations

import contextlib
import hashlib
import json
from io import BytesIO
from types import SimpleNamespace

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.assessment import sending, service, step_page
from app.assessment.answer_rows import answer_rows
from app.assessment.forms import MailLinkForm, SendForm, StartForm, build_dimension_form, mark
from app.assessment.report import chart_png, render_result, report_html, report_pdf, result_view
from app.core.filenames import download_name
from app.core.questionnaire import Dimension, Questionnaire
from app.core.scoring import is_shown
from app.i18n import LANGUAGES, alternate_urls, current_language, localized_route
from app.models import Assessment
from app.review.dashboard import benchmark as others_of
from app.review.portfolio import benchmark_view
from app.transactions import reads_without_transaction
from app.urls import public_url

bp = Blueprint("assessment", __name__)
TOKEN = "<string(length=43):token>"  # noqa: S105 (a URL rule, not a password)


@bp.after_request
def keep_private(response: Response) -> Response:
    """Pages behind a secret link are nobody's cache and no search engine's business.

    A stored result, its radar and its PDF carry an ETag: the respondent's own browser may keep
    them and ask again (no-cache), and gets a 304 while they are unchanged. Shared caches never.
    """
    stored = response.headers.get("ETag") is not None
    response.headers["Cache-Control"] = "private, no-cache" if stored else "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def page_count(assessment: Assessment) -> int:
    """Dimension pages plus the check-your-answers page."""
    return len(service.questionnaire_of(assessment).dimensions) + 1


@localized_route(bp, "/{assessment}/", methods=["GET", "POST"])
def start():
    """Choose role, name the organisation and programme, read what is stored, and begin."""
    form = StartForm()
    if form.validate_on_submit():
        assessment = service.start(
            form.role.data, g.lang, form.organisation.data, form.programme.data, form.email.data
        )
        return redirect(url_for("assessment.step", token=assessment.token, number=1))
    if request.method == "GET" and not request.args and plain_page():
        return stored_start(form)
    return render_template(
        "views/assessment/start.html",
        form=form,
        questionnaires=service.questionnaires(),
    ), (400 if form.errors else 200)


def plain_page() -> bool:
    """Whether a page may come from a copy drawn once: nothing of this visitor's shows on it."""
    return current_app.config["STEP_SKELETONS"] and not session.get("_flashes")


def stored_start(form: StartForm) -> str:
    """The empty start page, drawn once per language, with this visitor's own CSRF token."""
    csrf = getattr(form, "csrf_token", None)  # absent where CSRF is off (some tests)
    token = str(escape(csrf.current_token)) if csrf is not None else step_page.STAND_IN_CSRF
    store = step_page.skeletons()
    skeleton = store.get(("start", g.lang))
    if skeleton is not None:
        return skeleton.replace(step_page.STAND_IN_CSRF, token)
    html = render_template(
        "views/assessment/start.html", form=form, questionnaires=service.questionnaires()
    )
    store.put(("start", g.lang), html.replace(token, step_page.STAND_IN_CSRF))
    return html


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{step}}/<int:number>", methods=["GET", "POST"])
@reads_without_transaction  # a posted page is one SELECT and one UPDATE that stands alone
def step(token: str, number: int):
    """One dimension's questions; 'save and continue' needs every shown question answered.

    'Save and come back later' and a change of language keep what was typed without asking for
    the rest: the language buttons post this page to the same step in the other language.
    """
    assessment, dimension = draft_page(token, number)
    if request.method == "GET":
        questionnaire = service.questionnaire_of(assessment)
        if not page_applies(questionnaire, assessment.answers, number):
            # Routed away by an earlier answer: on to the next page that is asked.
            following = next_page(questionnaire, assessment.answers, number)
            if following is None:
                return redirect(url_for("assessment.answers", token=token))
            return redirect(url_for("assessment.step", token=token, number=following))
        return render_step(assessment, number, None)
    form = build_dimension_form(dimension, assessment.answers, assessment.notes, request.form)
    action = request.form.get("action")
    continuing = action not in ("save", "switch")
    questionnaire = service.questionnaire_of(assessment)
    valid = form.validate_on_submit()  # every field checked, so all errors show at once
    complete = not continuing or form.all_shown_answered(questionnaire, assessment.answers)
    if not (valid and complete):
        return render_step(assessment, number, form), 400
    saved_answers = service.save_page(
        assessment, [q.id for q in dimension.questions], form.answers(), form.notes()
    )
    if action == "switch":
        flash(_("Your answers on this page were saved when you changed the language."), "success")
        return redirect(url_for("assessment.step", token=token, number=number, **return_args()))
    if action == "save":
        flash(_("Your answers are saved."), "success")
        return redirect(url_for("assessment.overview", token=token))
    following = next_page(questionnaire, saved_answers, number)
    if return_args():  # back from a change link: to the changed section, which opens
        anchor = f"section-{dimension.id}"
        return redirect(url_for("assessment.answers", token=token, _anchor=anchor))
    if following is None:
        return redirect(url_for("assessment.answers", token=token))
    return redirect(url_for("assessment.step", token=token, number=following))


def page_applies(questionnaire: Questionnaire, answers: dict, number: int) -> bool:
    """Whether any question of a page is asked, given the answers (routing may skip a page)."""
    dimension = questionnaire.dimensions[number - 1]
    return any(is_shown(q, answers, questionnaire) for q in dimension.questions)


def next_page(questionnaire: Questionnaire, answers: dict, number: int) -> int | None:
    """The next page that is asked, or None when the answers come next."""
    for following in range(number + 1, len(questionnaire.dimensions) + 1):
        if page_applies(questionnaire, answers, following):
            return following
    return None


def previous_page(questionnaire: Questionnaire, answers: dict, number: int) -> int | None:
    """The page before that is asked, if any."""
    for earlier in range(number - 1, 0, -1):
        if page_applies(questionnaire, answers, earlier):
            return earlier
    return None


def return_args() -> dict[str, str]:
    """Keep "back to check your answers" on a page opened from a change link."""
    return {"back": "answers"} if request.args.get("back") == "answers" else {}


def draft_page(token: str, number: int) -> tuple[Assessment, Dimension]:
    """The draft and its dimension page; a submitted one leads to its result, a bad number 404s."""
    assessment = service.find_draft(token)
    if assessment.submitted:
        abort(redirect(url_for("assessment.result", token=token)))
    dimensions = service.questionnaire_of(assessment).dimensions
    if not 1 <= number <= len(dimensions):
        abort(404)
    return assessment, dimensions[number - 1]


def show_step_again(token: str, number: int):  # type: ignore[no-untyped-def]
    """After a refused CSRF token: the same page with what was typed, unsaved, and a new token."""
    assessment, dimension = draft_page(token, number)
    form = build_dimension_form(dimension, assessment.answers, assessment.notes, request.form)
    notice = _(
        "For your security this page was not saved: it was open for a long time or the browser "
        "was closed. Your answers are still here. Check them and save again."
    )
    return render_step(assessment, number, form, notice), 400


def show_step_unsaved() -> str | None:
    """While the database is down: the posted page again with what was typed, or None.

    The page carries its questionnaire's id, so it can be drawn without the database.
    """
    args = request.view_args or {}
    questionnaire = service.questionnaires().get(request.form.get("questionnaire", ""))
    number = args.get("number", 0)
    if questionnaire is None or not 1 <= number <= len(questionnaire.dimensions):
        return None
    unsaved = SimpleNamespace(
        token=args.get("token", ""),
        questionnaire_id=questionnaire.id,
        answers={},
        notes={},
        organisation="",
        programme="",
    )
    dimension = questionnaire.dimensions[number - 1]
    form = build_dimension_form(dimension, {}, {}, request.form)
    notice = _(
        "Your answers could not be saved just now, because of a fault on our side. They are "
        "still here. Wait a moment and save again."
    )
    # Without the stored answers, a question shown because of an earlier page's answer would be
    # left out: the questions whose fields came with the page are the ones that were shown.
    posted = {
        q.id
        for q in dimension.questions
        if f"q_{q.id}" in request.form or f"note_{q.id}" in request.form
    }
    return render_step(unsaved, number, form, notice, shown=posted)  # type: ignore[arg-type]


def show_start_unsaved() -> str:
    """While the database is down or refuses to store: the start form again with what was typed."""
    return render_template(
        "views/assessment/start.html",
        form=StartForm(),
        questionnaires=service.questionnaires(),
        notice=typed_but_not_saved(),
    )


def typed_but_not_saved() -> str:
    """The notice above a form drawn again because what it sent could not be stored."""
    return _(
        "What you typed could not be saved just now, because of a fault on our side. It is still "
        "here. Wait a moment and send it again."
    )


def render_step(  # type: ignore[no-untyped-def]
    assessment: Assessment,
    number: int,
    form,
    notice: str | None = None,
    shown: set[str] | frozenset[str] = frozenset(),
) -> str:
    """The page of one dimension: with `form` None, the stored answers as they are; `shown`
    questions are shown whatever the answers say.

    The stored answers on a plain page come from a skeleton drawn once (step_page); a page with
    errors, a notice, flashed messages or the advisor's comments on it is drawn in full.
    """
    questionnaire = service.questionnaire_of(assessment)
    dimension = questionnaire.dimensions[number - 1]
    answers = {**assessment.answers}
    for field in form.answer_fields() if form is not None else ():
        if field.answer is not None:
            answers[field.question.id] = field.answer
    back = return_args()
    comments = review_routes.review_comments_on(assessment)
    context = {
        "number": number,
        "total": page_count(assessment),
        "previous": previous_page(questionnaire, answers, number),
        "hidden": {
            q.id
            for q in dimension.questions
            if q.id not in shown and not is_shown(q, answers, questionnaire)
        },
        "back": back,
        "language_switch_form": "step-form",
    }
    plain = (
        form is None and plain_page() and not any(comments.get(q.id) for q in dimension.questions)
    )
    if plain:
        return stored_step(assessment, questionnaire, dimension, context)
    if form is None:
        form = build_dimension_form(dimension, assessment.answers, assessment.notes)
    g.alternates = step_alternates(assessment.token, number, back)
    return render_template(
        "views/assessment/step.html",
        assessment=assessment,
        questionnaire=questionnaire,
        dimension=dimension,
        form=form,
        notice=notice,
        advisor_comments=comments,
        **context,
    )


def step_alternates(token: str, number: int, back: dict[str, str]) -> dict[str, str]:
    return {
        lang: url_for("assessment.step", token=token, number=number, lang_code=lang, **back)
        for lang in LANGUAGES
    }


def stored_step(assessment, questionnaire, dimension, context) -> str:  # type: ignore[no-untyped-def]
    """The plain page from its skeleton, filled in with this respondent's link and answers."""
    has_programme = bool(assessment.programme)
    key = (
        g.lang,
        questionnaire.id,
        questionnaire.version,
        context["number"],
        context["total"],
        context["previous"],
        frozenset(context["hidden"]),
        tuple(context["back"].items()),
        has_programme,
    )
    store = step_page.skeletons()
    skeleton = store.get(key)
    if skeleton is None:
        alternates = step_alternates(step_page.STAND_IN_TOKEN, context["number"], context["back"])
        skeleton = step_page.split(
            step_page.draw(questionnaire, dimension, context, alternates, has_programme)
        )
        store.put(key, skeleton)
    csrf = generate_csrf() if current_app.config.get("WTF_CSRF_ENABLED", True) else ""
    return step_page.fill(skeleton, assessment.token, csrf, assessment, dimension)


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{saved}}", methods=["GET"])
def saved(token: str):
    """The secret link to come back with, and a form that mails it to the respondent."""
    return render_saved(service.find(token), MailLinkForm(formdata=None))


def render_saved(assessment: Assessment, form: MailLinkForm, status: int = 200):
    link = public_url("assessment.resume", token=assessment.token)  # never the Host header
    return render_template(
        "views/assessment/saved.html", assessment=assessment, link=link, form=form
    ), status


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{saved}}/{{mail_link}}", methods=["POST"])
def mail_link(token: str):
    """Mail the secret link to the address typed here (rate-limited: see app/limits.py)."""
    assessment = service.find(token)
    form = MailLinkForm()
    if not form.validate_on_submit():
        return render_saved(assessment, form, 400)
    link = public_url("assessment.resume", token=token)
    if sending.mail_link(assessment, form.email.data, g.lang, link):
        flash(_("We have sent the link to %(email)s.", email=form.email.data), "success")
    else:
        flash(_("The mail could not be sent just now. Copy the link instead."), "error")
    return redirect(url_for("assessment.saved", token=token))


@localized_route(bp, f"/{{assessment}}/{TOKEN}", methods=["GET"])
def resume(token: str):
    """The secret link itself: a draft's task list (task_list.py), a submitted one's result."""
    assessment = service.find(token)
    if assessment.submitted:
        return redirect(url_for("assessment.result", token=token))
    return redirect(url_for("assessment.overview", token=token))


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{answers}}", methods=["GET"])
def answers(token: str):
    """Check your answers, with a change link per answer; submit from here.

    find_draft: the same query says whether a returned sending is being revised, so a draft that
    is not needs no second query for the advisor's comments.
    """
    assessment = service.find_draft(token)
    return render_answers(assessment)


def render_answers(assessment: Assessment, missing: list[str] | None = None, status: int = 200):
    """Check your answers: a plain draft's page from its skeleton, any other drawn in full.

    Plain: a draft's GET with nothing on the page but its answers (no missing answers, advisor's
    comments, saved scenario, flashed message or query). The rest of such a page is the same for
    every respondent of a questionnaire and language but for the link, the CSRF token and the
    names, so it is drawn once with marks there, like a step page (step_page.py).
    """
    questionnaire = service.questionnaire_of(assessment)
    same_version = assessment.questionnaire_version == questionnaire.version
    # Each page's "Change" link, made once per page rather than once per answer; a submitted
    # assessment's answers have none.
    change_urls = None
    if not assessment.submitted:
        change_urls = {
            number: url_for(
                "assessment.step", token=assessment.token, number=number, back="answers"
            )
            for number in range(1, len(questionnaire.dimensions) + 1)
        }
    rows = answer_rows(
        questionnaire, assessment.answers, assessment.notes, current_language(), change_urls
    )
    comments = {} if assessment.submitted else review_routes.review_comments_on(assessment)
    plain = (
        change_urls is not None
        and not missing
        and not comments
        and not assessment.scenario
        and request.method == "GET"
        and not request.args
        and plain_page()
    )
    if plain:
        return stored_answers(assessment, questionnaire, same_version, rows), status
    g.alternates = alternate_urls()  # the page asks for them five times: made once
    return render_template(
        "views/assessment/answers.html",
        assessment=assessment,
        questionnaire=questionnaire,
        same_version=same_version,
        missing=missing or [],
        number=page_count(assessment),
        total=page_count(assessment),
        answer_rows=rows,
        advisor_comments=comments,
    ), status


def stored_answers(
    assessment: Assessment, questionnaire: Questionnaire, same_version: bool, rows: Markup
) -> str:
    """The plain page from its skeleton, with this respondent's link, token, names and rows."""
    has_programme = bool(assessment.programme)
    key = ("answers", g.lang, questionnaire.id, questionnaire.version, same_version, has_programme)
    store = step_page.skeletons()
    skeleton = store.get(key)
    if skeleton is None:
        stand_in = SimpleNamespace(
            token=step_page.STAND_IN_TOKEN,
            submitted=False,
            scenario=None,
            programme=mark("p", "programme") if has_programme else "",
            organisation=mark("p", "organisation"),
        )
        g.alternates = {
            lang: url_for("assessment.answers", token=stand_in.token, lang_code=lang)
            for lang in LANGUAGES
        }
        html = render_template(
            "views/assessment/answers.html",
            assessment=stand_in,
            questionnaire=questionnaire,
            same_version=same_version,
            missing=[],
            number=page_count(assessment),
            total=page_count(assessment),
            answer_rows=ANSWER_ROWS_MARK,
            advisor_comments={},
        )
        csrf = str(escape(generate_csrf()))
        skeleton = step_page.split(html.replace(csrf, step_page.STAND_IN_CSRF))
        store.put(key, skeleton)
    return fill_answers(skeleton, assessment, generate_csrf(), rows)


ANSWER_ROWS_MARK = mark("r", "rows")


def fill_answers(parts: tuple[str, ...], assessment: Assessment, csrf: str, rows: Markup) -> str:
    """A split answers skeleton filled in: text, then kind, name and value of a mark, and so on."""
    out = [parts[0]]
    for at in range(1, len(parts), 4):
        kind = parts[at]
        if kind == "L":
            out.append(assessment.token)
        elif kind == "r":
            out.append(rows)
        elif kind == "k":
            out.append(str(escape(csrf)))
        elif kind == "p":
            out.append(str(escape(getattr(assessment, parts[at + 1]) or "")))
        else:
            raise ValueError(f"unknown mark {kind!r} in the answers skeleton")
        out.append(parts[at + 3])
    return "".join(out)


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{submit}}", methods=["POST"])
@reads_without_transaction  # a SELECT and one conditional UPDATE that stands alone
def submit(token: str):
    """Submit once; a repeated submit leads to the same result."""
    assessment = service.find(token)
    if not assessment.submitted:
        missing = service.missing_answers(assessment)
        if missing:
            return render_answers(assessment, missing, 400)
        service.submit(assessment)
    return redirect(url_for("assessment.result", token=token))


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{result}}", methods=["GET"])
def result(token: str):
    """Scores, radar, requirements, warnings and recommendations.

    A submitted result never changes, so the page is rendered once per language and kept: a repeat
    view is one database lookup. The page holds nothing personal to the visitor (no CSRF token).
    """
    name = f"result-{g.lang}.html"
    page, drawn, sent = service.stored_page_with_sending(token, name)
    etag = None
    if page is None:
        assessment = service.find(token)
        if not assessment.submitted:
            return redirect(url_for("assessment.answers", token=token))

        page = service.rendered(
            assessment,
            name,
            lambda: render_result(assessment, g.lang, "views/assessment/result.html").encode(),
        )
        status = sending.status_of(token)
    else:
        status = sending.StatusView(*sent) if sent else None
        # The bytes are the stored page (its row is new whenever it is drawn anew) and the block.
        etag = f"r{drawn}-{hashlib.blake2b(repr(status).encode(), digest_size=8).hexdigest()}"
        if etag in request.if_none_match:
            return not_modified(etag)
    block = status_block(status, g.lang).replace(BLOCK_TOKEN, token.encode())
    response = Response(page.replace(SENDING_MARK, block), mimetype="text/html")
    if etag:
        response.set_etag(etag)
    return response


def not_modified(etag: str) -> Response:
    """What a browser that has the current copy gets: 304 and nothing else."""
    response = Response(status=304)
    response.set_etag(etag)
    return response


def radar_download(assessment: Assessment) -> Response:
    """A submitted assessment's radar as a PNG file, named after its programme."""
    png = chart_png(assessment, g.lang, result_view(assessment, g.lang))
    return stored_download(png, "image/png", download_name("radar", assessment.programme, "png"))


def pdf_download(assessment: Assessment) -> Response:
    """A submitted assessment's PDF report, named in the page's language."""
    content = report_pdf(assessment, g.lang)
    name = download_name(_("investment-compass"), assessment.programme, "pdf")
    return stored_download(content, "application/pdf", name)


def stored_download(content: bytes, mimetype: str, name: str) -> Response:
    """A download of a stored drawing or report: a browser asking again gets a 304."""
    response = attachment(content, mimetype, name)
    response.set_etag(hashlib.blake2b(content, digest_size=16).hexdigest())
    return response.make_conditional(request)


# The status block is drawn for a stand-in token and kept per language and status: every never-
# sent result shows the same block but for its own link, which is put in afterwards.
BLOCK_TOKEN = b"T" * 43
_blocks: dict[tuple, bytes] = {}
_BLOCKS_KEPT = 256


def status_block(status: sending.StatusView | None, lang: str) -> bytes:
    """Where the assessment stands with the fund (the rest of the page does not change).

    Drawn straight from its template, without context processors, for the stand-in token.
    """
    key = (id(current_app._get_current_object()), lang, status)
    kept = _blocks.get(key)
    if kept is None:
        kept = (
            current_app.jinja_env.get_template("views/assessment/_sending.html")
            .render(
                token=BLOCK_TOKEN.decode(),
                sending=status,
                status_label=sending.status_label,
                lang=lang,
            )
            .encode()
        )
        if len(_blocks) >= _BLOCKS_KEPT:
            _blocks.pop(next(iter(_blocks)))
        _blocks[key] = kept
    return kept


# Where the result page (stored once drawn) shows the sending's status, drawn on every view.
SENDING_MARK = b"<!--sending-status-->"


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{benchmark}}", methods=["GET"])
def benchmark(token: str):
    """How the others of the same role score, beside this result (only with 5 or more others)."""
    assessment = submitted_or_404(token)
    found = others_of(assessment.questionnaire_id, assessment.id)
    return render_template(
        "views/assessment/benchmark.html",
        assessment=assessment,
        view=benchmark_view(assessment, found, g.lang),
    )


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{send}}", methods=["GET", "POST"])
def send(token: str):
    """What the fund will see and do, a contact name and e-mail, consent; then send."""
    assessment = service.find(token)
    if not assessment.submitted:
        return redirect(url_for("assessment.answers", token=token))
    status = sending.status_of(token)
    if status is not None and status.with_the_fund:
        return redirect(url_for("assessment.result", token=token))
    form = SendForm(contact_email=assessment.email)
    if form.validate_on_submit():
        # Sent from another tab a moment ago (CannotSend): the result page shows it.
        with contextlib.suppress(sending.CannotSend):
            sending.send(assessment, form.contact_name.data, form.contact_email.data, g.lang)
        return redirect(url_for("assessment.result", token=token))
    return render_template("views/assessment/send.html", assessment=assessment, form=form), (
        400 if form.errors else 200
    )


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{withdraw}}", methods=["GET", "POST"])
def withdraw(token: str):
    """Ask, then withdraw a sending that no advisor has started on."""
    assessment = service.find(token)
    status = sending.status_of(token)
    if status is None or not status.with_the_fund:
        return redirect(url_for("assessment.result", token=token))
    if status.withdrawable and request.method == "POST":  # CSRFProtect has checked the token
        if sending.withdraw(assessment):
            return redirect(url_for("assessment.result", token=token))
        status = sending.status_of(token)  # an advisor started a moment ago
    return render_template(
        "views/assessment/withdraw.html",
        assessment=assessment,
        sending=status,
        status_label=sending.status_label,
    ), (200 if status is not None and status.withdrawable else 409)


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{print}}", methods=["GET"])
def printable(token: str):
    """The result as a page made for printing."""
    assessment = submitted_or_404(token)
    return report_html(assessment, g.lang, for_pdf=False)


@localized_route(bp, f"/{{assessment}}/{TOKEN}/radar.png", methods=["GET"])
def radar_png(token: str):
    """The radar as a PNG file."""
    return radar_download(submitted_or_404(token))


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{report}}.pdf", methods=["GET"])
def pdf(token: str):
    """The result as a PDF report."""
    return pdf_download(submitted_or_404(token))


@localized_route(bp, f"/{{assessment}}/{TOKEN}/answers.json", methods=["GET"])
def answers_json(token: str):
    """The respondent's own answers and notes as JSON."""
    assessment = service.find(token)
    body = {
        "questionnaire": assessment.questionnaire_id,
        "version": assessment.questionnaire_version,
        "organisation": assessment.organisation,
        "programme": assessment.programme,
        "status": assessment.status,
        "created_at": assessment.created_at.isoformat(),
        "submitted_at": assessment.submitted_at.isoformat() if assessment.submitted_at else None,
        "answers": assessment.answers,
        "notes": assessment.notes,
        "result": assessment.result,
    }
    content = json.dumps(body, ensure_ascii=False, indent=2).encode()
    name = download_name(_("answers"), assessment.programme, "json")
    return attachment(content, "application/json", name)


@localized_route(bp, f"/{{assessment}}/{TOKEN}/answers.xlsx", methods=["GET"])
def answers_xlsx(token: str):
    """The respondent's own answers and notes as a workbook in the page's language, to take to a
    board or a steering group."""
    from app.core.export_rows import Table, answer_rows, write_xlsx

    assessment = service.find(token)
    questionnaire = service.questionnaire_of(assessment)
    rows = answer_rows(
        questionnaire,
        assessment.answers,
        assessment.notes,
        g.lang,
        lambda q: is_shown(q, assessment.answers, questionnaire),
    )
    about = [
        [_("Organisation"), assessment.organisation],
        [_("Programme"), assessment.programme],
        [_("Questionnaire"), questionnaire.title[g.lang]],
        [_("Started"), assessment.created_at],
        [_("Submitted"), assessment.submitted_at or _("Not submitted yet")],
    ]
    out = BytesIO()
    write_xlsx(
        out,
        [
            Table(
                _("Answers"),
                [_("Page"), _("Question"), _("Answer"), _("How do you know?")],
                rows,
                {1: 28, 2: 60, 3: 30, 4: 60},
            ),
            Table(_("About"), ["", ""], about, {1: 20, 2: 50}),
        ],
    )
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = download_name(_("answers"), assessment.programme, "xlsx")
    return attachment(out.getvalue(), mimetype, name)


def attachment(content: bytes, mimetype: str, name: str) -> Response:
    """A download named in the page's language (an ASCII name, so every browser keeps it)."""
    return send_file(BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name)


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{delete}}", methods=["GET", "POST"])
def delete(token: str):
    """Ask, then delete the assessment for good."""
    assessment = service.find(token)
    if request.method == "POST":  # CSRFProtect has checked the token
        service.delete(assessment)
        return render_template("views/assessment/deleted.html")
    return render_template("views/assessment/delete.html", assessment=assessment)


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{new_version}}", methods=["GET", "POST"])
def new_version(token: str):
    """Explain, then start a re-assessment from a submitted one."""
    assessment = service.find(token)
    if not assessment.submitted:
        return redirect(url_for("assessment.step", token=token, number=1))
    if request.method == "GET":
        return render_template("views/assessment/new_version.html", assessment=assessment)
    draft = service.new_version(assessment)
    return redirect(url_for("assessment.step", token=draft.token, number=1))


def submitted_or_404(token: str) -> Assessment:
    """Files exist only for submitted results."""
    assessment = service.find(token)
    if not assessment.submitted:
        abort(404)
    return assessment


# The respondent's side of a review and the task list live in their own modules, on this blueprint.
from app.assessment import review_routes, task_list  # noqa: E402, F401
