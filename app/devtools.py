"""`flask dev seed --assessments N`: realistic sent assessments for development and benchmarks.

Answers are drawn from each questionnaire's own options and scored with the real scoring, so
results, levels, warnings and requirements are what respondents would get. Scoring 100,000 sets
would take long: a pool of distinct answer sets is scored once and reused, and the rows go in with
bulk inserts in batches. The stored results leave out the long general advice (the pages show
it when it is there and skip it otherwise), so 100,000 of them fit in a few gigabytes.
Refused in production: it would mix made-up assessments with real ones.
"""

from __future__ import annotations

import dataclasses
import random
import secrets
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, insert, select, text

from app.assessment import sending
from app.assessment.service import labels
from app.core.questionnaire import DONT_KNOW, Question, Questionnaire
from app.core.scoring import is_shown, score_assessment
from app.extensions import db
from app.models import Assessment, Sending, SendingFlag, SendingScore

dev = AppGroup("dev", help="Development helpers (refused when APP_ENV=production).")

ROLES = (("kommune", 0.6), ("leverandoer", 0.4))
# How reviews stand across a portfolio: most are sent or closed, a few withdrawn.
STATUSES = (
    ("sent", 0.25),
    ("in_review", 0.2),
    ("returned", 0.1),
    ("resubmitted", 0.05),
    ("feedback", 0.35),
    ("withdrawn", 0.05),
)
MONTHS = 18
DANISH = [
    "Aarhus",
    "Odense",
    "Aalborg",
    "Esbjerg",
    "Vejle",
    "Rudersdal",
    "Herning",
    "Silkeborg",
    "Horsens",
    "Randers",
]
SWEDISH = [
    "Malmö",
    "Göteborg",
    "Uppsala",
    "Linköping",
    "Örebro",
    "Västerås",
    "Umeå",
    "Lund",
    "Jönköping",
    "Gävle",
]
SUPPLIERS = (
    "Fonden Ny Start",
    "Foreningen Bydelsmødre",
    "Stiftelsen Fryshuset",
    "Hjem til Alle",
    "Stadsmissionen",
    "Verdandi",
    "KFUM Socialt Arbejde",
)
PROGRAMMES = (
    "Tidlig indsats for unge",
    "Vejen til job",
    "Stabil bolig",
    "Trygge familier",
    "Hållbar väg till arbete",
    "Unga vuxna i boende",
    "Skolnärvaro",
)


class SeedRefused(click.ClickException):
    """Seeding refused (in production)."""


def draw_answer(question: Question, maturity: float, rng: random.Random) -> Any:
    """One answer drawn from the question's options, leaning towards this respondent's maturity."""
    if question.type == "text":
        return "Beskrevet i vores projektbeskrivelse." if rng.random() < 0.5 else None
    if question.scored and rng.random() < 0.12 * (1 - maturity) ** 2:
        return DONT_KNOW
    if question.type == "number":
        low, high = question.min or 0, question.max or 100
        if question.bands:
            high = min(high, question.bands[-1][0] * 2)
        return int(low + (high - low) * min(1.0, max(0.0, rng.gauss(maturity, 0.25))))
    if question.type == "multiple":
        options = [o for o in question.options if not o.exclusive]
        picked = [o.value for o in options if rng.random() < 0.2 + 0.6 * maturity]
        if not picked:
            exclusive = [o.value for o in question.options if o.exclusive]
            picked = exclusive[:1] or [rng.choice(question.options).value]
        return picked
    choices = question.choices()
    weights = [1.0 / (0.05 + abs(o.score - maturity)) ** 2 for o in choices]
    return rng.choices(choices, weights)[0].value


def draw_answers(questionnaire: Questionnaire, rng: random.Random) -> dict[str, Any]:
    """A whole questionnaire answered, with answers to questions routed away left out."""
    maturity = min(1.0, max(0.0, rng.betavariate(2.6, 1.6)))
    answers = {}
    for question in questionnaire.questions.values():
        answer = draw_answer(question, maturity, rng)
        if answer is not None:
            answers[question.id] = answer
    return {
        qid: a
        for qid, a in answers.items()
        if is_shown(questionnaire.questions[qid], answers, questionnaire)
    }


@dataclasses.dataclass
class Scored:
    """One answer set of the pool and everything copied from its result."""

    answers: dict[str, Any]
    result: dict[str, Any]
    summary: dict[str, Any]
    scores: list[dict[str, Any]]
    flags: list[tuple[str, str]]


def score_pool(questionnaire: Questionnaire, size: int, rng: random.Random) -> list[Scored]:
    """`size` answer sets scored with the real scoring, with their summary rows."""
    pool = []
    for _ in range(size):
        answers = draw_answers(questionnaire, rng)
        result = dataclasses.asdict(score_assessment(questionnaire, answers, None))
        result["labels"] = labels(questionnaire)
        result["advice"] = []  # the long general advice: not needed to show the result
        stand_in = SimpleNamespace(result=result, questionnaire_id=questionnaire.id)
        scores = [
            {"dimension": row.dimension, "score": row.score, "level": row.level,
             "status": row.status, "point": row.point, "role": questionnaire.id}
            for row in sending.dimension_scores(stand_in)  # type: ignore[arg-type]
        ]  # fmt: skip
        pool.append(
            Scored(
                answers,
                result,
                sending.summary(stand_in),  # type: ignore[arg-type]
                scores,
                sorted(sending.flag_codes(stand_in)),  # type: ignore[arg-type]
            )
        )
    return pool


