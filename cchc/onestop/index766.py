"""The Quyết định 766/QĐ-TTg service index per unit per month, from dossiers (pure: no Django).

Why through the scoring engine: the 766 index is one template of the engine (``service-766``), so the
province edits its leaves and rules as data, and this module only measures the metric each automatic
leaf names. The measures come from ONE grouped DuckDB query over unit × data month (a range join of
the dossiers with the months they count in), never a loop per unit over the whole data.

Months are data months (Nghị định 09/2019: 15th of the previous month → 14th), like the reporting
periods, so ``2021-M05`` here is the window of period ``2021-M05``.

Metrics measured (the template's ``source`` names), per unit and month, dossiers of status ``huy`` left out:

- ``on_time_rate`` on time / completed; ``early_rate`` completed before the due day / completed;
- ``overdue_in_progress_rate`` open at the month end past their due time / open at the month end
  (0 when none is open: nothing is overdue);
- ``late_without_apology`` count of late completions without an apology letter;
- ``online_rate`` online / received; ``postal_rate`` postal / received;
- ``paid_online_rate`` paid online / received with a fee (``fee_amount`` > 0);
- ``digitization_rate`` digitized / received with a known ``digitized`` value;
- ``satisfaction_rate`` ratings 4–5 / rated dossiers completed in the month.

A rate whose denominator is 0 has no value: its leaf is listed in ``missing``, scores 0 and the page
shows "chưa có dữ liệu". Leaves fed by other systems (publication of procedures, portal sync…) are
always missing here. Rates are exact: integer counts, ×100, rounded half-up to 2 decimals.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

import duckdb

from cchc.scoring.engine import automatic_scores, score
from cchc.scoring.numbers import json_number
from cchc.scoring.template import Template, load_template, shipped_templates

from .analytics import load_table
from .metrics import month_windows
from .schema import CANCELLED, ONLINE_CHANNELS, POSTAL_CHANNEL

TEMPLATE_CODE = "service-766"

COUNTS = (
    "received",
    "completed",
    "on_time",
    "early",
    "in_progress",
    "overdue_in_progress",
    "late_without_apology",
    "online",
    "postal",
    "with_fee",
    "paid_online",
    "digitization_known",
    "digitized",
    "rated",
    "satisfied",
)
# metric -> (numerator count, denominator count)
RATES = {
    "on_time_rate": ("on_time", "completed"),
    "early_rate": ("early", "completed"),
    "overdue_in_progress_rate": ("overdue_in_progress", "in_progress"),
    "online_rate": ("online", "received"),
    "postal_rate": ("postal", "received"),
    "paid_online_rate": ("paid_online", "with_fee"),
    "digitization_rate": ("digitized", "digitization_known"),
    "satisfaction_rate": ("satisfied", "rated"),
}


@lru_cache(maxsize=1)
def service_template() -> Template:
    """The shipped ``service-766`` template (loaded once)."""
    return load_template(shipped_templates()[TEMPLATE_CODE])


def exact_rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator × 100, half-up to 2 decimals, exactly; None when the denominator is 0."""
    if denominator == 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def months_of(year: int, month: int | None = None) -> list[tuple[str, dt.date, dt.date]]:
    """Data months of a year (code, first day, last day), or only the given month."""
    windows = month_windows(dt.date(year - 1, 12, 15), dt.date(year, 12, 14))
    if month is None:
        return windows
    if not 1 <= month <= 12:
        raise ValueError(f"Tháng {month} không hợp lệ: tháng từ 1 đến 12.")
    return [windows[month - 1]]


