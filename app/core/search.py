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
# Suggestions: words shorter than this are not corrected (too many neighbours), a word of up to
# SHORT_WORD letters may be one edit away from what was meant, a longer one two; at most
# CORRECTED_WORDS words of a query are looked up.
MIN_CORRECTED = 4
SHORT_WORD = 5
CORRECTED_WORDS = 6
OTHER = {"da": "sv", "sv": "da"}


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


@dataclass(frozen=True)
class Answer:
    """What a search page shows: the hits, or failing them what may have been meant.

    suggestion: the query with its unknown words replaced by the nearest indexed ones, where that
    finds something; other_hits: the query's hits in the other language (a Danish word searched
    on the Swedish site); other_suggestion: a correction that finds something only there.
    """

    hits: list[Hit]
    suggestion: str | None = None
    other_lang: str = ""
    other_hits: list[Hit] = field(default_factory=list)
    other_suggestion: str | None = None


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
    # The indexed words per language as a list, made on the first suggestion asked for.
    _vocabulary: dict[str, list[str]] = field(default_factory=dict, repr=False)

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
        # A glossary entry first: a reader who types a term most often wants what it means.
        scored.sort(
            key=lambda pair: (
                self._docs[pair[1]].kind != "glossary",
                -pair[0],
                self._docs[pair[1]].title,
            )
        )
        return [
            Hit(self._docs[n], round(s, 4), self.snippet(self._docs[n], set(wanted)))
            for s, n in scored[:limit]
        ]

    def forgiving(self, lang: str, query: str, limit: int = 50) -> Answer:
        """search(), and where it finds nothing: the nearest words this language's texts use,
        the other language's hits for the same words, or failing both its nearest words."""
        hits = self.search(lang, query, limit)
        if hits:
            return Answer(hits)
        other = OTHER[lang]
        suggestion = self.suggestion(lang, query)
        other_hits = self.search(other, query, limit)
        other_suggestion = None
        if suggestion is None and not other_hits:
            other_suggestion = self.suggestion(other, query)
        return Answer([], suggestion, other, other_hits, other_suggestion)

    def suggestion(self, lang: str, query: str) -> str | None:
        """The query with each word this language's index lacks replaced by its nearest indexed
        word, if that changes it and the changed query finds something."""
        postings = self._postings.get(lang, {})
        pieces, cursor, changed, looked_up = [], 0, False, 0
        for match in WORD_RE.finditer(query):
            word = match.group()
            if self.stem(lang, word) in postings or len(word) < MIN_CORRECTED or word.isdigit():
                continue
            if looked_up == CORRECTED_WORDS:
                break
            looked_up += 1
            nearest = self.nearest_word(lang, word)
            if nearest is not None:
                pieces += [query[cursor : match.start()], nearest]
                cursor, changed = match.end(), True
        if not changed:
            return None
        corrected = " ".join("".join([*pieces, query[cursor:]]).split())
        return corrected if self.search(lang, corrected, 1) else None

    def nearest_word(self, lang: str, word: str) -> str | None:
        """The indexed word fewest edits (optimal string alignment: a swap of two neighbouring
        letters is one) from word, within one edit for short words and two for longer ones; of
        equals, the one whose stem most texts hold, then the first alphabetically."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        vocabulary = self._vocabulary.get(lang)
        if vocabulary is None:
            vocabulary = self._vocabulary[lang] = sorted(self._known.get(lang, {}))
        folded = word.casefold()
        limit = 1 if len(folded) <= SHORT_WORD else 2
        found = process.extract(
            folded, vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        postings = self._postings.get(lang, {})
        known = self._known.get(lang, {})
        ranked = sorted(
            (distance, -len(postings.get(known[choice], ())), choice)
            for choice, distance, _index in found
            if distance > 0
        )
        return ranked[0][2] if ranked else None

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
