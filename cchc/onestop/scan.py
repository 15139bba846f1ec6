"""A canonical Parquet dossier file scanned in place, checked without re-reading it row by row.

Why: ``dossiers stats --input`` on a province's decade of dossiers (tens of millions of rows) must
stay close to one hand-written DuckDB query, yet refuse what the reader refuses (duplicate or blank
ids, unknown codes, completion before receipt...) instead of returning wrong figures. Each check is
placed where it costs least:

- in the *footer* (Parquet statistics): missing receipt dates, rating and processing-day bounds,
  whether any due day must be computed; a query only when the statistics are missing;
- per *distinct value* (level, channel and status codes; the unit code when the caller filters on
  it): one small aggregate whose hash tables hold a few values, not one entry per row. Unit, field
  and procedure codes the reader would trim only matter where they name a group or match a filter:
  group keys are checked on the result by the caller (:func:`untrimmed`);
- per *row* (dates out of order, status against completion date): a column of the statistics query
  itself, counted in the same scan (see :func:`cchc.onestop.metrics.dossier_stats`);
- *duplicate ids*: by comparing neighbours when the file is in id order (the row-group statistics
  say whether it can be), which reads the ids once with no hash table; otherwise by one hash
  aggregate over the ids.

Anything flagged sends the file to :func:`cchc.onestop.reader.read_dossiers`, which maps what it can
and names the bad rows by line: a flag is never an error by itself, so a check may over-report but
never under-report. Pure: no Django.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schema import CODES, COLUMNS, COMPLETED_STATUSES, IN_PROGRESS, REQUIRED

if TYPE_CHECKING:  # the calendar (and the holidays package) is imported only when due days are computed
    from .calendar import WorkCalendar

BAD = "__bad"  # the view column flagging rows the reader would refuse
TRIMMED = ("unit_code", "field", "procedure_code")  # the reader trims these and reads "" as missing
_SQL_TYPES = {"text": "VARCHAR", "code": "VARCHAR", "timestamp": "TIMESTAMP", "integer": "BIGINT",
              "number": "DOUBLE", "boolean": "BOOLEAN"}
_ARROW_KINDS = {
    "text": (pa.types.is_string, pa.types.is_large_string),
    "code": (pa.types.is_string, pa.types.is_large_string),
    # nanoseconds: the reader keeps microseconds, so such files go through it
    "timestamp": (lambda t: pa.types.is_timestamp(t) and t.tz is None and t.unit != "ns",),
    "integer": (pa.types.is_integer,),
    "number": (pa.types.is_integer, pa.types.is_floating),
    "boolean": (pa.types.is_boolean,),
}
END_OF_DAY = "+ INTERVAL 1 DAY - INTERVAL 1 MICROSECOND"
ID_CHECK_MEMORY = "1GB"  # DuckDB's memory limit while it checks the ids of an unordered file
MAX_INTEGER = 10**15 - 1  # the reader reads larger integers as not integers (beyond exact doubles)


def quote(text: str | Path) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def is_canonical_parquet(path: Path) -> bool:
    """A Parquet file already in the canonical schema (names and types): it can be checked in SQL."""
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
        if not any(check(value_type) for check in _ARROW_KINDS[kind]):
            return False
    return True


def untrimmed(value: object) -> bool:
    """A text the reader may rewrite: blank (read as missing) or with surrounding spaces.

    The reader's ``trim`` removes the Unicode space separators (U+0020, U+00A0, U+3000...); every
    one of them is ``isspace`` in Python, which also flags tabs and line breaks the reader keeps:
    flagging more only sends the file to the reader.
    """
    return isinstance(value, str) and (value == "" or value[0].isspace() or value[-1].isspace())


class _Footer:
    """Null counts and bounds of each column over the whole file, from the Parquet footer (no scan)."""

    def __init__(self, path: Path) -> None:
        meta = pq.ParquetFile(path).metadata
        self.rows = meta.num_rows
        self.nulls: dict[str, int | None] = {}
        self.bounds: dict[str, tuple[Any, Any] | None] = {}
        names = meta.schema.to_arrow_schema().names
        for index, name in enumerate(names):
            nulls: int | None = 0
            low = high = None
            known = True
            for group in range(meta.num_row_groups):
                if meta.row_group(group).num_rows == 0:
                    continue
                stats = meta.row_group(group).column(index).statistics
                if stats is None or not stats.has_null_count:
                    nulls = None
                elif nulls is not None:
                    nulls += stats.null_count
                if stats is None or not stats.has_min_max:
                    # a chunk of nulls only has no bounds; anything else leaves the bounds unknown
                    known = known and stats is not None and stats.has_null_count and (
                        stats.null_count == meta.row_group(group).num_rows)
                    continue
                low = stats.min if low is None else min(low, stats.min)
                high = stats.max if high is None else max(high, stats.max)
            self.nulls[name] = nulls
            self.bounds[name] = (low, high) if known else None

    def never_null(self, name: str) -> bool:
        return self.nulls.get(name) == 0

    def always_null(self, name: str) -> bool:
        return self.nulls.get(name) == self.rows

    def within(self, name: str, low: Any, high: Any | None = None) -> bool:
        """Are the column's values (nulls aside) known to lie in [low, high]?"""
        bounds = self.bounds.get(name)
        if bounds is None:
            return False
        if bounds[0] is None:
            return True  # no value at all
        return bounds[0] >= low and (high is None or bounds[1] <= high)


