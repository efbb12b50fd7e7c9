"""The JSON API that advisors' analysis tools and integrations use.

Every request goes through the `api` client, which checks each answer (200s and errors) against the
OpenAPI document the API serves.
"""

from __future__ import annotations

import pytest

from tests.assessment_helpers import form_value

SCORE = "/api/v1/questionnaires/kommune/score"
SIMULATE = "/api/v1/payment-model/simulate"
SCENARIO = {
    "participants": 25,
    "success_rate": 0.6,
    "target_rate": 0.5,
    "payment_rule": "per_success",
    "payment_per_success": 1000,
}


def errors_of(response, status: int = 400) -> dict:
    """The errors of a refusal, after checking its status."""
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()["errors"]


def post_json(api, url: str, text: str | bytes, **kwargs):
    """POST a body as given, byte for byte, declared as JSON."""
    return api.post(url, data=text, content_type="application/json", **kwargs)


def test_the_questionnaires_are_listed_with_id_version_and_titles(api):
    body = api.get("/api/v1/questionnaires").get_json()
    ids = {q["id"]: q for q in body["questionnaires"]}
    assert set(ids) == {"kommune", "leverandoer"}
    assert ids["kommune"]["version"] >= 1 and ids["kommune"]["title"]["sv"]


@pytest.mark.parametrize("questionnaire_id", ["kommune", "leverandoer"])
def test_a_questionnaire_describes_dimensions_questions_levels_and_requirements(
    api, questionnaire_id
):
    body = api.get(f"/api/v1/questionnaires/{questionnaire_id}").get_json()
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


def test_unknown_questionnaire_is_a_json_404(api):
    for url in ("/api/v1/questionnaires/nope", "/api/v1/questionnaires/nope/score"):
        response = api.get(url) if not url.endswith("score") else api.post(url, json={})
        assert errors_of(response, 404)["_"][0]["code"] == "not_found"


def test_scoring_without_storing(app, api):
    questionnaire = app.extensions["questionnaires"]["kommune"]
    answers = {q.id: form_value(q) for q in questionnaire.questions.values() if q.scored}
    answers["tg_size"] = 9
    response = api.post(f"{SCORE}?lang=sv", json={"answers": answers})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body["dimensions"]) == {d.id for d in questionnaire.dimensions}
    organisation = body["dimensions"]["organisation"]
    assert (organisation["score"], organisation["level"], organisation["status"]) == (
        100.0,
        "investment_ready",
        "scored",
    )
    assert organisation["unknown"] == 0
    flag = next(f for f in body["flags"] if f["id"] == "critical_mass")
    assert flag["severity"] == "high" and flag["dimension"] == "target_group" and flag["message"]
    # The high warning caps the verdict, and the answer says what the score alone would give.
    assert body["overall"]["level"] == "developing" and body["overall"]["capped"]
    assert body["dimensions"]["target_group"]["level"] == "developing"
    assert set(body["headline"]) == {"organisation", "target_group", "payment_model"}
    assert body["headline"]["organisation"] == organisation
    assert body["requirements_total"] == sum(r["applicable"] for r in body["requirements"])
    assert body["requirements_met"] == sum(
        r["met"] and r["applicable"] for r in body["requirements"]
    )


def test_the_actions_come_from_the_weakest_answers_and_lead_into_the_toolbox(app, api):
    questionnaire = app.extensions["questionnaires"]["kommune"]
    answers = {q.id: form_value(q) for q in questionnaire.questions.values() if q.scored}
    weak = [q for q in questionnaire.questions.values() if q.critical and q.type == "scale"][:2]
    answers.update({weak[0].id: "1", weak[1].id: "3"})
    body = api.post(f"{SCORE}?lang=sv", json={"answers": answers}).get_json()
    assert [a["question"] for a in body["actions"]] == [weak[0].id, weak[1].id]
    steps = [s for a in body["actions"] for s in a["steps"]]
    assert steps and all(s["url"].startswith("http://localhost/sv/verktygslada/") for s in steps)


