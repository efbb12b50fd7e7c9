"""Numbers are read as Danes and Swedes type them, or refused naming what they could mean."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.numbers import NumberError, number_from, read_number


@pytest.mark.parametrize(
    ("lang", "text", "kind", "expected"),
    [
        ("da", "85.000", "money", "85000"),
        ("da", "85.000 kr.", "money", "85000"),
        ("da", "kr. 85.000", "money", "85000"),
        ("da", "85.000,-", "money", "85000"),
        ("da", "1.200", "plain", "1200"),
        ("da", "1.200.000", "plain", "1200000"),
        ("da", "1.200,50", "plain", "1200.5"),
        ("da", "120 000", "plain", "120000"),
        ("da", "0,6", "plain", "0.6"),
        ("da", "0.6", "plain", "0.6"),  # a dot before one digit can only be a decimal point
        ("da", "62,4 %", "percent", "62.4"),
        ("da", "60%", "percent", "60"),
        ("da", "60 pct.", "percent", "60"),
        ("da", "−5", "plain", "-5"),
        ("da", "1,200,000", "plain", "1200000"),
        ("da", "1,200.50", "plain", "1200.5"),
        ("da", "0,125", "plain", "0.125"),
        ("sv", "85 000", "money", "85000"),
        ("sv", "85\u00a0000 kr", "money", "85000"),
        ("sv", "1\u202f234\u202f567,5", "plain", "1234567.5"),
        ("sv", "0,6", "plain", "0.6"),
        ("sv", "12,5 %", "percent", "12.5"),
        ("sv", "150 000 kronor", "money", "150000"),
    ],
)
def test_numbers_are_read_as_people_type_them(lang, text, kind, expected):
    assert read_number(text, lang, kind).value == Decimal(expected)


@pytest.mark.parametrize(
    ("lang", "text", "readings"),
    [
        ("da", "1,200", ("1.2", "1200")),  # a Danish decimal comma, or an English thousands comma
        ("sv", "1,200", ("1.2", "1200")),
        ("sv", "1.200", ("1.2", "1200")),  # Swedish pages write 1 200; a dot is either
        ("sv", "85.000", ("85", "85000")),
    ],
)
def test_text_that_could_mean_two_numbers_is_refused_naming_both(lang, text, readings):
    with pytest.raises(NumberError) as refused:
        read_number(text, lang)
    assert refused.value.error.code == "ambiguous"
    assert tuple(refused.value.error.readings) == tuple(Decimal(r) for r in readings)


@pytest.mark.parametrize(
    "text", ["abc", "", "1.2.3", "1 2", "12,34,5", "--5", "5-", "1e5", "½", "²", "10²", "1,²", "①"]
)
def test_text_that_is_no_number_is_refused(text):
    with pytest.raises(NumberError) as refused:
        read_number(text, "da")
    assert refused.value.error.code == "not_a_number"


def test_a_unit_of_another_kind_of_field_is_refused_not_ignored():
    with pytest.raises(NumberError) as refused:
        read_number("60 %", "da", "money")
    assert refused.value.error.code == "wrong_unit" and refused.value.error.text == "%"
    assert read_number("60 %", "da", "percent").unit_typed


def test_json_numbers_are_exact_and_bounded():
    assert number_from(0.6, "da").value == Decimal("0.6")
    assert number_from(25, "sv").value == Decimal(25)
    for huge in (10**400, -(10**400), 1e300):
        with pytest.raises(NumberError) as refused:
            number_from(huge, "da")
        assert refused.value.error.code == "too_large"
    for wrong in (float("nan"), float("inf"), True, None, [], {}):
        with pytest.raises(NumberError):
            number_from(wrong, "da")


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_every_number_the_site_writes_reads_back_as_the_same_number(value):
    from babel.numbers import format_decimal

    for lang in ("da", "sv"):
        written = format_decimal(value, format="#,##0.##", locale=lang)
        try:
            assert read_number(written, lang).value == value, written
        except NumberError as refused:
            # "1,200" style text is ambiguous only where the site would not write it that way.
            raise AssertionError(f"{lang}: {written!r} refused: {refused.error}") from None
