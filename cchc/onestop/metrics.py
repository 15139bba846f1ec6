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
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .calendar import WorkCalendar
from .schema import CANCELLED, ONLINE_CHANNELS, POSTAL_CHANNEL

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


def _quote(text: str | Path) -> str:
    return "'" + str(text).replace("'", "''") + "'"


_FAST_TYPES = {
    "text": (pa.types.is_string, pa.types.is_large_string),
    "code": (pa.types.is_string, pa.types.is_large_string),
    "timestamp": (lambda t: pa.types.is_timestamp(t) and t.tz is None,),
    "integer": (pa.types.is_integer,),
    "number": (pa.types.is_integer, pa.types.is_floating),
    "boolean": (pa.types.is_boolean,),
}


def _canonical_parquet(path: Path) -> bool:
    """A Parquet file already in the canonical schema (names and types): it can be checked in SQL."""
    import pyarrow.parquet as pq

    from .schema import COLUMNS, REQUIRED

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError):
        return False
    names = set(schema.names)
    if not set(REQUIRED) <= names or len(names) != len(schema.names):
        return False
    for field in schema:
        kind = COLUMNS.get(field.name)
        if kind is None:
            return False  # a column the reader would map or ignore: let it decide
        value_type = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if not any(check(value_type) for check in _FAST_TYPES[kind]):
            return False
    return True