def test_no_answers_at_all_scores_nothing(api):
    body = api.post(SCORE, json={"answers": {}}).get_json()
    assert body["overall"]["score"] is None and body["overall"]["level"] is None
    assert body["actions"] == [] and body["requirements_met"] == 0


def test_bad_answers_get_400_with_errors_per_question(api):
    response = api.post(
        f"{SCORE}?lang=da",
        json={"answers": {"nope": "yes", "tg_size": -5, "org_political_backing": 9}},
    )
    errors = errors_of(response)
    assert errors["nope"][0]["code"] == "unknown_question"
    assert errors["tg_size"][0]["code"] == "too_small"
    assert errors["tg_size"][0]["message"] == "Skriv et tal på mindst 0."
    assert errors["org_political_backing"][0]["code"] == "invalid_choice"


def test_wrong_bodies_are_refused(app, api):
    questionnaire = app.extensions["questionnaires"]["kommune"]
    multiple = next(q for q in questionnaire.questions.values() if q.type == "multiple")
    response = api.post(SCORE, json={"answers": {multiple.id: "not-a-list"}})
    assert errors_of(response)[multiple.id][0]["code"] == "wrong_type"
    assert errors_of(api.post(SCORE, json=[1]))["answers"][0]["code"] == "wrong_type"
    assert errors_of(api.post(SCORE, json={"answers": [1]}))["answers"][0]["code"] == "wrong_type"
    errors = errors_of(api.post(SCORE, json={"answers": {}, "extra": 1}))
    assert errors == {"extra": [{"code": "unknown_field", "message": "Feltet findes ikke."}]}
    assert errors_of(api.post(SIMULATE, json="text"))["_"][0]["code"] == "wrong_type"


# --- every JSON type for every question type ----------------------------------------------------

EVERY_JSON_TYPE = [
    None, True, False, 0, 3, -1, 2.5, 10**15, "", "text", "3", "yes", "dont_know",
    [], ["yes"], [1], [[1]], [None], {}, {"a": 1},
]  # fmt: skip


@pytest.mark.parametrize("question_type", ["scale", "single", "multiple", "yes_partly_no",
                                           "number", "text"])  # fmt: skip
def test_every_json_type_as_an_answer_is_taken_or_refused_by_its_question(app, api, question_type):
    questionnaire = app.extensions["questionnaires"]["kommune"]
    question = next(q for q in questionnaire.questions.values() if q.type == question_type)
    for value in EVERY_JSON_TYPE:
        response = api.post(f"{SCORE}?lang=sv", json={"answers": {question.id: value}})
        assert response.status_code in (200, 400), (question_type, value)
        if response.status_code == 400:
            (problem,) = errors_of(response)[question.id]
            assert problem["code"] in {
                "wrong_type",
                "invalid_choice",
                "not_a_number",
                "too_small",
                "too_large",
                "dont_know_with_others",
            }
            assert problem["message"], (question_type, value)  # fmt: skip


@pytest.mark.parametrize(
    ("question_id", "value", "code"),
    [
        ("wc_notes", 40, "wrong_type"),
        ("tg_size", [9], "not_a_number"),
        ("tg_size", {"value": 9}, "not_a_number"),
        ("tg_size", True, "not_a_number"),
        ("tg_size", 100_001, "too_large"),
        ("tg_size", "10²", "not_a_number"),  # a digit to Unicode, no number (was a 500)
        ("org_political_backing", True, "wrong_type"),
        ("org_political_backing", 2.0, "wrong_type"),
        ("org_political_backing", ["4"], "wrong_type"),
        ("org_political_backing", {"4": 1}, "wrong_type"),
        ("pm_gains_handled", "maybe", "invalid_choice"),
    ],
)
def test_answers_of_the_wrong_json_type_are_named_per_question(api, question_id, value, code):
    response = api.post(f"{SCORE}?lang=sv", json={"answers": {question_id: value}})
    assert errors_of(response)[question_id][0]["code"] == code


