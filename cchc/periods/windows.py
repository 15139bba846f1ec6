"""Reporting-period codes and data windows (pure: no Django).

Nghị định 09/2019/NĐ-CP, Art. 12 fixes when the data of a periodic report are cut off:

- month       15th of the previous month → 14th of the month
- quarter     15th of the month before the quarter → 14th of its last month
- first half  15/12 of the previous year → 14/6
- second half 15/6 → 14/12
- year        15/12 of the previous year → 14/12

So the data year of 2021 runs from 15/12/2020 to 14/12/2021, and its months, quarters and halves
tile it exactly. Period codes:

- ``2021-M05``  month (always two digits)
- ``2021-Q1``   quarter 1..4
- ``2021-H1``, ``2021-H2``  first / second half
- ``2021-Y``    year
- ``2021-C-<slug>``  custom period with explicit dates, e.g. ``2021-C-kiem-tra-cchc``; the slug is
  lowercase ASCII letters, digits and single hyphens, the whole code at most 40 characters. The
  year of a custom code is the year the period is listed under; its dates come from the caller.

Codes are accepted only in this canonical form, so ``parse(code).code == code`` always holds.
Error messages are Vietnamese (this module has no access to Django's translation machinery).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH = "month"
QUARTER = "quarter"
HALF = "half"
YEAR = "year"
CUSTOM = "custom"
KINDS = (MONTH, QUARTER, HALF, YEAR, CUSTOM)
STANDARD_KINDS = (MONTH, QUARTER, HALF, YEAR)

MIN_YEAR = 2000
MAX_YEAR = 2100
CUTOFF_DAY = 15  # the data window of a month starts on this day of the previous month
MAX_CODE_LENGTH = 40

EXPECTED_FORMS = "2021-M05, 2021-Q1, 2021-H1, 2021-H2, 2021-Y"
CUSTOM_FORM = "2021-C-<tên-không-dấu> (ví dụ 2021-C-kiem-tra)"
ROMAN = ("I", "II", "III", "IV")

_STANDARD = re.compile(
    r"(?P<year>\d{4})-(?:M(?P<month>\d{2})|Q(?P<quarter>\d)|H(?P<half>\d)|(?P<y>Y))", re.ASCII
)
_CUSTOM = re.compile(r"(?P<year>\d{4})-C-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)", re.ASCII)
_LOOSE = re.compile(r"(?P<year>\d{4})-(?P<letter>[MQHY])(?P<number>\d*)", re.ASCII)


class PeriodCodeError(ValueError):
    """A period code or custom window that cannot be accepted; the message is Vietnamese."""


@dataclass(frozen=True)
class PeriodSpec:
    """One reporting period: its code, kind, number within the year and data window (inclusive)."""

    code: str
    kind: str
    year: int
    number: int | None
    start: dt.date
    end: dt.date
    name_vi: str

    def contains(self, date: dt.date) -> bool:
        return self.start <= date <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _bad(code: str, reason: str = "") -> PeriodCodeError:
    detail = f" ({reason})" if reason else ""
    return PeriodCodeError(
        f"Mã kỳ báo cáo “{code}” không hợp lệ{detail}: cần dạng {EXPECTED_FORMS}, "
        f"hoặc {CUSTOM_FORM} cho kỳ tùy chỉnh."
    )


def _check_year(year: int, code: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _bad(code, f"năm phải từ {MIN_YEAR} đến {MAX_YEAR}")


def _month_start(year: int, month: int) -> dt.date:
    """First day of the data window of month `month` of `year`: the 15th of the month before."""
    if month == 1:
        return dt.date(year - 1, 12, CUTOFF_DAY)
    return dt.date(year, month - 1, CUTOFF_DAY)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, CUTOFF_DAY - 1)


def month(year: int, number: int) -> PeriodSpec:
    """The month period `number` (1..12) of `year`."""
    code = f"{year:04d}-M{number:02d}"
    _check_year(year, code)
    if not 1 <= number <= 12:
        raise _bad(code, "tháng phải từ 01 đến 12")
    return PeriodSpec(
        code, MONTH, year, number, _month_start(year, number), _month_end(year, number),
        f"Tháng {number} năm {year}",
    )


def quarter(year: int, number: int) -> PeriodSpec:
    """The quarter `number` (1..4) of `year`: its first month's start to its last month's end."""
    code = f"{year:04d}-Q{number}"
    _check_year(year, code)
    if not 1 <= number <= 4:
        raise _bad(code, "quý phải từ 1 đến 4")
    first, last = 3 * number - 2, 3 * number
    return PeriodSpec(
        code, QUARTER, year, number, _month_start(year, first), _month_end(year, last),
        f"Quý {ROMAN[number - 1]} năm {year}",
    )


def half(year: int, number: int) -> PeriodSpec:
    """The first (1) or second (2) half of `year`."""
    code = f"{year:04d}-H{number}"
    _check_year(year, code)
    if number not in (1, 2):
        raise _bad(code, "nửa năm phải là H1 hoặc H2")
    first, last = 6 * number - 5, 6 * number
    name = "6 tháng đầu năm" if number == 1 else "6 tháng cuối năm"
    return PeriodSpec(
        code, HALF, year, number, _month_start(year, first), _month_end(year, last), f"{name} {year}"
    )


def year_period(year: int) -> PeriodSpec:
    """The whole data year: 15/12 of the previous year → 14/12."""
    code = f"{year:04d}-Y"
    _check_year(year, code)
    return PeriodSpec(code, YEAR, year, None, _month_start(year, 1), _month_end(year, 12), f"Năm {year}")


def parse(code: str) -> PeriodSpec:
    """Read a standard period code (month, quarter, half, year) and compute its data window.

    Custom codes carry no dates, so they are refused here; build them with `custom`.
    """
    if not isinstance(code, str):
        raise _bad(str(code))
    match = _STANDARD.fullmatch(code)
    if match is None:
        if _CUSTOM.fullmatch(code):
            raise PeriodCodeError(
                f"Mã “{code}” là kỳ tùy chỉnh: cần nhập ngày bắt đầu và ngày kết thúc của kỳ."
            )
        loose = _LOOSE.fullmatch(code)
        if loose and loose["letter"] == "M" and loose["number"].isdigit() and len(loose["number"]) != 2:
            raise _bad(code, "tháng viết bằng hai chữ số, ví dụ M05")
        raise _bad(code)
    year = int(match["year"])
    if match["month"] is not None:
        return month(year, int(match["month"]))
    if match["quarter"] is not None:
        return quarter(year, int(match["quarter"]))
    if match["half"] is not None:
        return half(year, int(match["half"]))
    return year_period(year)


def is_custom_code(code: str) -> bool:
    """True for a well-formed custom code (2021-C-<slug>), whatever its year."""
    return isinstance(code, str) and len(code) <= MAX_CODE_LENGTH and _CUSTOM.fullmatch(code) is not None


def is_valid_code(code: str) -> bool:
    """True for any code `parse` accepts or any well-formed custom code within the year range."""
    try:
        parse(code)
    except PeriodCodeError:
        if not is_custom_code(code):
            return False
        return MIN_YEAR <= int(code[:4]) <= MAX_YEAR
    return True


def custom(code: str, start: dt.date, end: dt.date, name: str) -> PeriodSpec:
    """A custom period with explicit dates; the code must be ``YYYY-C-<slug>``."""
    if not is_custom_code(code):
        if isinstance(code, str) and len(code) > MAX_CODE_LENGTH:
            raise PeriodCodeError(f"Mã kỳ tùy chỉnh “{code}” dài quá {MAX_CODE_LENGTH} ký tự.")
        raise PeriodCodeError(
            f"Mã kỳ tùy chỉnh “{code}” không hợp lệ: cần dạng {CUSTOM_FORM} — năm, “-C-”, rồi chữ "
            "thường không dấu, chữ số và dấu gạch ngang."
        )
    year = int(code[:4])
    _check_year(year, code)
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise PeriodCodeError(f"Kỳ “{code}”: ngày bắt đầu và ngày kết thúc phải là ngày hợp lệ.")
    if end < start:
        raise PeriodCodeError(
            f"Kỳ “{code}”: ngày kết thúc {end:%d/%m/%Y} trước ngày bắt đầu {start:%d/%m/%Y}."
        )
    name = (name or "").strip()
    if not name:
        raise PeriodCodeError(f"Kỳ “{code}”: cần nhập tên kỳ báo cáo.")
    return PeriodSpec(code, CUSTOM, year, None, start, end, name)


def periods_of_year(year: int) -> list[PeriodSpec]:
    """Every standard period of `year`: 12 months, 4 quarters, 2 halves and the year."""
    return (
        [month(year, m) for m in range(1, 13)]
        + [quarter(year, q) for q in range(1, 5)]
        + [half(year, h) for h in (1, 2)]
        + [year_period(year)]
    )


def period_containing(date: dt.date, kind: str) -> PeriodSpec:
    """The standard period of `kind` whose data window contains `date`.

    From the 15th on, a date belongs to the next month's report (15/12/2020 is in 2021-M01).
    """
    if kind not in STANDARD_KINDS:
        raise PeriodCodeError(f"Loại kỳ “{kind}” không hợp lệ: cần một trong {', '.join(STANDARD_KINDS)}.")
    year, number = date.year, date.month
    if date.day >= CUTOFF_DAY:
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    if kind == MONTH:
        return month(year, number)
    if kind == QUARTER:
        return quarter(year, (number - 1) // 3 + 1)
    if kind == HALF:
        return half(year, 1 if number <= 6 else 2)
    return year_period(year)


def deadline(spec: PeriodSpec, days_after_window: int) -> dt.date:
    """Submission deadline: `days_after_window` days after the last day of the data window."""
    return deadline_after(spec.end, days_after_window)


def deadline_after(end: dt.date, days_after_window: int) -> dt.date:
    if days_after_window < 0:
        raise ValueError("days_after_window must not be negative")
    return end + dt.timedelta(days=days_after_window)
