"""JSON API for advisors' analysis tools and integrations (documented in README.md)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify
from flask_babel import gettext as _

from app.api import errors
from app.api.body import read_json
from app.api.errors import Errors, errors_response, problem, request_language
from app.api.inputs import simulation_type_errors
from app.core import yamlio
from app.core.answers import AnswerError, clean_answers
from app.core.questionnaire import Questionnaire, describe
from app.core.scoring import Action, Result, score_assessment
from app.core.simulator import (
    cash_flow_json,
    check_inputs,
    outcome_json,
    scenario_from_dict,
    simulate,
)
from app.extensions import csrf
from app.messages import error_text
from app.urls import public_url

OPENAPI_FILE = Path(__file__).with_name("openapi.yaml")
SCORE_FIELDS = ("answers",)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API uses no cookies or sessions, so a forged cross-site request gains nothing.
# It takes JSON only.
csrf.exempt(bp)
errors.register(bp)


@functools.cache
def openapi_json() -> str:
    """The API's description as the JSON it is served as, read when first asked for.

    Parsing its YAML took about 20 ms of every start-up, for a document few callers fetch.
    """
    document = yamlio.safe_load(OPENAPI_FILE.read_text(encoding="utf-8"))
    return json.dumps(document, ensure_ascii=False, indent=1)


@bp.before_request
def choose_language() -> None:
    """Messages in ?lang=da|sv, else the caller's Accept-Language."""
    g.lang = request_language()


@bp.get("/openapi.json")
def openapi() -> Response:
    """The API described as OpenAPI 3.1."""
    return current_app.response_class(openapi_json(), mimetype="application/json")


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
    body = read_json()
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        return errors_response(
            {
                "answers": [
                    problem(
                        "wrong_type",
                        _('Send the answers as JSON: {"answers": {"question_id": value}}.'),
                    )
                ]
            }
        )
    unknown = unknown_fields(body, SCORE_FIELDS)
    answers, refused = clean_answers(questionnaire, body["answers"], g.lang)
    if refused or unknown:
        return errors_response(
            {**unknown, **{qid: [problem(e.code, error_text(e))] for qid, e in refused.items()}}
        )
    result = score_assessment(questionnaire, answers)
    return jsonify(score_json(questionnaire.id, result, g.lang))


def score_json(questionnaire_id: str, result: Result, lang: str) -> dict[str, Any]:
    """The score API's answer: the verdict and its actions first, then the details."""
    dimensions = {
        d.id: {
            "score": d.score,
            "level": d.level,
            "status": d.status,
            "uncapped_level": d.uncapped_level,
            "capped": d.capped,
            "answered": d.answered,
            "unknown": d.unknown,
        }
        for d in result.dimensions
    }
    return {
        "questionnaire": questionnaire_id,
        "version": result.version,
        "overall": {
            "score": result.overall,
            "level": result.overall_level,
            "uncapped_level": result.uncapped_level,
            "capped": result.overall_level != result.uncapped_level,
        },
        "headline": {key: dimensions[key] for key in result.headline},
        "actions": [action_json(a, lang) for a in result.actions],
        "requirements_met": result.requirements_met,
        "requirements_total": result.requirements_total,
        "dimensions": dimensions,
        "flags": [
            {
                "id": f.id,
                "severity": f.severity,
                "certain": f.certain,
                "dimension": f.dimension,
                "message": f.message[lang],
            }
            for f in result.flags
        ],
        "requirements": [
            {
                "id": r.id,
                "met": r.met,
                "applicable": r.applicable,
                "dimension": r.dimension,
                "text": r.text[lang],
            }
            for r in result.requirements
        ],
        "advice": [action_json(a, lang) for a in result.advice],
    }


def action_json(action: Action, lang: str) -> dict[str, Any]:
    """One action or piece of advice, with toolbox links in the caller's language."""
    return {
        "question": action.question,
        "dimension": action.dimension,
        "text": action.text[lang],
        "unknown": action.unknown,
        "country": action.country,
        "steps": [step_link(key, lang) for key in action.steps],
        "templates": [content_link("templates", key, lang) for key in action.templates],
    }


def content_link(kind: str, key: str, lang: str) -> dict[str, Any]:
    """A toolbox page by kind and key, with its address in the caller's language."""
    page = current_app.extensions["library"].by_key(lang, kind, key)
    endpoint = {"steps": "main.step", "templates": "main.template"}[kind]
    url = public_url(endpoint, lang_code=lang, slug=page.slug) if page else None
    return {"key": key, "url": url}


def step_link(key: str, lang: str) -> dict[str, Any]:
    """A toolbox step by key, with its address in the caller's language."""
    return content_link("steps", key, lang)


def unknown_fields(body: dict[str, Any], known: tuple[str, ...]) -> Errors:
    """Top-level fields the endpoint does not take."""
    message = error_text(AnswerError("unknown_field"))
    return {name: [problem("unknown_field", message)] for name in body if name not in known}


@bp.post("/payment-model/simulate")
def simulate_payment_model():
    """Run one payment-model simulation; 400 with a message per field for bad input."""
    body = read_json()
    if not isinstance(body, dict):
        return errors_response(
            {"_": [problem("wrong_type", _("Send the inputs as a JSON object."))]}
        )
    clean, refused = check_inputs(body, g.lang)
    wrong_types = simulation_type_errors(body)
    if refused or wrong_types:
        return errors_response(
            {**{name: [problem(e.code, error_text(e))] for name, e in refused.items()},
             **wrong_types}
        )  # fmt: skip
    outcome = simulate(scenario_from_dict(clean))
    return jsonify({**outcome_json(outcome), "cash_flow": cash_flow_json(outcome)})
