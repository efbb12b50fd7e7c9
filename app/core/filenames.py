"""Names of downloaded files: plain ASCII, readable, and in the page's language."""

from __future__ import annotations

import re
import unicodedata

# Danish and Swedish letters as both languages write them without the letter.
TRANSLITERATION = str.maketrans(
    {
        "æ": "ae",
        "ø": "oe",
        "å": "aa",
        "ä": "ae",
        "ö": "oe",
        "ß": "ss",
        "Æ": "Ae",
        "Ø": "Oe",
        "Å": "Aa",
        "Ä": "Ae",
        "Ö": "Oe",
    }
)
NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 50


def slug(text: str, max_length: int = MAX_SLUG) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a word boundary; empty if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(TRANSLITERATION))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    words = NOT_ALPHANUMERIC.sub("-", ascii_text).strip("-")
    if len(words) <= max_length:
        return words
    cut = words[: max_length + 1]
    if "-" in cut:  # end at the last whole word that fits
        cut = cut[: cut.rindex("-")]
    return cut[:max_length].strip("-")


def download_name(stem: str, title: str, extension: str) -> str:
    """`stem-title-slug.extension`, or `stem.extension` when the title leaves no slug."""
    words = slug(title)
    return f"{stem}-{words}.{extension}" if words else f"{stem}.{extension}"
