"""Working-day calendar: official Vietnamese days off, make-up Saturdays, provincial files, numpy API."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import holidays
import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.onestop.calendar import (
    DEFAULT_DATA_FILE,
    CalendarDataError,
    CalendarRangeError,
    WorkCalendar,
    load_calendar_file,
)

FIRST_YEAR, LAST_YEAR = 2018, 2026
D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.from_files(range(FIRST_YEAR, LAST_YEAR + 1))


def _raw_entries() -> tuple[set[dt.date], set[dt.date]]:
    """Days off / working days read straight from the shipped YAML (independent of the module's parser)."""
    doc = yaml.safe_load(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
    off, work = set(), set()
    for section in doc["years"].values():
        off.update(item["date"] for item in section.get("days_off") or [])
        work.update(item["date"] for item in section.get("working_days") or [])
    return off, work


OFF, MAKEUP = _raw_entries()
PUBLIC = holidays.country_holidays("VN", years=range(FIRST_YEAR, LAST_YEAR + 1))


def oracle_is_working(day: dt.date) -> bool:
    """Independent rule: make-up days work; weekends, package holidays and listed days off do not."""
    if day in MAKEUP:
        return True
    return day.weekday() < 5 and day not in PUBLIC and day not in OFF


def oracle_add(start: dt.date, n: int) -> dt.date:
    """Day-by-day walk: roll a non-working receipt day forward, then step over n working days."""
    day = start
    while not oracle_is_working(day):
        day += dt.timedelta(days=1)
    while n > 0:
        day += dt.timedelta(days=1)
        if oracle_is_working(day):
            n -= 1
    return day


# -- acceptance: official calendar ----------------------------------------------------------------


def test_tet_2021_five_day_procedure_received_friday_is_due_19_february(cal):
    assert cal.add_working_days(D(2021, 2, 5), 5) == D(2021, 2, 19)
    assert cal.add_working_days(dt.datetime(2021, 2, 5, 16, 30), 5) == D(2021, 2, 19)
    # 20:00 UTC on 4/2 is 03:00 on 5/2 in Hà Nội: aware datetimes are read in Vietnamese time
    assert cal.add_working_days(dt.datetime(2021, 2, 4, 20, 0, tzinfo=dt.UTC), 5) == D(2021, 2, 19)
    assert cal.add_working_days(dt.datetime(2021, 2, 4, 16, 0, tzinfo=dt.UTC), 5) == D(2021, 2, 18)


@pytest.mark.parametrize(
    "day",
    [
        *[D(2021, 2, d) for d in (10, 11, 12, 15, 16)],  # Tết Tân Sửu
        *[D(2025, 1, d) for d in (27, 28, 29, 30, 31)],  # Tết Ất Tỵ (25/01–02/02)
        D(2023, 5, 2),
        D(2023, 5, 3),  # compensatory days for Giỗ Tổ (Sat) and 30/4 (Sun)
        D(2023, 9, 4),
        D(2018, 12, 31),  # swapped days off ...
        D(2019, 4, 29),
        D(2024, 4, 29),
        D(2025, 5, 2),
        D(2026, 1, 2),
        D(2026, 8, 31),
        D(2026, 11, 24),  # Ngày Văn hóa Việt Nam
        D(2024, 9, 3),
        D(2021, 9, 3),
    ],
)
def test_official_days_off_are_not_working_days(cal, day):
    assert day.weekday() < 5
    assert not cal.is_working_day(day)
    assert cal.reason(day)


@pytest.mark.parametrize(
    "day", [D(2019, 1, 5), D(2019, 5, 4), D(2024, 5, 4), D(2025, 4, 26), D(2026, 1, 10), D(2026, 8, 22)]
)
def test_make_up_saturdays_are_working_days(cal, day):
    assert day.weekday() == 5
    assert cal.is_working_day(day)
    assert "Làm bù" in cal.reason(day)
    assert day in cal.makeup_days


def test_ordinary_saturdays_and_days_around_holidays(cal):
    assert not cal.is_working_day(D(2023, 5, 6))  # no make-up day in 2023 (5 days off from compensation)
    assert not cal.is_working_day(D(2025, 5, 3))
    assert cal.reason(D(2025, 5, 3)) == "Thứ Bảy"
    assert cal.is_working_day(D(2023, 5, 4))
    assert cal.is_working_day(D(2025, 2, 3))
    assert cal.reason(D(2025, 2, 3)) is None


def test_due_day_counts_the_make_up_saturday(cal):
    friday = D(2025, 4, 25)
    assert cal.add_working_days(friday, 1) == D(2025, 4, 26)  # make-up Saturday
    assert cal.add_working_days(friday, 2) == D(2025, 4, 28)
    assert cal.add_working_days(friday, 3) == D(2025, 4, 29)
    assert cal.add_working_days(friday, 4) == D(2025, 5, 5)  # 30/4, 1/5, 2/5 off, then the weekend
    assert cal.working_days_between(friday, D(2025, 5, 5)) == 4


def test_receipt_on_a_non_working_day_counts_from_the_next_working_day(cal):
    saturday = D(2021, 2, 6)
    assert cal.add_working_days(saturday, 0) == D(2021, 2, 8)
    assert cal.add_working_days(saturday, 1) == D(2021, 2, 9)
    assert cal.add_working_days(saturday, 2) == D(2021, 2, 17)
    assert cal.add_working_days(D(2021, 2, 12), 1) == D(2021, 2, 18)  # received on Tết
    assert cal.working_days_between(saturday, D(2021, 2, 17)) == 2
    assert cal.working_days_between(D(2021, 2, 17), saturday) == -2


def test_every_day_of_the_range_matches_the_independent_rule(cal):
    days = np.arange(np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR + 1}-01-01"))
    expected = np.array([oracle_is_working(d) for d in days.astype(object)])
    got = cal.is_working_day_array(days)
    assert got.dtype == bool
    assert np.array_equal(got, expected), days[got != expected]


def test_every_swap_in_the_holidays_package_has_its_make_up_day_in_the_data_file(cal):
    pattern = re.compile(r"thay cho ngày (\d{2}/\d{2}/\d{4})")
    names = holidays.country_holidays("VN", years=range(FIRST_YEAR, LAST_YEAR + 1), language="vi").values()
    sources = [
        dt.datetime.strptime(m.group(1), "%d/%m/%Y").date() for name in names if (m := pattern.search(name))
    ]
    assert len(sources) >= 5
    for source in sources:
        if FIRST_YEAR <= source.year <= LAST_YEAR:
            assert source in cal.makeup_days, source


# -- properties -----------------------------------------------------------------------------------

dates = st.dates(min_value=D(FIRST_YEAR, 1, 1), max_value=D(LAST_YEAR, 9, 30))
counts = st.integers(min_value=0, max_value=45)


@settings(max_examples=300, deadline=None)
@given(start=dates, n=counts)
def test_adding_working_days_lands_on_a_working_day_and_round_trips(cal, start, n):
    due = cal.add_working_days(start, n)
    assert oracle_is_working(due)
    assert due.weekday() < 5 or due in MAKEUP
    assert due not in OFF and (due not in PUBLIC or due in MAKEUP)
    assert due == oracle_add(start, n)
    assert cal.working_days_between(start, due) == n
    assert due >= start


@settings(max_examples=100, deadline=None)
@given(pairs=st.lists(st.tuples(dates, counts, st.integers(0, 86_399)), min_size=1, max_size=60))
def test_vectorised_equals_scalar(cal, pairs):
    starts = np.array(
        [np.datetime64(d, "s") + np.timedelta64(sec, "s") for d, _, sec in pairs], dtype="datetime64[s]"
    )
    n = np.array([k for _, k, _ in pairs], dtype=np.int64)
    due = cal.add_working_days_array(starts, n)
    assert due.dtype == np.dtype("datetime64[D]")
    assert [d.item() for d in due] == [cal.add_working_days(d, k) for d, k, _ in pairs]
    ends = np.array([d for d, _, _ in pairs[::-1]], dtype="datetime64[D]")
    between = cal.working_days_between_array(starts, ends)
    expected = [cal.working_days_between(a, b) for (a, _, _), b in zip(pairs, ends.tolist(), strict=True)]
    assert between.tolist() == expected
    assert np.array_equal(cal.working_days_between_array(starts, due), n)
    assert np.array_equal(cal.is_working_day_array(starts), [cal.is_working_day(d) for d, _, _ in pairs])


def test_without_make_up_days_it_agrees_with_numpy_busday_functions():
    first, last = D(2020, 1, 1), D(2025, 12, 31)
    public = holidays.country_holidays("VN", years=range(2020, 2026))
    off = {d: n for d, n in public.items() if d.weekday() < 5}
    plain = WorkCalendar(first, last, days_off=off)
    busdaycal = np.busdaycalendar(weekmask="1111100", holidays=sorted(off))
    rng = np.random.default_rng(2021)
    starts = np.datetime64("2020-01-01") + rng.integers(0, 365 * 5 - 400, 20_000)
    n = rng.integers(0, 120, starts.size)
    ends = starts + rng.integers(0, 400, starts.size)
    expected_due = np.busday_offset(starts, n, roll="forward", busdaycal=busdaycal)
    assert np.array_equal(plain.add_working_days_array(starts, n), expected_due)
    expected_count = np.busday_count(starts, ends, busdaycal=busdaycal)
    assert np.array_equal(plain.working_days_between_array(starts, ends), expected_count)
    # backwards it is the exact opposite (numpy counts (end, begin] instead, so it is not compared)
    assert np.array_equal(plain.working_days_between_array(ends, starts), -expected_count)


@settings(max_examples=200, deadline=None)
@given(a=dates, b=dates, c=dates)
def test_between_is_antisymmetric_and_additive(cal, a, b, c):
    assert cal.working_days_between(a, b) == -cal.working_days_between(b, a)
    assert cal.working_days_between(a, b) + cal.working_days_between(b, c) == cal.working_days_between(a, c)
    assert cal.working_days_between(a, a) == 0


def test_array_inputs_broadcast_and_missing_values_give_nat(cal):
    starts = np.array(["2021-02-05T08:00", "NaT", "2025-04-25T23:59"], dtype="datetime64[m]")
    due = cal.add_working_days_array(starts, 5)
    assert due[0] == np.datetime64("2021-02-19") and np.isnat(due[1])
    assert due[2] == np.datetime64(cal.add_working_days(D(2025, 4, 25), 5))
    due = cal.add_working_days_array(starts[[0, 0, 2]], np.array([5.0, np.nan, 1.0]))
    assert due[0] == np.datetime64("2021-02-19") and np.isnat(due[1])
    assert due[2] == np.datetime64("2025-04-26")
    with pytest.raises(ValueError, match="số nguyên"):
        cal.add_working_days_array(starts, np.array([1.5, 1.0, 1.0]))
    with pytest.raises(ValueError, match="NaT"):
        cal.working_days_between_array(starts, starts)


# -- range errors ---------------------------------------------------------------------------------


def test_dates_outside_the_calendar_are_refused_naming_the_range(cal):
    with pytest.raises(CalendarRangeError, match=r"01/01/2018 đến 31/12/2026") as info:
        cal.is_working_day(D(2027, 1, 4))
    assert "04/01/2027" in str(info.value)
    with pytest.raises(CalendarRangeError, match="31/12/2026"):
        cal.add_working_days(D(2026, 12, 28), 10)
    starts = np.array(["2021-03-01", "2017-06-01", "2016-01-01"], dtype="datetime64[D]")
    with pytest.raises(CalendarRangeError, match=r"2 ngày nằm ngoài .*01/06/2017 ở vị trí 1"):
        cal.add_working_days_array(starts, 1)
    with pytest.raises(CalendarRangeError, match="vượt ra ngoài"):
        cal.add_working_days_array(np.array(["2026-12-30"], dtype="datetime64[D]"), 3)


# -- provincial files and data validation ---------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_provincial_extra_day_off_and_working_day_are_respected(tmp_path):
    province = _write(
        tmp_path / "tinh.yaml",
        """
name: Lịch riêng của tỉnh
years:
  2024:
    days_off:
      - date: 14/10/2024
        reason: Kỷ niệm ngày tái lập tỉnh
    working_days:
      - date: 2024-10-19
        reason: Làm bù cho ngày 14/10/2024
""",
    )
    national = WorkCalendar.from_files([2024])
    local = WorkCalendar.from_files([2024], extra_files=[province])
    friday = D(2024, 10, 11)
    assert national.add_working_days(friday, 1) == D(2024, 10, 14)
    assert local.add_working_days(friday, 1) == D(2024, 10, 15)
    assert not local.is_working_day(D(2024, 10, 14))
    assert local.reason(D(2024, 10, 14)) == "Kỷ niệm ngày tái lập tỉnh"
    assert local.is_working_day(D(2024, 10, 19)) and not national.is_working_day(D(2024, 10, 19))
    assert local.working_days_between(friday, D(2024, 10, 15)) == 1  # Fri 11 only: Mon 14 is off
    assert national.working_days_between(friday, D(2024, 10, 15)) == 2
    assert local.working_days_between(friday, D(2024, 10, 21)) == 6  # 11, 15–18 and Saturday 19
    assert national.working_days_between(friday, D(2024, 10, 21)) == 6  # 11, 14–18
    days = np.array(["2024-10-14", "2024-10-19"], dtype="datetime64[D]")
    assert local.is_working_day_array(days).tolist() == [False, True]
    assert national.is_working_day(D(2024, 4, 29)) is False  # national file still applies


Y = "years:\n  2024:\n"
MALFORMED = [
    (Y + "    days_off:\n      - date: 2024-02-30\n        reason: x\n", "days_off mục 1", "2024-02-30"),
    (
        Y + "    days_off:\n      - {date: 2024-03-04, reason: a}\n      - {date: 2023-03-06, reason: b}\n",
        "năm 2024, days_off mục 2",
        "không thuộc năm 2024",
    ),
    (Y + "    working_days:\n      - date: 2024-03-09\n", "năm 2024, working_days mục 1", "thiếu lý do"),
    (Y + "    days_off:\n      - {date: 2024-03-04, reason: a, note: b}\n", "days_off mục 1", "note"),
    (Y + "    days_off: 2024-03-04\n", "năm 2024, days_off", "danh sách"),
    (Y + "    holidays: []\n", "năm 2024", "holidays"),
    ("years:\n  24:\n    days_off: []\n", "năm “24”", "4 chữ số"),
    (Y + "    days_off:\n      - {date: 04-03-2024, reason: a}\n", "năm 2024, days_off mục 1", "04-03-2024"),
    (
        Y + "    days_off:\n      - {date: 2024-03-04, reason: a}\n      - {date: 04/03/2024, reason: b}\n",
        "năm 2024, days_off mục 2",
        "đã được ghi",
    ),
    ("days_off: []\n", "", "years"),
    ("years: [2024\n", "dòng", "YAML"),
]


@pytest.mark.parametrize(("text", "where", "problem"), MALFORMED)
def test_malformed_data_file_is_rejected_naming_file_and_entry(tmp_path, text, where, problem):
    path = _write(tmp_path / "hong.yaml", text)
    with pytest.raises(CalendarDataError) as info:
        WorkCalendar.from_files([2024], extra_files=[path])
    error = info.value
    assert error.path == str(path)
    assert str(path) in str(error)
    assert where in str(error)
    assert problem in str(error)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("days_off:\n      - {date: 2024-03-09, reason: a}", "thứ Bảy"),
        ("working_days:\n      - {date: 2024-03-06, reason: a}", "vốn đã là ngày làm việc"),
    ],
)
def test_entries_that_change_nothing_are_rejected_as_probable_typos(tmp_path, entry, problem):
    path = _write(tmp_path / "tinh.yaml", f"years:\n  2024:\n    {entry}\n")
    with pytest.raises(CalendarDataError, match=problem) as info:
        WorkCalendar.from_files([2024], extra_files=[path])
    assert "tinh.yaml" in str(info.value) and "năm 2024" in str(info.value)


def test_a_province_contradicting_the_national_file_is_rejected_naming_both(tmp_path):
    text = "years:\n  2025:\n    working_days:\n      - {date: 2025-05-02, reason: x}\n"
    path = _write(tmp_path / "tinh.yaml", text)
    with pytest.raises(CalendarDataError, match="mâu thuẫn") as info:
        WorkCalendar.from_files([2025], extra_files=[path])
    assert "tinh.yaml" in str(info.value) and "calendar-vn.yaml" in str(info.value)
    assert "02/05/2025" in str(info.value)


def test_missing_file_and_shipped_file(tmp_path):
    with pytest.raises(CalendarDataError, match="không đọc được"):
        load_calendar_file(tmp_path / "khong-co.yaml")
    entries = load_calendar_file(DEFAULT_DATA_FILE)
    assert {e.date for e in entries if e.kind == "working_days"} == MAKEUP
    assert all(e.reason for e in entries)
