"""Acceptance: `cchc dossiers stats` reproduces Khánh Hòa's quarter I/2021 figures (seed 004).

The seed reports 130.729 dossiers received, 113.375 completed, 111.824 on time (98,63%), 28.301
online (21,65%), and on-time rates 99,76% (province departments), 91,58% (districts), 99,19%
(communes). The per-level counts are not printed; those below give exactly these rates and sum to
the totals. The synthetic file also holds dossiers that must not count: carried over from before
the window, cancelled (huy), completed after the window.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cchc.cli import main

# level -> (received, completed, on time, online)
LEVELS = {
    "tinh": (37_000, 32_701, 32_621, 15_000),
    "huyen": (12_500, 10_731, 9_827, 3_301),
    "xa": (81_229, 69_943, 69_376, 10_000),
}
CARRIED_OVER = 500
CANCELLED = 300
WINDOW_START = np.datetime64("2020-12-15T00:00", "us")
HOUR = np.timedelta64(3_600_000_000, "us")
DAY = 24 * HOUR


def _level_rows(level: str, received: int, completed: int, on_time: int, online: int, offset: int) -> dict:
    """Rows of one level: the first `completed` are completed, the first `on_time` of them on time."""
    n = received
    index = np.arange(n)
    late = (index >= on_time) & (index < completed)
    # late dossiers are received in the first 50 days so their completion (30 days later) is in the window
    day = np.where(late, index % 50, index % 90)
    received_at = WINDOW_START + day * DAY + (7 + index % 9) * HOUR
    with_due = index % 2 == 0
    due_day = (received_at.astype("datetime64[D]") + 3).astype("datetime64[us]")  # date-only due time
    due_at = np.where(with_due, due_day, np.datetime64("NaT"))
    processing = np.where(with_due, -1, 2).astype(np.int64)
    completed_at = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    completed_at[:on_time] = received_at[:on_time] + 2 * HOUR  # same evening at the latest: on time
    completed_at[on_time:completed] = received_at[on_time:completed] + 30 * DAY  # long past due
    # some of the open dossiers are completed after the window: still in progress at its end
    after = (index >= completed) & (index % 3 == 0)
    completed_at[after] = np.datetime64("2021-04-20T09:00", "us")
    online_channel = np.where(index % 2 == 0, "truc_tuyen_toan_trinh", "truc_tuyen_mot_phan")
    channel = np.where(index < online, online_channel, np.where(index % 7 == 0, "buu_chinh", "truc_tiep"))
    return {
        "dossier_id": [f"{level.upper()}-{offset + i:07d}" for i in range(n)],
        "level": [level] * n,
        "channel": channel,
        "received_at": received_at,
        "due_at": due_at,
        "processing_days": np.where(processing < 0, None, processing),
        "completed_at": completed_at,
        "status": np.where(np.isnat(completed_at), "dang_xu_ly", "da_giai_quyet"),
        "apology_sent": late & (index % 2 == 0),
    }


def _arrow(values) -> pa.Array:
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return pa.array(values, pa.timestamp("us"))
    return pa.array(values)


def build_quarter_file(path) -> None:
    """Deterministic synthetic export of Khánh Hòa's quarter I/2021 (Parquet)."""
    parts = []
    offset = 0
    for level, counts in LEVELS.items():
        parts.append(_level_rows(level, *counts, offset=offset))
        offset += counts[0]
    extra = np.arange(CARRIED_OVER + CANCELLED)
    carried = extra < CARRIED_OVER
    parts.append(
        {
            "dossier_id": [f"X-{i:05d}" for i in extra],
            "level": np.where(extra % 3 == 0, "tinh", "xa"),
            "channel": ["truc_tuyen_toan_trinh"] * len(extra),
            # carried over: received in Nov/Dec 2020, never completed; cancelled: received in the window
            "received_at": np.where(
                carried,
                np.datetime64("2020-11-20T08:00", "us") + (extra % 20) * DAY,
                WINDOW_START + (extra % 80) * DAY + 8 * HOUR,
            ),
            "due_at": np.full(len(extra), np.datetime64("NaT"), dtype="datetime64[us]"),
            "processing_days": [5] * len(extra),
            "completed_at": np.where(
                carried, np.datetime64("NaT"), WINDOW_START + (extra % 80) * DAY + 40 * HOUR
            ),
            "status": np.where(carried, "dang_xu_ly", "huy"),
            "apology_sent": [False] * len(extra),
        }
    )
    columns = {}
    for name in parts[0]:
        columns[name] = pa.concat_arrays([_arrow(part[name]) for part in parts])
    columns["processing_days"] = columns["processing_days"].cast(pa.int64())
    pq.write_table(pa.table(columns), path)


