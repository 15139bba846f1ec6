"""Reading what a person typed (or a spreadsheet cell held) into one indicator's stored value.

Shared by the web form, the XLSX import, the API and the command line, so a value is checked the
same way wherever it comes from: integers ≥ 0, decimals, percents 0–100, ratios as numerator and
denominator (a rate alone is kept but marked non-aggregable), choice codes among the options, text.
Messages are Vietnamese (through the app catalog) and always name the indicator code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from cchc.reporting.aggregate import rate as ratio_rate
from cchc.reporting.aggregate import round_half_up
from cchc.reporting.catalog import Aggregation, Catalog, Indicator, ValueType
from cchc.reporting.models import VALUE_DIGITS, VALUE_PLACES
from cchc.reporting.numbers import NumberError, format_vi, to_decimal

MAX_TEXT = 4000
RATE_TOLERANCE = Decimal("0.01")  # a typed rate may differ from num/den × 100 by its rounding
MAX_ABS = Decimal(10) ** (VALUE_DIGITS - VALUE_PLACES)


class EntryError(ValueError):
    """One bad value; `code` is the indicator, the message (Vietnamese) says what is wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Entry:
    """A checked value ready to store; `clear` means the value is removed."""

    code: str
    value: Decimal | None = None
    text: str = ""
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    non_aggregable: bool = False
    note: str | None = None  # None: keep the stored note
    clear: bool = False


def about(code: str, problem: str) -> str:
    return _("Indicator %(code)s: %(problem)s") % {"code": code, "problem": problem}


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _number(code: str, raw: Any, what: str) -> Decimal:
    try:
        number = to_decimal(raw.strip() if isinstance(raw, str) else raw)
    except NumberError as exc:
        raise EntryError(code, about(code, _("%(what)s: %(error)s") % {"what": what, "error": exc})) from None
    if abs(number) >= MAX_ABS:
        raise EntryError(code, about(code, _("%(what)s is too large") % {"what": what}))
    if number != round_half_up(number, VALUE_PLACES):
        raise EntryError(
            code,
            about(
                code, _("%(what)s has more than %(places)s decimals") % {"what": what, "places": VALUE_PLACES}
            ),
        )
    return number


def _count(code: str, raw: Any, what: str) -> Decimal:
    number = _number(code, raw, what)
    if number < 0:
        raise EntryError(
            code,
            about(
                code,
                _("%(what)s (%(value)s) must not be negative") % {"what": what, "value": format_vi(number)},
            ),
        )
    if number != number.to_integral_value():
        raise EntryError(
            code,
            about(
                code,
                _("%(what)s (%(value)s) must be a whole number") % {"what": what, "value": format_vi(number)},
            ),
        )
    return number.quantize(Decimal(1))


def _percent(code: str, raw: Any) -> Decimal:
    number = _number(code, raw, _("the rate"))
    if not Decimal(0) <= number <= Decimal(100):
        raise EntryError(
            code,
            about(code, _("the rate (%(value)s%%) must be between 0 and 100") % {"value": format_vi(number)}),
        )
    return number


def _choice(indicator: Indicator, raw: Any) -> str:
    if isinstance(raw, bool):
        raw = int(raw)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, Decimal) and raw == raw.to_integral_value():
        raw = int(raw)
    text = str(raw).strip()
    if indicator.choice_label(text) is not None:
        return text
    for choice in indicator.choices:  # a label typed instead of its code
        if choice.label.casefold() == text.casefold():
            return choice.code
    options = "; ".join(f"{c.code}={c.label}" for c in indicator.choices)
    raise EntryError(
        indicator.code,
        about(
            indicator.code,
            _("“%(value)s” is not one of the options (%(options)s)") % {"value": text, "options": options},
        ),
    )


def _split(raw: Any) -> tuple[Any, Any, Any, str | None]:
    """(value, numerator, denominator, note) from a scalar, a (num, den) pair or a mapping."""
    if isinstance(raw, Mapping):
        note = raw.get("note")
        return (
            raw.get("value"),
            raw.get("numerator"),
            raw.get("denominator"),
            (None if note is None else str(note).strip()),
        )
    if isinstance(raw, Sequence) and not isinstance(raw, str):
        if len(raw) != 2:
            raise TypeError("a pair (numerator, denominator) is expected")
        return None, raw[0], raw[1], None
    return raw, None, None, None