# --- the body: content type, size, JSON --------------------------------------------------------


def test_an_oversized_body_is_413_json(api):
    response = post_json(api, SCORE, "x" * (2 * 1024 * 1024))
    (problem,) = errors_of(response, 413)["_"]
    assert problem["code"] == "too_large" and "1.048.576" in problem["message"]


@pytest.mark.parametrize(("lang", "words"), [("da", "højst 64 byte"), ("sv", "högst 64 byte")])
def test_a_body_over_the_configured_limit_is_413_in_the_callers_language(
    app, api, monkeypatch, lang, words
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64)
    body = {**SCENARIO, "cost_per_participant": 30000, "dropout_rate": 0.1}
    response = api.post(SIMULATE, json=body, headers={"Accept-Language": lang})
    (problem,) = errors_of(response, 413)["_"]
    assert problem["code"] == "too_large" and words in problem["message"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
def test_a_body_not_declared_as_json_is_415(api, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    response = api.post(f"{SIMULATE}?lang=sv", data='{"participants": 25}', **kwargs)
    (problem,) = errors_of(response, 415)["_"]
    assert problem["code"] == "unsupported_media_type"
    assert problem["message"].startswith("Skicka innehållet som JSON")


def test_json_types_with_a_charset_or_a_json_suffix_are_read(api):
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = api.post(SIMULATE, json=SCENARIO, content_type=content_type)
        assert response.status_code == 200, content_type


@pytest.mark.parametrize("url", [SIMULATE, SCORE])
def test_a_401_digit_integer_is_refused_as_too_large(api, url):
    huge = "1" * 401
    text = (
        f'{{"answers": {{"tg_size": {huge}}}}}'
        if url == SCORE
        else f'{{"participants": {huge}, "success_rate": 0.6, "target_rate": 0.5}}'
    )
    response = post_json(api, f"{url}?lang=da", text)
    field = "answers.tg_size" if url == SCORE else "participants"
    (problem,) = errors_of(response)[field]
    assert problem == {
        "code": "too_large",
        "message": "Skriv et tal på højst 1.000.000.000.000.000.",
    }


@pytest.mark.parametrize(
    "number", ["9" * 5000, "-" + "9" * 16, "1e400", "-1e400", "1e16", "2" * 400 + ".5"]
)
def test_numbers_beyond_10_to_the_15_never_reach_the_number_checks(api, number):
    text = f'{{"answers": {{"tg_size": {number}, "pm_success_rate": 1e15}}}}'
    response = post_json(api, f"{SCORE}?lang=sv", text)
    errors = errors_of(response)
    assert list(errors) == ["answers.tg_size"]
    assert errors["answers.tg_size"][0]["code"] == "too_large"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_numbers(api, constant):
    response = post_json(api, f"{SIMULATE}?lang=sv", f'{{"participants": {constant}}}')
    assert errors_of(response)["participants"] == [
        {"code": "not_a_number", "message": "Skriv ett tal, till exempel 40."}
    ]


@pytest.mark.parametrize("url", [SIMULATE, SCORE])
@pytest.mark.parametrize("depth", [100_000, 1_000, 33])
def test_json_nested_too_deep_is_refused_without_a_500(api, url, depth):
    response = post_json(api, f"{url}?lang=sv", "[" * depth + "]" * depth)
    (problem,) = errors_of(response)["_"]
    assert problem == {"code": "too_deep", "message": "JSON-datan är nästlad i mer än 32 nivåer."}


def test_nesting_the_api_can_read_still_gets_a_message_per_field(api):
    deep = "[" * 30 + "]" * 30
    response = post_json(api, SCORE, f'{{"answers": {{"tg_size": {deep}}}}}')
    assert errors_of(response)["tg_size"][0]["code"] == "not_a_number"


def test_a_megabyte_of_brackets_is_refused_quickly(api):
    import time

    started = time.perf_counter()
    response = post_json(api, SIMULATE, "[" * (1024 * 1024 - 10))
    assert errors_of(response)["_"][0]["code"] == "too_deep"
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    ("text", "lang", "message"),
    [
        ('{"participants": 25,}', "da",
         "Indholdet er ikke gyldig JSON: se efter omkring linje 1, kolonne 21."),
        ('{\n "participants": ', "sv",
         "Innehållet är inte giltig JSON: titta kring rad 2, kolumn 18."),
        ("", "sv", "Innehållet är inte giltig JSON: titta kring rad 1, kolumn 1."),
    ],
)  # fmt: skip
def test_invalid_json_says_where_it_broke(api, text, lang, message):
    response = post_json(api, f"{SIMULATE}?lang={lang}", text)
    assert errors_of(response)["_"] == [{"code": "invalid_json", "message": message}]


@pytest.mark.parametrize(
    "data", [b'{"participants": "\xff"}', b"\xef\xbb", b'{"a": "\xed\xa0\x80"}']
)
def test_broken_utf8_is_refused(api, data):
    response = post_json(api, f"{SCORE}?lang=da", data)
    assert errors_of(response)["_"] == [
        {"code": "invalid_encoding", "message": "Indholdet er ikke gyldig UTF-8-tekst."}
    ]


def test_a_field_given_twice_is_refused(api):
    text = '{"participants": 25, "participants": 2500, "success_rate": 0.6}'
    response = post_json(api, f"{SIMULATE}?lang=sv", text)
    assert errors_of(response) == {
        "participants": [
            {"code": "duplicate_field", "message": "Fältet förekommer mer än en gång."}
        ]
    }


def test_a_body_full_of_refusals_names_only_the_first_twenty(api):
    response = post_json(api, SCORE, "[" + ",".join(["NaN"] * 10_000) + "]")
    errors = errors_of(response)
    assert set(errors) == {str(i) for i in range(20)}


# --- the simulator's inputs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (["per_success"], "wrong_type"),
        ({"per_success": True}, "wrong_type"),
        (1, "wrong_type"),
        (True, "wrong_type"),
        (None, "required"),
        ("sometimes", "invalid_choice"),
    ],
)
def test_a_payment_rule_that_is_not_one_of_the_texts_gets_a_message(api, rule, code):
    response = api.post(f"{SIMULATE}?lang=sv", json={**SCENARIO, "payment_rule": rule})
    (problem,) = errors_of(response)["payment_rule"]
    assert problem["code"] == code and problem["message"]


