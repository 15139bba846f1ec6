"""The 766 service index per unit × data month on a hand-made data set, with exact points."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.onestop.index766 import (
    COUNTS,
    exact_rate,
    metric_inputs,
    months_of,
    service_index,
    service_template,
)
from cchc.onestop.schema import SCHEMA

D = dt.datetime


def table(rows: list[dict]) -> pa.Table:
    return pa.table({f.name: [r.get(f.name) for r in rows] for f in SCHEMA}, schema=SCHEMA)


def dossier(n: int, unit: str, **values) -> dict:
    base = dict(
        dossier_id=f"{unit}-{n}",
        unit_code=unit,
        level="tinh",
        channel="truc_tiep",
        received_at=D(2021, 3, 1, 8),
        due_at=D(2021, 3, 10),
        status="da_giai_quyet",
        apology_sent=False,
        paid_online=False,
        fee_amount=0.0,
        digitized=None,
        rating=None,
    )
    return {**base, **values}


# Data month 2021-M03 = 15/02/2021 – 14/03/2021.
ROWS = [
    # U1: 4 received, 4 completed: 3 on time (2 early), 1 late without apology; 2 online; fees: 2 with
    # a fee, 1 paid online; digitized 3 of 4; ratings 5, 4, 2 (2 of 3 satisfied)
    dossier(
        1,
        "U1",
        channel="truc_tuyen_toan_trinh",
        completed_at=D(2021, 3, 3, 9),
        fee_amount=50000.0,
        paid_online=True,
        digitized=True,
        rating=5,
    ),
    dossier(
        2,
        "U1",
        channel="truc_tuyen_mot_phan",
        completed_at=D(2021, 3, 5, 9),
        fee_amount=50000.0,
        digitized=True,
        rating=4,
    ),
    dossier(3, "U1", completed_at=D(2021, 3, 10, 15), digitized=True, rating=2),
    dossier(4, "U1", completed_at=D(2021, 3, 12, 9), digitized=False),
    # U2: 2 received, nothing completed, one open past its due day (overdue) — no ratings, no fees
    dossier(1, "U2", level="xa", completed_at=None, status="dang_xu_ly", due_at=D(2021, 3, 5)),
    dossier(2, "U2", level="xa", completed_at=None, status="dang_xu_ly", due_at=D(2021, 3, 30)),
    # cancelled: never counted; received in April: not in March
    dossier(9, "U1", completed_at=None, status="huy"),
    dossier(10, "U1", received_at=D(2021, 4, 1, 8), due_at=D(2021, 4, 5), completed_at=D(2021, 4, 2, 8)),
]


def test_exact_points_per_unit_for_one_month():
    rows = service_index(table(ROWS), 2021, 3)
    assert [(r["unit"], r["month"]) for r in rows] == [("U1", "2021-M03"), ("U2", "2021-M03")]
    u1, u2 = rows
    assert u1["window"] == {"from": "2021-02-15", "to": "2021-03-14"}
    assert u1["inputs"] == {
        "on_time_rate": 75,
        "early_rate": 50,
        "overdue_in_progress_rate": 0,
        "online_rate": 50,
        "postal_rate": 0,
        "paid_online_rate": 50,
        "digitization_rate": 75,
        "satisfaction_rate": 66.67,
        "late_without_apology": 1,
    }
    leaves = {leaf["code"]: leaf["score"] for leaf in u1["leaves"]}
    # 2.1: 10 × 75/100; 2.2: overdue 0 % ≤ 2 → 4; 2.3: 3 − 0,5 × 1; 2.4: 3 × min(50/50, 1)
    assert (leaves["2.1"], leaves["2.2"], leaves["2.3"], leaves["2.4"]) == (7.5, 4, 2.5, 3)
    # 3.1: 8 × 0,75; 4.2: 8 × 0,5; 4.3: 8 × 0,5; 5.1: 12 × 66,67/100 = 8,0004 → 8
    assert (leaves["3.1"], leaves["4.2"], leaves["4.3"], leaves["5.1"]) == (6, 4, 4, 8)
    assert [g["score"] for g in u1["groups"]] == [0, 17, 6, 8, 8]
    assert u1["total"] == 39
    assert u1["max"] == 100
    assert u1["missing"] == ["1.1", "1.2", "1.3", "3.2", "3.3", "4.1", "5.2"]
    assert not {leaf["has_data"] for leaf in u1["leaves"] if leaf["code"] in u1["missing"]} - {False}

    # U2 completed nothing: no on-time, early, satisfaction, fee or digitization data → listed, 0 points
    assert u2["inputs"]["on_time_rate"] is None
    assert u2["inputs"]["overdue_in_progress_rate"] == 50  # 1 of 2 open at the month end is overdue
    leaves2 = {leaf["code"]: leaf for leaf in u2["leaves"]}
    assert leaves2["2.2"]["score"] == 2  # over the 2 % threshold: partial points
    assert leaves2["2.3"]["score"] == 3  # no late dossier
    assert {"2.1", "2.4", "3.1", "4.3", "5.1"} <= set(u2["missing"])
    assert u2["total"] == 2 + 3 + 0  # 4.2: online 0 of 2 received → 0 points, but measured
    assert leaves2["4.2"]["has_data"] and leaves2["4.2"]["score"] == 0


def test_whole_year_and_one_unit():
    rows = service_index(table(ROWS), 2021)
    assert sorted({(r["unit"], r["month"]) for r in rows}) == [
        ("U1", "2021-M03"),
        ("U1", "2021-M04"),
        ("U2", "2021-M03"),
        ("U2", "2021-M04"),
        ("U2", "2021-M05"),
        ("U2", "2021-M06"),
        ("U2", "2021-M07"),
        ("U2", "2021-M08"),
        ("U2", "2021-M09"),
        ("U2", "2021-M10"),
        ("U2", "2021-M11"),
        ("U2", "2021-M12"),
    ]  # U2's open dossiers keep it in every later month (in progress at each month end)
    only = service_index(table(ROWS), 2021, 4, unit="U1")
    assert [(r["unit"], r["month"], r["counts"]["received"], r["counts"]["on_time"]) for r in only] == [
        ("U1", "2021-M04", 1, 1)
    ]


def test_leaves_named_by_the_template_are_all_measured_or_known_to_be_missing():
    sources = {leaf.source for leaf in service_template().leaves()}
    measured = set(metric_inputs(dict.fromkeys(COUNTS, 1)))
    other_inputs = {
        "procedure_publication_on_time_rate",
        "procedure_disclosure_rate",
        "national_portal_sync_rate",
        "result_digitization_rate",
        "data_reuse_rate",
        "full_online_procedure_rate",
        "feedback_on_time_rate",
    }
    assert sources - measured == other_inputs


def test_month_out_of_range_is_refused():
    with pytest.raises(ValueError, match="13"):
        months_of(2021, 13)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_exact_rate_is_half_up_of_the_true_ratio(numerator, denominator):
    rate = exact_rate(numerator, denominator)
    true = Decimal(numerator) * 100 / Decimal(denominator)
    assert abs(rate - true) <= Decimal("0.005")
    assert rate == rate.quantize(Decimal("0.01"))
    assert exact_rate(numerator, 0) is None


def test_counts_agree_with_dossier_stats_per_unit_and_month():
    """The one grouped query measures what `cchc dossiers stats --by unit,month` counts."""
    from cchc.onestop.demo import build_demo_table
    from cchc.onestop.metrics import dossier_stats

    demo = build_demo_table(count=4_000, seed=11)
    rows = service_index(demo, 2021)
    stats = dossier_stats(demo, dt.date(2020, 12, 15), dt.date(2021, 12, 14), by=["unit", "month"])
    expected = {(g["key"]["unit"], g["key"]["month"]): g for g in stats["groups"]}
    assert len(rows) == len(expected) > 100
    for row in rows:
        group = expected[(row["unit"], row["month"])]
        for name in ("received", "completed", "on_time", "early", "in_progress", "overdue_in_progress",
                     "late_without_apology", "online", "postal"):
            assert row["counts"][name] == group[name], (row["unit"], row["month"], name)
        assert row["inputs"]["on_time_rate"] == group["on_time_rate"]
