"""A questionnaire page filled in from its skeleton is the very page drawn in full.

The plain page is drawn once per language and release and filled in per request
(app/assessment/step_page.py). Whatever a respondent has answered and noted, the filled page must
be byte for byte what Jinja would have drawn, or a respondent would see another's page or a
wrongly checked answer.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.assessment_helpers import BASE, STEP
from tests.conftest import dispose, make_app, migrate_fresh

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="[^"]*"')
# Text as respondents type it, with what HTML must escape and what a mark is made of.
TYPED = st.lists(
    st.sampled_from([*"aæøåäö Z<>&\"'#:;%\n", "&amp;", "<b>", "T" * 43]), max_size=12
).map("".join)


@pytest.fixture(scope="module")
def csrf_app(tmp_path_factory):
    app = make_app(
        f"sqlite:///{tmp_path_factory.mktemp('steps') / 'steps.db'}", WTF_CSRF_ENABLED=True
    )
    migrate_fresh(app)
    yield app
    dispose(app)


def csrf_of(html: str) -> str:
    return CSRF_RE.search(html).group(0).split('value="')[1][:-1]


def start(client, lang: str, role: str, organisation: str, programme: str) -> str | None:
    """A new assessment's token, or None where the start page refuses the names."""
    page = client.get(f"{BASE[lang]}/").get_data(as_text=True)
    response = client.post(
        f"{BASE[lang]}/",
        data={"csrf_token": csrf_of(page), "role": role, "organisation": organisation,
              "programme": programme, "consent": "y"},
    )  # fmt: skip
    if response.status_code != 302:
        return None
    return response.headers["Location"].split("/")[-3]


def answers_to(question) -> st.SearchStrategy:  # type: ignore[no-untyped-def]
    """What a respondent might have answered: nothing, "don't know", or a valid answer."""
    if question.type == "text":
        return st.one_of(st.none(), TYPED.filter(bool))
    if question.type == "number":
        valid = st.integers(int(question.min), int(question.max)).map(
            lambda v: f"{v:,}".replace(",", ".")
        )
    elif question.type == "multiple":
        values = [o.value for o in question.options]
        exclusive = {o.value for o in question.options if o.exclusive}
        valid = st.lists(st.sampled_from(values), min_size=1, unique=True).map(
            lambda picked: picked if not exclusive & set(picked) else picked[:1]
        )
    else:
        valid = st.sampled_from([o.value for o in question.choices()])
    return st.one_of(st.none(), st.just("dont_know"), valid)


def a_page(data, questionnaires):  # type: ignore[no-untyped-def]
    """A role, a page of its questionnaire, what was typed on it, and the two names."""
    role = data.draw(st.sampled_from(sorted(questionnaires)), label="role")
    questionnaire = questionnaires[role]
    number = data.draw(st.integers(1, len(questionnaire.dimensions)), label="page")
    form = {}
    for q in questionnaire.dimensions[number - 1].questions:
        answer = data.draw(answers_to(q), label=q.id)
        if answer is not None:
            form[f"q_{q.id}"] = answer
        if q.type != "text" and data.draw(st.booleans(), label=f"note {q.id}?"):
            form[f"note_{q.id}"] = data.draw(TYPED, label=f"note {q.id}")
    names = (data.draw(TYPED, label="organisation"), data.draw(TYPED, label="programme"))
    return role, number, form, names


def assert_same(stored: str, drawn: str) -> None:
    """Equal pages, or the first place where they part (a whole page is too long to show)."""
    if stored != drawn:
        at = next(i for i, (a, b) in enumerate(zip(stored, drawn, strict=False)) if a != b)
        at = min(at, len(stored), len(drawn))
        pytest.fail(f"from the skeleton: {stored[at - 150:at + 150]!r}\n"
                    f"drawn in full:     {drawn[at - 150:at + 150]!r}")  # fmt: skip