NUMBER_INPUTS = [
    "participants", "success_rate", "target_rate", "dropout_rate", "cost_per_participant",
    "payment_per_success", "payment_if_met", "savings_municipality", "savings_region",
    "savings_state", "horizon_years", "discount_rate",
]  # fmt: skip


@pytest.mark.parametrize("field", NUMBER_INPUTS)
@pytest.mark.parametrize("value", [[25], {"n": 25}, True, "25", "many"])
def test_a_number_input_of_another_json_type_is_refused(api, field, value):
    response = api.post(f"{SIMULATE}?lang=da", json={**SCENARIO, field: value})
    assert errors_of(response)[field] == [
        {"code": "wrong_type", "message": "Send et tal her (et JSON-tal, ikke tekst, true/false, "
                                          "en liste eller et objekt)."}
    ]  # fmt: skip


ROW = {"goal": "Stabil bolig", "payment": 40000, "data_source": "Register", "success_rate": 0.5}


@pytest.mark.parametrize(
    ("card", "field", "code"),
    [
        ({"goal": "x"}, "rate_card", "wrong_type"),
        ("x", "rate_card", "wrong_type"),
        (7, "rate_card", "wrong_type"),
        (["x"], "rate_card.0", "wrong_type"),
        ([[ROW]], "rate_card.0", "wrong_type"),
        ([{**ROW, "goal": 5}], "rate_card.0.goal", "wrong_type"),
        ([{**ROW, "goal": ["x"]}], "rate_card.0.goal", "wrong_type"),
        ([{**ROW, "data_source": None}], "rate_card.0.data_source", "wrong_type"),
        ([ROW, {**ROW, "payment": "40000"}], "rate_card.1.payment", "wrong_type"),
        ([{**ROW, "success_rate": {}}], "rate_card.0.success_rate", "wrong_type"),
        ([{**ROW, "success_rate": 2}], "rate_card.0.success_rate", "too_large"),
        ([{**ROW, "colour": "red"}], "rate_card.0.colour", "unknown_field"),
        ([ROW] * 11, "rate_card", "too_many"),
    ],
)
def test_rate_card_rows_of_the_wrong_shape_get_a_message_per_field(api, card, field, code):
    response = api.post(f"{SIMULATE}?lang=sv", json={**SCENARIO, "rate_card": card})
    (problem,) = errors_of(response)[field]
    assert problem["code"] == code and problem["message"]


