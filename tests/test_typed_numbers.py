"""Numbers typed the way the site writes them are stored as meant, or refused with a message."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment
from tests.assessment_helpers import BASE, STEP, start
from tests.helpers import check_page, get_page, text_of

TARGET_GROUP_PAGE = 3
PAYMENT_PAGE = 6
SIMULATOR = {"da": "/da/betalingssimulator", "sv": "/sv/betalningssimulator"}


def answers_of(app, token: str) -> dict:
    with app.app_context():
        return db.session.scalar(select(Assessment.answers).where(Assessment.token == token))


def save_page(client, lang: str, token: str, number: int, **answers: str):
    data = {"action": "save", **{f"q_{qid}": value for qid, value in answers.items()}}
    return client.post(f"{BASE[lang]}/{token}/{STEP[lang]}/{number}", data=data)


@pytest.mark.parametrize(
    ("lang", "typed", "stored"),
    [
        ("da", "1.200", 1200),
        ("da", "1.200 personer eller familier", 1200),
        ("da", "85", 85),
        ("sv", "1 200", 1200),
        ("sv", "1\u00a0200", 1200),
    ],
)
def test_a_target_group_typed_with_thousands_separators_is_stored_as_meant(
    db_app, db_client, lang, typed, stored
):
    token = start(db_client, lang)
    response = save_page(db_client, lang, token, TARGET_GROUP_PAGE, tg_size=typed)
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    assert answers_of(db_app, token)["tg_size"] == stored


@pytest.mark.parametrize(
    ("lang", "typed", "message"),
    [
        ("da", "1,200", "»1,200« kan læses som 1,2 eller som 1.200"),
        ("sv", "1,200", "”1,200” kan läsas som 1,2 eller som 1 200"),
        ("sv", "1.200", "”1.200” kan läsas som 1,2 eller som 1 200"),
    ],
)
def test_a_number_that_could_mean_two_things_is_refused_naming_both(
    app, client, lang, typed, message
):
    token = start(client, lang)
    response = save_page(client, lang, token, TARGET_GROUP_PAGE, tg_size=typed)
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "step")
    assert message in text_of(soup, "#question-tg_size .form-error-message")
    assert soup.select_one("#q_tg_size")["value"] == typed  # what was typed is kept
    assert "tg_size" not in answers_of(app, token)


@pytest.mark.parametrize(
    ("lang", "typed", "message"),
    [("da", "10²", "Skriv et tal, fx 40."), ("sv", "①", "Skriv ett tal, till exempel 40.")],
)
def test_a_character_unicode_counts_as_a_digit_is_no_number(app, client, lang, typed, message):
    token = start(client, lang)
    response = save_page(client, lang, token, TARGET_GROUP_PAGE, tg_size=typed)
    assert response.status_code == 400  # was a 500: Decimal cannot read "²"
    soup = check_page(response.get_data(as_text=True), "step")
    assert message in text_of(soup, "#question-tg_size .form-error-message")
    response = client.get(SIMULATOR[lang], query_string={**SCENARIO, "goal_rate_1": typed})
    assert response.status_code == 400
    assert message in text_of(check_page(response.get_data(as_text=True), "sim"), "#main-content")


@pytest.mark.parametrize(
    ("lang", "typed", "stored"),
    [("da", "60", 60), ("da", "62,4 %", 62.4), ("da", "0,6 %", 0.6), ("sv", "60 %", 60)],
)
def test_a_success_rate_is_typed_as_a_percentage(app, client, lang, typed, stored):
    token = start(client, lang)
    response = save_page(client, lang, token, PAYMENT_PAGE, pm_success_rate=typed)
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    assert answers_of(app, token)["pm_success_rate"] == stored


@pytest.mark.parametrize(("lang", "question"), [("da", "Mente I 60 %?"), ("sv", "Menade ni 60 %?")])
def test_a_rate_typed_where_a_percentage_belongs_is_questioned_not_taken(
    app, client, lang, question
):
    token = start(client, lang)
    response = save_page(client, lang, token, PAYMENT_PAGE, pm_success_rate="0,6")
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "step")
    assert question in text_of(soup, "#question-pm_success_rate .form-error-message")
    assert "pm_success_rate" not in answers_of(app, token)


def test_a_stored_percentage_under_one_shows_its_unit_so_saving_again_keeps_it(app, client):
    token = start(client)
    save_page(client, "da", token, PAYMENT_PAGE, pm_success_rate="0,5 %")
    soup = get_page(client, f"/da/selvevaluering/{token}/trin/{PAYMENT_PAGE}")
    assert soup.select_one("#q_pm_success_rate")["value"] == "0,5 %"
    assert save_page(client, "da", token, PAYMENT_PAGE, pm_success_rate="0,5 %").status_code == 302


def key_figures(soup) -> dict[str, str]:
    rows = soup.select(".key-figures tr")
    return {r.th.get_text(strip=True): r.td.get_text(" ", strip=True) for r in rows}


SCENARIO = {
    "participants": "40",
    "success_rate": "60",
    "target_rate": "50",
    "dropout_rate": "0",
    "payment_rule": "per_success",
    "savings_municipality": "150.000",
    "horizon_years": "5",
    "discount_rate": "3,5",
}


def test_kroner_typed_with_dots_are_thousands_in_the_simulator(client):
    typed = {**SCENARIO, "cost_per_participant": "85.000", "payment_per_success": "120.000 kr."}
    soup = get_page(client, SIMULATOR["da"], query_string=typed)
    figures = key_figures(soup)
    assert figures["Investering"] == "3.400.000 kr."  # 40 × 85.000
    assert figures["Forventet udbetaling"] == "2.880.000 kr."  # 40 × 0,6 × 120.000
    # 24 successes × 150.000 kr. a year for 5 years at 3,5 % (factor 4,51505), less the
    # expected payments of 2.880.000 kr., paid when the goal is measured a year on.
    pv_factor = sum(1 / 1.035**year for year in range(1, 6))
    npv = round(24 * 150_000 * pv_factor - 2_880_000 / 1.035)
    assert npv == 13_471_580
    assert "nutidsværdien 13.471.580 kr. for kommunen" in text_of(soup, ".simulator-result")


def test_the_swedish_simulator_reads_spaces_as_thousands(client):
    typed = {**SCENARIO, "cost_per_participant": "85 000", "payment_per_success": "120 000 kr"}
    typed["savings_municipality"] = "150\u00a0000"
    soup = get_page(client, SIMULATOR["sv"], query_string=typed)
    assert key_figures(soup)["Investering"] == "3\u00a0400\u00a0000 kr"


@pytest.mark.parametrize(("lang", "question"), [("da", "Mente I 60 %?"), ("sv", "Menade ni 60 %?")])
def test_a_success_rate_of_0_6_in_the_simulator_is_questioned(client, lang, question):
    typed = {**SCENARIO, "success_rate": "0.6", "payment_per_success": "90000"}
    response = client.get(SIMULATOR[lang], query_string=typed)
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "simulator")
    assert question in text_of(soup, ".error-summary")
    assert soup.select_one("#success_rate")["value"] == "0.6"
    assert soup.select_one("#result") is None


def test_percent_and_kroner_fields_show_their_unit_beside_the_field(client):
    soup = get_page(client, SIMULATOR["da"])
    for field, unit in (("success_rate", "%"), ("dropout_rate", "%"), ("discount_rate", "%"),
                        ("cost_per_participant", "kr."), ("goal_rate_1", "%")):  # fmt: skip
        wrapper = soup.select_one(f"#{field}").parent
        assert "form-input-wrapper--suffix" in wrapper["class"], field
        assert wrapper.select_one(".form-input-suffix").get_text(strip=True) == unit, field
        assert f"({unit})" in soup.select_one(f"label[for={field}]").get_text(), field
