"""Data windows of Nghị định 09/2019/NĐ-CP Art. 12, checked as properties over any year and date."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cchc.periods import windows
from cchc.periods.windows import PeriodCodeError

years = st.integers(min_value=windows.MIN_YEAR, max_value=windows.MAX_YEAR)
# Dates whose periods all fall inside the accepted year range.
dates = st.dates(min_value=dt.date(windows.MIN_YEAR - 1, 12, 15), max_value=dt.date(windows.MAX_YEAR, 12, 14))
ONE_DAY = dt.timedelta(days=1)


def assert_tiles(specs: list[windows.PeriodSpec], start: dt.date, end: dt.date) -> None:
    """The windows follow each other day after day, from `start` to `end`, without gap or overlap."""
    assert specs[0].start == start
    assert specs[-1].end == end
    for before, after in zip(specs, specs[1:], strict=False):
        assert before.end < after.start
        assert after.start - before.end == ONE_DAY
    assert sum(s.days for s in specs) == (end - start).days + 1


def year_window(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year - 1, 12, 15), dt.date(year, 12, 14)


@given(years)
def test_months_tile_the_data_year(year):
    specs = [s for s in windows.periods_of_year(year) if s.kind == windows.MONTH]
    assert [s.number for s in specs] == list(range(1, 13))
    assert_tiles(specs, *year_window(year))
    for s in specs:
        assert s.end == dt.date(year, s.number, 14)


@given(years)
def test_quarters_and_halves_tile_the_data_year(year):
    specs = windows.periods_of_year(year)
    quarters = [s for s in specs if s.kind == windows.QUARTER]
    halves = [s for s in specs if s.kind == windows.HALF]
    assert len(quarters) == 4 and len(halves) == 2
    assert_tiles(quarters, *year_window(year))
    assert_tiles(halves, *year_window(year))


@given(years)
def test_union_of_periods_is_the_year_window(year):
    specs = windows.periods_of_year(year)
    assert len(specs) == 19
    (whole,) = [s for s in specs if s.kind == windows.YEAR]
    assert (whole.start, whole.end) == year_window(year)
    assert min(s.start for s in specs) == whole.start
    assert max(s.end for s in specs) == whole.end
    for s in specs:
        assert whole.start <= s.start <= s.end <= whole.end


@given(years, st.integers(min_value=1, max_value=4))
def test_quarter_is_union_of_its_three_months(year, q):
    quarter = windows.quarter(year, q)
    months = [windows.month(year, m) for m in range(3 * q - 2, 3 * q + 1)]
    assert_tiles(months, quarter.start, quarter.end)


@given(years, st.integers(min_value=1, max_value=2))
def test_half_is_union_of_its_quarters(year, h):
    half = windows.half(year, h)
    quarters = [windows.quarter(year, q) for q in (2 * h - 1, 2 * h)]
    assert_tiles(quarters, half.start, half.end)


def test_known_windows_of_2021():
    assert (windows.parse("2021-H1").start, windows.parse("2021-H1").end) == (
        dt.date(2020, 12, 15), dt.date(2021, 6, 14))
    assert (windows.parse("2021-H2").start, windows.parse("2021-H2").end) == (
        dt.date(2021, 6, 15), dt.date(2021, 12, 14))
    assert (windows.parse("2021-Q1").start, windows.parse("2021-Q1").end) == (
        dt.date(2020, 12, 15), dt.date(2021, 3, 14))
    assert (windows.parse("2021-Q3").start, windows.parse("2021-Q3").end) == (
        dt.date(2021, 6, 15), dt.date(2021, 9, 14))
    assert (windows.parse("2021-M01").start, windows.parse("2021-M01").end) == (
        dt.date(2020, 12, 15), dt.date(2021, 1, 14))
    assert (windows.parse("2021-M05").start, windows.parse("2021-M05").end) == (
        dt.date(2021, 4, 15), dt.date(2021, 5, 14))
    assert (windows.parse("2021-Y").start, windows.parse("2021-Y").end) == (
        dt.date(2020, 12, 15), dt.date(2021, 12, 14))


@pytest.mark.parametrize(
    ("code", "kind", "number", "name"),
    [
        ("2021-M05", "month", 5, "Tháng 5 năm 2021"),
        ("2021-Q1", "quarter", 1, "Quý I năm 2021"),
        ("2021-Q4", "quarter", 4, "Quý IV năm 2021"),
        ("2021-H1", "half", 1, "6 tháng đầu năm 2021"),
        ("2021-H2", "half", 2, "6 tháng cuối năm 2021"),
        ("2021-Y", "year", None, "Năm 2021"),
    ],
)
def test_parse_names_and_kinds(code, kind, number, name):
    spec = windows.parse(code)
    assert (spec.code, spec.kind, spec.year, spec.number, spec.name_vi) == (code, kind, 2021, number, name)


@given(years)
def test_round_trip_for_every_period_of_a_year(year):
    for spec in windows.periods_of_year(year):
        assert windows.parse(spec.code) == spec
        assert windows.parse(spec.code).code == spec.code


@given(st.text(max_size=12))
def test_any_accepted_text_round_trips(text):
    try:
        spec = windows.parse(text)
    except PeriodCodeError:
        return
    assert spec.code == text


@given(dates, st.sampled_from(windows.STANDARD_KINDS))
def test_period_containing_is_consistent_with_windows(date, kind):
    spec = windows.period_containing(date, kind)
    assert spec.kind == kind
    assert spec.contains(date)
    # Exactly one period of that kind in the data year(s) around the date contains it.
    candidates = [
        s for y in (date.year, date.year + 1) if windows.MIN_YEAR <= y <= windows.MAX_YEAR
        for s in windows.periods_of_year(y) if s.kind == kind and s.contains(date)
    ]
    assert candidates == [spec]


def test_period_containing_at_the_cutoff():
    assert windows.period_containing(dt.date(2020, 12, 14), "month").code == "2020-M12"
    assert windows.period_containing(dt.date(2020, 12, 15), "month").code == "2021-M01"
    assert windows.period_containing(dt.date(2020, 12, 15), "year").code == "2021-Y"
    assert windows.period_containing(dt.date(2021, 6, 14), "half").code == "2021-H1"
    assert windows.period_containing(dt.date(2021, 6, 15), "half").code == "2021-H2"
    assert windows.period_containing(dt.date(2021, 3, 15), "quarter").code == "2021-Q2"
    with pytest.raises(PeriodCodeError):
        windows.period_containing(dt.date(2021, 3, 15), "custom")


VALID_SHAPES = st.one_of(
    st.builds(lambda y, m: f"{y}-M{m:02d}", years, st.integers(1, 12)),
    st.builds(lambda y, q: f"{y}-Q{q}", years, st.integers(1, 4)),
    st.builds(lambda y, h: f"{y}-H{h}", years, st.integers(1, 2)),
    st.builds(lambda y: f"{y}-Y", years),
)


@given(VALID_SHAPES)
def test_valid_codes_parse(code):
    assert windows.parse(code).code == code
    assert windows.is_valid_code(code)


def _is_canonical(text: str) -> bool:
    import re

    m = re.fullmatch(r"([0-9]{4})-(M(0[1-9]|1[0-2])|Q[1-4]|H[12]|Y)", text)
    return bool(m) and windows.MIN_YEAR <= int(m.group(1)) <= windows.MAX_YEAR


@given(st.one_of(st.text(max_size=15), st.from_regex(r"[0-9]{4}-[MQHYC][0-9]{0,3}", fullmatch=True)))
def test_text_that_is_not_a_code_is_rejected(text):
    assume(not _is_canonical(text))
    with pytest.raises(PeriodCodeError) as err:
        windows.parse(text)
    message = str(err.value)
    assert "2021-M05" in message or "tùy chỉnh" in message


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("2021-M13", "tháng phải từ 01 đến 12"),
        ("2021-M00", "tháng phải từ 01 đến 12"),
        ("2021-M5", "hai chữ số"),
        ("2021-Q5", "quý phải từ 1 đến 4"),
        ("2021-Q0", "quý phải từ 1 đến 4"),
        ("2021-H3", "H1 hoặc H2"),
        ("1999-Y", "năm phải từ 2000 đến 2100"),
        ("2101-M01", "năm phải từ 2000 đến 2100"),
        ("2021-m05", ""),
        (" 2021-Y", ""),
        ("2021", ""),
    ],
)
def test_bad_codes_name_the_code_and_the_expected_form(code, reason):
    with pytest.raises(PeriodCodeError) as err:
        windows.parse(code)
    message = str(err.value)
    assert f"“{code}”" in message
    assert "2021-M05, 2021-Q1, 2021-H1, 2021-H2, 2021-Y" in message
    assert reason in message


def test_custom_periods():
    spec = windows.custom("2021-C-kiem-tra", dt.date(2021, 3, 1), dt.date(2021, 4, 30), " Đợt kiểm tra ")
    assert (spec.kind, spec.year, spec.number) == ("custom", 2021, None)
    assert (spec.name_vi, spec.days) == ("Đợt kiểm tra", 61)
    assert windows.is_valid_code("2021-C-kiem-tra")
    with pytest.raises(PeriodCodeError, match="ngày bắt đầu và ngày kết thúc"):
        windows.parse("2021-C-kiem-tra")
    with pytest.raises(PeriodCodeError, match="trước ngày bắt đầu"):
        windows.custom("2021-C-x", dt.date(2021, 3, 2), dt.date(2021, 3, 1), "X")
    with pytest.raises(PeriodCodeError, match="tên kỳ"):
        windows.custom("2021-C-x", dt.date(2021, 3, 1), dt.date(2021, 3, 1), "  ")
    for bad in ("2021-C-Kiem", "2021-C-", "2021-C-a--b", "2021-C-đợt", "2021-Q1", "2021-C-" + "a" * 40):
        with pytest.raises(PeriodCodeError, match=bad[:10]):
            windows.custom(bad, dt.date(2021, 3, 1), dt.date(2021, 3, 2), "X")
    with pytest.raises(PeriodCodeError, match="2000 đến 2100"):
        windows.custom("1990-C-cu", dt.date(1990, 3, 1), dt.date(1990, 3, 2), "X")


@given(st.sampled_from(windows.periods_of_year(2021)), st.integers(min_value=0, max_value=365))
def test_deadline_is_days_after_window_end(spec, days):
    assert windows.deadline(spec, days) - spec.end == dt.timedelta(days=days)


def test_deadline_examples_and_negative_days():
    assert windows.deadline(windows.parse("2021-H1"), 5) == dt.date(2021, 6, 19)
    assert windows.deadline(windows.parse("2021-M12"), 3) == dt.date(2021, 12, 17)
    with pytest.raises(ValueError):
        windows.deadline(windows.parse("2021-Y"), -1)
