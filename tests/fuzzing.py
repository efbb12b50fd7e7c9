"""The fuzz suite's tools: what to send (Hypothesis strategies) and what every answer must meet.

Every request goes through `Fuzzer.send`, which counts it and asserts, whatever was sent:
no 5xx; a refusal (4xx) leaves every table exactly as it was; no table ever holds a control
character other than tab and line feed; and a refusal speaks the request's language, checked
against the catalogs in app/translations (a message must be one of that language's translations).
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from flask import Flask
from hypothesis import currently_in_test_context, event
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.core.questionnaire_loader import load_questionnaires
from app.extensions import db
from app.i18n import LANGUAGES
from tests.conftest import empty_tables

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRES = load_questionnaires(ROOT / "questionnaires")

# Requests sent and 5xx answers seen, per database backend (printed in the terminal summary).
REQUESTS: Counter[str] = Counter()
SERVER_ERRORS: Counter[str] = Counter()
STATUSES: defaultdict[str, Counter[int]] = defaultdict(Counter)

# What may never be stored: C0 controls and DEL, except tab and line feed (app/boundary.py).
STORED_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
LANG_PREFIX = re.compile(r"^/(da|sv)(/|$)")
HTML_LANG = re.compile(r"\A\s*<!doctype html>\s*<html lang=\"([a-z]+)\"", re.IGNORECASE)


# --- the catalogs: is a message a translation in this language? ------------------------------


class Catalogs:
    """The translations of each language, as patterns a visible message must match in full."""

    PLACEHOLDER = re.compile(r"(%\(\w+\)[sdfr]|%%)")
    MIN_LITERAL = 6  # a pattern that is mostly placeholders proves nothing about the language

    def __init__(self) -> None:
        self.patterns: dict[str, list[tuple[str, list[str], re.Pattern[str]]]] = {}
        for lang in LANGUAGES:
            path = ROOT / "app" / "translations" / lang / "LC_MESSAGES" / "messages.po"
            with path.open("rb") as file:
                catalog = read_po(file, locale=lang)
            found = []
            for message in catalog:
                if not message.id or not message.string or message.fuzzy:
                    continue
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                for text in strings:
                    entry = self._pattern(text)
                    if entry:
                        found.append((msgid, *entry))
            self.patterns[lang] = found

    def _pattern(self, text: str) -> tuple[list[str], re.Pattern[str]] | None:
        parts = self.PLACEHOLDER.split(normal(text))
        literals, regex = [], []
        for i, part in enumerate(parts):
            if i % 2 == 0:
                literals.append(part)
                regex.append(re.escape(part))
            else:
                regex.append("%" if part == "%%" else "(.+?)")
        if sum(len(p.strip()) for p in literals) < self.MIN_LITERAL:
            return None
        words = [w for p in literals for w in p.split() if w]
        return words, re.compile("".join(regex), re.DOTALL)

    def translations_of(self, text: str, lang: str) -> set[str]:
        """The msgids whose translation in lang this text is (placeholders filled in)."""
        text = normal(text)
        return {
            msgid
            for msgid, words, pattern in self.patterns[lang]
            if all(w in text for w in words) and pattern.fullmatch(text)
        }

    def in_language(self, text: str, lang: str) -> bool:
        """Whether the text is one of lang's translations."""
        return bool(self.translations_of(text, lang))


def normal(text: str) -> str:
    """Whitespace as a reader sees it: runs of it as one space, none at the ends."""
    return " ".join(text.split())


_catalogs: Catalogs | None = None


def catalogs() -> Catalogs:
    """The catalogs, read once."""
    global _catalogs
    if _catalogs is None:
        _catalogs = Catalogs()
    return _catalogs


