"""The simulator's workbook: what the page shows, as formulas where a person expects them, in the
page's language, from an assessment too, and never broken by what a visitor typed.

LibreOffice recalculates these workbooks in tests/test_spreadsheets_libreoffice.py; here openpyxl
reads what was written: values, formulas and number formats."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.assessment_helpers import answer_all, start
from tests.helpers import get_page
from tests.test_simulator_pages import NINE_FAMILIES, PAGE

XLSX = {"da": "/da/betalingssimulator.xlsx", "sv": "/sv/betalningssimulator.xlsx"}
WITH_SAVINGS = {
    **NINE_FAMILIES,
    "participants": "40",
    "dropout_rate": "10",
    "savings_municipality": "50000",
    "savings_region": "10000",
    "savings_state": "20000",
    "horizon_years": "5",
    "discount_rate": "3,5",
    "goal_1": "Stabil bolig",
    "goal_payment_1": "40000",
    "goal_source_1": "Register",
    "goal_rate_1": "50",
    "goal_2": "Job",
    "goal_payment_2": "30000",
    "goal_rate_2": "40",
}
# Every economic input at once: cohorts, a baseline, a private investor, a cap and a floor, and
# payment goals with and without their own baseline and lag.
WITH_ECONOMICS = {
    **WITH_SAVINGS,
    "participants": "",
    "participants_per_year": "20",
    "years": "2",
    "baseline_rate": "15",
    "investor": "private",
    "payment_cap": "2000000",
    "minimum_repayment": "300000",
    "goal_baseline_1": "10",
    "goal_lag_1": "2",
    "goal_lag_2": "3",
}
SHEETS = {
    "da": ["Scenarie", "Prisliste", "Følsomhed", "Pengestrøm"],
    "sv": ["Scenario", "Prislista", "Känslighet", "Kassaflöde"],
}


def workbook(response):  # type: ignore[no-untyped-def]
    """The downloaded workbook, as written (formulas as text)."""
    assert response.status_code == 200, response.status_code
    return load_workbook(BytesIO(response.data))


def figures(sheet) -> dict:  # type: ignore[no-untyped-def]
    """Column A's labels and the cell beside each."""
    return {row[0].value: row[1] for row in sheet.iter_rows(min_col=1, max_col=2) if row[0].value}


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_workbook_is_named_and_laid_out_in_the_pages_language(client, lang):
    response = client.get(XLSX[lang], query_string=NINE_FAMILIES)
    name = {"da": "betalingssimulator.xlsx", "sv": "betalningssimulator.xlsx"}[lang]
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    book = workbook(response)
    assert book.sheetnames == SHEETS[lang]
    title = {"da": "Scenarie for betalingsmodellen", "sv": "Scenario för betalningsmodellen"}
    assert book.worksheets[0]["A1"].value == title[lang]


def test_inputs_are_values_and_simple_arithmetic_is_a_formula(client):
    sheet = workbook(client.get(XLSX["da"], query_string=NINE_FAMILIES))["Scenarie"]
    cells = figures(sheet)
    participants, cost = cells["Antal deltagere"], cells["Pris pr. deltager"]
    assert participants.value == 9 and participants.number_format == "#,##0"
    assert cells["Forventet succesrate"].value == 0.6
    assert cells["Forventet succesrate"].number_format == "0.0 %"
    assert cost.value == 100000 and cost.number_format == '#,##0 "kr."'
    investment = cells["Investering"]
    assert investment.data_type == "f"
    assert investment.value == f"=${participants.column_letter}${participants.row}*$B${cost.row}"
    assert cells["Forventet udbetaling"].data_type == "f"
    assert cells["Forventet antal succeser"].data_type == "f"
    assert cells["Investorens nulpunkt (succesrate)"].data_type == "f"
    # What the binomial model decides stays a value, with the page's unit.
    chance = cells["Sandsynlighed for, at målet nås"]
    assert chance.data_type == "n" and chance.value == pytest.approx(0.73343232)
    assert chance.number_format == "0.0 %"
    assert cells["Udbetaling, 10. percentil"].data_type == "n"
    assert cells["Deltagere, der skal til for en sandsynlighed på 80 %"].value == 16
    assert "Besparelser og nutidsværdi" not in cells, "no savings were given"


