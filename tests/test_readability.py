"""Readable for the audience: no sentence over 35 words, and LIX in the range that suits it.

LIX (words per sentence + the share of words over six letters, in per cent) was 40–46 in both
languages when a reviewer read the site, which is right for municipal readers. Tables are left
out: a row is not a sentence.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import ROOT

MAX_WORDS = 35
LIX_RANGE = (38, 50)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅÄÖÉ»”\"(0-9])")


def plain(text: str) -> str:
    """Markdown as running text: links by their words, no emphasis, headings or code marks."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`#>]", " ", text)


def paragraphs(markdown: str) -> list[str]:
    """Paragraphs and list items, tables and headings left out."""
    body = markdown.split("---", 2)[-1] if markdown.startswith("---") else markdown
    blocks = []
    for block in re.split(r"\n\s*\n", body):
        for item in re.split(r"\n(?=\s*(?:[-*]|\d+\.)\s)", block):
            lines = [line for line in item.splitlines() if not line.lstrip().startswith(("|", "#"))]
            if lines:
                blocks.append(" ".join(" ".join(lines).split()))
    return blocks


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(plain(text)) if s.strip()]


def texts(lang: str) -> list[tuple[str, str]]:
    """Every text a reader of the language reads: content pages and questionnaire texts."""
    found = []
    for path in sorted((ROOT / "content" / lang).rglob("*.md")):
        found += [(str(path.relative_to(ROOT)), p) for p in paragraphs(path.read_text())]

    def walk(node, where: str):  # type: ignore[no-untyped-def]
        if isinstance(node, dict):
            for key, value in node.items():
                if key == lang and isinstance(value, str):
                    found.append((where, " ".join(value.split())))
                else:
                    walk(value, where)
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for path in sorted((ROOT / "questionnaires").rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text()), str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_no_sentence_is_longer_than_35_words(lang):
    long = [
        f"{where}: {len(s.split())} words: {s[:80]}…"
        for where, text in texts(lang)
        for s in sentences(text)
        if len(s.split()) > MAX_WORDS
    ]
    assert long == [], "\n".join(long)


def lix(all_text: list[str]) -> float:
    words = [w for t in all_text for w in re.findall(r"[^\W\d_]+", plain(t))]
    count = sum(len(sentences(t)) for t in all_text)
    return len(words) / count + 100 * sum(len(w) > 6 for w in words) / len(words)


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_lix_suits_municipal_readers(lang):
    value = lix([text for _where, text in texts(lang)])
    assert LIX_RANGE[0] <= value <= LIX_RANGE[1], f"LIX {value:.1f}"


def test_the_sentence_splitter_counts_what_a_reader_counts():
    text = "Første sætning er kort. Anden sætning [med et link](/da/x) er også kort! 3 ting."
    assert len(sentences(text)) == 3
    assert paragraphs("---\nkey: x\n---\n\n| a | b |\n|---|---|\n\n- et punkt\n- et andet") == [
        "- et punkt",
        "- et andet",
    ]
