"""Vietnamese working-day calendar for one-stop dossier due dates (pure: no Django).

Legal processing times of administrative procedures count *working days* of the public sector:
Monday to Friday, minus public holidays (Bộ luật Lao động: Tết Dương lịch, lunar Tết, Giỗ Tổ Hùng
Vương, 30/4, 1/5, Quốc khánh, compensatory days when a holiday falls on a weekend), minus the extra
days off the Government decides each year by swapping a weekday with a Saturday, plus those make-up
Saturdays, plus whatever a province decides on top.

Sources, in order of precedence (later wins):

1. weekends (Saturday, Sunday);
2. public holidays of the ``holidays`` package (``holidays.Vietnam``);
3. ``days_off`` of the data files (``data/calendar-vn.yaml`` then each extra provincial file);
4. ``working_days`` of the data files (make-up Saturdays), which win over everything above.

Conventions (the due *day*; a date-only due time means the end of that day):

- ``add_working_days(received, n)``: the *effective receipt day* is the receipt day when it is a
  working day, else the next working day (a dossier submitted on Saturday is treated as received on
  Monday). The receipt day itself is not counted: the due day is the n-th working day after the
  effective receipt day. ``n = 0`` gives the effective receipt day. This is
  ``numpy.busday_offset(received, n, roll="forward")`` extended with make-up working days.
- ``working_days_between(a, b)``: the number of working days d with ``a <= d < b``, as
  ``numpy.busday_count``; when ``b < a`` it is minus the count for ``[b, a)``, so the function is
  antisymmetric and additive (numpy counts ``(b, a]`` in that case). Hence
  ``working_days_between(a, add_working_days(a, n)) == n`` for every ``a`` and ``n >= 0``, and when
  ``b`` is a working day it is the n-th working day after ``a``.

The vectorised functions work on numpy ``datetime64`` arrays of any unit (times are floored to the
day; values must be local time, Asia/Ho_Chi_Minh) through an ordinal table built once: ``before[i]``
= working days strictly before day i (``np.cumsum`` of the is-working mask) and ``work_index[k]`` =
day of the k-th working day, so each element costs two array look-ups. Dates outside the years the
calendar was built for raise :class:`CalendarRangeError` naming the range.

Error messages are Vietnamese (this module has no access to Django's translation machinery).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_DATA_FILE = DATA_DIR / "calendar-vn.yaml"
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WEEKEND = (5, 6)  # Saturday, Sunday (Monday = 0)
DAY_OFF = "days_off"
WORKING_DAY = "working_days"
_LIST_KEYS = (DAY_OFF, WORKING_DAY)
_ENTRY_KEYS = {"date", "reason"}
_TOP_KEYS = {"name", "years"}
_WEEKDAY_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_VN = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


class CalendarDataError(ValueError):
    """A calendar data file that cannot be used; names the file and the entry (Vietnamese)."""

    def __init__(self, path: str | Path, where: str, problem: str) -> None:
        self.path = str(path)
        self.where = where
        self.problem = problem
        location = f"{self.path}, {where}" if where else self.path
        super().__init__(f"Tệp lịch làm việc {location}: {problem}")


class CalendarRangeError(ValueError):
    """A date outside the years the calendar covers (Vietnamese message naming the range)."""

    def __init__(self, message: str, first: dt.date, last: dt.date) -> None:
        self.first = first
        self.last = last
        super().__init__(f"{message} Lịch làm việc chỉ có từ {_vn(first)} đến {_vn(last)}.")


@dataclass(frozen=True)
class CalendarEntry:
    """One dated line of a data file: a day off or a working day, with its reason and origin."""

    date: dt.date
    kind: str  # DAY_OFF or WORKING_DAY
    reason: str
    path: str
    where: str  # e.g. "năm 2024, working_days mục 1"

    def error(self, problem: str) -> CalendarDataError:
        return CalendarDataError(self.path, f"{self.where} ({_vn(self.date)})", problem)


def _vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


class _NoTimestampLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings, so a bad date is reported with its entry."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if m := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _VN.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def load_calendar_file(path: str | Path) -> list[CalendarEntry]:
    """Read and check one data file (format of ``data/calendar-vn.yaml``); every problem names the entry."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarDataError(path, "", f"không đọc được tệp ({exc.strerror or exc}).") from exc
    except UnicodeDecodeError as exc:
        raise CalendarDataError(path, "", "tệp không phải văn bản UTF-8.") from exc
    try:
        doc = yaml.load(text, Loader=_NoTimestampLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}" if mark is not None else ""
        raise CalendarDataError(path, where, "không phải YAML hợp lệ.") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("years"), dict):
        raise CalendarDataError(path, "", "thiếu khóa “years” (năm → days_off / working_days).")
    unknown = sorted(str(k) for k in doc if k not in _TOP_KEYS)
    if unknown:
        raise CalendarDataError(path, "", f"khóa không được hỗ trợ: {', '.join(unknown)}.")

    entries: list[CalendarEntry] = []
    for year_key, section in doc["years"].items():
        year_text = str(year_key).strip()
        if not year_text.isdigit() or len(year_text) != 4:
            raise CalendarDataError(path, f"năm “{year_key}”", "năm phải là số có 4 chữ số.")
        year = int(year_text)
        if section is None:
            continue
        if not isinstance(section, dict):
            raise CalendarDataError(path, f"năm {year}", "phải có dạng days_off: [...], working_days: [...].")
        unknown = sorted(str(k) for k in section if k not in _LIST_KEYS)
        if unknown:
            raise CalendarDataError(
                path,
                f"năm {year}",
                f"khóa không được hỗ trợ: {', '.join(unknown)} (chỉ days_off, working_days).",
            )
        for kind in _LIST_KEYS:
            items = section.get(kind) or []
            if not isinstance(items, list):
                raise CalendarDataError(path, f"năm {year}, {kind}", "phải là một danh sách.")
            seen: set[dt.date] = set()
            for number, item in enumerate(items, start=1):
                where = f"năm {year}, {kind} mục {number}"
                entries.append(_check_item(path, where, year, item, seen, kind))
    return entries