def both_ways(app, client, url: str) -> tuple[str, str]:
    """The page from its skeleton, then drawn in full (same session, so the same CSRF token)."""
    stored = client.get(url)
    app.config["STEP_SKELETONS"] = False
    try:
        drawn = client.get(url)
    finally:
        app.config["STEP_SKELETONS"] = True
    assert stored.status_code == drawn.status_code
    # The token is signed with the second it was made in, so only its place is compared.
    return tuple(
        CSRF_RE.sub('name="csrf_token" type="hidden" value="…"', r.get_data(as_text=True))
        for r in (stored, drawn)
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), lang=st.sampled_from(["da", "sv"]))
def test_a_filled_skeleton_is_the_page_drawn_in_full(csrf_app, data, lang):
    questionnaires = csrf_app.extensions["questionnaires"]
    role, number, form, (organisation, programme) = a_page(data, questionnaires)
    client = csrf_app.test_client()
    token = start(client, lang, role, organisation.strip() or "Kommune", programme.strip() or "P")
    assume(token is not None)  # names the start page refuses are test_bad_input's business
    url = f"{BASE[lang]}/{token}/{STEP[lang]}/{number}"
    page = client.get(url)
    assume(page.status_code == 200)  # an earlier answer may route past this page
    saved = client.post(
        url, data={**form, "action": "save", "questionnaire": role,
                   "csrf_token": csrf_of(page.get_data(as_text=True))},
    )  # fmt: skip
    assume(saved.status_code == 302)  # a number a rule refuses is the bad-input tests' business
    client.get(saved.headers["Location"])  # the task list, which shows that the page was saved
    stored, drawn = both_ways(csrf_app, client, url)
    assert "\x00" not in stored
    assert_same(stored, drawn)
    again, _ = both_ways(csrf_app, client, url)  # from the stored skeleton this time
    assert_same(again, drawn)


def test_every_page_of_both_questionnaires_matches_with_answers_and_notes(csrf_app):
    """Each page in both languages, answered best with a note on every question."""
    from tests.assessment_helpers import form_value

    client = csrf_app.test_client()
    for role, questionnaire in csrf_app.extensions["questionnaires"].items():
        for lang in ("da", "sv"):
            token = start(client, lang, role, "Aarhus & <Co>", "Vej \"ud\" af 'ledighed'")
            assert token is not None
            for number, dimension in enumerate(questionnaire.dimensions, start=1):
                url = f"{BASE[lang]}/{token}/{STEP[lang]}/{number}"
                page = client.get(url)
                if page.status_code != 200:
                    continue
                data = {"action": "save", "questionnaire": role,
                        "csrf_token": csrf_of(page.get_data(as_text=True))}  # fmt: skip
                for q in dimension.questions:
                    data[f"q_{q.id}"] = form_value(q)
                    data[f"note_{q.id}"] = f'Notat <{q.id}> & "kilde"'
                saved = client.post(url, data=data)
                assert saved.status_code == 302
                client.get(saved.headers["Location"])  # the task list, with the saved notice
                stored, drawn = both_ways(csrf_app, client, url)
                assert_same(stored, drawn)
                assert "checked" in stored and "Notat &lt;" in stored


def test_a_page_with_a_flashed_message_is_drawn_in_full(csrf_app):
    """After a change of language the saved-answers message shows once, then the plain page."""
    client = csrf_app.test_client()
    token = start(client, "da", "kommune", "Odense", "Tidlig indsats")
    assert token is not None
    url = f"{BASE['da']}/{token}/{STEP['da']}/1"
    page = client.get(url).get_data(as_text=True)
    response = client.post(
        url, data={"action": "switch", "questionnaire": "kommune", "csrf_token": csrf_of(page)}
    )
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "alert-success" in shown
    assert "alert-success" not in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_start_page_from_its_copy_is_the_page_drawn_in_full_and_its_token_works(csrf_app, lang):
    client = csrf_app.test_client()
    first, drawn = both_ways(csrf_app, client, f"{BASE[lang]}/")  # drawn, then kept
    again = client.get(f"{BASE[lang]}/").get_data(as_text=True)  # from the copy
    assert "\x00" not in again
    assert_same(CSRF_RE.sub('name="csrf_token" type="hidden" value="…"', again), drawn)
    assert_same(first, drawn)
    # Another visitor gets a token of their own, and it is the one their session accepts.
    other = csrf_app.test_client()
    page = other.get(f"{BASE[lang]}/").get_data(as_text=True)
    assert csrf_of(page) != csrf_of(again)
    response = other.post(
        f"{BASE[lang]}/",
        data={"csrf_token": csrf_of(page), "role": "kommune", "organisation": "Vejle",
              "programme": "Tidlig indsats"},
    )  # fmt: skip
    assert response.status_code == 302
