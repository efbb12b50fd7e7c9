"""Fuzzing: generated input to every form and every API endpoint, on SQLite and PostgreSQL.

What is sent:
- the self-assessment's start form; every page of both questionnaires (answers of the page's own
  questions, of other questions, numbers written every which way, "don't know" among others,
  notes, `action` and the hidden `questionnaire` field), and every number question on its own;
  submit, delete, new version and the simulator's save-scenario POST, to drafts, complete drafts,
  submitted, unknown and malformed links; a saved scenario opened again, and submitted; the GET
  pages behind a secret link;
- the page-feedback form; the simulator page, its spreadsheet and its comparison of scenarios
  with generated query strings; the search page;
- the JSON API: scoring and simulating with generated JSON (wrong types, nesting, huge and
  negative numbers, numbers as text) and raw bodies (NaN, Infinity, duplicated keys, 100,000
  levels of nesting, broken UTF-8, not JSON), wrong content types and methods, unknown ids,
  odd query strings and the GET endpoints;
- every address of the site with a method it does not take;
- the forms again on an app with CSRF protection on, without a valid token.

Texts carry control characters, surrogate-free Unicode and lengths around every limit; forms come
urlencoded, as multipart, as raw bytes with broken UTF-8 and percent-escapes, as JSON, as text,
as a file upload, empty, or larger than MAX_CONTENT_LENGTH; fields go missing or come twice.

Every request is checked by tests.fuzzing.Fuzzer.send: no 5xx; a refusal leaves the database
unchanged (every row of every table compared); nothing stored holds a control character; a
refused page has the URL's `lang` and a visible error message that is one of that language's
catalog translations; an API error is the one JSON shape, matches the OpenAPI document, and its
messages are translations in the language asked for (and the Danish and Swedish answers to the
same request agree on status, fields and codes).

Bounded and reproducible: a fixed number of examples per test, derandomized (the examples follow
from the test's name and the Hypothesis version, never from the clock), no example database. A
run sends 2,118 requests per database backend, in about 50 s of CPU each; the terminal summary
prints the count, the 5xx seen and the statuses. `--hypothesis-show-statistics` shows them per
test.
"""

from __future__ import annotations

import json
import re
import zipfile
from io import BytesIO
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.assessment import service
from app.boundary import clean_text
from app.core.answers import clean_answer
from app.core.questionnaire import DONT_KNOW, Question
from app.core.simulator import NUMBER_FIELDS
from app.extensions import db
from app.i18n import SECTIONS
from app.models import Assessment, PageFeedback
from app.simulator.forms import DEFAULTS, RATE_CARD_ROWS
from tests.assessment_helpers import BASE, STEP, TOKEN_RE, form_value
from tests.conftest import dispose, make_app
from tests.fuzzing import (
    CONTENT_TYPES,
    CONTROL_CHARACTERS,
    IDENTIFIERS,
    ODD_WORDS,
    QUESTIONNAIRES,
    RAW_JSON,
    UNICODE,
    Fuzzer,
    catalogs,
    encoded,
    form_pairs,
    json_values,
    numbers,
    raw_pairs,
    texts,
    values,
    visible_errors,
)

LANGS = st.sampled_from(["da", "sv"])
ROLES = ("kommune", "leverandoer")
UNKNOWN_TOKEN = "A" * 43
ACTIONS = {
    "submit": {"da": "indsend", "sv": "skicka-in"},
    "delete": {"da": "slet", "sv": "radera"},
    "new_version": {"da": "ny-vurdering", "sv": "ny-bedomning"},
    "scenario": {"da": "scenarie", "sv": "scenario"},
}
FEEDBACK_PAGES = [
    ("pages", "about"),
    ("steps", "target-group"),
    ("cases", "case-vejle-family"),
    ("templates", "logic-model"),
    ("cases", "x"),
    ("x", "about"),
]
SIMULATOR = {"da": "/da/betalingssimulator", "sv": "/sv/betalningssimulator"}
COMPARE = {"da": "/da/betalingssimulator/sammenlign", "sv": "/sv/betalningssimulator/jamfor"}
SAVED = {"da": "gemt", "sv": "sparad"}
ANSWERS = {"da": "dine-svar", "sv": "dina-svar"}
SEARCH = {"da": "/da/soeg", "sv": "/sv/sok"}
ODD_METHODS = st.sampled_from(["GET", "PUT", "PATCH", "DELETE"])


def mostly(draw: st.DrawFn, usual: st.SearchStrategy, odd: st.SearchStrategy, label: str) -> Any:
    """The usual value four times in five, else an odd one."""
    return draw(usual if draw(st.integers(0, 4)) else odd, label)