def _check_item(
    path: Path, where: str, year: int, item: object, seen: set[dt.date], kind: str
) -> CalendarEntry:
    if not isinstance(item, dict):
        raise CalendarDataError(path, where, "mỗi mục phải có dạng {date: YYYY-MM-DD, reason: ...}.")
    unknown = sorted(str(k) for k in item if k not in _ENTRY_KEYS)
    if unknown:
        raise CalendarDataError(
            path, where, f"khóa không được hỗ trợ: {', '.join(unknown)} (chỉ date, reason)."
        )
    raw = item.get("date")
    day = _parse_date(raw)
    if day is None:
        raise CalendarDataError(
            path, where, f"ngày “{raw}” không hợp lệ (cần một ngày có thật, dạng YYYY-MM-DD hoặc dd/mm/yyyy)."
        )
    if day.year != year:
        raise CalendarDataError(path, f"{where} ({_vn(day)})", f"ngày không thuộc năm {year}.")
    if day in seen:
        raise CalendarDataError(path, f"{where} ({_vn(day)})", "ngày này đã được ghi ở một mục trước.")
    seen.add(day)
    reason = item.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise CalendarDataError(path, f"{where} ({_vn(day)})", "thiếu lý do (reason).")
    return CalendarEntry(day, kind, reason.strip(), str(path), where)


def _to_date(value: object) -> dt.date:
    """A date from a date, a datetime (aware ones converted to Vietnamese time) or a numpy datetime64."""
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ValueError("Ngày trống (NaT) không tính được ngày làm việc.")
        return dt.date.fromordinal(int(value.astype("datetime64[D]").astype(np.int64)) + _EPOCH_ORDINAL)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(LOCAL_TZ)
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"Cần một ngày (date/datetime), nhận được {type(value).__name__}.")


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