def organisation(role: str, rng: random.Random) -> tuple[str, str]:
    """An organisation's name and the language it answers in."""
    if role == "leverandoer":
        return rng.choice(SUPPLIERS), rng.choice(("da", "sv"))
    if rng.random() < 0.65:
        return f"{rng.choice(DANISH)} Kommune", "da"
    return f"{rng.choice(SWEDISH)}s kommun", "sv"


def seed(count: int, pool_size: int = 300, batch: int = 2000, random_seed: int = 11) -> float:
    """Add `count` sent assessments; the seconds it took."""
    began = time.perf_counter()
    rng = random.Random(random_seed)  # noqa: S311 (made-up data, repeatable by its seed)
    questionnaires = current_app.extensions["questionnaires"]
    pools = {role: score_pool(questionnaires[role], pool_size, rng) for role, _w in ROLES}
    roles, role_weights = zip(*ROLES, strict=True)
    statuses, status_weights = zip(*STATUSES, strict=True)
    now = datetime.now(UTC)
    span = timedelta(days=30.4 * MONTHS).total_seconds()
    next_ids = {
        model: (db.session.scalar(select(func.max(model.id))) or 0) + 1
        for model in (Assessment, Sending, SendingScore, SendingFlag)
    }
    done = 0
    while done < count:
        rows: dict[Any, list[dict]] = {m: [] for m in next_ids}
        for _ in range(min(batch, count - done)):
            role = rng.choices(roles, role_weights)[0]
            scored = rng.choice(pools[role])
            name, lang = organisation(role, rng)
            sent_at = now - timedelta(seconds=rng.random() * span)
            status = rng.choices(statuses, status_weights)[0]
            assessment_id = next_ids[Assessment]
            sending_id = next_ids[Sending]
            next_ids[Assessment] += 1
            next_ids[Sending] += 1
            rows[Assessment].append(
                {
                    "id": assessment_id,
                    "token": secrets.token_urlsafe(32),
                    "questionnaire_id": role,
                    "questionnaire_version": questionnaires[role].version,
                    "lang": lang,
                    "organisation": name,
                    "programme": rng.choice(PROGRAMMES),
                    "email": "",
                    "answers": scored.answers,
                    "notes": {},
                    "status": "submitted",
                    "result": scored.result,
                    "created_at": sent_at - timedelta(days=rng.randint(1, 40)),
                    "updated_at": sent_at,
                    "submitted_at": sent_at - timedelta(hours=rng.randint(1, 48)),
                }
            )
            withdrawn = status == "withdrawn"
            rows[Sending].append(
                {
                    "id": sending_id,
                    "assessment_id": assessment_id,
                    "contact_name": "" if withdrawn else "Seed Kontakt",
                    "contact_email": "" if withdrawn else f"kontakt{sending_id}@example.dk",
                    "status": status,
                    "version": 2 if status == "resubmitted" else 1,
                    "revising": False,
                    "sent_at": sent_at,
                    "updated_at": min(now, sent_at + timedelta(days=rng.randint(0, 30))),
                    "lock_version": 1,
                    **scored.summary,
                }
            )
            for score in scored.scores:
                rows[SendingScore].append(
                    {"id": next_ids[SendingScore], "sending_id": sending_id,
                     "counted": not withdrawn, **score}
                )  # fmt: skip
                next_ids[SendingScore] += 1
            for kind, code in scored.flags:
                rows[SendingFlag].append(
                    {"id": next_ids[SendingFlag], "sending_id": sending_id, "kind": kind,
                     "code": code, "role": scored.summary["role"], "counted": not withdrawn}
                )  # fmt: skip
                next_ids[SendingFlag] += 1
        for model, values in rows.items():
            if values:
                db.session.execute(insert(model), values)
        db.session.commit()
        done += len(rows[Assessment])
    if db.engine.dialect.name == "postgresql":
        # The ids were given here: the sequences must go on after them.
        for table in ("assessment", "sending", "sending_score", "sending_flag"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (fixed names)
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )
        db.session.commit()
    return time.perf_counter() - began


@dev.command("seed")
@click.option(
    "--assessments",
    "count",
    type=click.IntRange(1, 1_000_000),
    required=True,
    help="How many sent assessments to add.",
)
@click.option(
    "--pool",
    "pool_size",
    type=click.IntRange(1, 10_000),
    default=300,
    show_default=True,
    help="Distinct answer sets scored per role, then reused.",
)
@click.option("--seed", "random_seed", type=int, default=11, show_default=True,
              help="The random seed: the same seed makes the same assessments.")  # fmt: skip
def seed_command(count: int, pool_size: int, random_seed: int) -> None:
    """Add N realistic sent assessments (answers, results, scores, warnings) to the database."""
    if current_app.config["APP_ENV"] == "production":
        raise SeedRefused(
            "Refused: APP_ENV=production. Seeding adds made-up assessments; "
            "run it on a development or test database only."
        )
    seconds = seed(count, pool_size, random_seed=random_seed)
    click.echo(f"Added {count} sent assessments in {seconds:.1f} s.")