def test_a_rate_card_row_of_the_right_shape_is_simulated(api):
    response = api.post(SIMULATE, json={**SCENARIO, "rate_card": [ROW], "savings_state": 1e5})
    assert response.status_code == 200
    row = response.get_json()["rate_card"][0]
    assert row["goal"] == "Stabil bolig" and row["expected_payment"] == 25 * 0.5 * 40000


def test_the_simulation_lays_out_its_cash_flow_by_year_adding_up_to_its_totals(api):
    body = {**SCENARIO, "rate_card": [ROW], "cost_per_participant": 60000,
            "savings_municipality": 50000, "discount_rate": 0.04}  # fmt: skip
    result = api.post(SIMULATE, json=body).get_json()
    years = result["cash_flow"]
    assert [row["year"] for row in years] == list(range(len(years)))
    assert sum(row["cost"] for row in years) == pytest.approx(result["investment"])
    assert sum(row["payments"] for row in years) == pytest.approx(result["expected_payment"])
    assert sum(row["cost"] * row["discount_factor"] for row in years) == pytest.approx(
        result["present_value_cost"]
    )
    assert sum(row["payments"] * row["discount_factor"] for row in years) == pytest.approx(
        result["present_value_payments"]
    )
    # The cost falls before the payments: each goal is paid the years after it is measured.
    assert years[0]["cost"] > 0 and years[0]["payments"] == 0
    assert years[1]["discount_factor"] == pytest.approx(1 / 1.04)


# --- errors of the HTTP kind: 404, 405, 429, 500, 503 -------------------------------------------


@pytest.mark.parametrize(
    ("url", "method", "allow"),
    [
        (SIMULATE, "GET", "OPTIONS, POST"),
        (SCORE, "GET", "OPTIONS, POST"),
        ("/api/v1/questionnaires", "POST", "GET, HEAD, OPTIONS"),
        ("/api/v1/questionnaires/kommune", "DELETE", "GET, HEAD, OPTIONS"),
        ("/api/v1/openapi.json", "PUT", "GET, HEAD, OPTIONS"),
    ],
)
@pytest.mark.parametrize(
    ("ask", "message"),
    [
        ({"query_string": {"lang": "da"}}, "Denne adresse tager ikke imod {method}. Brug: {use}."),
        ({"headers": {"Accept-Language": "sv-SE,sv;q=0.9"}},
         "Den här adressen tar inte emot {method}. Använd: {use}."),
    ],
)  # fmt: skip
def test_a_wrong_method_is_405_json_with_allow_in_the_callers_language(
    api, url, method, allow, ask, message
):
    response = api.open(url, method, **ask)
    assert set(response.headers["Allow"].split(", ")) == set(allow.split(", "))
    use = ", ".join(m for m in allow.split(", ") if m not in ("HEAD", "OPTIONS"))
    assert errors_of(response, 405) == {
        "_": [{"code": "method_not_allowed", "message": message.format(method=method, use=use)}]
    }