def fuzz(examples: int):  # type: ignore[no-untyped-def]
    """Bounded and reproducible: the same examples on every run, no deadline on a loaded machine."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,  # each request measures its own changes
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


@pytest.fixture
def fuzzer(db_app, db_client) -> Fuzzer:
    """Every request checked and counted, once per database backend."""
    return Fuzzer(db_app, db_client)


# --- assessments to post to, made directly (not counted as fuzzed requests) -----------------


def complete_answers(role: str) -> dict[str, Any]:
    """An answer to every question of the role's questionnaire, as stored."""
    answers = {}
    for question in QUESTIONNAIRES[role].questions.values():
        value, error = clean_answer(question, form_value(question, "best"))
        assert error is None
        answers[question.id] = value
    return answers


ODD_TOKENS = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), min_size=43, max_size=43),
    st.sampled_from(["A" * 42 + "%", "A" * 42 + " ", "A" * 44, "A" * 42, "." * 43, "-" * 43]),
).map(lambda token: quote(token, safe=""))
TOKEN_KINDS = ["draft", "draft", "complete", "submitted", "unknown", "odd"]


def make_assessment(app, kind: str, role: str = "kommune", lang: str = "da") -> str:  # type: ignore[no-untyped-def]
    """The token of a new draft, complete draft or submitted assessment; or a token of no row."""
    if kind == "unknown":
        return UNKNOWN_TOKEN
    with app.app_context():
        assessment = service.start(role, lang, "Fuzz Kommune", "Fuzz", "")
        if kind in ("complete", "submitted"):
            assessment.answers = complete_answers(role)
            db.session.commit()
        if kind == "submitted":
            service.submit(assessment)
        return assessment.token


def stored(app, token: str) -> Assessment | None:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(Assessment).where(Assessment.token == token))


