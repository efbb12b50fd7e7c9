"""The task list: each section's status from the answers (app/core/progress.py), and the overview
page a respondent comes back to with the secret link, in both languages."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from app.core.answers import clean_answer
from app.core.progress import (
    CANNOT_START_YET,
    COMPLETED,
    IN_PROGRESS,
    NOT_NEEDED,
    NOT_STARTED,
    task_list,
)
from app.core.questionnaire import Questionnaire
from app.core.questionnaire_loader import load_questionnaires
from app.core.scoring import is_shown
from tests.assessment_helpers import BASE, STEP, answer_all, form_value, start
from tests.conftest import ROOT
from tests.helpers import get_page, text_of

OVERVIEW = {"da": "oversigt", "sv": "oversikt"}
ANSWERS = {"da": "dine-svar", "sv": "dina-svar"}
# The supplier's programme part (pages 5-9) is asked only with a municipal partner.
PARTNERS = "org_partner_count"
PROGRAMME_PART = (5, 6, 7, 8, 9)


@pytest.fixture(scope="module")
def questionnaires() -> dict[str, Questionnaire]:
    return load_questionnaires(ROOT / "questionnaires")


def stored(
    questionnaire: Questionnaire,
    number: int,
    how: str = "best",
    before: dict | None = None,
    **given,
) -> dict:
    """One page's answers as the site stores them, after the earlier pages' (`before`): every
    question shown, some given by id."""
    answers = dict(before or {})
    for q in questionnaire.dimensions[number - 1].questions:
        raw = given.get(q.id, form_value(q, "best" if q.type == "text" else how))
        value, error = clean_answer(q, raw)
        assert error is None, (q.id, raw)
        if value is not None:
            answers[q.id] = value
    return {
        k: v
        for k, v in answers.items()
        if k not in (before or {}) and is_shown(questionnaire.questions[k], answers, questionnaire)
    }


def statuses(questionnaire: Questionnaire, answers: dict) -> list[str]:
    return [s.status for s in task_list(questionnaire, answers).sections]


# --- the statuses ---------------------------------------------------------------------------------


def test_nothing_answered_every_section_is_not_started_and_submitting_cannot_start(
    questionnaires,
):
    kommune = questionnaires["kommune"]
    tasks = task_list(kommune, {})
    assert statuses(kommune, {}) == [NOT_STARTED] * 8
    assert tasks.check_status == CANNOT_START_YET and not tasks.ready_to_check
    assert (tasks.completed, len(tasks.counted)) == (0, 8)
    assert tasks.next_section.number == 1


def test_a_whole_page_is_completed_and_a_page_with_some_answers_is_in_progress(questionnaires):
    kommune = questionnaires["kommune"]
    first = stored(kommune, 1)
    second = dict(list(stored(kommune, 2).items())[:2])
    found = statuses(kommune, {**first, **second})
    assert found[:3] == [COMPLETED, IN_PROGRESS, NOT_STARTED]
    tasks = task_list(kommune, {**first, **second})
    assert tasks.completed == 1 and tasks.next_section.number == 2


def test_dont_know_is_an_answer_and_an_empty_one_is_not(questionnaires):
    kommune = questionnaires["kommune"]
    assert statuses(kommune, stored(kommune, 1, "dont_know"))[0] == COMPLETED
    emptied = {qid: "" for qid in stored(kommune, 1)}
    assert statuses(kommune, emptied)[0] == NOT_STARTED


def test_a_question_an_answer_on_the_same_page_brings_in_must_be_answered_too(questionnaires):
    kommune = questionnaires["kommune"]
    number = 3  # target_group: tg_trial_result is asked after a trial run
    page = stored(kommune, number, tg_trial_run="no")
    assert "tg_trial_result" not in page
    assert statuses(kommune, page)[number - 1] == COMPLETED
    page["tg_trial_run"] = "yes"
    assert statuses(kommune, page)[number - 1] == IN_PROGRESS
    page["tg_trial_result"] = form_value(kommune.questions["tg_trial_result"])
    assert statuses(kommune, page)[number - 1] == COMPLETED


def test_the_suppliers_programme_part_cannot_start_before_the_partners_are_counted(
    questionnaires,
):
    supplier = questionnaires["leverandoer"]
    found = task_list(supplier, {})
    assert [s.status for s in found.sections] == [NOT_STARTED] * 4 + [CANNOT_START_YET] * 5
    assert all(not found.sections[n - 1].startable for n in PROGRAMME_PART)
    assert all(found.sections[n - 1].decided_by == (1,) for n in PROGRAMME_PART)
    # Half the first page answered, the partner count still blank: still waiting on it.
    half = dict(list(stored(supplier, 1, **{PARTNERS: ""}).items())[:2])
    assert statuses(supplier, half)[4:] == [CANNOT_START_YET] * 5


def test_with_a_partner_the_programme_part_can_start(questionnaires):
    supplier = questionnaires["leverandoer"]
    found = statuses(supplier, {PARTNERS: 2.0})
    assert found == [IN_PROGRESS] + [NOT_STARTED] * 8


@pytest.mark.parametrize("partners", ["0", "", "dont_know"])
def test_without_a_partner_the_programme_part_is_not_needed(questionnaires, partners):
    """No partner, the count left blank on a completed page, or "don't know": the questionnaire
    skips the part (app/assessment/routes.next_page), and so does the task list."""
    supplier = questionnaires["leverandoer"]
    answers = stored(supplier, 1, **{PARTNERS: partners})
    tasks = task_list(supplier, answers)
    assert [s.status for s in tasks.sections] == [COMPLETED] + [NOT_STARTED] * 3 + [NOT_NEEDED] * 5
    assert len(tasks.counted) == 4
    for number in (2, 3, 4):
        answers.update(stored(supplier, number))
    tasks = task_list(supplier, answers)
    assert tasks.completed == 4 and tasks.next_section is None
    assert tasks.check_status == NOT_STARTED and tasks.ready_to_check


def test_every_page_answered_every_section_is_completed_and_submitting_can_start(
    questionnaires,
):
    for questionnaire in questionnaires.values():
        answers = {}
        for number in range(1, len(questionnaire.dimensions) + 1):
            answers.update(stored(questionnaire, number, before=answers))
        tasks = task_list(questionnaire, answers)
        assert statuses(questionnaire, answers) == [COMPLETED] * len(questionnaire.dimensions)
        assert tasks.completed == len(tasks.counted) == len(questionnaire.dimensions)
        assert tasks.ready_to_check and tasks.next_section is None


# --- the overview page ----------------------------------------------------------------------------


def overview_url(lang: str, token: str) -> str:
    return f"{BASE[lang]}/{token}/{OVERVIEW[lang]}"


def rows(soup: BeautifulSoup) -> list[tuple[str, str, str | None]]:
    """Each row of the task list: its name, its status, and where it links (None: no link)."""
    found = []
    for item in soup.select("ul.task-list > li"):
        link = item.select_one(".task-list-name a")
        name = item.select_one(".task-list-name a, .task-list-name > span").get_text(strip=True)
        status = item.select_one(".task-list-status").get_text(strip=True)
        found.append((name, status, link["href"] if link else None))
    return found


WORDS = {
    "da": {
        "completed": "Udfyldt",
        "in_progress": "I gang",
        "not_started": "Ikke startet",
        "cannot": "Kan ikke startes endnu",
        "not_needed": "Ikke relevant",
        "check": "Tjek jeres svar og indsend",
        "summary": "I har udfyldt 1 af 8 afsnit.",
        "saved": "Jeres svar er gemt.",
    },
    "sv": {
        "completed": "Klar",
        "in_progress": "Påbörjad",
        "not_started": "Ej påbörjad",
        "cannot": "Kan inte påbörjas än",
        "not_needed": "Inte aktuellt",
        "check": "Kontrollera era svar och skicka in",
        "summary": "Ni har fyllt i 1 av 8 avsnitt.",
        "saved": "Era svar är sparade.",
    },
}


def post_page(client, lang: str, token: str, number: int, data: dict):  # type: ignore[no-untyped-def]
    return client.post(f"{BASE[lang]}/{token}/{STEP[lang]}/{number}", data=data)


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_overview_shows_each_sections_status_and_links_to_it(app, client, lang):
    kommune = app.extensions["questionnaires"]["kommune"]
    token = start(client, lang, programme="Unge i job")
    first = {f"q_{q.id}": form_value(q) for q in kommune.dimensions[0].questions}
    assert post_page(client, lang, token, 1, {"action": "continue", **first}).status_code == 302
    some = kommune.dimensions[1].questions[0]
    post_page(client, lang, token, 2, {"action": "save", f"q_{some.id}": form_value(some)})
    soup = get_page(client, overview_url(lang, token))
    words = WORDS[lang]
    found = rows(soup)
    titles = [d.title[lang] for d in kommune.dimensions]
    assert [name for name, _, _ in found] == [*titles, words["check"]]
    assert [status for _, status, _ in found] == [
        words["completed"],
        words["in_progress"],
        *[words["not_started"]] * 6,
        words["cannot"],
    ]
    steps = [f"{BASE[lang]}/{token}/{STEP[lang]}/{n}" for n in range(1, 9)]
    assert [href for _, _, href in found] == [*steps, None]
    assert text_of(soup, ".task-list-summary") == words["summary"]
    assert text_of(soup, "h1") == kommune.title[lang]
    assert "Unge i job · Eksempel Kommune" in text_of(soup, "main")
    # Go on where the respondent left off; the secret link and the way to have it mailed.
    assert soup.select_one("main a.button-primary")["href"] == steps[1]
    assert text_of(soup, ".secret-link").endswith(f"{BASE[lang]}/{token}")
    saved = {"da": "gemt", "sv": "sparad"}[lang]
    assert soup.select_one(f'.secret-link-box a[href$="/{token}/{saved}"]')
    # Each link names its status to a screen reader.
    link = soup.select_one("ul.task-list a")
    assert soup.select_one(f"#{link['aria-describedby']}").get_text(strip=True) == found[0][1]


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_suppliers_overview_shows_the_programme_part_waiting_then_not_needed(app, client, lang):
    supplier = app.extensions["questionnaires"]["leverandoer"]
    token = start(client, lang, "leverandoer")
    words = WORDS[lang]
    soup = get_page(client, overview_url(lang, token))
    found = rows(soup)
    waiting = [found[n - 1] for n in PROGRAMME_PART]
    assert all(status == words["cannot"] and href is None for _, status, href in waiting)
    organisation = supplier.dimensions[0].title[lang]
    assert organisation in text_of(soup, "#task-5-hint")
    # No municipal partner: the part is not asked, and the count leaves it out.
    page = {f"q_{q.id}": form_value(q) for q in supplier.dimensions[0].questions}
    page[f"q_{PARTNERS}"] = "0"
    post_page(client, lang, token, 1, {"action": "save", **page})
    soup = get_page(client, overview_url(lang, token))
    found = rows(soup)
    assert [found[n - 1][1] for n in PROGRAMME_PART] == [words["not_needed"]] * 5
    assert all(found[n - 1][2] is None for n in PROGRAMME_PART)
    assert organisation in text_of(soup, "#task-5-hint")
    assert text_of(soup, ".task-list-summary").startswith(
        {"da": "I har udfyldt 1 af 4 afsnit", "sv": "Ni har fyllt i 1 av 4 avsnitt"}[lang]
    )


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_with_every_section_completed_the_check_your_answers_row_links_to_it(app, client, lang):
    kommune = app.extensions["questionnaires"]["kommune"]
    token = start(client, lang)
    answer_all(client, lang, token, kommune)
    soup = get_page(client, overview_url(lang, token))
    found = rows(soup)
    assert all(status == WORDS[lang]["completed"] for _, status, _ in found[:-1])
    answers = f"{BASE[lang]}/{token}/{ANSWERS[lang]}"
    assert found[-1] == (WORDS[lang]["check"], WORDS[lang]["not_started"], answers)
    assert soup.select_one("main a.button-primary")["href"] == answers


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_save_and_come_back_later_leads_to_the_overview_with_a_notice(app, client, lang):
    token = start(client, lang)
    response = post_page(client, lang, token, 1, {"action": "save"})
    assert response.headers["Location"].endswith(overview_url(lang, token))
    soup = get_page(client, response.headers["Location"])
    assert text_of(soup, ".alert-success") == WORDS[lang]["saved"]
    assert soup.select_one(".secret-link a")
    # The notice is shown once.
    again = get_page(client, overview_url(lang, token))
    assert again.select_one(".alert-success") is None


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_come_back_later_on_check_your_answers_leads_to_the_overview(client, lang):
    token = start(client, lang)
    soup = get_page(client, f"{BASE[lang]}/{token}/{ANSWERS[lang]}")
    later = {"da": "Gem og fortsæt senere", "sv": "Spara och fortsätt senare"}[lang]
    (link,) = [a for a in soup.select("main a") if a.get_text(strip=True) == later]
    assert link["href"] == overview_url(lang, token)
    assert get_page(client, link["href"]).select_one(".secret-link a")


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_save_and_continue_still_goes_to_the_next_step(app, client, lang):
    kommune = app.extensions["questionnaires"]["kommune"]
    token = start(client, lang)
    first = {f"q_{q.id}": form_value(q) for q in kommune.dimensions[0].questions}
    response = post_page(client, lang, token, 1, {"action": "continue", **first})
    assert response.headers["Location"].endswith(f"/{token}/{STEP[lang]}/2")


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_secret_link_leads_a_draft_to_the_overview_and_a_result_to_the_result(
    app, client, lang
):
    token = start(client, lang)
    resumed = client.get(f"{BASE[lang]}/{token}")
    assert resumed.status_code == 302
    assert resumed.headers["Location"].endswith(overview_url(lang, token))
    answer_all(client, lang, token, app.extensions["questionnaires"]["kommune"])
    client.post(f"{BASE[lang]}/{token}/{'indsend' if lang == 'da' else 'skicka-in'}")
    result = f"/{token}/resultat"
    assert client.get(f"{BASE[lang]}/{token}").headers["Location"].endswith(result)
    assert client.get(overview_url(lang, token)).headers["Location"].endswith(result)


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_every_step_and_check_your_answers_link_to_the_overview(client, lang):
    token = start(client, lang)
    for url in (
        f"{BASE[lang]}/{token}/{STEP[lang]}/1",
        f"{BASE[lang]}/{token}/{STEP[lang]}/8",
        f"{BASE[lang]}/{token}/{ANSWERS[lang]}",
    ):
        for _ in range(2):  # the skeleton drawn, then the one kept
            soup = get_page(client, url)
            link = soup.select_one(".step-progress a.step-overview")
            assert link["href"] == overview_url(lang, token), url


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_an_unknown_secret_link_has_no_overview(client, lang):
    get_page(client, overview_url(lang, "A" * 43), status=404)
    assert client.get(f"{BASE[lang]}/short/{OVERVIEW[lang]}").status_code == 404


def test_the_overview_is_nobodys_cache(client):
    token = start(client)
    response = client.get(overview_url("da", token))
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
