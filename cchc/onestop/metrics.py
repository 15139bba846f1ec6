"""Dossier metrics of a data window, by any grouping (pure: no Django).

Why DuckDB: one aggregate pass over the Arrow table (zero-copy) gives every count of every group,
so the same code serves a unit's quarter and a province's tens of millions of dossiers. Only the
due time needs the working-day calendar; it is computed once per table with the calendar's
vectorised function and added as two columns before the query.

Definitions (``dossiers stats --json`` contract, DESIGN.md), with the window [from 00:00, to+1 00:00)
in local time and dossiers of status ``huy`` left out:

- due time: ``due_at``; a due time at exactly 00:00 is a date-only due time and means the end of
  that day. Without ``due_at``: ``received_at`` + ``processing_days`` working days
  (:meth:`WorkCalendar.add_working_days_array`), end of that day. A dossier with neither has no
  due time: it is on time whenever completed and never overdue.
- ``received`` received in the window; ``carried_over`` received before it and not completed
  before its start; ``completed`` completed in the window (``tra_lai`` included, since the reader
  requires a completion time for it), whatever the receipt date; ``on_time`` among them completed at
  or before the due time, ``early`` completed on a day before the due day, ``late`` the others;
  ``in_progress`` received by the window end and not completed by it; ``overdue_in_progress``
  those whose due time is before the window end; ``online`` / ``postal`` / ``paid_online`` among
  the received ones; ``late_without_apology`` late ones without an apology letter.
- rates: numerator / denominator × 100 rounded half-up to 2 decimals from the integer counts
  (never binary floating point); ``None`` (JSON null) when the denominator is 0.
- grouping by ``month`` cuts the window into data months (15th of the previous month → 14th,
  Nghị định 09/2019) clipped to the window; each month group holds the metrics of its sub-window,
  so flows add up to the total and stocks (carried_over, in_progress) are those of the sub-window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import scan
from .schema import CANCELLED, ONLINE_CHANNELS, POSTAL_CHANNEL

if TYPE_CHECKING:  # the calendar (and the holidays package) is imported only when due days are computed
    from .calendar import WorkCalendar

# --by name -> column of the dossier table (month is computed per sub-window)
DIMENSIONS: dict[str, str] = {
    "level": "level",
    "field": "field",
    "unit": "unit_code",
    "channel": "channel",
    "procedure": "procedure_code",
    "month": "",
}
COUNTS = (
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
    "paid_online",
    "late_without_apology",
)
RATES = {"on_time_rate": ("on_time", "completed"), "online_rate": ("online", "received")}
METRICS = (*COUNTS[:6], "on_time_rate", *COUNTS[6:9], "online_rate", *COUNTS[9:])
CUTOFF_DAY = 15
_DAY = np.timedelta64(1, "D")
_END_OF_DAY = np.timedelta64(86_400_000_000 - 1, "us")


class StatsInputError(ValueError):
    """Arguments that cannot give statistics (bad window, unknown grouping); Vietnamese message."""


def half_up_rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator × 100 rounded half-up to 2 decimals, exactly (integer arithmetic)."""
    if denominator == 0:
        return None
    if numerator < 0 or denominator < 0:
        raise ValueError("Tỷ lệ chỉ tính cho số đếm không âm.")
    hundredths, remainder = divmod(numerator * 10_000, denominator)
    if 2 * remainder >= denominator:
        hundredths += 1
    return hundredths / 100


def data_month(day: dt.date) -> tuple[int, int]:
    """(year, month) of the data month a day belongs to: from the 15th on it counts for the next month."""
    if day.day < CUTOFF_DAY:
        return day.year, day.month
    if day.month == 12:
        return day.year + 1, 1
    return day.year, day.month + 1


