"""Every UI string is marked, extracted, and translated into Danish and Swedish."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ROOT

TRANSLATIONS = ROOT / "app" / "translations"


def read_catalog(path: Path, locale: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def message_ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_the_pot_file_is_up_to_date_with_the_code(tmp_path: Path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [Path(sys.executable).parent / "pybabel", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(fresh), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    committed = message_ids(read_catalog(TRANSLATIONS / "messages.pot"))
    extracted = message_ids(read_catalog(fresh))
    assert extracted - committed == set(), "new strings: run 'make translations'"
    assert committed - extracted == set(), "stale strings: run 'make translations'"


@pytest.mark.parametrize("locale", ["da", "sv"])
def test_every_message_is_translated(locale: str):
    template = message_ids(read_catalog(TRANSLATIONS / "messages.pot"))
    catalog = read_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    assert message_ids(catalog) >= template, "run 'make translations'"
    untranslated = [
        m.id for m in catalog if m.id and (not m.string or not all(m.string) or m.fuzzy)
    ]
    assert untranslated == []


@pytest.mark.parametrize("locale", ["da", "sv"])
def test_placeholders_survive_translation(locale: str):
    catalog = read_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        placeholders = {p for i in ids for p in _placeholders(i)}
        for s in strings:
            assert _placeholders(s) <= placeholders and _placeholders(ids[0]) <= _placeholders(
                s
            ) | {"%(num)d"}, (message.id, s)


def _placeholders(text: str) -> set[str]:
    import re

    return set(re.findall(r"%\(\w+\)[sd]", text))


@pytest.mark.parametrize("locale", ["da", "sv"])
def test_every_translation_keeps_its_placeholders_compatible(locale: str):
    """What `pybabel compile` checks: a translation must not break %-formatting."""
    catalog = read_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    assert problems == []