@pytest.mark.parametrize(
    ("ask", "message"),
    [
        ({"query_string": {"lang": "da"}}, "Der findes intet på denne adresse."),
        ({"query_string": {"lang": "sv"}}, "Det finns inget på den här adressen."),
        ({"headers": {"Accept-Language": "sv"}}, "Det finns inget på den här adressen."),
        ({"headers": {"Accept-Language": "en"}}, "Der findes intet på denne adresse."),
    ],
)
@pytest.mark.parametrize("url", ["/api/v1/nope", "/api/v1/", "/api/v2/questionnaires", "/api/x"])
def test_an_unknown_api_address_is_404_json_in_the_callers_language(api, url, ask, message):
    response = api.get(url, **ask)
    assert errors_of(response, 404) == {"_": [{"code": "not_found", "message": message}]}


def test_site_pages_keep_their_html_error_pages(client):
    assert client.get("/da/nope").mimetype == "text/html"
    assert client.post("/da/").status_code == 405


def raise_from_the_simulation(monkeypatch, error: BaseException) -> None:
    """Make the simulate endpoint's core call raise, as a real failure inside the view would."""

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr("app.api.routes.simulate", fail)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("da", "Der er sendt for mange forespørgsler. Vent lidt, og prøv så igen."),
        ("sv", "För många förfrågningar har skickats. Vänta en stund och försök sedan igen."),
    ],
)
def test_too_many_requests_is_429_json_with_retry_after(api, monkeypatch, lang, message):
    from werkzeug.exceptions import TooManyRequests

    raise_from_the_simulation(monkeypatch, TooManyRequests(retry_after=30))
    response = api.post(SIMULATE, json=SCENARIO, query_string={"lang": lang})
    assert errors_of(response, 429) == {"_": [{"code": "too_many_requests", "message": message}]}
    assert response.headers["Retry-After"] == "30"


def test_a_429_without_a_known_wait_has_no_retry_after(api, monkeypatch):
    from werkzeug.exceptions import TooManyRequests

    raise_from_the_simulation(monkeypatch, TooManyRequests())
    response = api.post(SIMULATE, json=SCENARIO)
    assert errors_of(response, 429)["_"][0]["code"] == "too_many_requests"
    assert "Retry-After" not in response.headers


@pytest.mark.parametrize(
    "error",
    [
        pytest.param("abort", id="abort(503)"),
        pytest.param("database", id="OperationalError"),
    ],
)
@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("da", "Tjenesten er ikke tilgængelig lige nu. Prøv igen om et par minutter."),
        ("sv", "Tjänsten är inte tillgänglig just nu. Försök igen om några minuter."),
    ],
)
def test_an_unavailable_service_is_503_json(api, monkeypatch, caplog, error, lang, message):
    from sqlalchemy.exc import OperationalError
    from werkzeug.exceptions import ServiceUnavailable

    raised = (
        ServiceUnavailable()
        if error == "abort"
        else OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
    )
    raise_from_the_simulation(monkeypatch, raised)
    response = api.post(SIMULATE, json=SCENARIO, headers={"Accept-Language": lang})
    assert errors_of(response, 503) == {"_": [{"code": "unavailable", "message": message}]}
    if error == "database":
        assert "database unavailable: OperationalError" in caplog.text


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("da", "Der opstod en fejl hos os. Prøv igen senere."),
        ("sv", "Något gick fel hos oss. Försök igen senare."),
    ],
)
def test_an_unexpected_error_in_an_api_view_is_500_json(app, api, monkeypatch, lang, message):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    raise_from_the_simulation(monkeypatch, RuntimeError("boom"))
    response = api.post(f"{SIMULATE}?lang={lang}", json=SCENARIO)
    assert errors_of(response, 500) == {"_": [{"code": "server_error", "message": message}]}