def _profile(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    file: str,
    schema: pa.Schema,
    texts: Iterable[str],
) -> int | None:
    """Check the per-value rules the footer does not settle, in one small aggregate.

    Codes (and the `texts` columns) are checked by distinct value (a few hash entries), which costs
    far less than matching every row's string against the list. Returns None when some value needs
    the reader, else the number of rows whose due day must be computed from the working-day calendar.
    """
    footer = _Footer(path)
    present = set(schema.names)
    fee_floating = "fee_amount" in present and pa.types.is_floating(schema.field("fee_amount").type)
    items: list[str] = []
    if not footer.never_null("received_at"):
        items.append("count(*) - count(received_at)")
    listed = [name for name in (*CODES, *texts) if name in present]
    items += [f'list(DISTINCT "{name}")' for name in listed]
    if "rating" in present and not footer.within("rating", 1, 5):
        items.append("count(*) FILTER (WHERE rating NOT BETWEEN 1 AND 5)")
    if "processing_days" in present and not footer.within("processing_days", 0, MAX_INTEGER):
        items.append(f"count(*) FILTER (WHERE processing_days NOT BETWEEN 0 AND {MAX_INTEGER})")
    if fee_floating:
        # NaN is left out of Parquet statistics: only a scan sees it
        items.append("count(*) FILTER (WHERE NOT isfinite(fee_amount))")
    need = None
    days = "processing_days"
    if days not in present or footer.always_null(days) or footer.never_null("due_at"):
        need = 0
    else:
        due = "due_at IS NULL AND " if "due_at" in present else ""
        items.append(f"count(*) FILTER (WHERE {due}processing_days IS NOT NULL)")
    if not items:
        return need
    # canonical column names and our own expressions only; the path is quoted
    row = list(con.execute(f"SELECT {', '.join(items)} FROM {file}").fetchall()[0])  # noqa: S608
    if need is None:
        need = int(row.pop())
    if not footer.never_null("received_at") and row.pop(0):
        return None  # a missing receipt date
    for name in listed:
        allowed = CODES.get(name)
        for value in row.pop(0) or ():
            if value is None:
                continue
            if (allowed is not None and value not in allowed) or (allowed is None and untrimmed(value)):
                return None
    if any(row):
        return None  # a rating out of 1–5, a number of days out of range, a fee not a number
    return need


def row_checks(present: set[str]) -> str:
    """SQL flagging the rows whose dates or status need the reader (counted by the statistics query)."""

    def col(name: str) -> str:
        return f'f."{name}"' if name in present else f"CAST(NULL AS {_SQL_TYPES[COLUMNS[name]]})"

    completed = col("completed_at")
    # due before the receipt day: compared as dates (cheaper than truncating the timestamp)
    bad = [f"{completed} < f.received_at", f"CAST({col('due_at')} AS DATE) < CAST(f.received_at AS DATE)"]
    if "status" in present:
        done = ", ".join(quote(c) for c in COMPLETED_STATUSES)
        # a completed status needs a completion date, "in progress" must not have one
        bad.append(
            f"CASE WHEN {completed} IS NULL THEN f.status IN ({done}) ELSE f.status = '{IN_PROGRESS}' END"
        )
    return "COALESCE(" + " OR ".join(f"({b})" for b in bad) + ", FALSE)"