def test_swedish_kroner_have_no_full_stop(client):
    sheet = workbook(client.get(XLSX["sv"], query_string=NINE_FAMILIES))["Scenario"]
    assert figures(sheet)["Kostnad per deltagare"].number_format == '#,##0 "kr"'


def test_savings_net_present_values_sensitivity_and_rate_card_are_in_the_workbook(client):
    book = workbook(client.get(XLSX["da"], query_string=WITH_SAVINGS))
    cells = figures(book["Scenarie"])
    for label in (
        "Besparelser og nutidsværdi",
        "Nutidsværdi for kommunen",
        "Nutidsværdi for den offentlige sektor som helhed",
        "Andel af gevinsterne uden for kommunen",
    ):
        assert label in cells, label
    assert cells["Kommunen"].value == 50000 and cells["Staten"].value == 20000
    assert cells["Nutidsværdi for kommunen"].data_type == "f"
    assert cells["Diskonteringsrente"].value == pytest.approx(0.035)
    card = book["Prisliste"]
    headings = [c.value for c in card[1]]
    assert headings == [
        "Betalingsmål", "Betaling pr. succes", "Datakilde", "Forventet succesrate", "Baseline",
        "Måles og betales efter (år)", "Forventet udbetaling",
    ]  # fmt: skip
    completers = cells["Deltagere, der gennemfører"]
    assert completers.value == 36
    assert [c.value for c in card[2]][:4] == ["Stabil bolig", 40000, "Register", 0.5]
    assert card["D2"].number_format == "0.0 %" and card["B2"].number_format == '#,##0 "kr."'
    assert card["G2"].value == f"='Scenarie'!$B${completers.row}*D2*B2"
    assert card["A5"].value == "I alt" and card["G5"].value == "=SUM(G2:G3)"
    sensitivity = list(book["Følsomhed"].iter_rows(values_only=True))
    assert sensitivity[0] == ("Inddata", "Ny værdi", "Sandsynlighed for at nå målet",
                              "Forventet udbetaling")  # fmt: skip
    assert sensitivity[1][0] == "Som indtastet"
    assert [row[0] for row in sensitivity[2:]] == [
        "Forventet succesrate", "Forventet succesrate", "Antal deltagere", "Antal deltagere",
        "Frafald",
    ]  # fmt: skip


def test_a_threshold_payment_is_the_chance_times_the_payment(client):
    query = {**NINE_FAMILIES, "payment_rule": "threshold", "payment_if_met": "1000000"}
    cells = figures(workbook(client.get(XLSX["da"], query_string=query))["Scenarie"])
    payment, chance = cells["Betaling, hvis målet nås"], cells["Sandsynlighed for, at målet nås"]
    assert payment.value == 1000000
    assert cells["Forventet udbetaling"].value == f"=$B${chance.row}*$B${payment.row}"
    assert cells["Investorens nulpunkt (succesrate)"].value == "–"


def test_control_characters_in_rate_card_text_never_break_the_workbook(client):
    query = {
        **NINE_FAMILIES,
        "goal_1": "a\x01b\x1bc",
        "goal_payment_1": "1000",
        "goal_rate_1": "50",
        "goal_source_1": "d\x00e\x0bf\x7f",
    }
    page = client.get(PAGE["da"], query_string=query)
    response = client.get(XLSX["da"], query_string=query)
    # The spreadsheet answers as the page does (200, or 400 if the form refuses the text): no 500.
    assert response.status_code == page.status_code in (200, 400)
    if response.status_code == 200:
        card = workbook(response)["Prisliste"]
        assert card["A2"].value == "abc" and card["C2"].value == "def"