# --- the database: what a request changed -------------------------------------------------------


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    with app.app_context(), db.engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def stored_texts(value: Any) -> Iterable[str]:
    """Every text in a stored value, JSON keys and values included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from stored_texts(key)
            yield from stored_texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from stored_texts(item)


def backend_of(app: Flask) -> str:
    """sqlite or postgresql."""
    return app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+")[0]


# --- sending, and the checks on every answer ----------------------------------------------------


@dataclass
class Sent:
    """One request as sent, for the failure message."""

    method: str
    url: str
    options: dict[str, Any]

    def __str__(self) -> str:
        shown = {k: v for k, v in self.options.items() if k != "data" or len(repr(v)) < 600}
        if "data" in self.options and "data" not in shown:
            shown["data"] = repr(self.options["data"])[:600] + "…"
        return f"{self.method} {self.url} {shown}"


class Fuzzer:
    """A test client whose every answer is checked, and counted."""

    def __init__(self, app: Flask, client: Any = None, contract: Any = None) -> None:
        self.app = app
        self.client = client or app.test_client()
        self.contract = contract
        self.backend = backend_of(app)
        questionnaires = app.extensions["questionnaires"].values()
        self.question_texts = {
            lang: {normal(q.text[lang]) for qn in questionnaires for q in qn.questions.values()}
            for lang in LANGUAGES
        }

    def send(self, method: str, url: str, lang: str | None = None, **options: Any) -> Any:
        """Send one request; assert every rule; return the answer."""
        sent = Sent(method, url, options)
        before = snapshot(self.app)
        REQUESTS[self.backend] += 1
        try:
            response = self.client.open(url, method=method, **options)
        except Exception as error:  # the test app propagates what would be a 500
            SERVER_ERRORS[self.backend] += 1
            raise AssertionError(f"500 ({type(error).__name__}: {error}) for {sent}") from error
        status = response.status_code
        if status >= 500:
            SERVER_ERRORS[self.backend] += 1
            body = response.get_data(as_text=True)[:300]
            raise AssertionError(f"{status} for {sent}: {body}")
        after = snapshot(self.app)
        if status >= 400:
            assert after == before, f"a refused request ({status}) changed the database: {sent}"
        for table, rows in after.items():
            earlier = {row[0]: row for row in before[table]}  # by primary key (the first column)
            for row in rows:
                if earlier.get(row[0]) == row:
                    continue  # checked when it was stored
                for text in stored_texts(row):
                    assert not STORED_CONTROL.search(text), f"{table} holds {text!r} after {sent}"
        STATUSES[self.backend][status] += 1
        if currently_in_test_context():  # --hypothesis-show-statistics lists what each test got
            event(f"{method} {status}")
        if 300 <= status < 400 or method in ("HEAD", "OPTIONS"):
            return response  # no body anyone reads (a redirect's is Werkzeug's)
        if url.startswith("/api/"):
            self.check_api_answer(response, lang, sent)
        elif response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            found = HTML_LANG.search(html)
            page_lang = found.group(1) if found else None
            # An address without a language answers in the visitor's (cookie, browser).
            lang = lang or url_language(url) or page_lang
            assert lang in LANGUAGES and page_lang == lang, f"lang {page_lang!r}: {sent}"
            if status >= 400:  # parsed only here: html.parser takes 20 ms for a long page
                self.check_refusal_page(BeautifulSoup(html, "html.parser"), lang, sent)
        elif status >= 400:
            raise AssertionError(f"{status} answered as {response.mimetype}: {sent}")
        return response

    def fresh(self) -> None:
        """Empty every table: each example starts from nothing, and snapshots stay small."""
        empty_tables(self.app)

    def check_refusal_page(self, soup: BeautifulSoup, lang: str, sent: Sent) -> None:
        """A refused form or address shows at least one error message, each in the language."""
        shown = visible_errors(soup, self.question_texts[lang])
        assert shown, f"a refusal without a visible message: {sent}"
        for text in shown:
            assert catalogs().in_language(text, lang), f"not a {lang} message: {text!r}, {sent}"

    def check_api_answer(self, response: Any, lang: str | None, sent: Sent) -> None:
        """JSON always; an error is {"errors": {key: [{"code", "message"}]}} in the language."""
        assert response.mimetype == "application/json", f"{response.mimetype}: {sent}"
        if self.contract is not None:
            self.contract.check(sent.method, sent.url, response)
        if response.status_code < 400:
            return
        body = json.loads(response.get_data(as_text=True))
        assert isinstance(body, dict) and set(body) == {"errors"}, f"shape: {body}, {sent}"
        assert isinstance(body["errors"], dict) and body["errors"], f"no errors: {sent}"
        for key, problems in body["errors"].items():
            assert isinstance(key, str) and isinstance(problems, list) and problems, sent
            for item in problems:
                assert set(item) == {"code", "message"}, f"{item}: {sent}"
                assert re.fullmatch(r"[a-z_]+", item["code"]), f"{item}: {sent}"
                if lang:
                    message = item["message"]
                    assert catalogs().in_language(message, lang), f"not {lang}: {message!r} {sent}"


def url_language(url: str) -> str | None:
    """The language a site address names (/da/…, /sv/…), else None."""
    found = LANG_PREFIX.match(url)
    return found.group(1) if found else None


def visible_errors(soup: BeautifulSoup, question_texts: set[str]) -> list[str]:
    """The error messages a person sees, without the question texts they are shown with."""
    texts = []
    for message in soup.select(".form-error-message"):
        for hidden in message.select(".sr-only"):  # "Error:", read out before the message
            hidden.extract()
        texts.append(message.get_text(" "))
    for alert in soup.select("[role=alert] .alert-heading, [role=alert] .alert-text"):
        texts.append(alert.get_text(" "))
    for item in soup.select(".error-summary li"):
        text = normal(item.get_text(" "))
        if text in question_texts:  # "answer these questions": the list of questions
            continue
        for question in question_texts:
            if text.startswith(f"{question} – "):
                text = text.removeprefix(f"{question} – ")
                break
        texts.append(text)
    if not texts and soup.h1:  # an error page: its heading says what happened
        texts.append(soup.h1.get_text(" "))
    return [normal(t) for t in texts if normal(t)]


# --- strategies ---------------------------------------------------------------------------------

CONTROL_CHARACTERS = st.sampled_from(
    ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\r", "\r\n", "\t", "\n"]
)
ODD_WORDS = st.sampled_from(
    [
        "Kommune",
        "Ærø",
        "Örebro",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%(x)s",
        "{{ 7*7 }}",
        "$x^2$",
        "\u202e",
        "\ufeff",
        "\u00a0",
        "😀",
        "a\u0301",
        "=1+1",
        "\\",
        '"',
        " ",
    ]
)
UNICODE = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
# Lengths around the limits: 200 (names, rate-card texts), 254 (e-mail), 1000, 2000.
LENGTHS = (199, 200, 201, 254, 255, 999, 1000, 1001, 1999, 2000, 2001, 4000)


@st.composite
def long_texts(draw: st.DrawFn) -> str:
    """A text of a length near a limit, sometimes padded with what cleaning removes."""
    length = draw(st.sampled_from(LENGTHS))
    fill = draw(st.sampled_from(["a", "æ", "ø ", "\x00", "a\x00", " "]))
    text = (fill * length)[:length]
    return draw(st.sampled_from([text, text + "\x00", " " + text + " ", text + "x"]))


texts = st.one_of(
    UNICODE,
    st.lists(st.one_of(UNICODE, CONTROL_CHARACTERS, ODD_WORDS), max_size=6).map("".join),
    long_texts(),
)

NUMBER_TEXTS = [
    "85.000", "1,200", "1.200", "0,6", "0.6", "1e400", "-1e400", "1e-400", "-0", "0", "NaN",
    "nan", "inf", "-inf", "Infinity", "-Infinity", "∞", "-∞", "9" * 20, "9" * 400, "9" * 5000,
    "1 200", "1\u00a0200", "1\u202f200", "120.000 kr.", "120 000 kr", "62,4 %", "60%", "60 %",
    "0,5 %", "-5", "+5", "5.", ".5", ",5", "1_000", "٣", "１２", "1e5", "0x10", "1/2", "--5",
    "5-", "1.234,5", "1,234.5", "1.2.3", "10000", "10001", "100", "101", "0e0", "00012", " 7 ",
    "7\x00", "kr.", "%", "%%", "½", "1,5e3", "12 mio.", "3,5", "3.5", "1.000.000", "10 000,5",
    # Digits of other scripts, and characters Unicode counts as digits but no number is made of.
    "²", "10²", "⁵", "①", "Ⅻ", "١٢٣", "๑๒", "𝟙𝟚", "1٬000", "᠑",
]  # fmt: skip
# Digits of every script and what goes between them, in any order.
NUMBERISH = st.text(
    st.one_of(
        st.characters(categories=("Nd", "No", "Nl")),
        st.sampled_from(list("0123456789.,  \u00a0\u202f-−+%kr_eE")),
    ),
    min_size=1,
    max_size=10,
)
numbers = st.one_of(
    st.sampled_from(NUMBER_TEXTS),
    st.sampled_from(NUMBER_TEXTS),
    NUMBERISH,
    st.integers().map(str),
    st.integers(min_value=-(10**6), max_value=10**7).map(lambda n: f"{n:,}"),
    st.integers(min_value=0, max_value=10**7).map(lambda n: f"{n:,}".replace(",", ".")),
    st.integers(min_value=0, max_value=10**7).map(lambda n: f"{n:,}".replace(",", "\u00a0")),
    st.floats().map(str),
    st.floats(min_value=-1e6, max_value=1e6).map(lambda x: f"{x:.3f}".replace(".", ",")),
    st.decimals().map(str),
)
values = st.one_of(texts, numbers)

# Broken UTF-8 and broken percent-encoding, spliced into raw bodies and query strings.
BROKEN = st.sampled_from(
    [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xe2\x82", b"\xf0\x9f\x98", b"\xed\xa0\x80",
     b"%ff", b"%C3%28", b"%", b"%0", b"%zz", b"%00", b"%u00e6", b"&&", b"==", b";", b"+"]
)  # fmt: skip


@st.composite
def raw_pairs(draw: st.DrawFn, pairs: list[tuple[str, str]]) -> bytes:
    """name=value pairs as an urlencoded body or query, with broken bytes spliced in."""
    chunks = [f"{quote(k, safe='')}={quote(v, safe='')}".encode() for k, v in pairs]
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(chunks)))
        chunks.insert(at, draw(BROKEN) + draw(st.sampled_from([b"", b"=", b"=x", b"&"])))
    return b"&".join(chunks)


def field_values(name: str, strategy: st.SearchStrategy[str]) -> st.SearchStrategy[list]:
    """One field: missing, once, or several times (duplicated fields)."""
    return st.one_of(
        st.just([]),
        strategy.map(lambda v: [(name, v)]),
        st.lists(strategy, min_size=2, max_size=3).map(lambda vs: [(name, v) for v in vs]),
    )


@st.composite
def form_pairs(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[str]]) -> list:
    """A form: each field missing, once or several times, plus sometimes an unknown field."""
    pairs: list[tuple[str, str]] = []
    for name, strategy in fields.items():
        pairs.extend(draw(field_values(name, strategy)))
    if draw(st.integers(0, 5)) == 0:
        pairs.append((draw(st.sampled_from(["csrf_token", "x", "", "q_", "note_"])), draw(texts)))
    order = draw(st.permutations(range(len(pairs)))) if len(pairs) < 9 else range(len(pairs))
    return [pairs[i] for i in order]


ENCODINGS = ("form",) * 5 + ("multipart", "raw", "json", "json", "text", "file", "none", "huge")


@st.composite
def encoded(draw: st.DrawFn, pairs: list[tuple[str, str]]) -> tuple[str, dict[str, Any]]:
    """How the pairs are sent, and the test client's keyword arguments that send them so."""
    how = draw(st.sampled_from(ENCODINGS))
    if how == "form":
        return how, {"data": MultiDict(pairs)}
    if how == "multipart":
        return how, {"data": MultiDict(pairs), "content_type": "multipart/form-data"}
    if how == "raw":
        body = draw(raw_pairs(pairs))
        return how, {"data": body, "content_type": "application/x-www-form-urlencoded"}
    if how == "json":  # the values as text, or as anything JSON holds
        body = {k: draw(st.one_of(st.just(v), st.deferred(lambda: json_values))) for k, v in pairs}
        return how, {"data": json.dumps(body), "content_type": "application/json"}
    if how == "text":
        return how, {"data": draw(raw_pairs(pairs)), "content_type": "text/plain"}
    if how == "file" and pairs:
        name, value = pairs[0]
        files = MultiDict(pairs[1:])
        files.add(name, (BytesIO(value.encode("utf-8", "surrogatepass")), "answer.txt"))
        return how, {"data": files, "content_type": "multipart/form-data"}
    if how == "huge":  # beyond MAX_CONTENT_LENGTH (1 MiB)
        return how, {"data": b"x=" + b"a" * (1024 * 1024 + 10), "content_type": "text/plain"}
    return "none", {}


