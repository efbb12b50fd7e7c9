"""Each language uses its own terms: no Danish loans in Swedish, no slips in Danish.

content/terms.yaml lists, per language, each concept's term and the variants to avoid. The test
reads every Danish and Swedish text a visitor meets (pages and cases, the glossary, the
questionnaires and the catalogs' msgstr lines) and names the file, the line and the term to use
for every variant it finds.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

LANGS = ("da", "sv")
TERMS = yaml.safe_load((ROOT / "content" / "terms.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Rule:
    """One concept in one language: the variants to avoid and the term to use instead."""

    use: str
    avoid: tuple[re.Pattern, ...]
    allow: tuple[re.Pattern, ...]


def _pattern(source: str, *, whole_word: bool) -> re.Pattern:
    """A case-insensitive pattern in which a space matches any white space, line breaks included."""
    body = source.replace(" ", r"\s+")
    if whole_word:
        body = rf"(?<!\w)(?:{body})(?!\w)"
    return re.compile(body, re.IGNORECASE)


@functools.cache
def rules(lang: str) -> tuple[Rule, ...]:
    return tuple(
        Rule(
            use=entry["use"],
            avoid=tuple(_pattern(p, whole_word=entry.get("words", True)) for p in entry["avoid"]),
            allow=tuple(_pattern(p, whole_word=False) for p in entry.get("allow", [])),
        )
        for entry in TERMS[lang]
    )


@dataclass(frozen=True)
class Text:
    """A stretch of one file in one language, with the line its first character stands on."""

    path: Path
    lang: str
    text: str
    line: int

    def line_of(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)


def _blank(text: str, pattern: re.Pattern) -> str:
    """The text with every match of the pattern replaced by spaces, so offsets stay the same."""
    return pattern.sub(lambda m: re.sub(r"\S", " ", m.group()), text)


def _source_id(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def violations(text: Text) -> list[str]:
    """Every banned variant in the text, as 'file:line: "variant": use TERM'."""
    found = []  # (offset, message), so the report reads top to bottom
    for rule in rules(text.lang):
        searched = text.text
        for allowed in rule.allow:
            searched = _blank(searched, allowed)
        for pattern in rule.avoid:
            for match in pattern.finditer(searched):
                where = f"{_source_id(text.path)}:{text.line_of(match.start())}"
                variant = " ".join(match.group().split())
                found.append((match.start(), f'{where}: "{variant}": use {rule.use}'))
    return [message for _, message in sorted(found)]


# --- where the Danish and Swedish texts are ----------------------------------------------------


def page_texts(path: Path) -> list[Text]:
    """A page (or phases.yaml) in content/da or content/sv, front matter included."""
    lang = path.relative_to(ROOT / "content").parts[0]
    return [Text(path, lang, path.read_text(encoding="utf-8"), 1)]


def yaml_texts(path: Path) -> list[Text]:
    """Every value under a da: or sv: key, as it stands in the file (so a line number is exact)."""
    source = path.read_text(encoding="utf-8")
    found = []

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value in LANGS:
                    start, end = value.start_mark, value.end_mark
                    found.append(
                        Text(path, key.value, source[start.index : end.index], start.line + 1)
                    )
                else:
                    walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)

    walk(yaml.compose(source))
    return found


MSGSTR = re.compile(r'^msgstr(?:\[\d+\])? "(.*)"\n((?:".*"\n)*)', re.M)


def catalog_texts(path: Path, lang: str) -> list[Text]:
    """Each msgstr of a catalog, with a line break between its continuation lines.

    gettext joins the pieces without one, but Babel breaks lines at a space, so words stay whole,
    and the break keeps each piece on its own line number.
    """
    source = path.read_text(encoding="utf-8")
    found = []
    for match in MSGSTR.finditer(source):
        first_line = source.count("\n", 0, match.start()) + 1
        pieces = [match.group(1), *re.findall(r'^"(.*)"$', match.group(2), re.M)]
        found.append(Text(path, lang, "\n".join(pieces), first_line))
    return [t for t in found if t.text.strip()]


def all_texts() -> list[Text]:
    texts: list[Text] = []
    for lang in LANGS:
        for path in sorted((ROOT / "content" / lang).rglob("*")):
            if path.suffix in {".md", ".yaml"}:
                texts += page_texts(path)
        texts += catalog_texts(
            ROOT / "app" / "translations" / lang / "LC_MESSAGES" / "messages.po", lang
        )
    texts += yaml_texts(ROOT / "content" / "glossary.yaml")
    for path in sorted((ROOT / "questionnaires").rglob("*.yaml")):
        texts += yaml_texts(path)
    return texts


SOURCES = sorted({t.path for t in all_texts()}, key=_source_id)


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SOURCES, ids=_source_id)
def test_no_text_uses_a_variant_the_term_list_bans(path: Path):
    found = [v for text in all_texts() if text.path == path for v in violations(text)]
    assert found == [], "\n".join(found)


def test_every_language_has_rules_with_a_term_to_use():
    assert set(TERMS) == set(LANGS)
    for lang in LANGS:
        for entry in TERMS[lang]:
            assert entry["use"].strip() and entry["avoid"], entry["concept"]


def _swedish(text: str, path: str = "content/sv/pages/x.md") -> list[str]:
    return violations(Text(ROOT / path, "sv", text, 1))


def _danish(text: str, path: str = "content/da/pages/x.md") -> list[str]:
    return violations(Text(ROOT / path, "da", text, 1))


def test_inflected_loans_are_caught_and_named_with_their_line_and_term():
    found = _swedish("Insatsen tar ett år.\nFörloppen blev längre\noch visiteringen dröjde.")
    assert found == [
        'content/sv/pages/x.md:2: "Förloppen": use insatsen, insatsperioden, behandlingen eller '
        '"per deltagare"',
        'content/sv/pages/x.md:3: "visiteringen": use beslut om insats, bevilja insatsen, '
        "biståndsbedömning eller handläggning",
    ]


def test_a_phrase_broken_over_two_lines_is_still_found():
    assert _swedish("de unga lämnar offentlig\n  försörjning")[0].startswith(
        'content/sv/pages/x.md:1: "offentlig försörjning"'
    )
    assert _swedish("i Rudersdal\nkommun")


def test_myndighet_is_banned_as_the_role_but_not_for_the_exercise_of_authority():
    assert _swedish("Kommunen är myndighet och betalar.")
    assert _swedish("Myndigheten beslutar.")
    assert _swedish("mellan myndigheterna")
    assert (
        _swedish("Kommunen behåller myndighetsansvaret; myndighetsutövning kan inte läggas ut.")
        == []
    )
    assert _swedish("en kommun, en region eller en annan offentlig myndighet") == []
    assert _swedish("Integritetsskyddsmyndigheten") == []


def test_matching_is_by_whole_word():
    assert _swedish("Ett utförande i dag.") == []  # "du" inside a word is not the pronoun
    assert _swedish("Har du frågor?")
    assert _danish("Den centrale byggeklods er enhedsomkostninger.") == []
    assert _danish("Det centrale byggeklods er enhetskostnader.") == [
        'content/da/pages/x.md:1: "Det centrale byggeklods": use den centrale byggeklods',
        'content/da/pages/x.md:1: "enhetskostnader": use enhedsomkostninger',
    ]


def test_english_quotes_are_banned_but_each_language_keeps_its_own():
    assert _swedish("välj ”Vet ej”") == []
    assert _swedish("välj “Vet ej”")
    assert _danish("vælg »Ved ikke« eller „Ved ikke“") == []
    assert _danish("vælg “Ved ikke”")


def test_the_article_before_investor_is_required_in_danish():
    assert _danish("Investor får pengene tilbage.")
    assert _danish("Investoren får pengene tilbage, og en investor får aldrig mere.") == []


def test_catalogs_are_read_in_msgstr_only_with_the_line_of_the_variant(tmp_path: Path):
    sample = tmp_path / "messages.po"
    sample.write_text(
        'msgid "You are here"\nmsgstr "Ni är här"\n\n'
        'msgid ""\n"Where do you stand?"\nmsgstr ""\n"Var står "\n"du?"\n',
        encoding="utf-8",
    )
    found = [v for t in catalog_texts(sample, "sv") for v in violations(t)]
    assert found == [f'{sample}:8: "du": use ni, er, era']
