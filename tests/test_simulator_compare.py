"""Scenarios compared side by side: read from one shareable query, checked as the simulator checks
them, shown as the simulator's figures in columns with the payments on one chart, each linking back
to its own simulator page."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from app.core.simulator import Scenario, simulate
from tests.helpers import check_page, get_page
from tests.test_simulator_pages import NINE_FAMILIES, PAGE

COMPARE = {"da": "/da/betalingssimulator/sammenlign", "sv": "/sv/betalningssimulator/jamfor"}


def lettered(*scenarios: dict) -> dict:
    """The comparison's query for these scenarios (each as the simulator's query)."""
    return {
        f"{'abc'[i]}-{name}": value for i, s in enumerate(scenarios) for name, value in s.items()
    }


def columns(soup, selector: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """A side-by-side table as {row label: [the scenarios' texts]}."""
    return {
        tr.th.get_text(strip=True): [td.get_text(strip=True).replace("\xa0", " ")
                                     for td in tr.select("td")]
        for tr in soup.select(f"{selector} tbody tr")
    }  # fmt: skip


LARGER = {**NINE_FAMILIES, "participants": "40"}
THRESHOLD = {**NINE_FAMILIES, "payment_rule": "threshold", "payment_if_met": "1200000"}


def test_two_scenarios_side_by_side_show_the_simulators_figures(client):
    soup = get_page(client, COMPARE["da"], query_string=lettered(NINE_FAMILIES, LARGER))
    heads = [th.get_text(strip=True) for th in soup.select(".compare-figures thead th")]
    assert heads == ["Scenarie A", "Scenarie B"]
    inputs = columns(soup, ".compare-inputs")
    assert inputs["Antal deltagere"] == ["9", "40"]
    figures = columns(soup, ".compare-figures")
    # The figures are the simulator's own, for each scenario.
    for i, query in enumerate((NINE_FAMILIES, LARGER)):
        page = get_page(client, PAGE["da"], query_string=query)
        key = {tr.th.get_text(strip=True): tr.td.get_text(strip=True).replace("\xa0", " ")
               for tr in page.select(".key-figures tr")}  # fmt: skip
        for label in ("Forventet udbetaling", "Udbetaling, 10. percentil",
                      "Udbetaling, 90. percentil", "Investering",
                      "Deltagere, der skal til for en sandsynlighed på 80 %"):  # fmt: skip
            assert figures[label][i] == key[label], (label, i)
        loss = "Sandsynlighed for, at investoren får mindre tilbage end det investerede"
        assert figures[loss][i] == key[loss]
    assert figures["Forventet udbetaling"] == ["810.000 kr.", "3.600.000 kr."]
    assert "Nutidsværdi for kommunen" not in figures, "no scenario has savings"


def test_each_scenario_links_back_to_its_own_simulator_page(client):
    soup = get_page(client, COMPARE["sv"], query_string=lettered(NINE_FAMILIES, THRESHOLD))
    links = [a["href"] for a in soup.select(".compare-links a")]
    assert len(links) == 2
    for href, query in zip(links, (NINE_FAMILIES, THRESHOLD), strict=True):
        url = urlsplit(href)
        assert url.path == PAGE["sv"] and url.fragment == "result"
        own = {k: v for k, v in parse_qsl(url.query) if k[1:2] != "-" and k != "slot"}
        assert own == query
        assert client.get(href).status_code == 200


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_scenario_changed_in_the_simulator_goes_back_into_its_comparison(client, lang):
    # Open B from the comparison, change its group size, calculate, and go back: A is kept, B is
    # the changed one, and the comparison opens at B.
    compared = get_page(client, COMPARE[lang], query_string=lettered(NINE_FAMILIES, THRESHOLD))
    opened = urlsplit(compared.select(".compare-links a")[1]["href"])
    query = dict(parse_qsl(opened.query))
    assert query["slot"] == "b"
    page = get_page(client, opened.path, query_string={**query, "participants": "30"})
    assert page.select_one(".linked-comparison") is not None
    form = page.select_one("form.simulator-form")
    hidden = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert hidden["slot"] == "b" and hidden["a-participants"] == NINE_FAMILIES["participants"]
    assert page.select_one("a.compare-link:not(.back-to-comparison)") is None
    back = urlsplit(page.select_one("a.back-to-comparison")["href"])
    assert back.path == COMPARE[lang] and back.fragment == "scenario-b"
    again = get_page(client, back.path, query_string=dict(parse_qsl(back.query)))
    assert again.select_one("#a-participants")["value"] == NINE_FAMILIES["participants"]
    assert again.select_one("#b-participants")["value"] == "30"
    assert again.select_one("#b-payment_if_met")["value"] == THRESHOLD["payment_if_met"]


def test_a_simulator_page_with_a_slot_but_no_comparison_offers_a_new_one(client):
    page = get_page(client, PAGE["da"], query_string={**NINE_FAMILIES, "slot": "z"})
    assert page.select_one(".linked-comparison") is None
    assert page.select_one("a.compare-link")["href"].startswith(COMPARE["da"])


def test_the_simulator_page_adds_its_scenario_to_a_comparison(client):
    soup = get_page(client, PAGE["da"], query_string=NINE_FAMILIES)
    href = soup.select_one(".simulator-result a.compare-link")["href"]
    url = urlsplit(href)
    assert url.path == COMPARE["da"] and url.fragment == "scenario-b"
    query = dict(parse_qsl(url.query))
    assert {k[2:]: v for k, v in query.items() if k.startswith("a-")} == NINE_FAMILIES
    assert {k[2:]: v for k, v in query.items() if k.startswith("b-")} == {
        k[2:]: v for k, v in query.items() if k.startswith("a-")
    }
    compared = get_page(client, href)
    # Both start as the scenario; the second opens to be changed.
    assert compared.select_one("#scenario-b").has_attr("open")
    assert not compared.select_one("#scenario-a").has_attr("open")
    assert compared.select_one("#b-participants")["value"] == "9"
    same = compared.select_one(".simulator-result .result-sentence").get_text(strip=True)
    assert same.startswith("Scenarierne er ens indtil videre")


def test_the_comparison_url_is_the_page_and_a_third_scenario_can_be_added_and_taken_out(client):
    query = lettered(NINE_FAMILIES, LARGER)
    soup = get_page(client, COMPARE["da"], query_string=query)
    add = soup.select_one(".compare-changes a")["href"]
    three = get_page(client, add)
    assert [th.get_text(strip=True) for th in three.select(".compare-figures thead th")] == [
        "Scenarie A", "Scenarie B", "Scenarie C"
    ]  # fmt: skip
    assert columns(three, ".compare-inputs")["Antal deltagere"] == ["9", "40", "40"]
    removals = [a["href"] for a in three.select(".compare-changes a")]
    assert len(removals) == 3, "with three, any one can be taken out"
    without_a = get_page(client, removals[0])
    assert columns(without_a, ".compare-inputs")["Antal deltagere"] == ["40", "40"]
    assert not without_a.select_one("#scenario-c")


def test_a_comparison_without_scenarios_opens_with_the_example_and_a_larger_group(client):
    soup = get_page(client, COMPARE["sv"])
    assert columns(soup, ".compare-inputs")["Antal deltagare"] == ["25", "50"]
    assert soup.select_one("#chart-compare title").get_text() == (
        "Chansen att den totala utbetalningen blir högst ett belopp"
    )


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_bad_input_in_a_scenario_gets_the_simulators_message_and_keeps_what_was_typed(client, lang):
    bad = {**LARGER, "participants": "0", "success_rate": "sextio"}
    response = client.get(COMPARE[lang], query_string=lettered(NINE_FAMILIES, bad))
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "compare")
    simulator = check_page(
        client.get(PAGE[lang], query_string=bad).get_data(as_text=True), "simulator"
    )
    for field in ("participants", "success_rate"):
        message = soup.select_one(f"#b-{field}-error").get_text(" ", strip=True)
        assert message == simulator.select_one(f"#{field}-error").get_text(" ", strip=True)
        assert soup.select_one(f"#b-{field}")["value"] == bad[field]
        assert soup.select_one(f"#a-{field}")["value"] == NINE_FAMILIES[field]
    summary = [a.get_text(" ", strip=True) for a in soup.select(".error-summary a")]
    name = {"da": "Scenarie B", "sv": "Scenario B"}[lang]
    assert len(summary) == 2 and all(text.startswith(name + ", ") for text in summary)
    assert [a["href"] for a in soup.select(".error-summary a")] == [
        "#b-participants", "#b-success_rate"
    ]  # fmt: skip
    assert soup.select_one("#scenario-b").has_attr("open")
    assert not soup.select_one("#scenario-a").has_attr("open")
    assert not soup.select(".simulator-result")


def test_the_chart_and_its_table_hold_each_scenarios_chance_of_paying_at_most_an_amount(client):
    soup = get_page(client, COMPARE["da"], query_string=lettered(NINE_FAMILIES, THRESHOLD))
    lines = soup.select("#chart-compare polyline")
    assert len(lines) == 2 and lines[0]["stroke"] != lines[1]["stroke"]
    assert lines[1].get("stroke-dasharray"), "told apart by more than colour"
    rows = {
        tr.select("td")[0].get_text(strip=True): [
            td.get_text(strip=True) for td in tr.select("td")[1:]
        ]
        for tr in soup.select(".compare-payments tbody tr")
    }
    # Nine families at 60 %, 150,000 kr. a success: at most 5 successes (750,000 kr.) has
    # P(X ≤ 5) = 51.7 %; the threshold scenario pays 0 kr. with 1 − 73.3 % = 26.7 %.
    nine = simulate(Scenario(participants=9, success_rate=0.6, target_rate=0.5,
                             payment_per_success=150_000))  # fmt: skip
    assert rows["750.000"][0] == "51,7"
    assert rows["0"][1] == "26,7" and rows["1.200.000"][1] == "100"
    assert rows["1.050.000"][1] == "26,7", "between its two payments the threshold's chance stays"
    assert nine.payment_p90 == 1_050_000


def test_a_scenario_with_savings_brings_the_net_present_values(client):
    savings = {**LARGER, "savings_municipality": "80000", "discount_rate": "3"}
    soup = get_page(client, COMPARE["da"], query_string=lettered(NINE_FAMILIES, savings))
    figures = columns(soup, ".compare-figures")
    assert figures["Nutidsværdi for kommunen"][0] == "–"
    assert figures["Nutidsværdi for kommunen"][1].endswith("kr.")


def test_the_language_switch_keeps_every_scenario(client):
    soup = get_page(client, COMPARE["da"], query_string=lettered(NINE_FAMILIES, LARGER))
    switch = next(a["href"] for a in soup.select("a[href]") if a["href"].startswith(COMPARE["sv"]))
    query = dict(parse_qsl(urlsplit(switch).query))
    assert query["a-participants"] == "9" and query["b-participants"] == "40"
