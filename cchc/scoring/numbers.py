"""Exact decimal arithmetic helpers for scoring: parsing, rounding, JSON and Vietnamese rendering.

Points are money-like: 0.1 + 0.2 must be 0.3 and an index of 88.645 must round up. Everything is a
`Decimal` parsed from its text form, and floats appear only at the very edge (JSON output).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def to_decimal(value: object) -> Decimal | None:
    """The exact Decimal of a number given as int, float, Decimal or text; None if it is not a finite number.

    Floats go through `str` so 0.1 stays 0.1 (not 0.1000000000000000055...). Booleans are refused: a
    `True` in a scores file is a mistake, not 1 point.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    if not number.is_finite():
        return None
    return number


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round the way score sheets do (x.xx5 goes up), not banker's rounding."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """Shortest fixed-point text of a Decimal: 78.90 → "78.9", 1E+1 → "10", 0E-2 → "0"."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def json_number(value: Decimal | None) -> int | float | None:
    """A JSON number without float artefacts: int when integral, else the float of its shortest text."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(plain(value))


def vi_number(value: Decimal, places: int | None = None) -> str:
    """Vietnamese rendering: "." between thousands, "," before decimals (1.964; 28,94).

    With `places` the number is rounded half-up and keeps that many decimals (88,65; 80,00).
    """
    if places is not None:
        value = round_half_up(value, places)
        text = format(value, "f")
    else:
        text = plain(value)
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    whole, _, decimals = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = sign + ".".join(groups)
    if decimals:
        result += "," + decimals
    return result