def _fast_parquet_view(
    con: duckdb.DuckDBPyConnection, path: Path, calendar: WorkCalendar | None
) -> str | None:
    """Scan a canonical Parquet file in place (no Arrow copy), checked by one SQL pass.

    Why: reading tens of millions of rows into Python to re-parse values that are already typed
    costs far more than the statistics. Returns None when the file has duplicate ids, else the name
    of the view column flagging rows :func:`cchc.onestop.reader.read_dossiers` would not keep
    unchanged (non-canonical codes, blank ids, inconsistent dates...): the caller counts them in its
    own query and, if there are any, lets the reader take over (and report the bad rows by line).
    Due times come from ``due_at`` or, for the distinct pairs (received day, processing days)
    without it, from the working-day calendar, joined in.
    """
    import pyarrow.parquet as pq

    from .schema import CODES, COLUMNS, COMPLETED_STATUSES, IN_PROGRESS

    present = set(pq.read_schema(path).names)
    file = f"read_parquet({_quote(path)})"

    def col(name: str, sql_type: str) -> str:
        return f'f."{name}"' if name in present else f"CAST(NULL AS {sql_type})"

    cols = {name: col(name, t) for name, t in (
        ("due_at", "TIMESTAMP"), ("completed_at", "TIMESTAMP"), ("processing_days", "BIGINT"),
        ("rating", "BIGINT"), ("status", "VARCHAR"),
    )}
    def untrimmed(name: str) -> str:  # the reader trims values and reads a blank cell as missing
        return f"f.\"{name}\" = '' OR f.\"{name}\" LIKE ' %' OR f.\"{name}\" LIKE '% '"

    bad = [
        f"f.dossier_id IS NULL OR {untrimmed('dossier_id')}",
        "f.received_at IS NULL",
        f"{cols['completed_at']} < f.received_at",
        f"{cols['due_at']} < date_trunc('day', f.received_at)",
        f"{cols['processing_days']} < 0",
        f"{cols['rating']} NOT BETWEEN 1 AND 5",
    ]
    for name, codes in CODES.items():
        if name in present:
            listed = ", ".join(_quote(c) for c in codes)
            bad.append(f'f."{name}" IS NOT NULL AND f."{name}" NOT IN ({listed})')
    for name in ("unit_code", "field", "procedure_code"):
        if name in present:
            bad.append(untrimmed(name))
    if "status" in present:
        done = ", ".join(_quote(c) for c in COMPLETED_STATUSES)
        bad.append(f"f.status IN ({done}) AND {cols['completed_at']} IS NULL")
        bad.append(f"f.status = '{IN_PROGRESS}' AND {cols['completed_at']} IS NOT NULL")
    need = f"{cols['due_at']} IS NULL AND {cols['processing_days']} IS NOT NULL"
    checks = "COALESCE(" + " OR ".join(f"({b})" for b in bad) + ", FALSE)"
    # built from canonical names and our own code lists; the path is quoted. The row checks are
    # counted by the statistics query itself (one scan); duplicates need a pass of their own.
    row = con.execute(
        f"SELECT count(*) - count(DISTINCT dossier_id), count(*) FILTER (WHERE {need}) "  # noqa: S608
        f"FROM {file} f"
    ).fetchall()[0]
    if row[0]:
        return None
    row = (0, *row[1:])
    status = (
        f"COALESCE({cols['status']}, CASE WHEN {cols['completed_at']} IS NULL "
        "THEN 'dang_xu_ly' ELSE 'da_giai_quyet' END)"
    )
    due = cols["due_at"]
    end_of_day = "+ INTERVAL 1 DAY - INTERVAL 1 MICROSECOND"
    deadline = f"CASE WHEN {due} = date_trunc('day', {due}) THEN {due} {end_of_day} ELSE {due} END"
    due_day = f"CAST({due} AS DATE)"
    join = ""
    if row[1]:
        pairs = con.sql(
            f"SELECT DISTINCT CAST(received_at AS DATE) AS day, {cols['processing_days']} AS n "  # noqa: S608
            f"FROM {file} f WHERE {need}"
        ).to_arrow_table()
        days = pairs["day"].to_numpy().astype("datetime64[D]")
        steps = pairs["n"].to_numpy().astype(np.int64)
        if calendar is None:
            first, last = days.min().astype(object).year, days.max().astype(object).year
            calendar = WorkCalendar.from_files(range(first, last + 2 + int(steps.max()) // 200))
        computed = calendar.add_working_days_array(days, steps)
        con.register("computed_due", pa.table({
            "day": pairs["day"], "n": pairs["n"], "computed": pa.array(computed, pa.date32()),
        }))
        join = (
            " LEFT JOIN computed_due c ON c.day = CAST(f.received_at AS DATE) "
            f'AND c.n = f."processing_days" AND {due} IS NULL'
        )
        due_day = f"COALESCE({due_day}, c.computed)"
        deadline = f"COALESCE({deadline}, CAST(c.computed AS TIMESTAMP) {end_of_day})"
    sql_types = {"text": "VARCHAR", "code": "VARCHAR", "timestamp": "TIMESTAMP", "integer": "BIGINT",
                 "number": "DOUBLE", "boolean": "BOOLEAN"}

    def output(name: str) -> str:
        if name == "status":
            return f"{status} AS status"
        if COLUMNS[name] == "boolean":
            return f'COALESCE(f."{name}", FALSE) AS "{name}"' if name in present else f'FALSE AS "{name}"'
        if name in present:
            return f'f."{name}"'
        return f'CAST(NULL AS {sql_types[COLUMNS[name]]}) AS "{name}"'

    select = ", ".join([
        *(output(n) for n in COLUMNS),
        f"{due_day} AS due_day",
        f"{deadline} AS deadline",
        f"{checks} AS __bad",
    ])
    con.execute(f"CREATE VIEW dossiers AS SELECT {select} FROM {file} f{join}")  # noqa: S608
    return "__bad"


def _register(
    con: duckdb.DuckDBPyConnection, source: pa.Table | str | Path, calendar: WorkCalendar | None
) -> str | None:
    """Make `source` the ``dossiers`` view of `con`: Parquet is scanned in place, not loaded.

    Returns the column flagging rows to refuse when the source is a Parquet file scanned unchecked
    (see _fast_parquet_view), else None (the source is already checked).
    """
    if (
        isinstance(source, (str, Path))
        and Path(source).suffix.lower() in (".parquet", ".pq")
        and Path(source).is_file()
        and _canonical_parquet(Path(source))
    ):
        bad = _fast_parquet_view(con, Path(source), calendar)
        if bad is not None:
            return bad
        con.execute("DROP VIEW IF EXISTS dossiers")
    if is_dataset(source):
        pattern = str(source)
        if "*" not in pattern:
            pattern = str(Path(pattern) / "**" / "*.parquet")
        con.execute(f"CREATE VIEW dossiers AS SELECT * FROM read_parquet({_quote(pattern)})")  # noqa: S608
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


def _sql_counts(start: dt.date, end: dt.date) -> str:
    s = f"TIMESTAMP '{start.isoformat()} 00:00:00'"
    e = f"TIMESTAMP '{(end + dt.timedelta(days=1)).isoformat()} 00:00:00'"
    received = f"received_at >= {s} AND received_at < {e}"
    completed = f"completed_at >= {s} AND completed_at < {e}"
    late = f"({completed}) AND completed_at > deadline"
    in_progress = f"received_at < {e} AND (completed_at IS NULL OR completed_at >= {e})"
    online = ", ".join(f"'{c}'" for c in ONLINE_CHANNELS)
    conditions = {
        "received": received,
        "carried_over": f"received_at < {s} AND (completed_at IS NULL OR completed_at >= {s})",
        "completed": completed,
        "early": f"({completed}) AND due_day IS NOT NULL AND CAST(completed_at AS DATE) < due_day",
        "on_time": f"({completed}) AND (deadline IS NULL OR completed_at <= deadline)",
        "late": late,
        "in_progress": in_progress,
        "overdue_in_progress": f"({in_progress}) AND deadline < {e}",
        "online": f"({received}) AND channel IN ({online})",
        "postal": f"({received}) AND channel = '{POSTAL_CHANNEL}'",
        "paid_online": f"({received}) AND paid_online",
        "late_without_apology": f"({late}) AND NOT apology_sent",
    }
    return ", ".join(f'count(*) FILTER (WHERE {cond}) AS "{name}"' for name, cond in conditions.items())


def _metrics(counts: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in METRICS:
        if name in RATES:
            numerator, denominator = RATES[name]
            result[name] = half_up_rate(counts[numerator], counts[denominator])
        else:
            result[name] = int(counts[name])
    return result


def _filter(unit: str | None, bad: str | None = None) -> tuple[str, list[Any]]:
    where = f"status <> '{CANCELLED}'"
    params: list[Any] = []
    if unit:
        where += " AND unit_code = ?"
        params.append(unit)
    if bad:
        # rows to refuse are kept whatever their status or unit, to be counted (then all is redone)
        where = f"({where}) OR {bad}"
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
) -> list[tuple[tuple[Any, ...], dict[str, int]]]:
    where, params = _filter(unit, bad)
    keys = ", ".join(f'"{c}"' for c in columns)
    select = f"{keys}, " if keys else ""
    group = f" GROUP BY {keys}" if keys else ""
    flagged = f", count(*) FILTER (WHERE {bad})" if bad else ""
    # SQL text from our own column names and ISO dates only; the unit code is a parameter
    query = f"SELECT {select}{_sql_counts(start, end)}{flagged} FROM dossiers WHERE {where}{group}"  # noqa: S608
    rows = con.execute(query, params).fetchall()
    result = []
    for row in rows:
        if bad and row[-1]:
            raise _Unchecked
        key, values = row[: len(columns)], row[len(columns): len(columns) + len(COUNTS)]
        result.append((tuple(key), dict(zip(COUNTS, values, strict=True))))
    return result


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
        bad = _register(con, source, calendar)
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
        elif not columns:
            total = by_window[0][1][0][1]
        else:
            # every dossier is in exactly one group: the total is the sum (one scan instead of two)
            total = {n: sum(counts[n] for _k, counts in by_window[0][1]) for n in COUNTS}
        groups = []
        for code, aggregated in by_window:
            for key_values, counts in aggregated:
                if not any(counts.values()):
                    continue
                named = dict(zip(plain, key_values, strict=True))
                key = {n: (code if n == "month" else named[n]) for n in names}
                groups.append({"key": key, **_metrics(counts)})
    finally:
        con.close()
    groups.sort(key=lambda g: _sort_key(g["key"]))
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
        bad = _register(con, source, calendar)
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