def firsts(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The first value of each field, as a form reads it (cleaned as the app cleans it)."""
    found: dict[str, str] = {}
    for name, value in pairs:
        found.setdefault(clean_text(name), clean_text(value))
    return found


# --- the self-assessment ------------------------------------------------------------------------

EMAILS = st.one_of(
    st.sampled_from(
        ["", "kontakt@naervaer.dk", "nej@", "@", "a@b", "a@b.dk\x00", "æ@ø.dk", "a@[127.0.0.1]",
         "a" * 64 + "@" + "b" * 190 + ".dk", "x" * 300 + "@b.dk", "a@b.dk, c@d.dk", " a@b.dk "]
    ),
    st.emails(),
    texts,
)  # fmt: skip
START_FIELDS = {
    "role": st.one_of(st.sampled_from([*ROLES, "", "Kommune", "kommune\x00", "admin"]), texts),
    "organisation": texts,
    "programme": texts,
    "email": EMAILS,
}


SHORT_TEXTS = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40),
    st.lists(st.one_of(UNICODE, CONTROL_CHARACTERS, ODD_WORDS), min_size=1, max_size=6).map(
        "".join
    ),
)


@st.composite
def start_pairs(draw: st.DrawFn) -> list[tuple[str, str]]:
    """The start form as a person fills it in (odd texts included), or anything at all."""
    if draw(st.booleans()):
        return [
            ("role", draw(st.sampled_from(ROLES))),
            ("organisation", draw(SHORT_TEXTS)),
            ("programme", draw(SHORT_TEXTS)),
            ("email", draw(st.one_of(st.just(""), st.emails(), EMAILS))),
        ]
    return draw(form_pairs(START_FIELDS))


@fuzz(150)
@given(lang=LANGS, pairs=start_pairs(), data=st.data())
def test_the_start_form_stores_cleaned_text_or_refuses_in_the_language(
    fuzzer, db_app, lang, pairs, data
):
    fuzzer.fresh()
    how, options = data.draw(encoded(pairs))
    response = fuzzer.send("POST", f"{BASE[lang]}/", **options)
    if response.status_code == 302 and how == "form":
        assessment = stored(db_app, TOKEN_RE.search(response.headers["Location"]).group(1))
        given_ = firsts(pairs)
        assert assessment.questionnaire_id == given_["role"]
        assert assessment.organisation == given_["organisation"].strip() != ""
        assert assessment.programme == given_["programme"].strip() != ""
        assert assessment.email == given_.get("email", "").strip()


OPTION_VALUES = sorted(
    {o.value for qn in QUESTIONNAIRES.values() for q in qn.questions.values() for o in q.choices()}
)


def own_values(question: Question) -> st.SearchStrategy[str]:
    """Answers this question takes (and numbers just outside its range)."""
    if question.type == "number":
        low, high = question.min or 0, question.max or 10**6
        return st.sampled_from(
            [str(int(low)), str(int(high)), str(int(high) + 1), str(int(low) - 1),
             f"{(low + high) / 2:.1f}".replace(".", ","), f"{int(high):,}".replace(",", "."),
             DONT_KNOW]
        )  # fmt: skip
    if question.type == "text":
        return texts
    return st.sampled_from([o.value for o in question.choices()] + [DONT_KNOW])


def answer_values(question: Question) -> st.SearchStrategy[str]:
    """Anything in an answer field: its own options, other questions' options, numbers, text."""
    own = own_values(question)
    if question.type == "number":
        return st.one_of(own, own, numbers, numbers, st.sampled_from(OPTION_VALUES), texts)
    return st.one_of(own, own, st.sampled_from(OPTION_VALUES), numbers, texts, st.just(""))


def plausible_page(question_list: list[Question]) -> st.SearchStrategy[list]:
    """A page as a person fills it in: one answer each (a few for multiple choice), notes."""
    parts = []
    for q in question_list:
        if q.type == "multiple":
            chosen = st.lists(own_values(q), min_size=1, max_size=3, unique=True)
        else:
            chosen = own_values(q).map(lambda v: [v])
        parts.append(chosen.map(lambda vs, q=q: [(f"q_{q.id}", v) for v in vs]))
        notes = st.lists(texts, max_size=1)
        parts.append(notes.map(lambda ns, q=q: [(f"note_{q.id}", n) for n in ns]))
    return st.tuples(*parts).map(lambda groups: [pair for group in groups for pair in group])


ACTION_VALUES = st.sampled_from(
    ["continue", "save", "switch", "", "Continue", "delete", "save\x00"]
)
HIDDEN_QUESTIONNAIRE = st.one_of(st.sampled_from([*ROLES, "", "x"]), texts)


@fuzz(180)
@given(data=st.data())
def test_every_questionnaire_page_stores_valid_answers_or_refuses_in_the_language(
    fuzzer, db_app, data
):
    fuzzer.fresh()
    role = data.draw(st.sampled_from(ROLES), "role")
    lang = data.draw(LANGS, "lang")
    questionnaire = QUESTIONNAIRES[role]
    pages = len(questionnaire.dimensions)
    outside = st.sampled_from([0, pages + 1, 10**9])
    number = mostly(data.draw, st.integers(1, pages), outside, "page")
    dimension = questionnaire.dimensions[min(max(number, 1), pages) - 1]
    questions = list(dimension.questions)
    if data.draw(st.booleans(), "plausible"):
        pairs = data.draw(plausible_page(questions))
        pairs += [("action", data.draw(ACTION_VALUES)), ("questionnaire", role)]
    else:
        fields = {f"q_{q.id}": answer_values(q) for q in questions}
        fields.update({f"note_{q.id}": texts for q in questions})
        other = data.draw(st.sampled_from(list(questionnaire.questions.values())))
        fields[f"q_{other.id}"] = answer_values(other)  # a question of another page
        fields.update(action=ACTION_VALUES, questionnaire=HIDDEN_QUESTIONNAIRE)
        pairs = data.draw(form_pairs(fields))
    how, options = data.draw(encoded(pairs))
    kind = data.draw(st.sampled_from(TOKEN_KINDS), "link")
    token = data.draw(ODD_TOKENS) if kind == "odd" else make_assessment(db_app, kind, role, lang)
    back = data.draw(st.sampled_from(["", "?back=answers", "?back=%00", "?back=answers&back=x"]))
    url = f"{BASE[lang]}/{token}/{STEP[lang]}/{number}{back}"
    response = fuzzer.send("POST", url, **options)
    if kind in ("submitted", "unknown", "odd"):
        assert response.status_code in (302, 404, 413), url
    if response.status_code == 302 and kind in ("draft", "complete"):
        assessment = stored(db_app, token)
        for qid, answer in assessment.answers.items():
            question = questionnaire.questions[qid]
            assert clean_answer(question, answer, lang) == (answer, None), (qid, answer)
        assert all(len(note) <= 2000 for note in assessment.notes.values())
        if how == "form":  # each note as typed, cleaned and trimmed
            given_ = firsts(pairs)
            for q in questions:
                note = given_.get(f"note_{q.id}", "").strip()
                assert assessment.notes.get(q.id, "") == note, (q.id, note)


NUMBER_QUESTIONS = [
    (role, number, q)
    for role, qn in QUESTIONNAIRES.items()
    for number, dimension in enumerate(qn.dimensions, start=1)
    for q in dimension.questions
    if q.type == "number"
]


@fuzz(80)
@given(lang=LANGS, data=st.data())
def test_a_number_question_stores_a_number_in_range_or_refuses_in_the_language(
    fuzzer, db_app, lang, data
):
    fuzzer.fresh()
    role, number, question = data.draw(st.sampled_from(NUMBER_QUESTIONS), "question")
    typed = data.draw(st.lists(numbers, min_size=1, max_size=2), "typed")
    token = make_assessment(db_app, "draft", role, lang)
    url = f"{BASE[lang]}/{token}/{STEP[lang]}/{number}"
    pairs = [(f"q_{question.id}", text) for text in typed] + [("action", "save")]
    response = fuzzer.send("POST", url, data=MultiDict(pairs))
    answer = stored(db_app, token).answers.get(question.id)
    if response.status_code == 302 and answer is not None:
        assert clean_answer(question, answer, lang) == (answer, None), (typed, answer)


SCENARIO_FIELDS: dict[str, st.SearchStrategy[str]] = {
    **{name: values for name in NUMBER_FIELDS},
    "payment_rule": st.one_of(st.sampled_from(["per_success", "threshold", ""]), texts),
    "investor": st.one_of(st.sampled_from(["public_fund", "private", "municipality", ""]), texts),
    **{
        f"{key}_{row}": values
        for row in range(1, RATE_CARD_ROWS + 2)
        for key in ("goal", "goal_payment", "goal_source", "goal_rate", "goal_baseline", "goal_lag")
    },
}


# Figures a person would type into the simulator, in both languages' ways.
SCENARIO_NUMBERS = st.sampled_from(
    ["1", "25", "60", "60 %", "62,4", "3,5", "0", "100", "250", "1.200", "1 200", "10000",
     "40000", "40.000", "90 000", "120.000 kr.", "per_success", "threshold", "Mål", ""]
)  # fmt: skip


@st.composite
def scenario_pairs(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Simulator input: the defaults with some fields changed, or anything at all."""
    if draw(st.booleans()):
        given_ = dict(DEFAULTS)
        for name in draw(st.lists(st.sampled_from(sorted(SCENARIO_FIELDS)), max_size=3)):
            odd = st.one_of(numbers, SCENARIO_FIELDS[name])
            given_[name] = mostly(draw, SCENARIO_NUMBERS, odd, name)
        return list(given_.items())
    return draw(form_pairs(SCENARIO_FIELDS))


@fuzz(140)
@given(data=st.data())
def test_submit_delete_new_version_and_saving_a_scenario_never_fail(fuzzer, db_app, data):
    fuzzer.fresh()
    lang = data.draw(LANGS, "lang")
    action = data.draw(st.sampled_from(sorted(ACTIONS)), "action")
    kind = data.draw(st.sampled_from(TOKEN_KINDS), "link")
    method = mostly(data.draw, st.just("POST"), ODD_METHODS, "method")
    pairs = data.draw(scenario_pairs() if action == "scenario" else form_pairs(START_FIELDS))
    _how, options = data.draw(encoded(pairs))
    role = data.draw(st.sampled_from(ROLES))
    token = data.draw(ODD_TOKENS) if kind == "odd" else make_assessment(db_app, kind, role, lang)
    url = f"{BASE[lang]}/{token}/{ACTIONS[action][lang]}"
    response = fuzzer.send(method, url, **options)
    assessment = stored(db_app, token) if kind not in ("unknown", "odd") else None
    if action == "delete" and method == "POST" and response.status_code == 200:
        assert assessment is None
    if action == "submit" and response.status_code == 302 and kind == "complete":
        assert assessment.submitted
    if action == "scenario" and response.status_code == 302:
        assert assessment.scenario is not None and kind in ("draft", "complete")


def written(value: st.SearchStrategy[float]) -> st.SearchStrategy[str]:
    """A figure as Danes or Swedes write it: 1200, 1.200, 1 200 (no-break space), 62,4."""

    def write(x: float, style: int) -> str:
        text = f"{x:,.2f}".rstrip("0").rstrip(".") if x % 1 else f"{int(x):,}"
        swapped = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return [text.replace(",", ""), swapped, swapped.replace(".", "\u00a0")][style]

    return st.tuples(value, st.integers(0, 2)).map(lambda t: write(*t))


@st.composite
def valid_scenarios(draw: st.DrawFn) -> list[tuple[str, str]]:
    """A scenario a person could save: figures in range, written every way, a rate card."""
    money = written(st.integers(0, 10**7))
    percent = written(st.floats(1, 100).map(lambda x: round(x, 1)))
    rule = draw(st.sampled_from(["per_success", "threshold"]))
    pairs = [
        ("participants", draw(written(st.integers(1, 10_000)))),
        ("success_rate", draw(percent)),
        ("target_rate", draw(percent)),
        ("dropout_rate", draw(st.one_of(st.just(""), written(st.integers(0, 99))))),
        ("cost_per_participant", draw(money)),
        ("payment_rule", rule),
        ("payment_per_success" if rule == "per_success" else "payment_if_met", draw(money)),
    ]
    for name in draw(st.lists(st.sampled_from(["savings_municipality", "savings_state"]))):
        pairs += [(name, draw(money)), ("horizon_years", draw(written(st.integers(1, 30))))]
    pairs.append(("investor", draw(st.sampled_from(["public_fund", "private", "municipality"]))))
    if draw(st.booleans()):
        pairs.append(("payment_cap", draw(money)))
    if rule == "per_success":
        for row in range(1, draw(st.integers(0, RATE_CARD_ROWS)) + 1):
            pairs += [
                (f"goal_{row}", draw(SHORT_TEXTS)),
                (f"goal_payment_{row}", draw(money)),
                (f"goal_source_{row}", draw(st.one_of(st.just(""), SHORT_TEXTS))),
                (f"goal_rate_{row}", draw(percent)),
                (f"goal_lag_{row}", draw(st.sampled_from(["", "0", "1", "5"]))),
            ]
    return pairs


@fuzz(20)
@given(lang=LANGS, pairs=valid_scenarios())
def test_a_saved_scenario_opens_again_and_the_assessment_submits(fuzzer, db_app, lang, pairs):
    fuzzer.fresh()
    token = make_assessment(db_app, "complete", "kommune", lang)
    url = f"{BASE[lang]}/{token}/{ACTIONS['scenario'][lang]}"
    saved = fuzzer.send("POST", url, data=MultiDict(pairs))
    if saved.status_code != 302:
        return
    query = {"assessment": token}
    assert fuzzer.send("GET", SIMULATOR[lang], query_string=query).status_code == 200
    assert fuzzer.send("GET", f"{SIMULATOR[lang]}.xlsx", query_string=query).status_code == 200
    assert fuzzer.send("GET", f"{BASE[lang]}/{token}/{ANSWERS[lang]}").status_code == 200
    submitted = fuzzer.send("POST", f"{BASE[lang]}/{token}/{ACTIONS['submit'][lang]}")
    assert submitted.status_code == 302 and stored(db_app, token).submitted


SECRET_PAGES = st.sampled_from(
    ["", "/{overview}", "/{saved}", "/{answers}", "/answers.json", "/{new_version}"]
)


@fuzz(60)
@given(lang=LANGS, page=SECRET_PAGES, data=st.data())
def test_the_pages_behind_a_secret_link_answer_any_link(fuzzer, db_app, lang, page, data):
    fuzzer.fresh()
    kind = data.draw(st.sampled_from(TOKEN_KINDS), "link")
    token = (
        data.draw(ODD_TOKENS) if kind == "odd" else make_assessment(db_app, kind, "kommune", lang)
    )
    words = {
        "overview": SECTIONS["overview"][lang],
        "saved": SAVED[lang],
        "answers": ANSWERS[lang],
        "new_version": ACTIONS["new_version"][lang],
    }
    query = data.draw(st.lists(st.tuples(st.sampled_from(["back", "x"]), texts), max_size=2))
    url = f"{BASE[lang]}/{token}{page.format(**words)}"
    response = fuzzer.send("GET", url, query_string=query_string(data.draw, query))
    if kind in ("unknown", "odd"):
        assert response.status_code == 404, url


# --- feedback, simulator, search ----------------------------------------------------------------

FEEDBACK_FIELDS = {
    "kind": st.one_of(st.sampled_from([k for k, _ in FEEDBACK_PAGES]), texts),
    "key": st.one_of(st.sampled_from([k for _, k in FEEDBACK_PAGES]), texts),
    "useful": st.one_of(st.sampled_from(["yes", "no", "", "Yes", "ja"]), texts),
    "comment": texts,
}


@st.composite
def feedback_pairs(draw: st.DrawFn) -> list[tuple[str, str]]:
    """The feedback form as sent from a real page, with changes; or anything at all."""
    if draw(st.booleans()):
        kind, key = draw(st.sampled_from(FEEDBACK_PAGES[:4]))
        useful = mostly(draw, st.sampled_from(["yes", "no"]), FEEDBACK_FIELDS["useful"], "useful")
        comment = mostly(draw, SHORT_TEXTS, texts, "comment")
        return [("kind", kind), ("key", key), ("useful", useful), ("comment", comment)]
    return draw(form_pairs(FEEDBACK_FIELDS))


@fuzz(150)
@given(lang=LANGS, pairs=feedback_pairs(), data=st.data())
def test_page_feedback_stores_a_cleaned_comment_or_refuses_in_the_language(
    fuzzer, db_app, lang, pairs, data
):
    fuzzer.fresh()
    how, options = data.draw(encoded(pairs))
    method = data.draw(st.sampled_from(["POST"] * 6 + ["GET", "PUT"]))
    with db_app.app_context():
        before = db.session.query(PageFeedback).count()
    response = fuzzer.send(method, f"/{lang}/feedback", **options)
    with db_app.app_context():
        rows = db.session.scalars(select(PageFeedback).order_by(PageFeedback.id)).all()
    if response.status_code == 302:
        assert len(rows) == before + 1
        if how == "form":
            given_ = firsts(pairs)
            assert rows[-1].comment == given_.get("comment", "").strip()
            assert rows[-1].useful == (given_["useful"] == "yes")
            assert rows[-1].page_key == f"{given_['kind']}/{given_['key']}"
    else:
        assert len(rows) == before


def query_string(draw: st.DrawFn, pairs: list[tuple[str, str]]) -> str:
    """The pairs as a query string: encoded properly, or raw with broken bytes (as WSGI has it)."""
    if draw(st.booleans()):
        return urlencode(pairs)
    return draw(raw_pairs(pairs)).decode("latin-1")


@fuzz(150)
@given(lang=LANGS, data=st.data())
def test_the_simulator_and_its_spreadsheet_answer_any_query(fuzzer, db_app, lang, data):
    fuzzer.fresh()
    pairs = data.draw(scenario_pairs())
    link = data.draw(st.sampled_from(["", "", "", "draft", "submitted", "unknown", "bad"]))
    if link:
        token = {"bad": "%00"}.get(link) or make_assessment(db_app, link, "kommune", lang)
        pairs.append(("assessment", token))
    spreadsheet = data.draw(st.booleans(), "spreadsheet")
    url = SIMULATOR[lang] + (".xlsx" if spreadsheet else "")
    response = fuzzer.send("GET", url, query_string=query_string(data.draw, pairs))
    if spreadsheet and response.status_code == 200:
        workbook = zipfile.ZipFile(BytesIO(response.data))
        assert "xl/workbook.xml" in workbook.namelist()
        for name in workbook.namelist():
            if name.endswith(".xml"):
                text = workbook.read(name).decode("utf-8")
                assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text), name


@fuzz(60)
@given(lang=LANGS, data=st.data())
def test_the_comparison_of_scenarios_answers_any_query(fuzzer, lang, data):
    letters = data.draw(st.lists(st.sampled_from(["a", "b", "c", "d", ""]), max_size=3), "letters")
    pairs = [
        (f"{letter}-{name}" if letter else name, value)
        for letter in letters
        for name, value in data.draw(scenario_pairs())
    ]
    response = fuzzer.send("GET", COMPARE[lang], query_string=query_string(data.draw, pairs))
    assert response.status_code in (200, 400)


@fuzz(60)
@given(lang=LANGS, query=st.lists(texts, max_size=2), data=st.data())
def test_the_search_page_answers_any_query(fuzzer, lang, query, data):
    pairs = [("q", q) for q in query]
    response = fuzzer.send("GET", SEARCH[lang], query_string=query_string(data.draw, pairs))
    assert response.status_code == 200


# --- the JSON API -------------------------------------------------------------------------------

QUESTION_IDS = sorted({qid for qn in QUESTIONNAIRES.values() for qid in qn.questions})
JSON_ANSWER = st.one_of(
    json_values,
    st.sampled_from([*OPTION_VALUES, DONT_KNOW]),
    st.lists(st.sampled_from([*OPTION_VALUES, DONT_KNOW]), max_size=4),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=False, allow_infinity=False),
)
SCORE_BODIES = st.one_of(
    st.dictionaries(
        st.one_of(st.sampled_from(QUESTION_IDS), st.text(max_size=10)), JSON_ANSWER, max_size=8
    ).map(lambda answers: {"answers": answers}),
    st.fixed_dictionaries({"answers": json_values}),
    st.dictionaries(st.sampled_from(["answers", "lang", "x"]), json_values, max_size=3),
    json_values,
)
JSON_NUMBER = st.one_of(
    st.integers(min_value=-5, max_value=20_000),
    st.floats(min_value=-2, max_value=2),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=False, allow_infinity=False),
    json_values,
)
SIMULATION = {
    "participants": 25,
    "success_rate": 0.6,
    "target_rate": 0.5,
    "payment_rule": "per_success",
    "payment_per_success": 1000,
}
RATE_CARD_KEYS = st.sampled_from(
    ["goal", "name", "payment", "data_source", "success_rate", "baseline_rate", "lag_years", "x"]
)
RATE_CARD_ROW = st.dictionaries(RATE_CARD_KEYS, JSON_NUMBER, max_size=5)


@st.composite
def simulation_bodies(draw: st.DrawFn) -> Any:
    """A simulation with some inputs changed, or anything at all."""
    if draw(st.booleans()):
        body: dict[str, Any] = dict(SIMULATION)
        names = sorted([*NUMBER_FIELDS, "payment_rule", "investor", "rate_card", "payment_goals",
                        "x"])  # fmt: skip
        for name in draw(st.lists(st.sampled_from(names), max_size=3)):
            if name in ("rate_card", "payment_goals"):
                body[name] = draw(st.one_of(st.lists(RATE_CARD_ROW, max_size=12), json_values))
            elif name == "payment_rule":
                rules = st.sampled_from(["per_success", "threshold"])
                body[name] = draw(st.one_of(rules, json_values))
            elif name == "investor":
                investors = st.sampled_from(["public_fund", "private", "municipality"])
                body[name] = draw(st.one_of(investors, json_values))
            else:
                body[name] = draw(JSON_NUMBER)
        return body
    return draw(json_values)


def json_body(draw: st.DrawFn, value: Any) -> bytes:
    """A body: the value as JSON (big integers written out in full), or a raw one."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.one_of(RAW_JSON, RAW_JSON, st.binary(max_size=64)))
    return json.dumps(value, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


def api_both_languages(fuzzer: Fuzzer, method: str, url: str, **options: Any) -> None:
    """The same request in Danish and in Swedish: the same answer, each in its own language."""
    answers = {}
    for lang in ("da", "sv"):
        glue = "&" if "?" in url else "?"
        answers[lang] = fuzzer.send(method, f"{url}{glue}lang={lang}", lang=lang, **options)
    da, sv = answers["da"], answers["sv"]
    assert da.status_code == sv.status_code, url
    if da.status_code >= 400:
        errors = {lang: r.get_json()["errors"] for lang, r in answers.items()}
        codes = {
            lang: {key: [p["code"] for p in problems] for key, problems in found.items()}
            for lang, found in errors.items()
        }
        assert codes["da"] == codes["sv"], url
        for key, problems in errors["da"].items():
            for mine, theirs in zip(problems, errors["sv"][key], strict=True):
                known = catalogs().translations_of(mine["message"], "da")
                assert known & catalogs().translations_of(theirs["message"], "sv"), (mine, theirs)


@pytest.fixture
def api_fuzzer(db_app, db_client, api_contract) -> Fuzzer:
    """Every API answer also checked against the OpenAPI document."""
    return Fuzzer(db_app, db_client, api_contract)


@st.composite
def plausible_answers(draw: st.DrawFn, role: str) -> dict[str, Any]:
    """Answers as a program would send them: values each question takes, some just outside."""
    answers: dict[str, Any] = {}
    for question in draw(st.lists(st.sampled_from(list(QUESTIONNAIRES[role].questions.values())))):
        how = draw(st.sampled_from(["best", "worst", "dont_know"]))
        value, _error = clean_answer(question, form_value(question, how))
        if question.type == "number" and draw(st.booleans()):
            value = draw(st.sampled_from([question.min, question.max, (question.max or 0) + 1]))
        answers[question.id] = value
    return {"answers": answers}


@fuzz(200)
@given(data=st.data())
def test_scoring_answers_any_body_with_the_error_shape_in_both_languages(api_fuzzer, data):
    questionnaire = mostly(data.draw, st.sampled_from(ROLES), IDENTIFIERS, "questionnaire")
    if questionnaire in ROLES and data.draw(st.booleans()):
        value = data.draw(plausible_answers(questionnaire))
    else:
        value = data.draw(SCORE_BODIES)
    body = json_body(data.draw, value)
    content_type = mostly(data.draw, st.just("application/json"), CONTENT_TYPES, "content type")
    method = data.draw(st.sampled_from(["POST"] * 8 + ["GET", "PUT", "DELETE"]), "method")
    url = f"/api/v1/questionnaires/{quote(questionnaire, safe='')}/score"
    api_both_languages(api_fuzzer, method, url, data=body, content_type=content_type)


@fuzz(200)
@given(data=st.data())
def test_simulating_answers_any_body_with_the_error_shape_in_both_languages(api_fuzzer, data):
    body = json_body(data.draw, data.draw(simulation_bodies()))
    content_type = mostly(data.draw, st.just("application/json"), CONTENT_TYPES, "content type")
    method = data.draw(st.sampled_from(["POST"] * 8 + ["GET", "PATCH"]), "method")
    api_both_languages(
        api_fuzzer, method, "/api/v1/payment-model/simulate", data=body, content_type=content_type
    )


API_PATHS = st.one_of(
    st.sampled_from(
        ["/api/v1/questionnaires", "/api/v1/openapi.json", "/api/v1/", "/api/", "/api/v2/x"]
    ),
    IDENTIFIERS.map(lambda i: f"/api/v1/questionnaires/{quote(i, safe='')}"),
    IDENTIFIERS.map(lambda i: f"/api/v1/{quote(i, safe='')}"),
)
ACCEPT_LANGUAGES = st.sampled_from(
    ["", "da", "sv", "sv-SE,sv;q=0.9", "en", "de;q=0.1,sv;q=0.5", "*", ";;;"]
)


@fuzz(120)
@given(path=API_PATHS, data=st.data())
def test_the_api_get_endpoints_answer_odd_addresses_and_query_strings(api_fuzzer, path, data):
    names = st.sampled_from(["lang", "q", "x", ""])
    query = [(data.draw(names), data.draw(texts)) for _ in range(2)]
    accept = data.draw(ACCEPT_LANGUAGES)
    method = data.draw(st.sampled_from(["GET"] * 5 + ["POST", "HEAD", "OPTIONS"]), "method")
    headers = {"Accept-Language": accept} if accept else {}
    api_fuzzer.client.delete_cookie("lang")  # a page seen before would choose the language
    response = api_fuzzer.send(
        method, path, query_string=query_string(data.draw, query), headers=headers
    )
    if method == "OPTIONS" or method == "HEAD":
        return
    if response.status_code >= 400 and not any(k == "lang" for k, _ in query):
        wanted = "sv" if accept.startswith("sv") or accept.startswith("de") else "da"
        for problems in response.get_json()["errors"].values():
            for item in problems:
                assert catalogs().in_language(item["message"], wanted), (accept, item)


# --- every address, with a method it does not take ------------------------------------------


def site_addresses(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """One URL per rule of the site, with a method the rule does not take."""
    found = []
    args = {
        "token": UNKNOWN_TOKEN,
        "number": 1,
        "slug": "x",
        "filename": "x.css",
        "sending_id": 1,
        "programme_id": 1,
        "action": "start",
    }
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            taken = rule.methods or set()
            wrong = next(m for m in ("POST", "PUT", "DELETE", "PATCH") if m not in taken)
            defaults = rule.defaults or {}
            values = {k: args.get(k, "x") for k in rule.arguments if k not in defaults}
            built = rule.build({**defaults, **values}, append_unknown=False)
            assert built is not None, rule.rule
            found.append((wrong, built[1]))
    return found


def test_every_address_answers_a_wrong_method_in_its_language(db_app, fuzzer):
    addresses = site_addresses(db_app)
    assert len(addresses) > 40
    for method, url in addresses:
        response = fuzzer.send(method, url)
        assert response.status_code in (404, 405), (method, url, response.status_code)


# --- CSRF on -------------------------------------------------------------------------------------


@pytest.fixture
def csrf_fuzzer(db_app):  # type: ignore[no-untyped-def]
    """The app as a visitor gets it, CSRF protection on, on the same database as db_app."""
    app = make_app(db_app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    yield Fuzzer(app)
    dispose(app)


@fuzz(80)
@given(lang=LANGS, data=st.data())
def test_without_a_valid_csrf_token_every_form_is_refused_in_the_language(
    csrf_fuzzer, db_app, lang, data
):
    csrf_fuzzer.fresh()
    target = data.draw(st.sampled_from(["start", "step", "feedback", *sorted(ACTIONS)]))
    kind = data.draw(st.sampled_from(["draft", "complete", "submitted", "unknown"]))
    token = make_assessment(db_app, kind, "kommune", lang)
    pairs = data.draw(form_pairs({**START_FIELDS, **FEEDBACK_FIELDS, "action": ACTION_VALUES}))
    if data.draw(st.booleans()):
        pairs.append(("csrf_token", data.draw(st.one_of(texts, st.just("IjEi.Zm9v.YmFy")))))
    _how, options = data.draw(encoded(pairs))
    if target == "start":
        url = f"{BASE[lang]}/"
    elif target == "step":
        url = f"{BASE[lang]}/{token}/{STEP[lang]}/{data.draw(st.sampled_from([1, 2, 0, 99]))}"
    elif target == "feedback":
        url = f"/{lang}/feedback"
    else:
        url = f"{BASE[lang]}/{token}/{ACTIONS[target][lang]}"
    response = csrf_fuzzer.send("POST", url, **options)
    assert response.status_code in (302, 400, 404, 413), (url, response.status_code)
    if response.status_code == 302:  # a submitted assessment's page leads to its result
        assert target == "step" and kind == "submitted", url


def test_the_language_check_tells_danish_swedish_and_english_apart():
    """The check every refusal passes can fail: English, or the other language, is no match."""
    assert catalogs().in_language("Siden findes ikke", "da")
    assert not catalogs().in_language("Siden findes ikke", "sv")
    assert not catalogs().in_language("Page not found", "da")
    assert catalogs().in_language("Skriv et tal på højst 10.000.", "da")  # a limit filled in
    assert catalogs().in_language("Skriv ett tal som är högst 10 000.", "sv")
    assert not catalogs().in_language("Skriv et tal på højst 10.000.", "sv")
    werkzeug = "<!doctype html><html lang=en><title>405</title><h1>Method Not Allowed</h1>"
    (shown,) = visible_errors(BeautifulSoup(werkzeug, "html.parser"), set())
    assert shown == "Method Not Allowed" and not catalogs().in_language(shown, "da")
