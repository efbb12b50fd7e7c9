"""The JSON API that advisors' analysis tools and integrations use."""

from __future__ import annotations

from tests.assessment_helpers import form_value


def test_the_questionnaires_are_listed_with_id_version_and_titles(client):
    body = client.get("/api/v1/questionnaires").get_json()
    ids = {q["id"]: q for q in body["questionnaires"]}
    assert set(ids) == {"kommune", "leverandoer"}
    assert ids["kommune"]["version"] >= 1 and ids["kommune"]["title"]["sv"]


def test_a_questionnaire_describes_dimensions_questions_levels_and_requirements(client):
    body = client.get("/api/v1/questionnaires/kommune").get_json()
    assert {"organisation", "target_group", "payment_model"} <= {
        d["id"] for d in body["dimensions"]
    }
    size = next(q for q in body["questions"] if q["id"] == "tg_size")
    assert size["type"] == "number" and size["quantity"] == "target_group_size"
    assert {"min", "max", "unit"} <= set(size)
    scale = next(q for q in body["questions"] if q["type"] == "scale")
    assert [o["score"] for o in scale["options"]] == [0, 0.25, 0.5, 0.75, 1, None]
    assert scale["options"][-1] == {
        "value": "dont_know",
        "label": {"da": "Ved ikke", "sv": "Vet ej"},
        "score": None,
    }
    assert all("weight" in q and "show_if" in q for q in body["questions"])
    assert [lv["min_score"] for lv in body["levels"]] == sorted(
        lv["min_score"] for lv in body["levels"]
    )
    assert body["requirements"] and all(r["text"]["da"] for r in body["requirements"])


def test_unknown_questionnaire_is_a_json_404(client):
    response = client.get("/api/v1/questionnaires/nope")
    assert response.status_code == 404 and response.get_json()["errors"]


def test_scoring_without_storing(app, client):
    questionnaire = app.extensions["questionnaires"]["kommune"]
    answers = {q.id: form_value(q) for q in questionnaire.questions.values() if q.scored}
    answers["tg_size"] = 9
    response = client.post(
        "/api/v1/questionnaires/kommune/score?lang=sv", json={"answers": answers}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert set(body["dimensions"]) == {d.id for d in questionnaire.dimensions}
    assert body["dimensions"]["organisation"] == {
        "score": 100.0,
        "level": "investment_ready",
        "answered": body["dimensions"]["organisation"]["answered"],
        "unknown": 0,
    }
    flag = next(f for f in body["flags"] if f["id"] == "critical_mass")
    assert flag["severity"] == "high" and flag["dimension"] == "target_group" and flag["message"]
    assert body["overall"]["level"]
    steps = [s for r in body["recommendations"] for s in r["steps"]]
    assert steps and all(s["url"].startswith("http://localhost/sv/verktygslada/") for s in steps)
    assert all({"id", "met", "text"} <= set(r) for r in body["requirements"])


def test_bad_answers_get_400_with_errors_per_question(client):
    response = client.post(
        "/api/v1/questionnaires/kommune/score?lang=da",
        json={"answers": {"nope": "yes", "tg_size": -5, "org_political_backing": 9}},
    )
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert errors["nope"][0]["code"] == "unknown_question"
    assert errors["tg_size"][0]["code"] == "too_small"
    assert errors["tg_size"][0]["message"] == "Skriv et tal på mindst 0."
    assert errors["org_political_backing"][0]["code"] == "invalid_choice"


def test_wrong_types_and_bodies_are_refused(app, client):
    questionnaire = app.extensions["questionnaires"]["kommune"]
    multiple = next(q for q in questionnaire.questions.values() if q.type == "multiple")
    response = client.post(
        "/api/v1/questionnaires/kommune/score", json={"answers": {multiple.id: "not-a-list"}}
    )
    assert response.status_code == 400
    assert response.get_json()["errors"][multiple.id][0]["code"] == "wrong_type"
    assert client.post("/api/v1/questionnaires/kommune/score", data="x").status_code == 400
    assert client.post("/api/v1/questionnaires/kommune/score", json=[1]).status_code == 400


def test_an_oversized_body_is_413_json(client):
    response = client.post(
        "/api/v1/questionnaires/kommune/score",
        data="x" * (2 * 1024 * 1024),
        content_type="application/json",
    )
    assert response.status_code == 413 and response.get_json()["errors"]
