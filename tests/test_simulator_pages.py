"""The simulator on the site: the page, its charts and tables, the spreadsheet, the API, and the
scenario saved with an assessment."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment
from tests.assessment_helpers import answer_all, start
from tests.helpers import check_page, get_page, text_of

PAGE = {"da": "/da/betalingssimulator", "sv": "/sv/betalningssimulator"}
NINE_FAMILIES = {
    "participants": "9",
    "success_rate": "60",
    "target_rate": "50",
    "dropout_rate": "0",
    "cost_per_participant": "100000",
    "payment_rule": "per_success",
    "payment_per_success": "150000",
}


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_page_opens_with_an_example_and_both_charts_with_their_numbers(client, lang):
    soup = get_page(client, PAGE[lang])
    assert len(soup.select("figure.chart-figure svg[role=img]")) == 2
    assert all(
        svg.select_one("title") and svg.select_one("desc") for svg in soup.select("figure svg")
    )
    assert soup.select(".distribution-table tbody tr") and soup.select(".chart-numbers tbody tr")
    assert soup.select(".sensitivity-table tbody tr")


def test_nine_families_are_told_in_plain_danish(client):
    soup = get_page(client, PAGE["da"], query_string=NINE_FAMILIES)
    sentences = [p.get_text(" ", strip=True) for p in soup.select(".result-sentence")]
    # The payment band leads: Bin(9, 0.6) has its 10th percentile at 4 and its 90th at 7
    # successes, each paid 150,000 kr.; the investor put in 900,000 kr. and gets less back when
    # at most 5 succeed: P(X ≤ 5) = 0.5174.
    assert sentences[0] == (
        "I otte af ti tilfælde ligger den samlede udbetaling mellem 600.000 kr. og 1.050.000 kr. "
        "i alt. Den forventede udbetaling er 810.000 kr. i alt."
    )
    assert sentences[1] == (
        "Sandsynligheden for, at investor får mindre tilbage end de investerede 900.000 kr., "
        "er 51,7 %."
    )
    # The chance of meeting the target is still told and explained: P(X ≥ 5) = 0.7334.
    chance = next(s for s in sentences if s.startswith("Med 9 deltagere"))
    assert chance.startswith("Med 9 deltagere, hvoraf 9 gennemfører, er der 73,3")
    assert any("zigzag" in s for s in sentences)
    assert "Med færre end 25 deltagere" in soup.select_one(".alert-warning").get_text()
    assert text_of(soup, ".key-figures tbody tr:nth-of-type(10) td") == "16"
    assert "Jeres gruppe mangler 7 deltagere i de 16" in " ".join(sentences)


def test_swedish_results_use_swedish_numbers_and_words(client):
    soup = get_page(client, PAGE["sv"], query_string={**NINE_FAMILIES, "participants": "2500"})
    sentences = [
        p.get_text(" ", strip=True).replace("\xa0", " ") for p in soup.select(".result-sentence")
    ]
    assert sentences[0].startswith("I åtta fall av tio ligger den totala utbetalningen mellan ")
    assert "220 350 000 kr och 229 650 000 kr" in sentences[0]
    chance = next(s for s in sentences if s.startswith("Med 2 500 deltagare"))
    assert "chans" in chance


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("participants", "0", "Skriv et tal på mindst 1."),
        ("participants", "20000", "Skriv et tal på højst 10.000."),
        ("participants", "2,5", "Skriv et helt tal."),
        ("success_rate", "120", "Skriv et tal på højst 100."),
        ("cost_per_participant", "-5", "Skriv et tal på mindst 0."),
        ("payment_per_success", "", "Vælg et svar, eller vælg »Ved ikke«."),
    ],
)
def test_bad_inputs_get_a_message_at_the_field(client, field, value, message):
    response = client.get(PAGE["da"], query_string={**NINE_FAMILIES, field: value})
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "simulator")
    assert message in [a.get_text(strip=True) for a in soup.select(".error-summary a")]
    assert soup.select_one(f"#{field}-error") is not None
    assert not soup.select(".simulator-result")


def test_user_text_in_the_rate_card_is_escaped(client):
    query = {
        **NINE_FAMILIES,
        "goal_1": "<script>x</script> $a$",
        "goal_payment_1": "1000",
        "goal_rate_1": "40",
    }
    html = client.get(PAGE["da"], query_string=query).get_data(as_text=True)
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_scenario_downloads_as_a_spreadsheet_in_the_pages_language(client, lang):
    query = {
        **NINE_FAMILIES,
        "goal_1": "Stabil bolig",
        "goal_payment_1": "40000",
        "goal_source_1": "Register",
        "goal_rate_1": "50",
    }
    soup = get_page(client, PAGE[lang], query_string=query)
    href = soup.select_one(".simulator-result a.download-link")["href"]
    response = client.get(href)
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    figures = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=4, values_only=True)}
    participants = {"da": "Antal deltagere", "sv": "Antal deltagare"}[lang]
    assert figures[participants] == 9
    card = list(book.worksheets[1].iter_rows(values_only=True))
    assert card[1][:6] == ("Stabil bolig", 40000, "Register", 0.5, 0, 1)
    # Without a baseline the expected payment is a formula (completers × rate × payment);
    # LibreOffice computes it in tests/test_spreadsheets_libreoffice.py.
    assert card[1][6].startswith("=") and card[1][6].endswith("*D2*B2")


def test_a_repeat_of_the_same_scenario_draws_no_chart(client, monkeypatch):
    client.get(PAGE["da"], query_string=NINE_FAMILIES)

    def no_drawing(*args, **kwargs):
        raise AssertionError("drawn again")

    monkeypatch.setattr("app.core.svgchart.line_chart_svg", no_drawing)
    assert client.get(PAGE["da"], query_string=NINE_FAMILIES).status_code == 200


def test_the_api_simulates_with_the_documented_keys(api):
    body = {
        "participants": 25, "success_rate": 0.6, "target_rate": 0.5, "dropout_rate": 0,
        "cost_per_participant": 30000, "payment_rule": "per_success", "payment_per_success": 60000,
    }  # fmt: skip
    response = api.post("/api/v1/payment-model/simulate", json=body)
    assert response.status_code == 200
    out = response.get_json()
    assert round(out["probability_target_met"], 3) == 0.846
    assert out["participants_needed"] == 16
    assert out["expected_successes"] == 15 and out["expected_payment"] == 900000
    assert out["investment"] == 750000 and out["break_even_success_rate"] == 0.5
    assert {"payment_p10", "payment_p90"} <= set(out)


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"success_rate": 1.5}, "success_rate", "too_large"),
        ({"cost_per_participant": -1}, "cost_per_participant", "too_small"),
        ({"participants": 0}, "participants", "too_small"),
        ({"participants": 10**9}, "participants", "too_large"),
        ({"payment_rule": "sometimes"}, "payment_rule", "invalid_choice"),
        ({"surprise": 1}, "surprise", "unknown_field"),
        ({"payment_per_success": None}, "payment_per_success", "required"),
    ],
)
def test_the_api_refuses_bad_input_per_field(api, body, field, code):
    base = {
        "participants": 25,
        "success_rate": 0.6,
        "target_rate": 0.5,
        "payment_rule": "per_success",
        "payment_per_success": 1000,
    }
    response = api.post("/api/v1/payment-model/simulate?lang=sv", json={**base, **body})
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert errors[field][0]["code"] == code and errors[field][0]["message"]


def test_a_scenario_saved_with_an_assessment_raises_payment_model_warnings(app, client):
    token = start(client)
    questionnaire = app.extensions["questionnaires"]["kommune"]
    answer_all(client, "da", token, questionnaire, tg_size="40", pm_success_rate="55")
    # The simulator starts from the answers: the planned group size fills the participants box.
    soup = get_page(client, PAGE["da"], query_string={"assessment": token})
    assert soup.select_one("#participants")["value"] == "40"
    assert soup.select_one("#success_rate")["value"] == "55"
    form = get_page(
        client, PAGE["da"], query_string={"assessment": token, **NINE_FAMILIES}
    ).select_one(".simulator-result form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    response = client.post(form["action"], data=data)
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(Assessment).where(Assessment.token == token))
        assert row.scenario["participants"] == 9 and row.scenario["success_rate"] == 0.6
    client.post(f"/da/selvevaluering/{token}/indsend")
    with app.app_context():
        row = db.session.scalar(select(Assessment).where(Assessment.token == token))
        flags = {f["id"] for f in row.result["flags"]}
    assert "pm_sim_below_needed" in flags
    page = get_page(client, f"/da/selvevaluering/{token}/resultat")
    links = [a["href"] for a in page.select(".flag a")]
    assert (
        "/da/vaerktoejskasse/betalingsmodel" in links and "/da/vaerktoejskasse/maalgruppe" in links
    )