def test_a_bare_400_has_the_same_shape(api, monkeypatch):
    from werkzeug.exceptions import BadRequest

    raise_from_the_simulation(monkeypatch, BadRequest())
    response = api.post(f"{SIMULATE}?lang=sv", json=SCENARIO)
    assert errors_of(response) == {
        "_": [{"code": "bad_request", "message": "Förfrågan kunde inte tolkas."}]
    }


# --- the site's own HTML error pages never answer for the API ----------------------------------


@pytest.fixture(scope="module")
def html_pages_app(sqlite_url):
    """The app with site-wide HTML pages for 429, 503 and a lost database, as the site has them."""
    from sqlalchemy.exc import OperationalError

    from tests.conftest import dispose, make_app

    app = make_app(sqlite_url)

    def page(status: int):
        return lambda error: (f"<!doctype html><title>{status}</title><h1>{status}</h1>", status)

    app.register_error_handler(429, page(429))
    app.register_error_handler(503, page(503))
    app.register_error_handler(OperationalError, page(503))
    app.register_error_handler(500, page(500))

    @app.get("/da/busy")
    def busy():
        from flask import abort

        abort(429)

    yield app
    dispose(app)


@pytest.mark.parametrize("status", [429, 500, 503, "database"])
def test_site_wide_html_error_pages_do_not_reach_api_callers(
    html_pages_app, api_contract, monkeypatch, status
):
    from sqlalchemy.exc import OperationalError
    from werkzeug.exceptions import InternalServerError, ServiceUnavailable, TooManyRequests

    from tests.api_contract import ApiContract, CheckedClient

    raised = {
        429: TooManyRequests(retry_after=5),
        500: InternalServerError(),
        503: ServiceUnavailable(),
        "database": OperationalError("SELECT 1", {}, ConnectionRefusedError()),
    }[status]
    raise_from_the_simulation(monkeypatch, raised)
    api = CheckedClient(
        html_pages_app.test_client(), ApiContract(html_pages_app, api_contract.document)
    )
    response = api.post(f"{SIMULATE}?lang=sv", json=SCENARIO)
    assert response.status_code == (503 if status == "database" else status)
    assert response.get_json()["errors"]["_"][0]["message"]
    # The same handlers still answer the site's pages.
    assert html_pages_app.test_client().get("/da/busy").mimetype == "text/html"


def test_any_other_http_error_has_the_same_shape_with_werkzeugs_name_as_code(client, monkeypatch):
    from werkzeug.exceptions import Gone

    raise_from_the_simulation(monkeypatch, Gone())
    response = client.post(f"{SIMULATE}?lang=sv", json=SCENARIO)
    assert response.status_code == 410 and response.mimetype == "application/json"
    assert response.get_json() == {
        "errors": {"_": [{"code": "gone", "message": "Förfrågan avvisades (HTTP-status 410)."}]}
    }


def test_the_api_sets_no_language_cookie_so_each_call_is_answered_by_its_own_headers(client):
    response = client.post("/api/v1/questionnaires/kommune/score?lang=sv", json={"answers": {}})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    danish = client.post(
        "/api/v1/questionnaires/nope/score", json={}, headers={"Accept-Language": "da"}
    )
    assert danish.get_json()["errors"]["_"][0]["message"] == "Der findes intet på denne adresse."


# --- the simulator's economics: baseline, investor, payment goals, time, cap ----------------------

TWO = {
    "participants": 2, "success_rate": 0.5, "target_rate": 0.5, "payment_rule": "per_success",
    "payment_per_success": 100, "cost_per_participant": 60,
}  # fmt: skip