def test_rate_card_text_that_looks_like_a_formula_stays_text(client):
    query = {
        **NINE_FAMILIES,
        "goal_1": '\x01=HYPERLINK("http://example.org","x")',
        "goal_payment_1": "1000",
        "goal_rate_1": "50",
        "goal_source_1": "=1+1",
    }
    book = workbook(client.get(XLSX["da"], query_string=query))
    card = book["Prisliste"]
    assert card["A2"].value == '=HYPERLINK("http://example.org","x")'
    assert card["A2"].data_type == "s" and card["C2"].data_type == "s"
    assert card["G2"].data_type == "f", "the code's own formula beside it is a formula"


def saved_scenario_token(app, client) -> str:
    """An assessment with the nine-families scenario saved through the page's own form."""
    token = start(client)
    form = get_page(
        client, PAGE["da"], query_string={"assessment": token, **NINE_FAMILIES}
    ).select_one(".simulator-result form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert client.post(form["action"], data=data).status_code == 302
    return token


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_workbook_from_an_assessment_holds_its_saved_scenario(app, client, lang):
    token = saved_scenario_token(app, client)
    soup = get_page(client, PAGE[lang], query_string={"assessment": token})
    assert soup.select_one("#participants")["value"] == "9"
    href = soup.select_one(".simulator-result a.download-link")["href"]
    assert href == f"{XLSX[lang]}?assessment={token}"
    response = client.get(href)
    assert response.headers["Cache-Control"] == "private, no-store"
    cells = figures(workbook(response).worksheets[0])
    participants = {"da": "Antal deltagere", "sv": "Antal deltagare"}[lang]
    cost = {"da": "Pris pr. deltager", "sv": "Kostnad per deltagare"}[lang]
    assert cells[participants].value == 9 and cells[cost].value == 100000


def test_the_workbook_from_an_assessment_without_a_scenario_starts_from_its_answers(app, client):
    token = start(client)
    answer_all(client, "da", token, app.extensions["questionnaires"]["kommune"], tg_size="40")
    response = client.get(XLSX["da"], query_string={"assessment": token})
    assert response.headers["Cache-Control"] == "private, no-store"
    assert figures(workbook(response)["Scenarie"])["Antal deltagere"].value == 40


def test_a_bad_assessment_link_gets_no_workbook(client):
    assert client.get(XLSX["da"], query_string={"assessment": "x" * 43}).status_code == 404
    assert (
        client.get(XLSX["da"], query_string={**NINE_FAMILIES, "participants": "0"}).status_code
        == 400
    )


@pytest.mark.parametrize("investor", ["public_fund", "private", "municipality"])
def test_the_workbook_holds_the_economic_inputs_and_the_model_values_they_need(client, investor):
    book = workbook(client.get(XLSX["da"], query_string={**WITH_ECONOMICS, "investor": investor}))
    cells = figures(book["Scenarie"])
    assert cells["Deltagere pr. år"].value == 20 and cells["Antal år med rekruttering"].value == 2
    assert cells["Antal deltagere"].value == 40
    assert cells["Baseline: andelen, der ville nå målet alligevel"].value == 0.15
    assert cells["Loft over betalingerne i hele kontrakten"].value == 2000000
    assert cells["Succeser, der ventes alligevel (baseline)"].value == 6
    # With goals, a baseline and a cap the expected payment is the model's value, not arithmetic.
    assert cells["Forventet udbetaling"].data_type == "n"
    assert cells["Ekstra succeser ud over baseline"].data_type == "f"
    pays = {"public_fund": ("pv_payments", "pv_cost"), "private": ("pv_payments", "pv_payments"),
            "municipality": ("pv_cost", "pv_cost")}[investor]  # fmt: skip
    rows = {"pv_payments": cells["Nutidsværdi af de forventede betalinger"].row,
            "pv_cost": cells["Nutidsværdi af indsatsens pris"].row}  # fmt: skip
    municipality = cells["Nutidsværdi for kommunen"].value
    public = cells["Nutidsværdi for den offentlige sektor som helhed"].value
    assert municipality.endswith(f"-$B${rows[pays[0]]}"), municipality
    assert public.endswith(f"-$B${rows[pays[1]]}"), public
    loss = cells["Sandsynlighed for, at investoren får mindre tilbage end det investerede"].value
    assert (loss == "–") == (investor == "municipality")
    card = book["Prisliste"]
    assert card["E2"].value == 0.1 and card["F2"].value == 2 and card["G2"].data_type == "n"
    assert card["E3"].value == 0 and card["F3"].value == 3 and card["G3"].data_type == "f"


def flow_rows(sheet) -> tuple[list, list[list]]:  # type: ignore[no-untyped-def]
    """The cash-flow sheet's headings and its rows of cells, the total row last."""
    start = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value in ("År",))
    headings = [c.value for c in sheet[start] if c.value]
    rows = [list(row) for row in sheet.iter_rows(min_row=start + 1) if row[0].value is not None]
    return headings, rows