def parse_entry(indicator: Indicator | None, raw: Any, code: str = "") -> Entry:
    """Check one raw input for `indicator`; raise `EntryError` naming the code and the problem."""
    if indicator is None:
        raise EntryError(code, about(code, _("this code is not in the catalog")))
    code = indicator.code
    if indicator.is_group:
        raise EntryError(code, about(code, _("it is a group heading and takes no value")))
    try:
        value_raw, num_raw, den_raw, note = _split(raw)
    except TypeError:
        raise EntryError(code, about(code, _("enter a numerator and a denominator"))) from None
    if note is not None and len(note) > MAX_TEXT:
        raise EntryError(
            code, about(code, _("the note is longer than %(max)s characters") % {"max": MAX_TEXT})
        )
    is_ratio = indicator.aggregation is Aggregation.RATIO
    if not is_ratio and not (_blank(num_raw) and _blank(den_raw)):
        raise EntryError(code, about(code, _("it is not a rate: enter a single value")))
    if _blank(value_raw) and _blank(num_raw) and _blank(den_raw):
        return Entry(code, note=note, clear=True)

    value_type = indicator.value_type
    if is_ratio:
        if _blank(num_raw) != _blank(den_raw):
            missing = _("the denominator") if _blank(den_raw) else _("the numerator")
            raise EntryError(code, about(code, _("%(what)s is missing") % {"what": missing}))
        if _blank(num_raw):
            return Entry(code, value=_percent(code, value_raw), non_aggregable=True, note=note)
        numerator = _count(code, num_raw, _("the numerator"))
        denominator = _count(code, den_raw, _("the denominator"))
        if numerator > denominator:
            raise EntryError(
                code,
                about(
                    code,
                    _("the numerator (%(num)s) must not exceed the denominator (%(den)s)")
                    % {"num": format_vi(numerator), "den": format_vi(denominator)},
                ),
            )
        computed = ratio_rate(numerator, denominator)
        value = None if computed is None else round_half_up(computed, VALUE_PLACES)
        if not _blank(value_raw):
            typed = _percent(code, value_raw)
            if value is None or abs(typed - value) > RATE_TOLERANCE:
                raise EntryError(
                    code,
                    about(
                        code,
                        _("the rate %(rate)s%% does not match %(num)s/%(den)s")
                        % {
                            "rate": format_vi(typed),
                            "num": format_vi(numerator),
                            "den": format_vi(denominator),
                        },
                    ),
                )
        return Entry(code, value=value, numerator=numerator, denominator=denominator, note=note)
    if value_type is ValueType.INTEGER:
        return Entry(code, value=_count(code, value_raw, _("the value")), note=note)
    if value_type is ValueType.DECIMAL:
        return Entry(code, value=_number(code, value_raw, _("the value")), note=note)
    if value_type is ValueType.PERCENT:
        return Entry(code, value=_percent(code, value_raw), note=note)
    if value_type is ValueType.CHOICE:
        return Entry(code, text=_choice(indicator, value_raw), note=note)
    text = str(value_raw).strip()
    if len(text) > MAX_TEXT:
        raise EntryError(
            code, about(code, _("the text is longer than %(max)s characters") % {"max": MAX_TEXT})
        )
    return Entry(code, text=text, note=note)


def parse_entries(catalog: Catalog, data: Mapping[str, Any]) -> tuple[list[Entry], dict[str, str]]:
    """Check every input; returns (entries, errors by code) — callers save nothing when errors exist."""
    entries: list[Entry] = []
    errors: dict[str, str] = {}
    for code, raw in data.items():
        code = str(code).strip()
        try:
            entries.append(parse_entry(catalog.get(code), raw, code))
        except EntryError as exc:
            errors[code] = exc.message
    return entries, errors
