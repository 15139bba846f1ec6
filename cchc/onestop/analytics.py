"""Dashboard analytics over dossiers: cards, by unit, trend, level × field, late lists (pure: no Django).

Why a module of its own: the dashboard needs filters the ``dossiers stats`` contract does not have
(level, field, several units) and row-level lists (late dossiers without an apology letter, a unit's
dossiers). Everything is DuckDB over the same Arrow table :mod:`cchc.onestop.metrics` uses, so the
figures on the page are the figures of ``cchc dossiers stats``: aggregates call
:func:`~cchc.onestop.metrics.dossier_stats` on the filtered table; lists run one SQL query each.
"""

from __future__ import annotations

import datetime as dt
import glob as globlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .metrics import dossier_stats, with_deadlines
from .schema import CANCELLED, COLUMNS, SCHEMA

LIST_COLUMNS = (
    "dossier_id",
    "procedure_code",
    "procedure_name",
    "field",
    "unit_code",
    "level",
    "channel",
    "received_at",
    "deadline",
    "completed_at",
    "status",
    "apology_sent",
)


@dataclass(frozen=True)
class Filters:
    """What the dashboard shows: a window [start, end] (dates inclusive) and optional level/field/units."""

    start: dt.date
    end: dt.date
    level: str | None = None
    field: str | None = None
    units: tuple[str, ...] | None = None  # None: every unit; () : none at all


def _from_parquet_glob(pattern: str) -> pa.Table:
    con = duckdb.connect()
    try:
        table = con.read_parquet(pattern, union_by_name=True, hive_partitioning=False).to_arrow_table()
    finally:
        con.close()
    return table


def _conform(table: pa.Table) -> pa.Table:
    """Every canonical column present with its canonical type (a store may hold extra columns)."""
    columns = []
    for field in SCHEMA:
        if field.name in table.column_names:
            column = table[field.name]
            if column.type != field.type:
                column = column.cast(field.type)
        else:
            column = pa.nulls(table.num_rows, field.type)
        columns.append(column)
    extra = [name for name in ("due_day", "deadline") if name in table.column_names]
    return pa.table(columns + [table[name] for name in extra], names=[*COLUMNS, *extra])


def load_table(source: Any) -> pa.Table:
    """A dossier table with due times from any source the dashboard meets.

    `source` is an Arrow table, a dossier file (read by :func:`read_dossiers`), a folder or glob of
    Parquet files (the store's partitions), or an object with a ``source()`` method (the store).
    """
    if hasattr(source, "source") and callable(source.source):
        source = source.source()
        if source is None:  # an empty store
            source = SCHEMA.empty_table()
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.is_dir():
            files = sorted(path.rglob("*.parquet"))
            source = _from_parquet_glob(str(path / "**" / "*.parquet")) if files else SCHEMA.empty_table()
        elif globlib.has_magic(str(source)):
            source = (
                _from_parquet_glob(str(source))
                if globlib.glob(str(source), recursive=True)
                else (SCHEMA.empty_table())
            )
        else:
            from .reader import read_dossiers

            source = read_dossiers(path)
    if not isinstance(source, pa.Table):
        raise TypeError(f"not a dossier source: {type(source).__name__}")
    table = _conform(source)
    if "deadline" not in table.column_names:
        table = with_deadlines(table)
    return table


def filter_table(table: pa.Table, filters: Filters) -> pa.Table:
    """Rows of the selected level, field and units (the window is applied by each metric)."""
    mask = None

    def both(a: Any, b: Any) -> Any:
        return b if a is None else pc.and_(a, b)

    if filters.level:
        mask = both(mask, pc.equal(table["level"], filters.level))
    if filters.field:
        mask = both(mask, pc.equal(table["field"], filters.field))
    if filters.units is not None:
        mask = both(mask, pc.is_in(table["unit_code"], value_set=pa.array(list(filters.units), pa.string())))
    if mask is None:
        return table
    return table.filter(pc.fill_null(mask, False))


def choices(table: pa.Table) -> dict[str, list[str]]:
    """Distinct levels, fields and unit codes present, sorted, for the filter lists."""
    result = {}
    for name, column in (("levels", "level"), ("fields", "field"), ("units", "unit_code")):
        values = pc.unique(table[column]).to_pylist()
        result[name] = sorted(v for v in values if v)
    return result


def date_range(table: pa.Table) -> tuple[dt.date, dt.date] | None:
    """First and last receipt day in the data (None when empty), to choose a default window."""
    if table.num_rows == 0:
        return None
    first, last = pc.min_max(table["received_at"]).values()
    if not first.is_valid:
        return None
    return first.as_py().date(), last.as_py().date()


