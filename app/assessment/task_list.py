"""The task list at the secret link: every page of a draft with its status, and the way on.

The statuses are worked out in the core (app/core/progress.py); this view only draws them. The
secret link leads here, and so does "save and come back later" on a questionnaire page.
"""

from __future__ import annotations

from flask import redirect, render_template, url_for

from app.assessment import service
from app.assessment.routes import TOKEN, bp
from app.core.progress import task_list
from app.i18n import localized_route
from app.urls import public_url


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{overview}}", methods=["GET"])
def overview(token: str):
    """Each section's status with a link to it, the secret link, and the way to submit."""
    assessment = service.find(token)
    if assessment.submitted:
        return redirect(url_for("assessment.result", token=token))
    tasks = task_list(service.questionnaire_of(assessment), assessment.answers)
    following = tasks.next_section
    if following is not None:
        continue_url = url_for("assessment.step", token=token, number=following.number)
    elif tasks.ready_to_check:
        continue_url = url_for("assessment.answers", token=token)
    else:
        continue_url = None
    return render_template(
        "views/assessment/overview.html",
        assessment=assessment,
        questionnaire=service.questionnaire_of(assessment),
        tasks=tasks,
        continue_url=continue_url,
        link=public_url("assessment.resume", token=token),  # never the Host header
    )
