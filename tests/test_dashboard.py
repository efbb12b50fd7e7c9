"""The portfolio dashboard and the respondents' comparison: figures equal counts made by hand.

Six sendings, one of them withdrawn, are made straight in the database with known scores, levels,
months and findings; the pages must show exactly what a person counting them would. Run on SQLite
and on PostgreSQL (the figures are GROUP BY queries, which the two must answer alike).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, format_date
from sqlalchemy import select

from app.assessment.sending import whole_point
from app.core.spread import bands, quantile, spread
from app.extensions import db
from app.models import Assessment, Sending, SendingFlag, SendingScore
from app.review.dashboard import month_starts
from tests.advisor_helpers import full_login, make_account, redirects_to_login, url
from tests.helpers import check_page, text_of
from tests.test_review_pages import sent
from tests.test_sending import submitted

SUPPLIER = {"da": "Leverandør", "sv": "Utförare"}


def add(role: str, level: str, sent_at: datetime, scores: dict[str, float],
        findings: tuple[tuple[str, str], ...] = (), status: str = "sent") -> int:  # fmt: skip
    """One sent assessment with these figures, as copy_summary would have stored them."""
    assessment = Assessment(
        questionnaire_id=role,
        questionnaire_version=2,
        lang="da",
        organisation="Kommune",
        programme="Program",
        status="submitted",
        result={},
    )
    db.session.add(assessment)
    db.session.flush()
    sending = Sending(
        assessment_id=assessment.id,
        contact_name="K",
        contact_email="k@example.dk",
        status=status,
        role=role,
        overall_level=level,
        overall_score=50.0,
        sent_at=sent_at,
    )
    counted = status != "withdrawn"  # as app/assessment/sending.py copies it
    sending.scores = [
        SendingScore(dimension=d, score=s, level="idea", role=role, counted=counted,
                     point=whole_point(s))
        for d, s in scores.items()
    ]  # fmt: skip
    sending.flags = [
        SendingFlag(kind=kind, code=code, role=role, counted=counted) for kind, code in findings
    ]
    db.session.add(sending)
    db.session.commit()
    return assessment.id


def six_sendings() -> None:
    """Four municipalities, one supplier and one withdrawn, over three months."""
    now = datetime.now(UTC)
    starts = month_starts(now)
    this_month = max(now - timedelta(minutes=1), starts[-1])
    last_month, two_ago = starts[-2] + timedelta(days=5), starts[-3] + timedelta(days=5)
    no_baseline, mass = ("flag", "ms_no_baseline"), ("flag", "critical_mass")
    add("kommune", "developing", this_month, {"measurement": 10, "organisation": 40},
        (no_baseline, ("requirement", "ms_baseline_planned")))  # fmt: skip
    add("kommune", "developing", this_month, {"measurement": 20.4}, (no_baseline,))
    add("kommune", "exploring", last_month, {"measurement": 29.6}, (no_baseline, mass))
    add("kommune", "idea", two_ago, {"measurement": 90}, (mass,))
    add("leverandoer", "developing", this_month, {"measurement": 50})
    add("kommune", "developing", this_month, {"measurement": 99}, (no_baseline, mass),
        status="withdrawn")  # fmt: skip


def rows(soup, selector: str) -> list[list[str]]:
    """A table's body as the text of its cells."""
    return [
        [" ".join(cell.get_text(" ").split()) for cell in tr.find_all(["th", "td"])]
        for tr in soup.select(f"{selector} tbody tr")
    ]