def _ordered_by_statistics(path: Path) -> bool:
    """Do the row groups' id ranges follow each other without overlap (so duplicates stay inside one)?"""
    meta = pq.ParquetFile(path).metadata
    column = meta.schema.to_arrow_schema().get_field_index("dossier_id")
    previous: bytes | None = None
    for index in range(meta.num_row_groups):
        group = meta.row_group(index)
        if group.num_rows == 0:
            continue
        stats = group.column(column).statistics
        if stats is None or not stats.has_min_max:
            return False
        low, high = (v.encode() if isinstance(v, str) else bytes(v) for v in (stats.min, stats.max))
        if previous is not None and low <= previous:
            return False
        previous = high
    return True


def _string_ids(table: pa.Table) -> pa.Array:
    ids = table.column(0).combine_chunks()
    if pa.types.is_dictionary(ids.type):
        ids = ids.dictionary_decode()
    return ids


def _ordered_ids(path: Path) -> bool | None:
    """Check the ids of a file in id order by comparing neighbours (no hash table of every id).

    True when every id is ASCII, present, trimmed, not blank and strictly greater than the one before
    it (hence unique); False when one may be missing, blank or untrimmed (the reader decides); None
    when the order breaks or an id is not ASCII (the caller checks them with a hash aggregate).
    """
    groups = list(range(pq.ParquetFile(path).metadata.num_row_groups))
    stop = threading.Event()

    def check(part: list[int]) -> tuple[bool | None, list[tuple[str, str]]]:
        reader = pq.ParquetFile(path)
        bounds: list[tuple[str, str]] = []
        for index in part:
            if stop.is_set():
                return None, bounds
            ids = _string_ids(reader.read_row_group(index, columns=["dossier_id"]))
            if len(ids) == 0:
                continue
            if ids.null_count or pc.any(pc.ends_with(ids, " ")).as_py():
                stop.set()
                return False, bounds
            # the space tests below see ASCII spaces only: other ids go to the hash check (exact)
            if not pc.all(pc.string_is_ascii(ids)).as_py() or (
                len(ids) > 1 and not pc.all(pc.less(ids[:-1], ids[1:])).as_py()
            ):
                stop.set()
                return None, bounds
            # in increasing order the first id is the smallest: if it is not blank and starts above
            # a space, no id is blank or starts with a space (or a control character)
            if ids[0].as_py()[:1] <= " ":
                stop.set()
                return False, bounds
            bounds.append((ids[0].as_py(), ids[-1].as_py()))
        return True, bounds

    halves = [groups[: len(groups) // 2], groups[len(groups) // 2:]]
    with ThreadPoolExecutor(max_workers=2) as pool:  # pyarrow reads and compares without the GIL
        results = list(pool.map(check, halves))
    verdicts = [verdict for verdict, _bounds in results]
    if False in verdicts:
        return False  # whichever half saw it first: a bad id needs the reader
    if None in verdicts:
        return None
    bounds = [b for _verdict, part in results for b in part]
    # ids compare as code points, the same order as their UTF-8 bytes
    if any(earlier[1] >= later[0] for earlier, later in zip(bounds, bounds[1:], strict=False)):
        return None
    return True


def ids_ok(con: duckdb.DuckDBPyConnection, path: Path, file: str) -> bool:
    """Is every dossier id present, trimmed, not blank and unique?

    False also for an id starting or ending with a non-ASCII character (where a Unicode space would
    be): such a file goes to the reader, which trims exactly.
    """
    if _ordered_by_statistics(path):
        verdict = _ordered_ids(path)
        if verdict is not None:
            return verdict
    # blank or untrimmed: ASCII spaces exactly, and any id starting or ending with a non-ASCII
    # character (where Unicode spaces would be) goes to the reader; trim() itself costs 1,5 s here
    edges = (
        "dossier_id IS NULL OR dossier_id = '' OR dossier_id LIKE ' %' OR dossier_id LIKE '% ' "
        "OR dossier_id >= chr(128) OR right(dossier_id, 1) >= chr(128)"
    )
    with tempfile.TemporaryDirectory(prefix="cchc-ids-") as spill:
        # a hash table of every id, bounded: DuckDB then spills some partitions to `spill`, which on
        # 20 M shuffled ids is faster (2,3 s against 3,2 s) and peaks at 1 GB instead of 1,5 GB
        con.execute(f"SET temp_directory = {quote(spill)}")
        con.execute(f"SET memory_limit = '{ID_CHECK_MEMORY}'")
        try:
            flagged = con.execute(
                f"SELECT count(*) FROM (SELECT dossier_id FROM {file} GROUP BY dossier_id "  # noqa: S608
                f"HAVING count(*) > 1 OR {edges})"
            ).fetchall()[0][0]
        finally:
            con.execute("RESET memory_limit")
    return flagged == 0


def register(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    calendar: WorkCalendar | None,
    texts: Iterable[str] = (),
) -> str | None:
    """Make the checked file the ``dossiers`` view of `con`, with due times; None if the reader must read it.

    `texts` are the text columns (of :data:`TRIMMED`) the caller filters on: checked here. Text
    columns it groups by it checks itself on its result (:func:`untrimmed`). Returns the name of the
    view column flagging rows whose dates or status the reader would refuse: the caller counts it in
    its own aggregate and hands the file to the reader if any row is flagged.
    Due times come from ``due_at`` or, for the distinct pairs (received day, processing days)
    without it, from the working-day calendar, joined in.
    """
    schema = pq.read_schema(path)
    present = set(schema.names)
    file = f"read_parquet({quote(path)})"
    computed = _profile(con, path, file, schema, texts)
    if computed is None or not ids_ok(con, path, file):
        return None

    def col(name: str) -> str:
        return f'f."{name}"' if name in present else f"CAST(NULL AS {_SQL_TYPES[COLUMNS[name]]})"

    due, completed = col("due_at"), col("completed_at")
    checks = row_checks(present)
    status = (
        f"COALESCE({col('status')}, CASE WHEN {completed} IS NULL THEN 'dang_xu_ly' ELSE 'da_giai_quyet' END)"
    )
    deadline = f"CASE WHEN {due} = date_trunc('day', {due}) THEN {due} {END_OF_DAY} ELSE {due} END"
    due_day = f"CAST({due} AS DATE)"
    join = ""
    if computed:
        join = _computed_due(con, file, col("processing_days"), due, calendar)
        due_day = f"COALESCE({due_day}, c.computed)"
        deadline = f"COALESCE({deadline}, CAST(c.computed AS TIMESTAMP) {END_OF_DAY})"

    def output(name: str) -> str:
        if name == "status":
            return f"{status} AS status"
        if COLUMNS[name] == "boolean":
            return f'COALESCE({col(name)}, FALSE) AS "{name}"'
        return f'{col(name)} AS "{name}"'

    select = ", ".join([
        *(output(n) for n in COLUMNS),
        f"{due_day} AS due_day", f"{deadline} AS deadline", f"{checks} AS {BAD}",
    ])
    con.execute(f"CREATE VIEW dossiers AS SELECT {select} FROM {file} f{join}")  # noqa: S608
    return BAD


def _computed_due(
    con: duckdb.DuckDBPyConnection, file: str, days: str, due: str, calendar: WorkCalendar | None
) -> str:
    """Register the due day of every distinct (received day, processing days) pair; the join clause."""
    need = f"{due} IS NULL AND {days} IS NOT NULL"
    pairs = con.sql(
        f"SELECT DISTINCT CAST(received_at AS DATE) AS day, {days} AS n FROM {file} f WHERE {need}"  # noqa: S608
    ).to_arrow_table()
    start = pairs["day"].to_numpy().astype("datetime64[D]")
    steps = pairs["n"].to_numpy().astype(np.int64)
    if calendar is None:
        first, last = start.min().astype(object).year, start.max().astype(object).year
        from .calendar import WorkCalendar

        calendar = WorkCalendar.from_files(range(first, last + 2 + int(steps.max()) // 200))
    computed = calendar.add_working_days_array(start, steps)
    con.register("computed_due", pa.table({
        "day": pairs["day"], "n": pairs["n"], "computed": pa.array(computed, pa.date32()),
    }))
    return (
        f" LEFT JOIN computed_due c ON c.day = CAST(f.received_at AS DATE) AND c.n = {days} AND {due} IS NULL"
    )
