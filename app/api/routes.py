"""JSON API for advisors' analysis tools and integrations (documented in README.md)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _

from app.core.answers import clean_answers
from app.core.questionnaire import Questionnaire, describe
from app.core.scoring import score_assessment
from app.core.simulator import check_inputs, outcome_json, scenario_from_dict, simulate
from app.extensions import csrf
from app.i18n import LANGUAGES, preferred_language
from app.messages import error_text

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API uses no cookies or sessions, so a forged cross-site request gains nothing.
# It takes JSON only.
csrf.exempt(bp)


@bp.before_request
def choose_language() -> None:
    """Messages in ?lang=da|sv, else the caller's Accept-Language."""
    wanted = request.args.get("lang")
    g.lang = wanted if wanted in LANGUAGES else preferred_language()


def questionnaire_or_404(questionnaire_id: str) -> Questionnaire:
    questionnaire = current_app.extensions["questionnaires"].get(questionnaire_id)
    if questionnaire is None:
        abort(404)
    return questionnaire


@bp.get("/questionnaires")
def list_questionnaires():
    """Every questionnaire with its id, version and titles."""
    return jsonify(
        questionnaires=[
            {"id": q.id, "version": q.version, "title": q.title}
            for q in current_app.extensions["questionnaires"].values()
        ]
    )


@bp.get("/questionnaires/<questionnaire_id>")
def get_questionnaire(questionnaire_id: str):
    """Dimensions, questions with options and scores, levels, requirements and flags."""
    return jsonify(describe(questionnaire_or_404(questionnaire_id)))


@bp.post("/questionnaires/<questionnaire_id>/score")
def score(questionnaire_id: str):
    """Score answers without storing them; 400 with errors per question for bad input."""
    questionnaire = questionnaire_or_404(questionnaire_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        return bad_request(
            {
                "answers": [
                    problem(
                        "wrong_type",
                        _('Send the answers as JSON: {"answers": {"question_id": value}}.'),
                    )
                ]
            }
        )
    answers, errors = clean_answers(questionnaire, body["answers"], g.lang)
    if errors:
        return bad_request({qid: [problem(e.code, error_text(e))] for qid, e in errors.items()})
    result = score_assessment(questionnaire, answers)
    lang = g.lang
    return jsonify(
        questionnaire=questionnaire.id,
        version=questionnaire.version,
        dimensions={
            d.id: {"score": d.score, "level": d.level, "answered": d.answered, "unknown": d.unknown}
            for d in result.dimensions
        },
        overall={"score": result.overall, "level": result.overall_level},
        flags=[
            {
                "id": f.id,
                "severity": f.severity,
                "dimension": f.dimension,
                "message": f.message[lang],
            }
            for f in result.flags
        ],
        requirements=[
            {"id": r.id, "met": r.met, "dimension": r.dimension, "text": r.text[lang]}
            for r in result.requirements
        ],
        recommendations=[
            {
                "source": a.source,
                "dimension": a.dimension,
                "text": a.text[lang],
                "steps": [step_link(key, lang) for key in a.steps],
            }
            for a in result.recommendations
        ],
    )


def step_link(key: str, lang: str) -> dict[str, Any]:
    """A toolbox step by key, with its address in the caller's language."""
    page = current_app.extensions["library"].by_key(lang, "steps", key)
    url = url_for("main.step", lang_code=lang, slug=page.slug, _external=True) if page else None
    return {"key": key, "url": url}


def problem(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def bad_request(errors: dict[str, list[dict[str, str]]]):
    return jsonify(errors=errors), 400


@bp.post("/payment-model/simulate")
def simulate_payment_model():
    """Run one payment-model simulation; 400 with a message per field for bad input."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return bad_request({"_": [problem("wrong_type", _("Send the inputs as a JSON object."))]})
    clean, errors = check_inputs(body, g.lang)
    if errors:
        return bad_request({name: [problem(e.code, error_text(e))] for name, e in errors.items()})
    outcome = simulate(scenario_from_dict(clean))
    return jsonify(outcome_json(outcome))