def advisor_client(app, clock, lang: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    full_login(client, app, make_account(app), clock, lang)
    return client


# --- the spread's arithmetic --------------------------------------------------------------------


def test_quartiles_interpolate_between_ranks_like_a_spreadsheet():
    counts = {10: 1, 20: 1, 30: 1, 90: 1}
    found = spread(counts)
    assert (found.count, found.minimum, found.q1, found.median, found.q3, found.maximum) == (
        4, 10.0, 17.5, 25.0, 45.0, 90.0,
    )  # fmt: skip
    assert quantile({5: 3}, 0.5) == 5.0
    assert spread({}) is None
    assert bands({0: 1, 9: 2, 10: 1, 89: 1, 90: 1, 100: 4}) == [3, 1, 0, 0, 0, 0, 0, 0, 1, 5]


# --- the dashboard -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_dashboard_shows_the_counts_a_person_would_make(db_app, clock, lang):
    with db_app.app_context():
        six_sendings()
        questionnaire = db_app.extensions["questionnaires"]["kommune"]
        starts = month_starts(datetime.now(UTC))
    client = advisor_client(db_app, clock, lang)
    home = check_page(client.get(url(db_app, "advisor.home", lang)).get_data(as_text=True), "home")
    link = url(db_app, "advisor.dashboard", lang)
    assert home.select_one(f'.advisor-nav a[href="{link}"]')
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = check_page(response.get_data(as_text=True), "dashboard")
    assert text_of(page, ".dashboard-total").startswith("5 ")  # the withdrawn one not counted

    with db_app.test_request_context(), force_locale(lang):
        month = [format_date(s.date(), "MMMM yyyy") for s in starts]
    months = rows(page, ".months-table")
    assert len(months) == 12
    assert months[-1] == [month[-1], "2", "1", "3"]
    assert months[-2] == [month[-2], "1", "0", "1"]
    assert months[-3] == [month[-3], "1", "0", "1"]
    assert all(row[1:] == ["0", "0", "0"] for row in months[:-3])

    levels = {row[0]: row[1:] for row in rows(page, ".levels-table")}
    names = {lv.id: lv.title[lang] for lv in questionnaire.levels}
    assert levels[names["developing"]] == ["2", "1", "3"]
    assert levels[names["exploring"]] == ["1", "0", "1"]
    assert levels[names["idea"]] == ["1", "0", "1"]
    assert levels[names["investment_ready"]] == ["0", "0", "0"]
    assert [c.get_text() for c in page.select(".levels-table .roles-total td")] == ["4", "1", "5"]

    kommune = page.select_one("#role-kommune")
    measurement = questionnaire.dimension("measurement").title[lang]
    spread_rows = {row[0]: row[1:] for row in rows(kommune, ".spread-table")}
    # 10, 20, 30 and 90 to the whole point: quartiles 17.5 and 45, median 25.
    half = "17,5"
    assert spread_rows[measurement] == ["4", "10", half, "25", "45", "90"]
    assert spread_rows[questionnaire.dimension("organisation").title[lang]][:2] == ["1", "40"]
    band_rows = {row[0]: row[1:] for row in rows(kommune, ".bands-table")}
    assert band_rows[measurement] == ["0", "1", "1", "1", "0", "0", "0", "0", "0", "1"]
    assert kommune.select_one("figure svg#spread-kommune")

    flags = rows(kommune, ".flags-table")
    by_id = {f.id: f.message[lang] for f in questionnaire.flags}
    assert flags == [[by_id["ms_no_baseline"], "3"], [by_id["critical_mass"], "2"]]
    texts = {r.id: r.text[lang] for r in questionnaire.requirements}
    assert rows(kommune, ".requirements-table") == [[texts["ms_baseline_planned"], "1"]]
    supplier = page.select_one("#role-leverandoer")
    assert SUPPLIER[lang] in text_of(supplier, "h2")
    assert not supplier.select(".flags-table")  # no warnings among the suppliers
    assert page.select_one("figure svg#months-chart")


def test_a_repeat_view_reuses_the_figures_and_a_change_shows_at_once(app, clock):
    from app.review import dashboard

    with app.app_context():
        six_sendings()
    client = advisor_client(app, clock, "da")
    link = url(app, "advisor.dashboard", "da")
    assert text_of(check_page(client.get(link).get_data(as_text=True), "d"), ".dashboard-total")
    calls = []
    original = dashboard.compute
    dashboard.compute = lambda now: calls.append(now) or original(now)  # type: ignore[assignment]
    try:
        client.get(link)
        assert calls == []  # nothing recomputed, nothing redrawn
        with app.app_context():
            sending = db.session.scalars(select(Sending).where(Sending.status == "sent")).first()
            sending.status = "withdrawn"
            db.session.commit()
        page = check_page(client.get(link).get_data(as_text=True), "d")
        assert len(calls) == 1
        assert text_of(page, ".dashboard-total").startswith("4 ")
    finally:
        dashboard.compute = original  # type: ignore[assignment]


def test_the_dashboard_needs_a_login(app):
    response = app.test_client().get(url(app, "advisor.dashboard", "sv"))
    assert redirects_to_login(response, "sv")


def test_sending_stores_the_warnings_and_unmet_requirements_of_the_result(app, client):
    sending_id = sent(app, client)
    with app.app_context():
        sending = db.session.get(Sending, sending_id)
        result = sending.assessment.result
        expected = {("flag", f["id"]) for f in result["flags"]} | {
            ("requirement", r["id"])
            for r in result["requirements"]
            if not r["met"] and r.get("applicable", True)
        }
        assert {(f.kind, f.code) for f in sending.flags} == expected


# --- the respondents' comparison ---------------------------------------------------------------

BENCHMARK = {"da": "sammenlign", "sv": "jamfor"}


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_respondent_sees_others_only_when_five_stand_behind_them(db_app, lang):
    client = db_app.test_client()
    token = submitted(db_app, client, lang)
    path = url(db_app, "assessment.benchmark", lang, token=token)
    assert path.endswith(f"/{token}/{BENCHMARK[lang]}")
    result = client.get(url(db_app, "assessment.result", lang, token=token)).get_data(as_text=True)
    assert f'href="{path}"' in result
    now = datetime.now(UTC)
    with db_app.app_context():
        for score in (10, 20, 30, 40):
            add("kommune", "idea", now, {"measurement": score})
        add("leverandoer", "idea", now, {"measurement": 70})  # another role: not compared
        add("kommune", "idea", now, {"measurement": 99}, status="withdrawn")
    page = check_page(client.get(path).get_data(as_text=True), "benchmark")
    assert page.select_one(".benchmark-too-few")
    assert not page.select(".benchmark-table") and not page.select("main svg")

    with db_app.app_context():
        add("kommune", "idea", now, {"measurement": 50})
        questionnaire = db_app.extensions["questionnaires"]["kommune"]
        own = db.session.scalar(select(Assessment).where(Assessment.token == token)).result
    page = check_page(client.get(path).get_data(as_text=True), "benchmark")
    assert not page.select(".benchmark-too-few")
    assert " 5 " in f" {text_of(page, '.benchmark-basis')} "
    table = {row[0]: row[1:] for row in rows(page, ".benchmark-table")}
    title = questionnaire.dimension("measurement").title[lang]
    own_score = next(d["score"] for d in own["dimensions"] if d["id"] == "measurement")
    assert table[title] == [str(round(own_score)), "20", "30", "40"]
    # A dimension no other has a score in is not shown: fewer than 5 stand behind it.
    organisation = questionnaire.dimension("organisation").title[lang]
    assert len(table[organisation]) == 2
    assert page.select_one("figure svg#benchmark-chart")
    # Never the lowest or the highest of the others: one respondent's own score.
    assert "10" not in table[title][1:] and "50" not in table[title][1:]


def test_a_respondents_own_sending_is_not_among_the_others(app, client):
    sending_id = sent(app, client)
    with app.app_context():
        token = db.session.get(Sending, sending_id).assessment.token
        for score in (10, 20, 30, 40):
            add("kommune", "idea", datetime.now(UTC), {"measurement": score})
    path = url(app, "assessment.benchmark", "da", token=token)
    page = check_page(client.get(path).get_data(as_text=True), "benchmark")
    assert page.select_one(".benchmark-too-few")  # 5 sent, but only 4 others