# --- JSON --------------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
    st.sampled_from(NUMBER_TEXTS),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
IDENTIFIERS = st.one_of(
    st.sampled_from(["kommune", "leverandoer", "Kommune", "", " ", "..", "%00", "x" * 300]),
    st.text(string.ascii_letters + string.digits + "_-.", max_size=20),
    UNICODE,
)

# Raw JSON texts: what json.dumps cannot write, written out by hand.
RAW_JSON = st.sampled_from(
    [
        b"", b"{", b"}", b"[]", b"null", b"0", b'"text"', b"{'a': 1}", b'{"a": NaN}',
        b'{"participants": Infinity}', b'{"participants": -Infinity}',
        b'{"participants": 1e400}', b'{"participants": -0}', b'{"participants": 1' + b"0" * 400
        + b"}", b'{"participants": 25, "participants": 26}',
        b'{"answers": {"tg_size": 1, "tg_size": 2}}', b'{"answers": {"tg_size": NaN}}',
        b'{"answers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", b"[" * 33 + b"]" * 33,
        b"[" * 100_000, b'{"a": "\\ud800"}', b'{"a": "\\u0000"}', b"\xef\xbb\xbf{}",
        b'{"answers": {}}\x00', b'{"answers": {}} {"answers": {}}', b"\xff\xfe{\x00}\x00",
        b'{"answers": {"tg_size": "\xff"}}', b'{"rate_card": [' + b"{}," * 5000 + b"{}]}",
    ]
)  # fmt: skip
CONTENT_TYPES = st.sampled_from(
    [
        "application/json", "application/json", "application/json; charset=utf-8",
        "application/json; charset=latin-1", "application/merge-patch+json", "text/json",
        "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "", "*/*",
        "application/", "application/+json",
    ]
)  # fmt: skip
