"""Vietnamese number input and output: "1.964" is one thousand nine hundred sixty-four, "28,94" is 28.94.

Reports are typed by people used to the Vietnamese convention (thousands ".", decimals ","), but
figures pasted from other software sometimes use a dot as the decimal point. The rules, chosen so
that every accepted input has exactly one reading:

- a comma is always the decimal separator; dots before it must be thousands separators in groups
  of three ("1.234.567,5" → 1234567.5); a dot after a comma ("1,234.5") is rejected;
- without a comma, several dots are thousands separators and must group by three ("1.234.567");
- a single dot followed by exactly three digits is a thousands separator ("1.964" → 1964) — the
  Vietnamese reading wins; the leading group must then be 1–3 digits and not "0" ("0.500" and
  "1234.567" are rejected as ambiguous);
- a single dot followed by any other number of digits is a decimal point ("12.5" → 12.5,
  "3.14159" → 3.14159);
- spaces (including non-breaking and thin spaces) may separate thousands groups ("1 964");
- a leading "-", "−" (U+2212) or "+" gives the sign; a trailing "%" marks a percentage (the value
  is kept as written: "28,94%" → 28.94 with `is_percent`).

All values are `Decimal`, never float, so 28,94 stays exactly 28.94.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext


class NumberError(ValueError):
    """Input that is not a number in an accepted format; the message is Vietnamese."""


@dataclass(frozen=True)
class ParsedNumber:
    value: Decimal
    is_percent: bool = False


_DIGITS = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+")
_SPACE_GROUPED = re.compile(r"[0-9]{1,3}(?:\s+[0-9]{3})+(?:,[0-9]+)?")
_SIGNS = {"-": True, "\u2212": True, "\u2013": True, "+": False}


def _fail(text: str, why: str) -> NumberError:
    return NumberError(f"'{text}' không phải số hợp lệ: {why}")


def _integer_part(raw: str, text: str) -> str:
    """Digits of an integer part written plainly ("1964") or grouped by dots ("1.964")."""
    if _DIGITS.fullmatch(raw):
        return raw
    if _GROUPED.fullmatch(raw):
        return raw.replace(".", "")
    raise _fail(text, "dấu chấm phân cách hàng nghìn phải chia nhóm 3 chữ số (ví dụ 1.234.567)")


def parse_vi_number(text: str) -> ParsedNumber:
    """Parse one number typed the Vietnamese way; raise `NumberError` (Vietnamese) on anything else."""
    original = text
    s = text.strip()
    if not s:
        raise NumberError("Giá trị trống, cần nhập một số")
    is_percent = s.endswith("%")
    if is_percent:
        s = s[:-1].rstrip()
    negative = False
    if s and s[0] in _SIGNS:
        negative = _SIGNS[s[0]]
        s = s[1:].lstrip()
    if not s:
        raise _fail(original, "không có chữ số")
    if re.search(r"\s", s):
        if not _SPACE_GROUPED.fullmatch(s):
            raise _fail(original, "khoảng trắng chỉ được dùng để phân cách nhóm 3 chữ số")
        s = re.sub(r"\s+", "", s)
    if re.search(r"[^0-9.,]", s):
        raise _fail(original, "chỉ được chứa chữ số, dấu chấm (hàng nghìn) và dấu phẩy (thập phân)")

    if "," in s:
        if s.count(",") > 1:
            raise _fail(original, "có nhiều hơn một dấu phẩy thập phân")
        int_raw, frac = s.split(",")
        if "." in frac:
            raise _fail(original, "dấu chấm đứng sau dấu phẩy; hãy viết theo kiểu Việt Nam, ví dụ 1.234,5")
        if not int_raw or not _DIGITS.fullmatch(frac):
            raise _fail(original, "cần chữ số ở cả hai bên dấu phẩy (ví dụ 0,5)")
        digits = f"{_integer_part(int_raw, original)}.{frac}"
    elif s.count(".") > 1:
        digits = _integer_part(s, original)
    elif "." in s:
        head, tail = s.split(".")
        if not head or not _DIGITS.fullmatch(tail):
            raise _fail(original, "cần chữ số ở cả hai bên dấu chấm")
        if len(tail) == 3:
            if not _GROUPED.fullmatch(s):
                raise _fail(
                    original,
                    "không rõ dấu chấm là phân cách hàng nghìn hay thập phân; "
                    "dùng dấu phẩy cho phần thập phân (ví dụ 0,5)",
                )
            digits = head + tail
        else:
            digits = f"{head}.{tail}"
    else:
        digits = s
    value = Decimal(digits)
    return ParsedNumber(value.copy_negate() if negative else value, is_percent)


def parse_number(text: str) -> Decimal:
    """The value of a Vietnamese number, a trailing "%" allowed and ignored (28,94% → 28.94)."""
    return parse_vi_number(text).value


def to_decimal(value: object) -> Decimal:
    """Coerce a cell or JSON value (str, int, float, Decimal) to Decimal; strings use Vietnamese rules."""
    if isinstance(value, bool) or value is None:
        raise NumberError(f"'{value}' không phải số hợp lệ")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberError(f"'{value}' không phải số hữu hạn")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr gives the shortest string that round-trips, so 28.94 stays 28.94, not 28.93999…
        try:
            result = Decimal(repr(value))
        except InvalidOperation:
            raise NumberError(f"'{value}' không phải số hợp lệ") from None
        if not result.is_finite():
            raise NumberError(f"'{value}' không phải số hữu hạn")
        return result
    if isinstance(value, str):
        return parse_number(value)
    raise NumberError(f"'{value}' không phải số hợp lệ")


def format_vi(value: Decimal | int, places: int | None = None, percent: bool = False) -> str:
    """Write a number the Vietnamese way ("1.964", "28,94"), rounded half-up to `places` if given.

    Without `places` the value keeps its own digits, so `parse_number(format_vi(x)) == x`.
    """
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"cannot format {value!r}")
    if places is not None:
        with localcontext() as ctx:
            ctx.prec = max(28, number.adjusted() + places + 2)
            number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = format(number.copy_abs(), "f")  # abs() would round to the context precision
    int_part, _, frac = text.partition(".")
    grouped = f"{int(int_part):,}".replace(",", ".")
    result = f"{sign}{grouped},{frac}" if frac else f"{sign}{grouped}"
    return f"{result}%" if percent else result