def overview(table: pa.Table, filters: Filters) -> dict[str, Any]:
    """What the dashboard charts: totals, by unit (worst on-time rate first), by month, level × field."""
    data = filter_table(table, filters)
    total = dossier_stats(data, filters.start, filters.end)["total"]
    by_unit = dossier_stats(data, filters.start, filters.end, by=["unit"])["groups"]
    units = [{"unit": g["key"]["unit"], **{k: v for k, v in g.items() if k != "key"}} for g in by_unit]
    # worst first; units that completed nothing (no rate) last
    units.sort(key=lambda g: (g["on_time_rate"] is None, g["on_time_rate"] or 0, str(g["unit"])))
    by_month = dossier_stats(data, filters.start, filters.end, by=["month"])["groups"]
    months = [{"month": g["key"]["month"], **{k: v for k, v in g.items() if k != "key"}} for g in by_month]
    by_level_field = dossier_stats(data, filters.start, filters.end, by=["level", "field"])["groups"]
    cells = [
        {"level": g["key"]["level"], "field": g["key"]["field"], **{k: v for k, v in g.items() if k != "key"}}
        for g in by_level_field
    ]
    return {"total": total, "units": units, "months": months, "level_field": cells}


def _window_sql(start: dt.date, end: dt.date) -> tuple[str, str]:
    s = f"TIMESTAMP '{start.isoformat()} 00:00:00'"
    e = f"TIMESTAMP '{(end + dt.timedelta(days=1)).isoformat()} 00:00:00'"
    return s, e


def _rows(
    table: pa.Table, where: str, params: Sequence[Any], order: str, limit: int | None, offset: int
) -> tuple[int, list[dict[str, Any]]]:
    con = duckdb.connect()
    try:
        con.register("dossiers", table)
        # SQL text from our own column names and ISO dates; user text only as parameters
        count = con.execute(f"SELECT count(*) FROM dossiers WHERE {where}", list(params)).fetchone()[0]  # noqa: S608
        columns = ", ".join(f'"{c}"' for c in LIST_COLUMNS)
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        cursor = con.execute(
            f"SELECT {columns} FROM dossiers WHERE {where} ORDER BY {order}{page}",  # noqa: S608
            list(params),
        )
        rows = [dict(zip(LIST_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    return int(count), rows


def _search(text: str | None) -> tuple[str, list[Any]]:
    if not text or not text.strip():
        return "", []
    like = f"%{text.strip().lower()}%"
    return (
        " AND (lower(dossier_id) LIKE ? OR lower(coalesce(procedure_name, '')) LIKE ? "
        "OR lower(coalesce(procedure_code, '')) LIKE ?)",
        [like, like, like],
    )


def late_without_apology(
    table: pa.Table, filters: Filters, search: str | None = None, limit: int | None = None, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """Dossiers completed late in the window without an apology letter: (how many, one page of rows).

    Same definition as the ``late_without_apology`` count of ``dossiers stats``; `search` matches the
    dossier id or the procedure code or name. Most overdue first (longest past the due time).
    """
    data = filter_table(table, filters)
    s, e = _window_sql(filters.start, filters.end)
    where = (
        f"status <> '{CANCELLED}' AND completed_at >= {s} AND completed_at < {e} "
        "AND completed_at > deadline AND NOT apology_sent"
    )
    extra, params = _search(search)
    return _rows(data, where + extra, params, "completed_at - deadline DESC, dossier_id", limit, offset)


def unit_dossiers(
    table: pa.Table,
    unit: str,
    filters: Filters,
    search: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """A unit's dossiers counting in the window (received or completed in it, or open at its end)."""
    data = filter_table(table, Filters(filters.start, filters.end, filters.level, filters.field, (unit,)))
    s, e = _window_sql(filters.start, filters.end)
    where = f"status <> '{CANCELLED}' AND received_at < {e} AND (completed_at IS NULL OR completed_at >= {s})"
    extra, params = _search(search)
    return _rows(data, where + extra, params, "received_at DESC, dossier_id", limit, offset)


def outcome(row: dict[str, Any], end: dt.date) -> str:
    """early / on_time / late / in_progress / overdue of one listed dossier, as of the end of the window."""
    completed = row.get("completed_at")
    deadline = row.get("deadline")
    limit = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    if completed is None or completed >= limit:
        return "overdue" if deadline is not None and deadline < limit else "in_progress"
    if deadline is None or completed <= deadline:
        if deadline is not None and completed.date() < deadline.date():
            return "early"
        return "on_time"
    return "late"


def safe_cell(value: Any) -> Any:
    """A spreadsheet cell that cannot run as a formula: text starting with = + - @ (or tab/CR) is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_xlsx(
    path_or_buffer: Any, headers: Iterable[str], rows: Iterable[Sequence[Any]], title: str
) -> None:
    """Write one sheet (bold header, frozen first row) with every text cell formula-safe."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([safe_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        cells = []
        for value in row:
            value = safe_cell(value)
            cells.append(value)
        sheet.append(cells)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif isinstance(cell.value, dt.datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
    for column in sheet.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    book.save(path_or_buffer)
