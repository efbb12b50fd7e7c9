"""Answer the real questionnaires through the test client, as a respondent would."""

from __future__ import annotations

import re

from app.core.questionnaire import Question, Questionnaire

TOKEN_RE = re.compile(r"/(?:selvevaluering|sjalvskattning)/([A-Za-z0-9_-]{43})/")
BASE = {"da": "/da/selvevaluering", "sv": "/sv/sjalvskattning"}
STEP = {"da": "trin", "sv": "steg"}


def start(client, lang: str = "da", role: str = "kommune", programme: str = "Tidlig hjælp") -> str:
    """Fill in the start page; return the new assessment's token."""
    response = client.post(
        f"{BASE[lang]}/",
        data={"role": role, "organisation": "Eksempel Kommune", "programme": programme},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return TOKEN_RE.search(response.headers["Location"]).group(1)


def form_value(question: Question, how: str = "best"):  # type: ignore[no-untyped-def]
    """A form answer: the best, the worst or "don't know"."""
    if how == "dont_know":
        return "dont_know"
    if question.type == "number":
        return str(int(question.max if how == "best" else question.min))
    if question.type == "multiple":
        options = sorted(question.options, key=lambda o: o.score)
        return [o.value for o in options if o.score > 0] if how == "best" else [options[0].value]
    if question.type == "text":
        return "Vi har et notat."
    choices = sorted(question.choices(), key=lambda o: o.score)
    return choices[-1].value if how == "best" else choices[0].value


def answer_all(
    client, lang: str, token: str, questionnaire: Questionnaire, how: str = "best", **given: str
):
    """Answer every page with 'save and continue' (some answers given by id); return the last."""
    response = None
    for number, dimension in enumerate(questionnaire.dimensions, start=1):
        data = {"action": "continue"}
        for q in dimension.questions:
            pick = "best" if q.type == "text" else how
            data[f"q_{q.id}"] = given.get(q.id, form_value(q, pick))
        response = client.post(f"{BASE[lang]}/{token}/{STEP[lang]}/{number}", data=data)
        assert response.status_code == 302, (number, response.get_data(as_text=True)[:3000])
    return response