def _query(months: list[tuple[str, dt.date, dt.date]], unit: str | None) -> tuple[str, list[Any]]:
    values = ", ".join(
        f"('{code}', TIMESTAMP '{first.isoformat()} 00:00:00', "
        f"TIMESTAMP '{(last + dt.timedelta(days=1)).isoformat()} 00:00:00')"
        for code, first, last in months
    )
    received = "d.received_at >= m.s AND d.received_at < m.e"
    completed = "d.completed_at >= m.s AND d.completed_at < m.e"
    open_at_end = "(d.completed_at IS NULL OR d.completed_at >= m.e)"
    online = ", ".join(f"'{c}'" for c in ONLINE_CHANNELS)
    conditions = {
        "received": received,
        "completed": completed,
        "on_time": f"{completed} AND (d.deadline IS NULL OR d.completed_at <= d.deadline)",
        "early": f"{completed} AND d.due_day IS NOT NULL AND CAST(d.completed_at AS DATE) < d.due_day",
        "in_progress": open_at_end,
        "overdue_in_progress": f"{open_at_end} AND d.deadline < m.e",
        "late_without_apology": f"{completed} AND d.completed_at > d.deadline AND NOT d.apology_sent",
        "online": f"{received} AND d.channel IN ({online})",
        "postal": f"{received} AND d.channel = '{POSTAL_CHANNEL}'",
        "with_fee": f"{received} AND d.fee_amount > 0",
        "paid_online": f"{received} AND d.fee_amount > 0 AND d.paid_online",
        "digitization_known": f"{received} AND d.digitized IS NOT NULL",
        "digitized": f"{received} AND d.digitized",
        "rated": f"{completed} AND d.rating IS NOT NULL",
        "satisfied": f"{completed} AND d.rating >= 4",
    }
    counts = ", ".join(f'count(*) FILTER (WHERE {cond}) AS "{name}"' for name, cond in conditions.items())
    params: list[Any] = []
    unit_filter = ""
    if unit:
        unit_filter = " AND d.unit_code = ?"
        params.append(unit)
    # one pass: each dossier joins the months it counts in (received before the month end and not
    # completed before its start), then one GROUP BY unit × month gives every count
    query = (
        f"WITH m(code, s, e) AS (VALUES {values}) "  # noqa: S608 — our own dates and codes only
        f"SELECT d.unit_code, m.code, {counts} FROM dossiers d JOIN m "
        "ON d.received_at < m.e AND (d.completed_at IS NULL OR d.completed_at >= m.s) "
        f"WHERE d.status <> '{CANCELLED}' AND d.unit_code IS NOT NULL{unit_filter} "
        "GROUP BY d.unit_code, m.code ORDER BY m.code, d.unit_code"
    )
    return query, params


def unit_month_counts(
    source: Any, year: int, month: int | None = None, unit: str | None = None
) -> list[tuple[str, str, dict[str, int]]]:
    """(unit code, month code, counts) for every unit with dossiers counting in each data month."""
    months = months_of(year, month)
    table = load_table(source)
    query, params = _query(months, unit)
    con = duckdb.connect()
    try:
        con.register("dossiers", table)
        rows = con.execute(query, params).fetchall()
    finally:
        con.close()
    return [(row[0], row[1], dict(zip(COUNTS, (int(v) for v in row[2:]), strict=True))) for row in rows]


def metric_inputs(counts: dict[str, int]) -> dict[str, Decimal | int | None]:
    """The metric values the template's leaves name, from one unit-month's counts."""
    inputs: dict[str, Decimal | int | None] = {
        name: exact_rate(counts[num], counts[den]) for name, (num, den) in RATES.items()
    }
    if counts["in_progress"] == 0:
        inputs["overdue_in_progress_rate"] = Decimal(0)
    inputs["late_without_apology"] = counts["late_without_apology"]
    return inputs


def score_unit_month(inputs: dict[str, Any], template: Template | None = None) -> dict[str, Any]:
    """Total, group points and leaves of one unit-month through the scoring engine."""
    template = template or service_template()
    points, missing = automatic_scores(template, inputs)
    result = score(template, points)
    leaves_missing = set(missing) | set(result.not_scored)
    leaves = []
    for leaf in template.leaves():
        node = result.nodes[leaf.code]
        value = inputs.get(leaf.source) if leaf.source else None
        leaves.append(
            {
                "code": leaf.code,
                "name": leaf.name,
                "source": leaf.source,
                "value": json_number(value) if isinstance(value, Decimal) else value,
                "score": json_number(node.score),
                "max": json_number(node.max),
                "has_data": leaf.code not in leaves_missing,
            }
        )
    return {
        "total": json_number(result.total),
        "max": json_number(result.max),
        "index": json_number(result.index),
        "band": result.band,
        "groups": [
            {
                "code": area.code,
                "name": area.name,
                "score": json_number(area.score),
                "max": json_number(area.max),
            }
            for area in result.criteria
        ],
        "leaves": leaves,
        "missing": [leaf["code"] for leaf in leaves if not leaf["has_data"]],
    }


def service_index(
    source: Any, year: int, month: int | None = None, unit: str | None = None
) -> list[dict[str, Any]]:
    """The 766 index of every unit for each data month of `year` (or one `month`), optionally one unit.

    Each row: unit, month (``2021-M05``), window, counts, inputs (the metric values, None = no
    data), total/max/index/band, group points, every leaf with its value and points, and the leaves
    without data (scored 0). Sorted by month, then index from best to worst, then unit code.
    """
    template = service_template()
    windows = {code: (first, last) for code, first, last in months_of(year, month)}
    rows = []
    for unit_code, month_code, counts in unit_month_counts(source, year, month, unit):
        inputs = metric_inputs(counts)
        first, last = windows[month_code]
        rows.append(
            {
                "unit": unit_code,
                "month": month_code,
                "window": {"from": first.isoformat(), "to": last.isoformat()},
                "counts": counts,
                "inputs": {k: (json_number(v) if isinstance(v, Decimal) else v) for k, v in inputs.items()},
                **score_unit_month(inputs, template),
            }
        )
    rows.sort(key=lambda r: (r["month"], -r["total"], r["unit"]))
    return rows