def month_windows(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Data months (code like 2021-M01) meeting [start, end], each clipped to it."""
    result = []
    year, month = data_month(start)
    while True:
        first = dt.date(year - 1, 12, CUTOFF_DAY) if month == 1 else dt.date(year, month - 1, CUTOFF_DAY)
        last = dt.date(year, month, CUTOFF_DAY - 1)
        if first > end:
            break
        result.append((f"{year:04d}-M{month:02d}", max(first, start), min(last, end)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def calendar_for(table: pa.Table) -> WorkCalendar | None:
    """The working-day calendar covering every due day the table can need (None if none is needed)."""
    need = pc.and_(pc.is_null(table["due_at"]), pc.is_valid(table["processing_days"]))
    if not pc.any(need).as_py():
        return None
    received = pc.filter(table["received_at"], need)
    days = pc.filter(table["processing_days"], need)
    first = pc.min(received).as_py().year
    last = pc.max(received).as_py().year
    longest = max(pc.max(days).as_py() or 0, 0)
    # ~250 working days a year: one more year per 200 days of processing time is always enough
    from .calendar import WorkCalendar

    return WorkCalendar.from_files(range(first, last + 2 + longest // 200))


def with_deadlines(table: pa.Table, calendar: WorkCalendar | None = None) -> pa.Table:
    """Add ``due_day`` (date) and ``deadline`` (last on-time moment, timestamp[us]) to a dossier table."""
    received = table["received_at"].to_numpy().astype("datetime64[us]")
    due_at = table["due_at"].to_numpy().astype("datetime64[us]")
    has_due = ~np.isnat(due_at)
    due_day = due_at.astype("datetime64[D]")
    date_only = has_due & (due_at == due_day.astype("datetime64[us]"))
    deadline = np.where(date_only, due_day.astype("datetime64[us]") + _END_OF_DAY, due_at)

    need = ~has_due & pc.is_valid(table["processing_days"]).to_numpy(zero_copy_only=False)
    if need.any():
        calendar = calendar or calendar_for(table)
        assert calendar is not None
        steps = table["processing_days"].to_numpy(zero_copy_only=False)[need].astype(np.int64)
        computed = calendar.add_working_days_array(received[need], steps)
        due_day[need] = computed
        deadline[need] = computed.astype("datetime64[us]") + _END_OF_DAY
    for name in ("due_day", "deadline"):
        if name in table.column_names:
            table = table.drop_columns([name])
    table = table.append_column("due_day", pa.array(due_day, pa.date32()))
    return table.append_column("deadline", pa.array(deadline, pa.timestamp("us")))


def is_dataset(source: object) -> bool:
    """A Parquet glob or directory written by the dossier store (due times already computed)."""
    return isinstance(source, (str, Path)) and ("*" in str(source) or Path(source).is_dir())


def _source_table(source: pa.Table | str | Path, calendar: WorkCalendar | None) -> pa.Table:
    if isinstance(source, (str, Path)):
        from .reader import read_dossiers

        source = read_dossiers(source)
    if "deadline" not in source.column_names:
        source = with_deadlines(source, calendar)
    return source


def _register(
    con: duckdb.DuckDBPyConnection,
    source: pa.Table | str | Path,
    calendar: WorkCalendar | None,
    unit: str | None = None,
) -> str | None:
    """Make `source` the ``dossiers`` view of `con`: Parquet is scanned in place, not loaded.

    Returns the column flagging rows to refuse when the source is a Parquet file scanned unchecked
    (see :func:`cchc.onestop.scan.register`), else None (the source is already checked). Group keys
    of such a file are checked on the result (:func:`_aggregate`); a unit filter is checked here.
    """
    if (
        isinstance(source, (str, Path))
        and Path(source).suffix.lower() in (".parquet", ".pq")
        and Path(source).is_file()
        and scan.is_canonical_parquet(Path(source))
    ):
        bad = scan.register(con, Path(source), calendar, texts=("unit_code",) if unit else ())
        if bad is not None:
            return bad
    if is_dataset(source):
        pattern = str(source)
        if "*" not in pattern:
            pattern = str(Path(pattern) / "**" / "*.parquet")
        con.execute(f"CREATE VIEW dossiers AS SELECT * FROM read_parquet({scan.quote(pattern)})")  # noqa: S608
    else:
        con.register("dossiers", _source_table(source, calendar))
    return None


def _check_window(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise StatsInputError(
            f"Ngày kết thúc {end:%d/%m/%Y} trước ngày bắt đầu {start:%d/%m/%Y} của khoảng thống kê."
        )


def parse_by(text: str | Sequence[str] | None) -> list[str]:
    """Grouping names from "level,field" (or a list); unknown names refused in Vietnamese."""
    if not text:
        return []
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown:
        raise StatsInputError(
            f"Không nhóm được theo “{', '.join(unknown)}”: chỉ nhóm theo {', '.join(DIMENSIONS)}."
        )
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen


def _aggregate_sql(start: dt.date, end: dt.date, keys: str, where: str, bad: str | None) -> str:
    """One aggregate giving every count of every group (and, with `bad`, the flagged rows).

    Why this shape: the window tests are computed once per row in an inner projection and counted
    by plain filters (rather than re-evaluated in each of twelve), and rows that cannot count in the
    window (received after it, or completed before it) never reach the hash aggregate — about
    half the rows of a year in a two-year file.
    """
    s = f"TIMESTAMP '{start.isoformat()} 00:00:00'"
    e = f"TIMESTAMP '{(end + dt.timedelta(days=1)).isoformat()} 00:00:00'"
    # a row counts in the window iff one of received / carried over / completed / in progress holds
    relevant = (
        f"(received_at < {e} AND (completed_at IS NULL OR completed_at >= {s} OR received_at >= {s})) "
        f"OR (completed_at >= {s} AND completed_at < {e})"
    )
    where = f"({where}) AND ({relevant})"
    if bad:
        # rows to refuse are kept whatever their status, unit or dates, to be counted (then all is redone)
        where = f"({where}) OR {bad}"
    online = ", ".join(f"'{c}'" for c in ONLINE_CHANNELS)
    tests = {
        "r_in": f"received_at >= {s} AND received_at < {e}",
        "carried": f"received_at < {s} AND (completed_at IS NULL OR completed_at >= {s})",
        "c_in": f"completed_at >= {s} AND completed_at < {e}",
        "open_end": f"received_at < {e} AND (completed_at IS NULL OR completed_at >= {e})",
        "late_done": "completed_at > deadline",
        "overdue": f"deadline < {e}",
        "early_day": "due_day IS NOT NULL AND CAST(completed_at AS DATE) < due_day",
        "in_time": "deadline IS NULL OR completed_at <= deadline",
        "online": f"channel IN ({online})",
        "postal": f"channel = '{POSTAL_CHANNEL}'",
    }
    counts = {
        "received": "r_in",
        "carried_over": "carried",
        "completed": "c_in",
        "early": "c_in AND early_day",
        "on_time": "c_in AND in_time",
        "late": "c_in AND late_done",
        "in_progress": "open_end",
        "overdue_in_progress": "open_end AND overdue",
        "online": "r_in AND online",
        "postal": "r_in AND postal",
        "paid_online": "r_in AND paid_online",
        "late_without_apology": "c_in AND late_done AND NOT apology_sent",
    }
    inner = [*(f"{test} AS {name}" for name, test in tests.items()), "paid_online", "apology_sent"]
    outer = [f'count(*) FILTER (WHERE {test}) AS "{name}"' for name, test in counts.items()]
    if bad:
        inner.append(f"{bad} AS __flagged")
        outer.append("count(*) FILTER (WHERE __flagged)")
    select = f"{keys}, " if keys else ""
    group = f" GROUP BY {keys}" if keys else ""
    # SQL text from our own column names and ISO dates only; the unit code is a parameter
    return (
        f"SELECT {select}{', '.join(outer)} FROM (SELECT {select}{', '.join(inner)} "  # noqa: S608
        f"FROM dossiers WHERE {where}){group}"
    )


def _metrics(counts: Sequence[int]) -> dict[str, Any]:
    """The metrics of one group, in the contract's order, from its counts in :data:`COUNTS` order."""
    named: dict[str, Any] = dict(zip(COUNTS, counts, strict=True))
    for rate, (numerator, denominator) in RATES.items():
        named[rate] = half_up_rate(named[numerator], named[denominator])
    return {name: named[name] for name in METRICS}


def _filter(unit: str | None) -> tuple[str, list[Any]]:
    where = f"status <> '{CANCELLED}'"
    params: list[Any] = []
    if unit:
        where += " AND unit_code = ?"
        params.append(unit)
    return where, params


class _Unchecked(Exception):
    """A Parquet file scanned in place holds rows the reader would refuse or rewrite."""


def _aggregate(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    columns: list[str],
    unit: str | None,
    bad: str | None = None,
) -> list[tuple[tuple[Any, ...], tuple[int, ...]]]:
    """(key, counts in :data:`COUNTS` order) of every group, ordered by key (missing values last)."""
    where, params = _filter(unit)
    keys = ", ".join(f'"{c}"' for c in columns)
    sql = _aggregate_sql(start, end, keys, where, bad)
    if keys:
        sql += " ORDER BY " + ", ".join(f'"{c}" NULLS LAST' for c in columns)
    rows = con.execute(sql, params).fetchall()
    width = len(columns)
    if bad:
        # text keys the reader would trim (or read as missing) would name other groups
        texts = [i for i, c in enumerate(columns) if c in scan.TRIMMED]
        values = {row[i] for row in rows for i in texts}
        if any(row[-1] for row in rows) or any(scan.untrimmed(v) for v in values):
            raise _Unchecked
    return [(row[:width], row[width: width + len(COUNTS)]) for row in rows]


def _sort_key(key: dict[str, Any]) -> tuple:
    return tuple((value is None, str(value) if value is not None else "") for value in key.values())


def dossier_stats(
    source: pa.Table | str | Path,
    start: dt.date,
    end: dt.date,
    by: Iterable[str] = (),
    unit: str | None = None,
    calendar: WorkCalendar | None = None,
) -> dict[str, Any]:
    """The ``dossiers stats --json`` document for the window [start, end] (dates inclusive).

    `source` is a dossier table from :func:`cchc.onestop.reader.read_dossiers`, a file path, or
    the Parquet glob of :meth:`cchc.onestop.store.DossierStore.source` (scanned in place).
    Groups with only zero counts are left out; without `by` there is one group with an empty key.
    """
    _check_window(start, end)
    names = parse_by(list(by))
    columns = [DIMENSIONS[n] for n in names if n != "month"]
    plain = [n for n in names if n != "month"]
    con = duckdb.connect()
    try:
        bad = _register(con, source, calendar, unit)
        windows = month_windows(start, end) if "month" in names else [("", start, end)]
        try:
            by_window = [
                (code, _aggregate(con, first, last, columns, unit, bad)) for code, first, last in windows
            ]
        except _Unchecked:
            from .reader import read_dossiers

            # the reader maps what it can and names the rows it cannot (DossierFileError)
            con.close()
            table = read_dossiers(source)  # type: ignore[arg-type]
            return dossier_stats(table, start, end, by=names, unit=unit, calendar=calendar)
        if "month" in names:
            total = _aggregate(con, start, end, [], unit)[0][1]
        else:
            # every dossier is in exactly one group: the total is the sum (one scan instead of two)
            total = tuple(sum(column) for column in zip(*(c for _k, c in by_window[0][1]), strict=True))
            total = total or (0,) * len(COUNTS)
        groups = []
        for code, aggregated in by_window:
            for key_values, counts in aggregated:
                if not any(counts):
                    continue
                named = dict(zip(plain, key_values, strict=True))
                key = {n: (code if n == "month" else named[n]) for n in names}
                groups.append({"key": key, **_metrics(counts)})
    finally:
        con.close()
    if "month" in names:
        groups.sort(key=lambda g: _sort_key(g["key"]))  # each window's groups come sorted already
    window = {"from": start.isoformat(), "to": end.isoformat()}
    return {"window": window, "total": _metrics(total), "groups": groups}


def late_without_apology_ids(
    source: pa.Table | str | Path,
    start: dt.date,
    end: dt.date,
    unit: str | None = None,
    calendar: WorkCalendar | None = None,
) -> list[str]:
    """Ids of the dossiers completed late in the window with no apology letter (sorted), to follow up."""
    _check_window(start, end)
    s = f"TIMESTAMP '{start.isoformat()} 00:00:00'"
    e = f"TIMESTAMP '{(end + dt.timedelta(days=1)).isoformat()} 00:00:00'"
    con = duckdb.connect()
    try:
        bad = _register(con, source, calendar, unit)
        if bad and con.execute(f"SELECT count(*) FROM dossiers WHERE {bad}").fetchall()[0][0]:  # noqa: S608
            from .reader import read_dossiers

            con.close()
            return late_without_apology_ids(read_dossiers(source), start, end, unit, calendar)  # type: ignore[arg-type]
        where, params = _filter(unit)
        rows = con.execute(
            f"SELECT dossier_id FROM dossiers WHERE {where} AND completed_at >= {s} "  # noqa: S608
            f"AND completed_at < {e} "
            "AND completed_at > deadline AND NOT apology_sent ORDER BY dossier_id",
            params,
        ).fetchall()
    finally:
        con.close()
    return [row[0] for row in rows]
