"""Dossier metrics: exact numbers on a hand-made file, half-up rates, properties against a reference."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.onestop.calendar import WorkCalendar
from cchc.onestop.metrics import (
    StatsInputError,
    dossier_stats,
    half_up_rate,
    late_without_apology_ids,
    month_windows,
    parse_by,
)
from cchc.onestop.reader import read_dossiers
from cchc.onestop.schema import CHANNELS, LEVELS, SCHEMA

MARCH = (dt.date(2021, 3, 1), dt.date(2021, 3, 31))
HEADER = (
    "dossier_id,level,channel,received_at,due_at,processing_days,completed_at,status,apology_sent,paid_online"
)
# March 2021 has no holiday; 1/3 is a Monday, 20/3 a Saturday.
SMALL = """
A,xa,truc_tiep,2021-02-20 08:00,,5,,dang_xu_ly,,
B,xa,truc_tiep,2021-02-25 08:00,2021-03-02,,2021-03-02 10:00,da_giai_quyet,,
C,xa,truc_tiep,2021-02-10 08:00,,3,2021-02-26 08:00,da_giai_quyet,,
D,tinh,truc_tiep,2021-03-10 09:00,2021-03-12 17:00,,2021-03-12 17:30,da_giai_quyet,,
E,tinh,truc_tiep,2021-03-10 09:00,2021-03-15,,2021-03-11 08:00,da_giai_quyet,,
F,huyen,truc_tuyen_toan_trinh,2021-03-20 10:00,,2,,dang_xu_ly,,
G,huyen,truc_tiep,2021-03-29 10:00,,10,,dang_xu_ly,,
H,huyen,truc_tuyen_mot_phan,2021-03-05 10:00,,2,2021-03-06 10:00,huy,,
I,tinh,truc_tiep,2021-03-15 10:00,2021-03-16,,2021-04-02 10:00,da_giai_quyet,,
J,xa,buu_chinh,2021-03-31 23:00,,1,,dang_xu_ly,,true
K,xa,truc_tiep,2021-03-02 10:00,,3,2021-03-09 10:00,tra_lai,true,
L,xa,truc_tiep,2021-04-01 08:00,,3,,dang_xu_ly,,
M,tinh,truc_tiep,2021-03-03 08:00,,,2021-03-25 08:00,da_giai_quyet,,
N,tinh,truc_tiep,2021-03-08 08:00,2021-03-09 17:00,,2021-03-09 17:00,da_giai_quyet,,
O,huyen,truc_tiep,2021-03-11 08:00,2021-03-12,,2021-03-12 23:59,da_giai_quyet,,
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "ho-so.csv"
    path.write_text(HEADER + SMALL, encoding="utf-8")
    return read_dossiers(path)


def test_hand_made_window(small):
    total = dossier_stats(small, *MARCH)["total"]
    assert total == {
        "received": 10,  # D E F G I J K M N O (H is cancelled, L after the window)
        "carried_over": 2,  # A open; B completed in March (C completed before the window)
        "completed": 7,  # B D E K M N O (I completed after the window)
        "early": 1,  # E: completed the day before its due day
        "on_time": 5,  # B and O on their date-only due day, N at its due minute, E, M (no due time)
        "late": 2,  # D half an hour after a due time with hours; K after 3 working days
        "on_time_rate": 71.43,
        "in_progress": 5,  # A F G I J
        "overdue_in_progress": 3,  # A (due 1/3), F (Saturday → Monday 22/3 + 2 = 24/3), I (due 16/3)
        "online": 1,  # F
        "online_rate": 10.0,
        "postal": 1,  # J
        "paid_online": 1,  # J
        "late_without_apology": 1,  # D (K has its letter)
    }
    assert late_without_apology_ids(small, *MARCH) == ["D"]


