"""The verdict a fund advisor would sign, as a respondent reads it on the result page.

The cases are the ones an expert found wrong before: a small programme without evidence or
baseline called investment-ready, "don't know" on the key quantities scoring full marks, and a
supplier without a municipal partner walked through the whole programme.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment
from tests.assessment_helpers import BASE, STEP, answer_all, form_value, start
from tests.helpers import check_page, get_page, text_of

SUBMIT = {"da": "indsend", "sv": "skicka-in"}
RESULT = {"da": "resultat", "sv": "resultat"}
DEVELOPING = {"da": "Under udvikling", "sv": "Under utveckling"}
LOWER = {"da": ("Idé", "Undersøgende"), "sv": ("Idé", "Utforskande")}


def submit(client, lang: str, token: str):  # type: ignore[no-untyped-def]
    response = client.post(f"{BASE[lang]}/{token}/{SUBMIT[lang]}")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return get_page(client, response.headers["Location"])


def stored_result(app, token: str) -> dict:
    with app.app_context():
        return db.session.scalar(select(Assessment).where(Assessment.token == token)).result


def questionnaire(app, role: str = "kommune"):  # type: ignore[no-untyped-def]
    return app.extensions["questionnaires"][role]


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_ten_families_without_evidence_or_baseline_is_not_called_investment_ready(
    app, client, lang
):
    token = start(client, lang)
    answer_all(
        client, lang, token, questionnaire(app), tg_size="10", int_evidence="none", ms_baseline="1"
    )
    result = submit(client, lang, token)
    level = text_of(result, ".overall-level")
    assert level in (DEVELOPING[lang], *LOWER[lang])
    reason = text_of(result, ".verdict-reason")
    # It says what the score alone would give, and why the level is held back.
    assert ("krav er ikke opfyldt" if lang == "da" else "krav är inte uppfyll") in reason
    assert ("alvorlig" if lang == "da" else "allvarlig") in reason
    # The high warnings come first, and the small group is among them.
    first_group = result.select_one("#flags-heading ~ h3")
    assert first_group.get_text(strip=True).startswith("Høj alvor" if lang == "da" else "Hög")
    assert result.select(".flag-high")
    # The actions: at most five, in order, each leading into the toolbox.
    actions = result.select(".action-list > li")
    assert 1 <= len(actions) <= 5
    assert all(a.select_one(".content-links a[href]") for a in actions)
    toolbox = "/da/vaerktoejskasse/" if lang == "da" else "/sv/verktygslada/"
    assert actions[0].select_one(".content-links a")["href"].startswith(toolbox)


def test_dont_know_on_the_key_quantities_warns_and_never_scores_full_marks(app, client):
    token = start(client)
    unknown = {"tg_size": "dont_know", "ms_baseline": "dont_know", "pm_rate_basis": "dont_know"}
    answer_all(client, "da", token, questionnaire(app), **unknown)
    result = submit(client, "da", token)
    assert text_of(result, ".overall-level") == DEVELOPING["da"]
    assert text_of(result, ".overall-score") != "100"
    warnings = " ".join(li.get_text(" ", strip=True) for li in result.select(".flag"))
    assert "Kan ikke udelukkes" in warnings  # the critical-mass warning stays open
    flagged = {f["id"] for f in stored_result(app, token)["flags"]}
    for qid in unknown:
        fires = [
            f.id
            for f in questionnaire(app).flags
            if f.when == {"question": qid, "unknown": True}
            or {"question": qid, "unknown": True} in f.when.get("any", [])
        ]
        assert fires and set(fires) <= flagged, qid
    # "Don't know" becomes a first step of its own: find out.
    assert "I svarede »Ved ikke«" in text_of(result, ".action-list")


def test_a_supplier_without_a_municipal_partner_answers_only_its_own_readiness(app, client):
    supplier = questionnaire(app, "leverandoer")
    token = start(client, "sv", "leverandoer")
    asked = [d.id for d in supplier.dimensions if d.show_if is None]
    routed = [d.id for d in supplier.dimensions if d.show_if is not None]
    assert asked and routed
    url = f"{BASE['sv']}/{token}/{STEP['sv']}/1"
    seen = []
    while STEP["sv"] in url:
        number = int(url.rsplit("/", 1)[1])
        dimension = supplier.dimensions[number - 1]
        seen.append(dimension.id)
        data = {"action": "continue"}
        for q in dimension.questions:
            data[f"q_{q.id}"] = "0" if q.id == "org_partner_count" else form_value(q, "best")
        response = client.post(url, data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        url = response.headers["Location"]
    assert seen == asked
    result = submit(client, "sv", token)
    headline = {
        li.select_one(".headline-title").get_text(strip=True): li.get_text(" ", strip=True)
        for li in result.select(".headline-score")
    }
    target_group = supplier.dimension("target_group").title["sv"]
    assert "Gäller inte utifrån era svar" in headline[target_group]
    # The printable report lists the answers of the pages asked, and no empty ones.
    printable = get_page(client, f"{BASE['sv']}/{token}/utskrift")
    answered = [h.get_text(strip=True) for h in printable.select(".report-answers h3")]
    assert answered == [supplier.dimension(d).title["sv"] for d in asked]
    # Its requirements are its own obligations, and all of them apply without a partner.
    assert text_of(result, ".requirements-count").startswith(f"{len(supplier.requirements)} av")


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("da", "kan ikke vælges sammen med andre svar"),
        ("sv", "kan inte väljas tillsammans med andra svar"),
    ],
)
def test_none_together_with_a_source_is_refused_on_the_page_and_the_choice_is_kept(
    app, client, lang, message
):
    qn = questionnaire(app)
    question = qn.questions["int_evidence"]
    number = [d.id for d in qn.dimensions].index(question.dimension) + 1
    token = start(client, lang)
    url = f"{BASE[lang]}/{token}/{STEP[lang]}/{number}"
    response = client.post(url, data={"action": "save", "q_int_evidence": ["none", "rct"]})
    assert response.status_code == 400
    page = check_page(response.get_data(as_text=True), url)
    error = page.select_one("#question-int_evidence .form-error-message")
    assert message in error.get_text(" ", strip=True)
    none = qn.questions["int_evidence"].options[-1].label[lang]
    quoted = {"da": f"»{none}«", "sv": f"”{none}”"}[lang]
    assert quoted in error.get_text()
    checked = {i["value"] for i in page.select("#question-int_evidence input[checked]")}
    assert checked == {"none", "rct"}
