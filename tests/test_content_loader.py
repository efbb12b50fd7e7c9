"""The content loader: plain files in, rendered pages out, and clear errors for broken files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app import create_app
from app.core.content import ContentError, load_library, parse_page
from tests.conftest import FIXTURE_CONTENT

LANGS = ("da", "sv")
STEP = """---
key: target-group
title: Målgruppe
summary: Hvem indsatsen er til.
phase: startup
order: 1
dimension: target_group
---
## Formål
Tekst.
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A writable copy of the small fixture content."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def parse(text: str, kind: str = "steps", slug: str = "maalgruppe"):
    return parse_page(text, kind=kind, lang="da", slug=slug, source=f"da/{kind}/{slug}.md")


def test_a_step_is_rendered_with_its_front_matter_and_table_of_contents(content: Path):
    library = load_library(content, LANGS)
    page = library.get("da", "steps", "maalgruppe")
    assert page is not None
    assert (page.key, page.title, page.phase, page.order) == (
        "target-group",
        "Målgruppe",
        "startup",
        1,
    )
    assert '<h2 id="formål">Formål</h2>' in page.html
    assert [(e.title, e.level) for e in page.toc] == [
        ("Formål", 2),
        ("Underafsnit", 3),
        ("Tjekliste", 2),
    ]
    assert "Mere tekst." in page.text and "<" not in page.text


def test_the_same_page_is_found_in_the_other_language_by_its_key(content: Path):
    library = load_library(content, LANGS)
    danish = library.get("da", "steps", "maalgruppe")
    swedish = library.translation(danish, "sv")
    assert swedish is not None and swedish.slug == "malgrupp" and swedish.title == "Målgrupp"


def test_steps_come_in_order_with_previous_and_next(content: Path):
    library = load_library(content, LANGS)
    first, second = library.list("da", "steps")
    assert (first.key, second.key) == ("target-group", "organisation")
    assert library.neighbours(first) == (None, second)
    assert library.neighbours(second) == (first, None)
    phases = library.steps_by_phase("sv")
    assert [p.title for p, _ in phases] == ["Uppstart", "Design", "Genomförande"]


def test_the_glossary_has_both_languages(content: Path):
    entry = load_library(content, LANGS).glossary[0]
    assert entry.terms == {"da": "Målgruppe", "sv": "Målgrupp"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("## Ingen front matter\n", "missing front matter"),
        ("---\nkey: [unclosed\n---\nTekst\n", "not valid YAML"),
        ("---\n- a list\n---\nTekst\n", "must be a mapping"),
        (STEP.replace("title: Målgruppe\n", ""), "lacks 'title'"),
        (STEP.replace("summary: Hvem indsatsen er til.\n", "summary: ''\n"), "lacks 'summary'"),
        (STEP.replace("order: 1", "order: first"), "'order' must be int"),
        (STEP.replace("phase: startup", "phase: later"), "phase 'later'"),
        (STEP.replace("dimension: target_group", "dimension: luck"), "dimension 'luck'"),
        (STEP.replace("key: target-group", "key: Target Group"), "key 'Target Group'"),
        (STEP.replace("## Formål", "# Formål"), "use '##' headings"),
    ],
)
def test_a_broken_file_is_refused_with_the_reason(text: str, reason: str):
    with pytest.raises(ContentError, match="da/steps/maalgruppe.md") as error:
        parse(text)
    assert reason in str(error.value)


def test_a_file_name_must_be_a_plain_slug():
    with pytest.raises(ContentError, match="file name"):
        parse(STEP, slug="Målgruppe")


def test_a_page_missing_in_one_language_stops_loading(content: Path):
    (content / "sv" / "steps" / "organisering.md").unlink()
    with pytest.raises(ContentError, match=r"organisering\.md: key 'organisation' has no sv"):
        load_library(content, LANGS)


def test_two_files_with_one_key_stop_loading(content: Path):
    shutil.copy(content / "da/steps/maalgruppe.md", content / "da/steps/kopi.md")
    with pytest.raises(ContentError, match="key 'target-group' is also used by"):
        load_library(content, LANGS)


def test_a_glossary_entry_missing_a_language_stops_loading(content: Path):
    (content / "glossary.yaml").write_text("- id: x\n  da: {term: X, definition: Y}\n")
    with pytest.raises(
        ContentError, match=r"glossary.yaml: entry 1 \('x'\): needs term and definition in sv"
    ):
        load_library(content, LANGS)


def test_phases_must_be_the_three_known_phases_in_order(content: Path):
    (content / "da" / "phases.yaml").write_text("- {key: design, title: D, summary: S}\n")
    with pytest.raises(ContentError, match="phases.yaml: must list the phases"):
        load_library(content, LANGS)


def test_the_app_refuses_to_start_on_broken_content(content: Path):
    (content / "da" / "steps" / "organisering.md").write_text("no front matter")
    with pytest.raises(ContentError, match="organisering.md: missing front matter"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "CONTENT_DIR": str(content)})