def test_window_edges_and_unit_filter(small):
    # a window of one day: 2/3 (B completed, K received)
    day = dossier_stats(small, dt.date(2021, 3, 2), dt.date(2021, 3, 2))["total"]
    assert (day["received"], day["completed"], day["carried_over"]) == (1, 1, 2)
    # J received at 23:00 on the last day still counts; L on the next day does not
    end = dossier_stats(small, dt.date(2021, 3, 31), dt.date(2021, 3, 31))["total"]
    assert end["received"] == 1 and end["postal"] == 1
    with pytest.raises(StatsInputError, match="trước ngày bắt đầu"):
        dossier_stats(small, dt.date(2021, 3, 31), dt.date(2021, 3, 1))


def test_groups_sum_to_total_and_skip_empty_groups(small):
    result = dossier_stats(small, *MARCH, by=["level", "channel"])
    keys = [tuple(g["key"].values()) for g in result["groups"]]
    assert keys == sorted(keys)
    assert ("huyen", "truc_tuyen_mot_phan") not in keys  # only the cancelled H
    for name in ("received", "completed", "on_time", "late", "in_progress", "carried_over", "online"):
        assert sum(g[name] for g in result["groups"]) == result["total"][name]
    tinh = [g for g in result["groups"] if g["key"] == {"level": "tinh", "channel": "truc_tiep"}][0]
    assert (tinh["completed"], tinh["on_time"], tinh["on_time_rate"]) == (4, 3, 75.0)


def test_month_groups_are_data_months(small):
    result = dossier_stats(small, *MARCH, by=["month"])
    assert [g["key"] for g in result["groups"]] == [{"month": "2021-M03"}, {"month": "2021-M04"}]
    march, april = result["groups"]
    assert (march["received"], april["received"]) == (6, 4)  # D E K M N O, then F G I J from 15/3
    assert april["carried_over"] == march["carried_over"] + march["received"] - march["completed"]
    assert month_windows(*MARCH) == [
        ("2021-M03", dt.date(2021, 3, 1), dt.date(2021, 3, 14)),
        ("2021-M04", dt.date(2021, 3, 15), dt.date(2021, 3, 31)),
    ]


def test_parse_by():
    assert parse_by("level, unit,level") == ["level", "unit"]
    with pytest.raises(StatsInputError, match="“quan”"):
        parse_by("level,quan")


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (2, 3, 66.67),
        (1, 8, 12.5),
        (1, 3, 33.33),
        (201, 20_000, 1.01),  # 1.005 %: round(1.005, 2) == 1.0 in binary floating point
        (107, 4_000, 2.68),  # 2.675 %: round(2.675, 2) == 2.67
        (1, 800, 0.13),  # 0.125 %
        (111_824, 113_375, 98.63),
        (0, 5, 0.0),
        (5, 5, 100.0),
        (1, 0, None),
    ],
)
def test_half_up_rate(numerator, denominator, expected):
    assert half_up_rate(numerator, denominator) == expected


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_half_up_rate_matches_exact_rational_rounding(numerator, denominator):
    exact = Fraction(numerator * 100, denominator)
    hundredths = int(exact * 100 + Fraction(1, 2))  # floor(x + 1/2): half-up for x >= 0
    assert half_up_rate(numerator, denominator) == hundredths / 100


# -- properties against a plain-Python reference -------------------------------------------------

CALENDAR = WorkCalendar.from_files([2021, 2022])
START = dt.datetime(2021, 1, 1)
WINDOW = (dt.date(2021, 2, 15), dt.date(2021, 3, 14))  # contains lunar Tết 2021 (10–16/2)

dossier = st.fixed_dictionaries(
    {
        "received": st.integers(0, 120 * 24),  # hours after 1/1/2021
        "duration": st.one_of(st.none(), st.integers(0, 40 * 24)),  # hours until completion
        "due": st.one_of(
            st.none(),
            st.tuples(st.integers(0, 20), st.booleans()),  # (days after receipt, date-only)
        ),
        "processing_days": st.one_of(st.none(), st.integers(0, 15)),
        "cancelled": st.booleans(),
        "returned": st.booleans(),
        "level": st.sampled_from(LEVELS),
        "channel": st.sampled_from(CHANNELS),
        "apology": st.booleans(),
    }
)