class WorkCalendar:
    """Working days of the public sector over a closed range of days, with scalar and array look-ups."""

    def __init__(
        self,
        first: dt.date,
        last: dt.date,
        days_off: Mapping[dt.date, str] | None = None,
        working_days: Mapping[dt.date, str] | None = None,
        weekend: Iterable[int] = WEEKEND,
    ) -> None:
        """Build the ordinal table; days outside [first, last] in the mappings are ignored."""
        if last < first:
            raise ValueError(f"Lịch làm việc rỗng: {_vn(first)} sau {_vn(last)}.")
        self.first = first
        self.last = last
        self.weekend = tuple(sorted(set(weekend)))
        self._first_ordinal = first.toordinal()
        self._origin = self._first_ordinal - _EPOCH_ORDINAL  # day number of `first` since 1970-01-01
        size = (last - first).days + 1
        self._size = size
        weekday = (np.arange(size, dtype=np.int64) + first.weekday()) % 7
        working = ~np.isin(weekday, self.weekend)
        self._reasons: dict[dt.date, str] = {}
        for day, reason in (days_off or {}).items():
            if first <= day <= last:
                working[day.toordinal() - self._first_ordinal] = False
                self._reasons[day] = reason
        self._makeup: dict[dt.date, str] = {}
        for day, reason in (working_days or {}).items():
            if first <= day <= last:
                working[day.toordinal() - self._first_ordinal] = True
                self._makeup[day] = reason
                self._reasons.pop(day, None)
        before = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(working, out=before[1:])
        self._working = working
        self._before = before
        self._work_index = np.flatnonzero(working).astype(np.int64)
        for array in (self._working, self._before, self._work_index):
            array.setflags(write=False)

    # -- construction from data -------------------------------------------------------------------

    @classmethod
    def from_files(
        cls,
        years: Iterable[int],
        extra_files: Iterable[str | Path] = (),
        base_file: str | Path = DEFAULT_DATA_FILE,
    ) -> WorkCalendar:
        """Calendar for the years min(years)..max(years): package holidays + national file + provincial files.

        A date listed both as a day off and as a working day (in any of the files), a day off on a
        weekend, or a working day that is already a working day is rejected naming file and entry.
        """
        wanted = sorted({operator.index(y) for y in years})
        if not wanted:
            raise ValueError("Cần ít nhất một năm để dựng lịch làm việc.")
        first, last = dt.date(wanted[0], 1, 1), dt.date(wanted[-1], 12, 31)
        import holidays  # here, not at the top: importing the package costs ~0,1 s of every command

        public = holidays.country_holidays("VN", years=range(first.year, last.year + 1), language="vi")
        days_off: dict[dt.date, str] = {day: name for day, name in public.items() if first <= day <= last}

        entries = [e for path in (base_file, *extra_files) for e in load_calendar_file(path)]
        by_date: dict[dt.date, CalendarEntry] = {}
        for entry in entries:
            other = by_date.setdefault(entry.date, entry)
            if other.kind != entry.kind:
                raise entry.error(
                    f"vừa là ngày nghỉ vừa là ngày làm việc (mâu thuẫn với {other.path}, {other.where})."
                )
        extra_off: dict[dt.date, str] = {}
        makeup: dict[dt.date, str] = {}
        for entry in entries:
            if not first <= entry.date <= last:
                continue
            weekend = entry.date.weekday() in WEEKEND
            if entry.kind == DAY_OFF:
                if weekend:
                    raise entry.error(
                        f"ngày nghỉ rơi vào {_WEEKDAY_VI[entry.date.weekday()]}, vốn đã là ngày nghỉ."
                    )
                extra_off[entry.date] = _join(extra_off.get(entry.date), entry.reason)
            else:
                if not weekend and entry.date not in days_off:
                    raise entry.error(
                        f"ngày làm việc rơi vào {_WEEKDAY_VI[entry.date.weekday()]} không phải ngày lễ, "
                        "vốn đã là ngày làm việc."
                    )
                makeup[entry.date] = _join(makeup.get(entry.date), entry.reason)
        for day, reason in extra_off.items():
            days_off[day] = reason
        return cls(first, last, days_off, makeup)

    # -- scalar API -------------------------------------------------------------------------------

    def _index(self, value: object) -> int:
        day = _to_date(value)
        index = day.toordinal() - self._first_ordinal
        if not 0 <= index < self._size:
            raise CalendarRangeError(f"Ngày {_vn(day)} nằm ngoài lịch làm việc.", self.first, self.last)
        return index

    def is_working_day(self, day: dt.date | dt.datetime) -> bool:
        """True when public-sector offices work that day (make-up Saturdays included)."""
        return bool(self._working[self._index(day)])

    def reason(self, day: dt.date | dt.datetime) -> str | None:
        """Why the day is off (holiday name, decision) or why a weekend day is worked; None otherwise."""
        index = self._index(day)
        day = self.first + dt.timedelta(days=index)
        if day in self._makeup:
            return self._makeup[day]
        if day in self._reasons:
            return self._reasons[day]
        if not self._working[index]:
            name = _WEEKDAY_VI[day.weekday()]
            return name[0].upper() + name[1:]
        return None

    def add_working_days(self, start: dt.date | dt.datetime, n: int) -> dt.date:
        """Due day: the n-th working day after the effective receipt day (see the module docstring)."""
        n = operator.index(n)
        ordinal = int(self._before[self._index(start)]) + n
        if not 0 <= ordinal < self._work_index.size:
            raise CalendarRangeError(
                f"Hạn {n} ngày làm việc kể từ {_vn(_to_date(start))} nằm ngoài lịch làm việc.",
                self.first,
                self.last,
            )
        return self.first + dt.timedelta(days=int(self._work_index[ordinal]))

    def working_days_between(self, a: dt.date | dt.datetime, b: dt.date | dt.datetime) -> int:
        """Working days d with a <= d < b; minus working_days_between(b, a) when b < a."""
        return int(self._before[self._index(b)] - self._before[self._index(a)])

    @property
    def makeup_days(self) -> dict[dt.date, str]:
        """Weekend days that are worked (make-up Saturdays), with their reasons."""
        return dict(self._makeup)

    @property
    def days_off(self) -> dict[dt.date, str]:
        """Weekdays that are not worked (holidays, swapped and provincial days off), with reasons."""
        return {day: r for day, r in self._reasons.items() if day.weekday() not in self.weekend}

    # -- vectorised API ---------------------------------------------------------------------------

    def _day_indexes(self, values: Any, name: str, allow_nat: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """Indexes into the table (int64) and the NaT mask (None when there is no NaT)."""
        array = np.asarray(values)
        if array.dtype.kind != "M":
            try:
                array = array.astype("datetime64[D]")
            except (TypeError, ValueError) as exc:
                raise TypeError(f"“{name}” phải là mảng ngày (datetime64), nhận được {array.dtype}.") from exc
        days = array.astype("datetime64[D]", copy=False).view(np.int64)
        nat = np.isnat(array)
        has_nat = bool(nat.any())
        if has_nat and not allow_nat:
            raise ValueError(f"“{name}” có {int(nat.sum())} ngày trống (NaT) ở vị trí {int(np.argmax(nat))}.")
        index = days - self._origin
        # one unsigned comparison covers both ends: negative indexes wrap to huge values
        outside = index.view(np.uint64) >= self._size
        if has_nat:
            outside &= ~nat
        if outside.any():
            position = int(np.argmax(outside))
            shown = str(array.flat[position].astype("datetime64[D]"))
            if _sane(days.flat[position]):
                shown = _vn(dt.date.fromordinal(int(days.flat[position]) + _EPOCH_ORDINAL))
            raise CalendarRangeError(
                f"“{name}” có {int(outside.sum())} ngày nằm ngoài lịch làm việc "
                f"(ví dụ {shown} ở vị trí {position}).",
                self.first,
                self.last,
            )
        if has_nat:
            index = np.where(nat, 0, index)
            return index, nat
        return index, None

    def is_working_day_array(self, days: Any) -> np.ndarray:
        """Boolean array: which days are working days."""
        index, _ = self._day_indexes(days, "days", allow_nat=False)
        return self._working[index]

    def add_working_days_array(self, starts: Any, n_days: Any) -> np.ndarray:
        """Vectorised add_working_days -> datetime64[D]; NaT start or NaN n gives NaT."""
        index, nat = self._day_indexes(starts, "starts", allow_nat=True)
        steps, missing = _int_steps(n_days)
        if index.shape != steps.shape:
            index, steps = np.broadcast_arrays(index, steps)
        ordinal = self._before[index]
        ordinal += steps
        invalid = _or(nat, missing)
        if invalid is not None:
            invalid = np.broadcast_to(invalid, ordinal.shape)
            ordinal = np.where(invalid, 0, ordinal)
        outside = (ordinal < 0) | (ordinal >= self._work_index.size)
        if outside.any():
            position = int(np.argmax(outside))
            start = self.first + dt.timedelta(days=int(index.flat[position]))
            raise CalendarRangeError(
                f"{int(outside.sum())} hạn xử lý vượt ra ngoài lịch làm việc "
                f"(ví dụ {int(steps.flat[position])} ngày làm việc kể từ {_vn(start)}, vị trí {position}).",
                self.first,
                self.last,
            )
        result = self._work_index[ordinal]
        result += self._origin
        result = result.view("datetime64[D]")
        if invalid is not None:
            result[invalid] = np.datetime64("NaT")
        return result

    def working_days_between_array(self, a: Any, b: Any) -> np.ndarray:
        """Vectorised working_days_between -> int64 (NaT is refused: mask open dossiers first)."""
        index_a, _ = self._day_indexes(a, "a", allow_nat=False)
        index_b, _ = self._day_indexes(b, "b", allow_nat=False)
        return self._before[index_b] - self._before[index_a]


def _sane(day_number: np.int64) -> bool:
    return -700_000 < int(day_number) < 2_900_000  # representable by datetime.date


def _or(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def _int_steps(values: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """Working-day counts as int64; NaN (missing processing time) is reported as a mask."""
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        return array.astype(np.int64, copy=False), None
    if array.dtype.kind == "b" or array.dtype.kind not in "f":
        raise TypeError(f"Số ngày làm việc phải là số nguyên, nhận được {array.dtype}.")
    missing = np.isnan(array)
    filled = np.where(missing, 0.0, array)
    fractional = ~np.isfinite(filled) | (filled != np.floor(filled))
    if fractional.any():
        position = int(np.argmax(fractional))
        raise ValueError(
            f"Số ngày làm việc phải là số nguyên, có giá trị {filled.flat[position]} ở vị trí {position}."
        )
    return filled.astype(np.int64), (missing if missing.any() else None)


def _join(old: str | None, new: str) -> str:
    if not old or new == old:
        return new
    return f"{old}; {new}"