def test_the_cash_flow_sheet_has_a_row_a_year_in_the_pages_language(client):
    book = workbook(client.get(XLSX["da"], query_string=WITH_ECONOMICS))
    sheet = book["Pengestrøm"]
    assert sheet["A1"].value == "Pengestrøm år for år"
    headings, rows = flow_rows(sheet)
    assert headings == [
        "År", "Diskonteringsfaktor", "Investering (indsatsens pris)", "Forventede udbetalinger",
        "Heraf loft eller minimumstilbagebetaling", "Besparelser, kommunen",
        "Besparelser, alle sektorer", "Investering (indsatsens pris), nutidsværdi",
        "Forventede udbetalinger, nutidsværdi",
        "Heraf loft eller minimumstilbagebetaling, nutidsværdi",
        "Besparelser, kommunen, nutidsværdi", "Besparelser, alle sektorer, nutidsværdi",
    ]  # fmt: skip
    *years, total = rows
    # Two cohorts of 20 (years 0 and 1); Job is measured 3 years on, so payments run to year 4;
    # savings last 5 years from the year after each cohort starts: to year 6.
    assert [row[0].value for row in years] == list(range(7))
    assert total[0].value == "I alt"
    scenario = figures(book["Scenarie"])
    per_year, cost = scenario["Deltagere pr. år"], scenario["Pris pr. deltager"]
    assert years[0][2].value == f"='Scenarie'!$B${per_year.row}*'Scenarie'!$B${cost.row}"
    assert years[2][2].value == 0
    rate = next(row for row in sheet.iter_rows() if row[0].value == "Diskonteringsrente")[1]
    assert rate.value == f"='Scenarie'!$B${scenario['Diskonteringsrente'].row}"
    r = years[3][0].row
    assert years[3][1].value == f"=1/(1+$B${rate.row})^A{r}"
    assert years[3][8].value == f"=D{r}*B{r}"
    assert total[2].value == f"=SUM(C{years[0][0].row}:C{years[-1][0].row})"
    # Payments and savings are the model's values: the same as the page's table of the years.
    soup = get_page(client, PAGE["da"], query_string=WITH_ECONOMICS)
    shown = [
        [td.get_text(strip=True) for td in tr.select("td")]
        for tr in soup.select("#cash-flow-nominal tbody tr")
    ]
    assert len(shown) == len(years)
    for cells, page_row in zip(years, shown, strict=True):
        assert f"{round(cells[3].value):,}".replace(",", ".") == page_row[1]
        assert f"{round(cells[6].value):,}".replace(",", ".") == page_row[4]


def test_without_savings_or_discounting_the_cash_flow_still_adds_up(client):
    book = workbook(client.get(XLSX["sv"], query_string={**NINE_FAMILIES, "discount_rate": ""}))
    headings, rows = flow_rows(book["Kassaflöde"])
    assert headings == [
        "År", "Diskonteringsfaktor", "Investering (insatsens kostnad)",
        "Förväntade utbetalningar", "Investering (insatsens kostnad), nuvärde",
        "Förväntade utbetalningar, nuvärde",
    ]  # fmt: skip
    *years, _total = rows
    assert [row[0].value for row in years] == [0, 1]
    rate = next(row for row in book["Kassaflöde"].iter_rows() if row[0].value
                == "Diskonteringsränta")[1]  # fmt: skip
    assert rate.value == 0
    assert years[1][3].value == pytest.approx(810_000)  # 9 × 60 % × 150,000, a year on