@pytest.mark.parametrize(
    ("investor", "npv_municipality", "npv_public_sector", "loss"),
    [
        # Worked out in tests/test_simulator_economics.py: cost 120 now, payments worth 80,
        # savings worth 64 for the municipality and 80 for the public sector.
        ("public_fund", -16, -40, 0.75),
        ("private", -16, 0, 0.75),
        ("municipality", -56, -40, None),
    ],
)
def test_the_api_counts_the_investor_in_the_net_present_values(
    api, investor, npv_municipality, npv_public_sector, loss
):
    body = {**TWO, "investor": investor, "savings_municipality": 80, "savings_region": 20,
            "horizon_years": 1, "discount_rate": 0.25}  # fmt: skip
    out = api.post(SIMULATE, json=body).get_json()
    assert out["npv_municipality"] == pytest.approx(npv_municipality)
    assert out["npv_public_sector"] == pytest.approx(npv_public_sector)
    assert out["probability_investor_loss"] == (None if loss is None else pytest.approx(loss))
    assert out["present_value_cost"] == 120


def test_the_api_sums_every_payment_goal_with_its_baseline_cap_and_floor(api):
    goals = [
        {"name": "Bolig", "payment": 100, "success_rate": 0.5},
        {"name": "Job", "payment": 40, "success_rate": 0.25, "lag_years": 2,
         "data_source": "eIndkomst"},
    ]  # fmt: skip
    body = {**TWO, "payment_goals": goals, "cost_per_participant": 70}
    out = api.post(SIMULATE, json=body).get_json()
    assert out["expected_payment"] == 120
    assert [row["expected_payment"] for row in out["rate_card"]] == [100, 20]
    assert (out["payment_p10"], out["payment_p90"]) == (0, 240)
    capped = api.post(
        SIMULATE, json={**body, "payment_cap": 200, "minimum_repayment": 120}
    ).get_json()
    assert capped["expected_payment"] == pytest.approx(143.75)
    assert capped["probability_investor_loss"] == pytest.approx(9 / 16)
    with_baseline = api.post(
        SIMULATE, json={**TWO, "participants": 3, "baseline_rate": 0.3}
    ).get_json()
    assert with_baseline["baseline_successes"] == 1
    assert with_baseline["expected_payment"] == pytest.approx(62.5)
    assert with_baseline["extra_successes"] == pytest.approx(0.6)


def test_the_api_takes_recruitment_per_year_instead_of_participants(api):
    body = {**TWO, "participants": None, "participants_per_year": 1, "years": 2,
            "discount_rate": 0.25}  # fmt: skip
    out = api.post(SIMULATE, json=body).get_json()
    assert out["investment"] == 120
    assert out["present_value_cost"] == pytest.approx(108)
    assert out["present_value_payments"] == pytest.approx(72)


@pytest.mark.parametrize(
    ("changes", "field", "code", "message"),
    [
        ({"baseline_rate": 0.6}, "baseline_rate", "above_success_rate",
         "Baseline kan ikke være højere end den forventede succesrate"),
        ({"participants_per_year": 2, "years": 2}, "participants", "participants_mismatch",
         "Deltagere pr. år gange år giver 4."),
        ({"payment_cap": 10, "minimum_repayment": 20}, "minimum_repayment", "floor_above_cap",
         "Minimumstilbagebetalingen kan ikke være højere end loftet over betalingerne."),
        ({"investor": "bank"}, "investor", "invalid_choice", "Vælg et af de viste svar."),
        ({"investor": 1}, "investor", "wrong_type", "Send public_fund, private eller"),
        ({"payment_goals": {"name": "x"}}, "payment_goals", "wrong_type", "Send betalingsmålene"),
        ({"payment_goals": [{"name": "x", "payment": "1", "success_rate": 0.5}]},
         "payment_goals.0.payment", "wrong_type", "Send et tal her"),
        ({"payment_goals": [{"name": "x", "payment": 1, "success_rate": 0.5, "colour": 1}]},
         "payment_goals.0.colour", "unknown_field", "Feltet findes ikke."),
    ],
)  # fmt: skip
def test_the_api_refuses_economics_that_do_not_fit_in_danish(api, changes, field, code, message):
    response = api.post(f"{SIMULATE}?lang=da", json={**TWO, **changes})
    (problem,) = errors_of(response)[field]
    assert problem["code"] == code and problem["message"].startswith(message), problem
