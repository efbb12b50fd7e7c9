"""A database made before the review existed is brought up to date with nothing lost.

Sendings made at revision 0005 had no per-dimension score rows and no flag rows; 0007 fills them
in from the stored results, so that the list's filters and the dashboard count them too.
"""

from __future__ import annotations

import json

from flask_migrate import upgrade
from sqlalchemy import select, text

from app.extensions import db
from app.models import SendingFlag, SendingScore
from tests.conftest import dispose, make_app

RESULT = {
    "dimensions": [
        {"id": "organisation", "score": 62.5, "level": "developing", "status": "scored"},
        {"id": "target_group", "score": None, "level": None, "status": "not_enough_answers"},
    ],
    "flags": [{"id": "tg_small", "severity": "high"}],
    "requirements": [
        {"id": "req_met", "met": True},
        {"id": "req_unmet", "met": False},
        {"id": "req_away", "met": False, "applicable": False},
    ],
}


def test_sendings_from_before_the_review_get_their_score_and_flag_rows(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        with app.app_context():
            upgrade(revision="0005")
            now = "2026-01-01 10:00:00"
            db.session.execute(
                text(
                    "INSERT INTO assessment (id, token, questionnaire_id, questionnaire_version, "
                    "lang, organisation, programme, email, answers, notes, status, result, "
                    "created_at, updated_at, submitted_at) VALUES (1, :token, 'kommune', 2, 'da', "
                    "'Gammel Kommune', 'P', '', '{}', '{}', 'submitted', :result, :now, :now, :now)"
                ),
                {"token": "t" * 43, "result": json.dumps(RESULT), "now": now},
            )
            db.session.execute(
                text(
                    "INSERT INTO sending (id, assessment_id, contact_name, contact_email, status, "
                    "role, requirements_unmet, high_flags, sent_at, updated_at, lock_version) "
                    "VALUES (1, 1, 'A', 'a@example.dk', 'withdrawn', 'kommune', 1, 1, :now, :now, "
                    "1)"
                ),
                {"now": now},
            )
            db.session.commit()
            upgrade()
            scores = db.session.scalars(select(SendingScore).order_by(SendingScore.dimension)).all()
            flags = db.session.scalars(select(SendingFlag).order_by(SendingFlag.code)).all()
            assert [(s.dimension, s.point, s.role, s.counted) for s in scores] == [
                ("organisation", 63, "kommune", False),
                ("target_group", None, "kommune", False),
            ]
            assert [(f.kind, f.code) for f in flags] == [
                ("requirement", "req_unmet"),
                ("flag", "tg_small"),
            ]
    finally:
        dispose(app)