@pytest.fixture(scope="module")
def quarter_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("khanh-hoa") / "ho-so-quy-1-2021.parquet"
    build_quarter_file(path)
    return path


def run_json(capsys, *argv: str) -> dict:
    code = main(["dossiers", "stats", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


@pytest.mark.django_db
@pytest.mark.parametrize("window", [("--from", "2020-12-15", "--to", "2021-03-14"), ("--period", "2021-Q1")])
def test_quarter_totals_match_the_seed(capsys, quarter_file, window):
    result = run_json(capsys, "--input", str(quarter_file), *window)
    assert result["window"] == {"from": "2020-12-15", "to": "2021-03-14"}
    total = result["total"]
    assert total["received"] == 130_729
    assert total["completed"] == 113_375
    assert total["on_time"] == 111_824
    assert total["late"] == 113_375 - 111_824
    assert total["online"] == 28_301
    assert total["on_time_rate"] == 98.63
    assert total["online_rate"] == 21.65
    assert total["carried_over"] == CARRIED_OVER
    assert total["in_progress"] == 130_729 - 113_375 + CARRIED_OVER
    # every carried-over dossier (5 working days from November) is past due at the window end
    assert total["overdue_in_progress"] >= CARRIED_OVER
    # half of the late dossiers have an apology letter (even positions)
    late_without = sum(
        len([i for i in range(on_time, completed) if i % 2 == 1])
        for _received, completed, on_time, _online in LEVELS.values()
    )
    assert total["late_without_apology"] == late_without
    assert result["groups"] == [{"key": {}, **total}]


@pytest.mark.django_db
def test_quarter_on_time_rate_per_level(capsys, quarter_file):
    result = run_json(capsys, "--input", str(quarter_file), "--period", "2021-Q1", "--by", "level")
    rates = {g["key"]["level"]: g["on_time_rate"] for g in result["groups"]}
    assert rates == {"huyen": 91.58, "tinh": 99.76, "xa": 99.19}
    for group in result["groups"]:
        received, completed, on_time, online = LEVELS[group["key"]["level"]]
        assert (group["received"], group["completed"], group["on_time"], group["online"]) == (
            received,
            completed,
            on_time,
            online,
        )
    assert sum(g["completed"] for g in result["groups"]) == result["total"]["completed"]


@pytest.mark.django_db
def test_quarter_by_month_adds_up(capsys, quarter_file):
    result = run_json(capsys, "--input", str(quarter_file), "--period", "2021-Q1", "--by", "month")
    assert [g["key"]["month"] for g in result["groups"]] == ["2021-M01", "2021-M02", "2021-M03"]
    for name in ("received", "completed", "on_time", "late", "online"):
        assert sum(g[name] for g in result["groups"]) == result["total"][name]
    # the stock at the start of February is what January left open
    january, february, _ = result["groups"]
    assert february["carried_over"] == january["carried_over"] + january["received"] - january["completed"]


def test_window_start_constant_is_the_quarter_start():
    from cchc.periods.windows import parse

    assert parse("2021-Q1").start == dt.date(2020, 12, 15)


@pytest.mark.django_db
def test_quarter_text_table_uses_vietnamese_numbers(capsys, quarter_file):
    code = main(["dossiers", "stats", "--input", str(quarter_file), "--period", "2021-Q1"])
    out, _ = capsys.readouterr()
    assert code == 0
    total = out.splitlines()[-1].split()
    assert total[:3] == ["Tổng", "cộng", "130.729"]
    assert "113.375" in total and "111.824" in total and "98,63" in total and "21,65" in total
