"""Full-text search over the content, with Danish and Swedish stemming; built once at start-up."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import snowballstemmer

from app.core.content import Library

STEMMERS = {"da": "danish", "sv": "swedish"}
WORD_RE = re.compile(r"[^\W\d_]{2,}|\d+", re.UNICODE)
MAX_QUERY_LENGTH = 200
SNIPPET_CHARS = 220
TITLE_WEIGHT = 5


@dataclass(frozen=True)
class Document:
    """Something a search can find: a page or a glossary entry, in one language."""

    ref: tuple[str, ...]
    lang: str
    title: str
    text: str
    kind: str


@dataclass(frozen=True)
class Hit:
    """One result: the document and a snippet as (text, is_match) pieces, ready to escape."""

    document: Document
    score: float
    snippet: tuple[tuple[str, bool], ...]


class QueryError(ValueError):
    """A query that cannot be run; the code says why (`empty` or `too_long`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class SearchIndex:
    """An inverted index of stems per language."""

    _stemmers: dict[str, snowballstemmer.stemmer] = field(default_factory=dict)
    # stem -> {document number: count}, per language. Plain dicts, not Counters: read back at
    # every start-up (app/core/built.py), each Counter ran its __init__ in Python (~15 ms).
    _postings: dict[str, dict[str, dict[int, int]]] = field(default_factory=dict)
    _docs: list[Document] = field(default_factory=list)
    _lengths: list[int] = field(default_factory=list)
    # The stem of every word of the indexed texts, per language: the texts repeat their words, and
    # stemming each occurrence anew was most of the start-up's index building. Only indexed words
    # are kept, so what visitors type in cannot make it grow.
    _known: dict[str, dict[str, str]] = field(default_factory=dict)

    def stem(self, lang: str, word: str, *, remember: bool = False) -> str:
        """The stem of one lower-cased word in this language."""
        folded = word.casefold()
        known = self._known.setdefault(lang, {})
        found = known.get(folded)
        if found is None:
            if lang not in self._stemmers:
                self._stemmers[lang] = snowballstemmer.stemmer(STEMMERS[lang])
            found = self._stemmers[lang].stemWord(folded)
            if remember:
                known[folded] = found
        return found

    def stems(self, lang: str, text: str, *, remember: bool = False) -> list[str]:
        """The stems of every word in a text."""
        return [self.stem(lang, w, remember=remember) for w in WORD_RE.findall(text)]

    def add(self, document: Document) -> None:
        """Index one document; words in the title count more."""
        number = len(self._docs)
        self._docs.append(document)
        counts: Counter[str] = Counter(self.stems(document.lang, document.text, remember=True))
        for stem in self.stems(document.lang, document.title, remember=True):
            counts[stem] += TITLE_WEIGHT
        self._lengths.append(sum(counts.values()))
        postings = self._postings.setdefault(document.lang, {})
        for stem, count in counts.items():
            postings.setdefault(stem, {})[number] = count

    def search(self, lang: str, query: str, limit: int = 50) -> list[Hit]:
        """Documents in this language holding every word of the query, best first."""
        query = " ".join(query.split())
        if not query:
            raise QueryError("empty")
        if len(query) > MAX_QUERY_LENGTH:
            raise QueryError("too_long")
        wanted = list(dict.fromkeys(self.stems(lang, query)))
        if not wanted:
            return []
        postings = self._postings.get(lang, {})
        matching: set[int] | None = None
        for stem in wanted:
            docs = set(postings.get(stem, ()))
            matching = docs if matching is None else matching & docs
        total = sum(1 for d in self._docs if d.lang == lang) or 1
        scored = []
        for number in matching or ():
            score = 0.0
            for stem in wanted:
                rarity = math.log(1 + total / len(postings[stem]))
                score += postings[stem][number] / math.sqrt(self._lengths[number]) * rarity
            scored.append((score, number))
        scored.sort(key=lambda pair: (-pair[0], self._docs[pair[1]].title))
        return [
            Hit(self._docs[n], round(s, 4), self.snippet(self._docs[n], set(wanted)))
            for s, n in scored[:limit]
        ]

    def export(self, lang: str) -> dict:
        """One language's index as plain data, for a search that runs in the browser.

        docs: each document's ref, title, kind, text and length (in stems, titles counted
        TITLE_WEIGHT times); postings: stem -> [[document number, count], ...]; words: every
        indexed word, lower-cased, with its stem, so that the browser stems these words exactly
        as this index did without a stemmer of its own.
        """
        numbers = [n for n, document in enumerate(self._docs) if document.lang == lang]
        local = {n: i for i, n in enumerate(numbers)}
        docs = [
            {
                "ref": list(self._docs[n].ref),
                "title": self._docs[n].title,
                "kind": self._docs[n].kind,
                "text": self._docs[n].text,
                "length": self._lengths[n],
            }
            for n in numbers
        ]
        postings = {
            stem: [[local[n], count] for n, count in sorted(found.items())]
            for stem, found in sorted(self._postings.get(lang, {}).items())
        }
        return {
            "docs": docs,
            "postings": postings,
            "words": dict(sorted(self._known[lang].items())),
        }

    def snippet(self, document: Document, stems: set[str]) -> tuple[tuple[str, bool], ...]:
        """A window of the text around the first match, split into plain and matched pieces."""
        text = document.text
        matches = [
            m for m in WORD_RE.finditer(text) if self.stem(document.lang, m.group()) in stems
        ]
        if not matches:
            start, end = 0, min(len(text), SNIPPET_CHARS)
        else:
            start = max(0, matches[0].start() - SNIPPET_CHARS // 3)
            start = text.rfind(" ", 0, start) + 1 if start else 0
            end = min(len(text), start + SNIPPET_CHARS)
            if end < len(text) and " " in text[start:end]:
                end = text.rfind(" ", start, end)
        pieces: list[tuple[str, bool]] = []
        if start > 0:
            pieces.append(("… ", False))
        cursor = start
        for m in matches:
            if m.start() < start or m.end() > end:
                continue
            if m.start() > cursor:
                pieces.append((text[cursor : m.start()], False))
            pieces.append((m.group(), True))
            cursor = m.end()
        if cursor < end:
            pieces.append((text[cursor:end], False))
        if end < len(text):
            pieces.append((" …", False))
        return tuple(pieces)


def build_index(library: Library) -> SearchIndex:
    """Index every page and glossary entry of every language."""
    index = SearchIndex()
    for page in library.pages.values():
        index.add(Document((page.kind, page.slug), page.lang, page.title, page.text, page.kind))
    for entry in library.glossary:
        for lang in library.languages:
            text = f"{entry.terms[lang]}. {entry.definitions[lang]}"
            index.add(Document(("glossary", entry.id), lang, entry.terms[lang], text, "glossary"))
    return index