def _table(items: list[dict]) -> pa.Table:
    rows = []
    for number, item in enumerate(items):
        received = START + dt.timedelta(hours=item["received"])
        completed = None if item["duration"] is None else received + dt.timedelta(hours=item["duration"])
        due = None
        if item["due"] is not None:
            days, date_only = item["due"]
            due = dt.datetime.combine(
                received.date() + dt.timedelta(days=days), dt.time(0 if date_only else 16)
            )
        if item["cancelled"]:
            status = "huy"
        elif completed is None:
            status = "dang_xu_ly"
        else:
            status = "tra_lai" if item["returned"] else "da_giai_quyet"
        rows.append(
            {
                "dossier_id": f"HS{number}",
                "level": item["level"],
                "channel": item["channel"],
                "received_at": received,
                "due_at": due,
                "processing_days": item["processing_days"],
                "completed_at": completed,
                "status": status,
                "apology_sent": item["apology"],
                "paid_online": False,
                "digitized": False,
            }
        )
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def _deadline(row: dict) -> dt.datetime | None:
    due = row["due_at"]
    if due is not None:
        return due + dt.timedelta(days=1, microseconds=-1) if due.time() == dt.time(0) else due
    if row["processing_days"] is None:
        return None
    day = CALENDAR.add_working_days(row["received_at"], row["processing_days"])
    return dt.datetime.combine(day, dt.time.max)


def _reference(table: pa.Table) -> dict[str, int]:
    start = dt.datetime.combine(WINDOW[0], dt.time(0))
    end = dt.datetime.combine(WINDOW[1] + dt.timedelta(days=1), dt.time(0))
    counts = dict.fromkeys(("received", "carried_over", "completed", "early", "on_time", "late"), 0)
    counts |= dict.fromkeys(("in_progress", "overdue_in_progress", "late_without_apology"), 0)
    for row in table.to_pylist():
        if row["status"] == "huy":
            continue
        received, completed, deadline = row["received_at"], row["completed_at"], _deadline(row)
        counts["received"] += start <= received < end
        counts["carried_over"] += received < start and (completed is None or completed >= start)
        if completed is not None and start <= completed < end:
            counts["completed"] += 1
            on_time = deadline is None or completed <= deadline
            counts["on_time"] += on_time
            counts["late"] += not on_time
            counts["early"] += deadline is not None and completed.date() < deadline.date()
            counts["late_without_apology"] += not on_time and not row["apology_sent"]
        if received < end and (completed is None or completed >= end):
            counts["in_progress"] += 1
            counts["overdue_in_progress"] += deadline is not None and deadline < end
    return counts


@settings(max_examples=60, deadline=None)
@given(st.lists(dossier, min_size=0, max_size=40))
def test_metrics_match_reference_and_invariants(items):
    table = _table(items)
    result = dossier_stats(table, *WINDOW, by=["level", "channel"], calendar=CALENDAR)
    total = result["total"]
    for name, value in _reference(table).items():
        assert total[name] == value, name
    for metrics in (total, *result["groups"]):
        assert metrics["on_time"] <= metrics["completed"]
        assert metrics["early"] <= metrics["on_time"]
        assert metrics["on_time"] + metrics["late"] == metrics["completed"]
        assert metrics["overdue_in_progress"] <= metrics["in_progress"]
        assert metrics["online"] <= metrics["received"]
        assert metrics["on_time_rate"] == half_up_rate(metrics["on_time"], metrics["completed"])
    for name in (
        "received",
        "carried_over",
        "completed",
        "early",
        "on_time",
        "late",
        "in_progress",
        "overdue_in_progress",
        "online",
        "postal",
        "late_without_apology",
    ):
        assert sum(g[name] for g in result["groups"]) == total[name], name
    late_ids = late_without_apology_ids(table, *WINDOW, calendar=CALENDAR)
    assert len(late_ids) == total["late_without_apology"]
