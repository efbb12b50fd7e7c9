"""Numbers as Danes and Swedes type them: "85.000 kr.", "1 200", "0,6", "60 %".

The page's language decides what a separator means (Babel's locale data gives the symbols).
A text is read in three ways: the page's own way, the dot-grouped way Danes use ("1.200,5"), and
the English way ("1,200.5"). When the readings that hold agree, that is the number. When they
disagree, the text is refused with both readings named, with one exception: on a Danish page a
dot between groups of three digits is the site's own way of writing ("120.000 kr."), so "1.200"
is 1200 there. A comma followed by exactly three digits ("1,200") is refused in both languages:
it is a decimal comma to a Dane or a Swede and a thousands separator to a spreadsheet in English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import get_decimal_symbol, get_group_symbol

# Larger numbers than this are refused outright: no field means them, and arithmetic stays cheap.
MAX_MAGNITUDE = Decimal(10) ** 15
SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break space, thin space
MINUS = "-\u2212"  # hyphen-minus and the minus sign Babel writes for Swedish
UNITS = {
    "percent": ("%", "pct.", "pct", "procent"),
    "money": ("kr.", "kr", "kroner", "kronor", "dkk", "sek", ",-"),
    "plain": (),
}


@dataclass(frozen=True)
class InputError:
    """Why an input was refused: a code the views translate, with what the message names."""

    code: str
    limit: float | None = None
    readings: tuple[Decimal, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class TypedNumber:
    """A number read from text, and whether the text carried its unit (for example "0,6 %")."""

    value: Decimal
    unit_typed: bool


class NumberError(ValueError):
    """The text is not one number; `error` says why."""

    def __init__(self, error: InputError) -> None:
        super().__init__(error.code)
        self.error = error


@dataclass(frozen=True)
class _Style:
    decimal: str
    groups: str


def _styles(lang: str) -> list[_Style]:
    """The ways to read a number on a page in this language, the page's own way first."""
    decimal = get_decimal_symbol(lang)
    group = get_group_symbol(lang)
    own = _Style(decimal, SPACES + (group if group not in SPACES else ""))
    dotted = _Style(",", SPACES + ".")
    english = _Style(".", SPACES + ",")
    return [own] + [s for s in (dotted, english) if s != own]


GROUPED = re.compile(r"^[1-9]\d{0,2}(?:_\d{3})+$")


def _read(text: str, style: _Style) -> Decimal | None:
    """The text read in one style, or None when it does not fit the style.

    Digits are what Decimal reads (str.isdecimal, any script's 0-9); "²" or "①" are digits to
    str.isdigit but make no number.
    """
    if text.count(style.decimal) > 1:
        return None
    whole, _, fraction = text.partition(style.decimal)
    if style.decimal in text and not fraction.isdecimal():
        return None
    if not whole and not fraction:
        return None
    marked = "".join("_" if ch in style.groups else ch for ch in whole)
    if "_" in marked:
        if not GROUPED.match(marked):
            return None
        whole = marked.replace("_", "")
    if whole and not whole.isdecimal():
        return None
    return Decimal(f"{whole or '0'}.{fraction or '0'}")


def _strip_unit(text: str, kind: str, extra_units: tuple[str, ...]) -> tuple[str, bool]:
    """The text without a unit at its end (or "kr." at its start), and whether there was one."""
    lowered = text.casefold()
    for unit in sorted({*UNITS[kind], *(u.casefold() for u in extra_units if u)}, key=len)[::-1]:
        if lowered.endswith(unit) and len(unit) < len(text):
            return text[: -len(unit)].strip(SPACES), True
        if kind == "money" and unit.startswith("kr") and lowered.startswith(unit + " "):
            return text[len(unit) :].strip(SPACES), True
    return text, False


def _foreign_unit(text: str, kind: str) -> str | None:
    """The unit of another kind of field that the text ends in ("60 %" typed as kroner), if any."""
    lowered = text.casefold()
    for other, units in UNITS.items():
        for unit in units:
            if other != kind and unit != ",-" and lowered.endswith(unit):
                return text[-len(unit) :]
    return None


def read_number(
    text: str, lang: str, kind: str = "plain", extra_units: tuple[str, ...] = ()
) -> TypedNumber:
    """A typed number as the person meant it, or NumberError saying why it is not one."""
    original = text.strip(SPACES + "\t\r\n")
    body, unit_typed = _strip_unit(original, kind, extra_units)
    foreign = None if unit_typed else _foreign_unit(body, kind)
    if foreign:
        raise NumberError(InputError("wrong_unit", text=foreign))
    sign = Decimal(1)
    if body[:1] in MINUS or body[:1] == "+":
        sign = Decimal(-1) if body[:1] in MINUS else sign
        body = body[1:].lstrip(SPACES)
    if "_" in body:  # the readers use it to mark groups; nobody types it in a number
        raise NumberError(InputError("not_a_number", text=original))
    styles = _styles(lang)
    readings = {i: _read(body, style) for i, style in enumerate(styles)}
    found = [v for v in readings.values() if v is not None]
    if not found:
        raise NumberError(InputError("not_a_number", text=original))
    distinct = sorted(set(found))
    if len(distinct) > 1:
        own_group = get_group_symbol(lang)
        own = readings[0]
        if own is not None and own_group == "." and "." in body and "," not in body:
            distinct = [own]  # "1.200" on a Danish page, written the way the page writes
        else:
            raise NumberError(
                InputError("ambiguous", readings=tuple(sign * v for v in distinct), text=original)
            )
    value = sign * distinct[0]
    if abs(value) > MAX_MAGNITUDE:
        raise NumberError(InputError("too_large", float(MAX_MAGNITUDE), text=original))
    return TypedNumber(value, unit_typed)


def number_from(
    raw: object, lang: str, kind: str = "plain", extra_units: tuple[str, ...] = ()
) -> TypedNumber:
    """A number from a form (text) or from JSON (a number or text); NumberError when it is none."""
    if isinstance(raw, str):
        return read_number(raw, lang, kind, extra_units)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise NumberError(InputError("not_a_number"))
    if isinstance(raw, int):
        # Compared before converting: a 401-digit integer must not cost or overflow anything.
        if not -MAX_MAGNITUDE <= raw <= MAX_MAGNITUDE:
            raise NumberError(InputError("too_large", float(MAX_MAGNITUDE)))
        return TypedNumber(Decimal(raw), False)
    try:
        value = Decimal(repr(raw))
    except InvalidOperation:
        raise NumberError(InputError("not_a_number")) from None
    if not value.is_finite():
        raise NumberError(InputError("not_a_number"))
    if abs(value) > MAX_MAGNITUDE:
        raise NumberError(InputError("too_large", float(MAX_MAGNITUDE)))
    return TypedNumber(value, False)


def plain(value: Decimal | float | int) -> Decimal | float | int:
    """A decimal as the plain number stored and computed with (whole numbers as int)."""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if number == number.to_integral_value():
        return int(number)
    return float(number)
