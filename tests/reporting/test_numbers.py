"""Vietnamese number input/output."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.reporting.numbers import (
    NumberError,
    ParsedNumber,
    format_vi,
    parse_number,
    parse_vi_number,
    to_decimal,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.964", Decimal("1964")),
        ("1964", Decimal("1964")),
        ("28,94", Decimal("28.94")),
        ("1.234.567,5", Decimal("1234567.5")),
        ("1.234.567", Decimal("1234567")),
        ("12.5", Decimal("12.5")),
        ("12.50", Decimal("12.50")),
        ("3.14159", Decimal("3.14159")),
        ("0,5", Decimal("0.5")),
        ("-1.964", Decimal("-1964")),
        ("\u22122,5", Decimal("-2.5")),
        ("+7", Decimal("7")),
        ("  1964\u00a0", Decimal("1964")),
        ("1 964", Decimal("1964")),
        ("1\u00a0234\u202f567,25", Decimal("1234567.25")),
        ("0", Decimal("0")),
    ],
)
def test_parse(text, expected):
    value = parse_number(text)
    assert value == expected
    assert isinstance(value, Decimal)


def test_percent_sign_is_kept_as_a_flag_not_divided():
    assert parse_vi_number("28,94%") == ParsedNumber(Decimal("28.94"), True)
    assert parse_vi_number("28,94 %") == ParsedNumber(Decimal("28.94"), True)
    assert parse_vi_number("28,94") == ParsedNumber(Decimal("28.94"), False)
    assert parse_number("100%") == Decimal(100)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "trống"),
        ("   ", "trống"),
        ("abc", "chỉ được chứa"),
        ("12a", "chỉ được chứa"),
        ("1,234.5", "kiểu Việt Nam"),
        ("1,2,3", "nhiều hơn một dấu phẩy"),
        ("1.23.4", "nhóm 3 chữ số"),
        ("12.34.567", "nhóm 3 chữ số"),
        ("1234.567", "không rõ"),
        ("0.500", "không rõ"),
        (",5", "hai bên dấu phẩy"),
        ("5,", "hai bên dấu phẩy"),
        ("5.", "hai bên dấu chấm"),
        ("-", "không có chữ số"),
        ("%", "không có chữ số"),
        ("1 96", "khoảng trắng"),
        ("--5", "chỉ được chứa"),
    ],
)
def test_garbage_rejected_in_vietnamese(text, fragment):
    with pytest.raises(NumberError) as info:
        parse_number(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("1964"), None, "1.964"),
        (Decimal("28.94"), None, "28,94"),
        (Decimal("28.945"), 2, "28,95"),
        (Decimal("1234567.5"), None, "1.234.567,5"),
        (Decimal("-1964.5"), 0, "-1.965"),
        (Decimal("0.5"), None, "0,5"),
        (Decimal("100"), 2, "100,00"),
        (Decimal("1E+3"), None, "1.000"),
        (7, None, "7"),
    ],
)
def test_format_vi(value, places, expected):
    assert format_vi(value, places) == expected


def test_format_percent():
    assert format_vi(Decimal("28.94"), 2, percent=True) == "28,94%"


def test_to_decimal_coerces_cells():
    assert to_decimal(28.94) == Decimal("28.94")
    assert to_decimal(1964) == Decimal(1964)
    assert to_decimal("1.964") == Decimal(1964)
    for bad in (True, None, float("nan"), [1]):
        with pytest.raises(NumberError):
            to_decimal(bad)


finite_decimals = st.decimals(
    min_value=Decimal("-1e15"), max_value=Decimal("1e15"), allow_nan=False, allow_infinity=False, places=None
)


@given(finite_decimals)
def test_round_trip(value):
    assert parse_number(format_vi(value)) == value


@given(finite_decimals, st.integers(min_value=0, max_value=6))
def test_round_trip_with_places(value, places):
    text = format_vi(value, places)
    assert parse_number(text) == value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    assert len(text.partition(",")[2]) == places


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integers_round_trip_through_grouping(n):
    text = format_vi(Decimal(n))
    assert "," not in text
    assert parse_number(text) == n
