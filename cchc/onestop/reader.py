"""Read one-stop dossier exports (CSV, XLSX, JSON lines, Parquet) into a typed Arrow table (pure: no Django).

Why this shape: exports run to millions of rows, so CSV and Parquet are read by pyarrow and every
value is parsed and checked in one DuckDB query over the Arrow table (no Python loop per row); only
the bad rows, few by nature, become Python objects for the error report. XLSX and JSON lines are
walked row by row because their libraries do so anyway; both end in the same query.

The result has the columns of :data:`cchc.onestop.schema.SCHEMA` (timestamps naive local time,
Asia/Ho_Chi_Minh). Every problem found is reported at once by :class:`DossierFileError` with the
line of the file (CSV/JSONL: line of the text file, header = line 1; XLSX: row of the sheet;
Parquet: row number counted from 1) and the column as written in the file. Messages are Vietnamese
(this module has no access to Django's translation machinery).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .scan import quote
from .schema import (
    BOOLEAN,
    CODE,
    CODES,
    COLUMNS,
    FALSE_WORDS,
    INTEGER,
    LABELS_VI,
    LOCAL_TZ_NAME,
    NUMBER,
    REQUIRED,
    SCHEMA,
    TEXT,
    TIMESTAMP,
    TRUE_WORDS,
    VALUE_ALIASES,
    canonical_column,
    normalize_name,
)

FORMATS = ("csv", "xlsx", "jsonl", "parquet")
_SUFFIXES = {
    ".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet",
}
MAX_REPORTED = 200  # bad rows kept with their details; the total is always counted
LINE = "__line"


@dataclass(frozen=True)
class RowError:
    """One bad value: where it is (line, column as written in the file) and what is wrong."""

    line: int | None
    column: str
    problem: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"dòng {self.line}")
        if self.column:
            where.append(f"cột “{self.column}”")
        prefix = ", ".join(where)
        return f"{prefix}: {self.problem}" if prefix else self.problem


class DossierFileError(ValueError):
    """A dossier file that cannot be used; lists each bad row with its line and column (Vietnamese)."""

    def __init__(self, path: str | Path, errors: list[RowError], total: int | None = None) -> None:
        self.path = str(path)
        self.errors = errors
        self.total = total if total is not None else len(errors)
        super().__init__(self.summary())

    def summary(self, shown: int = 5) -> str:
        """One line: the file, how many problems, the first few with line and column."""
        if self.total == 1 and self.errors:
            return f"Tệp {self.path}, {self.errors[0]}"
        head = "; ".join(str(e).rstrip(".") for e in self.errors[:shown])
        more = self.total - min(shown, len(self.errors))
        tail = f"; và {more} lỗi khác" if more > 0 else ""
        return f"Tệp {self.path} có {self.total} lỗi — {head}{tail}."


def detect_format(path: str | Path) -> str:
    """The file format from its extension (csv, xlsx, jsonl, parquet)."""
    fmt = _SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise DossierFileError(
            path,
            [RowError(None, "", "định dạng tệp không được hỗ trợ (cần .csv, .xlsx, .jsonl hoặc .parquet).")],
        )
    return fmt


def read_dossiers(
    path: str | Path, fmt: str | None = None, *, mapping: ExportMapping | str | Path | None = None
) -> pa.Table:
    """Read, map headers, parse and check a dossier file; the typed table or DossierFileError.

    `mapping` (an :class:`ExportMapping` or the path of its YAML file) names the headers and coded
    values of a given one-stop system's export when the built-in Vietnamese aliases do not.
    """
    return normalize_table(_load_raw(path, fmt), path, mapping=mapping)


def read_dossiers_lenient(
    path: str | Path, fmt: str | None = None, *, mapping: ExportMapping | str | Path | None = None
) -> tuple[pa.Table, pa.Table]:
    """Like :func:`read_dossiers` but keeps the good rows: (typed table, rejected rows).

    The rejected rows are the file's cells as written, with ``line`` and ``reason`` (Vietnamese)
    first, for ``--skip-bad``. File-level problems (unreadable file, missing column) still raise.
    """
    return normalize_table_lenient(_load_raw(path, fmt), path, mapping=mapping)


def _load_raw(path: str | Path, fmt: str | None) -> pa.Table:
    path = Path(path)
    fmt = fmt or detect_format(path)
    if not path.is_file():
        raise DossierFileError(path, [RowError(None, "", "không tìm thấy tệp.")])
    loaders = {"csv": _load_csv, "xlsx": _load_xlsx, "jsonl": _load_jsonl, "parquet": _load_parquet}
    if fmt not in loaders:
        raise DossierFileError(path, [RowError(None, "", f"định dạng “{fmt}” không được hỗ trợ.")])
    return loaders[fmt](path)


# -- mapping file of a one-stop system's export ---------------------------------------------------


@dataclass(frozen=True)
class ExportMapping:
    """Headers and coded values of one one-stop system's export (YAML file, see load_mapping)."""

    columns: dict[str, str]  # canonical column -> header as written in the export
    values: dict[str, dict[str, str]]  # canonical column -> {normalised wording: code}


def load_mapping(path: str | Path) -> ExportMapping:
    """Read a mapping file ``columns: {canonical: "header"}``, ``values: {channel: {"wording": code}}``.

    Every key is checked: unknown canonical columns or codes are refused in Vietnamese, naming the key.
    """
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DossierFileError(path, [RowError(None, "", f"không đọc được tệp ánh xạ ({exc}).")]) from exc
    errors: list[RowError] = []
    if not isinstance(data, dict):
        raise DossierFileError(path, [RowError(None, "", "tệp ánh xạ phải có dạng columns:/values:.")])
    for key in data:
        if key not in ("columns", "values"):
            errors.append(RowError(None, str(key), "khóa không hợp lệ (chỉ có columns và values)."))
    columns: dict[str, str] = {}
    raw_columns = data.get("columns") or {}
    if not isinstance(raw_columns, dict):
        errors.append(RowError(None, "columns", "phải là các cặp cột_chuẩn: \"tiêu đề trong tệp\"."))
        raw_columns = {}
    for canonical, header in raw_columns.items():
        if canonical not in COLUMNS:
            errors.append(RowError(None, f"columns.{canonical}", f"“{canonical}” không phải cột chuẩn "
                                   f"(cần một trong {', '.join(COLUMNS)})."))
        elif not isinstance(header, str) or not header.strip():
            errors.append(RowError(None, f"columns.{canonical}", "thiếu tiêu đề cột trong tệp xuất."))
        else:
            columns[canonical] = header.strip()
    values: dict[str, dict[str, str]] = {}
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, dict):
        errors.append(RowError(None, "values", "phải là các nhóm level/channel/status."))
        raw_values = {}
    for column, words in raw_values.items():
        if column not in CODES:
            problem = "chỉ ánh xạ giá trị cho level, channel, status."
            errors.append(RowError(None, f"values.{column}", problem))
            continue
        if not isinstance(words, dict):
            errors.append(RowError(None, f"values.{column}", "phải là các cặp \"cách ghi\": mã."))
            continue
        table: dict[str, str] = {}
        for wording, code in words.items():
            if code not in CODES[column]:
                errors.append(RowError(None, f"values.{column}.{wording}",
                                       f"mã “{code}” không hợp lệ (cần {', '.join(CODES[column])})."))
            else:
                table[normalize_name(str(wording))] = str(code)
        values[column] = table
    if errors:
        raise DossierFileError(path, errors)
    return ExportMapping(columns, values)


# -- loaders: raw columns as written, plus the line of each row ----------------------------------


def _load_csv(path: Path) -> pa.Table:
    import pyarrow.csv as pacsv

    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    if not first.strip():
        raise DossierFileError(path, [RowError(1, "", "tệp rỗng hoặc thiếu dòng tiêu đề.")])
    delimiter = max((";", ",", "\t"), key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))
    names = _unique_names(header)
    ragged: list[object] = []

    def skip_ragged(row: Any) -> str:
        ragged.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, ignore_empty_lines=False, invalid_row_handler=skip_ragged
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DossierFileError(path, [RowError(None, "", f"không đọc được tệp CSV ({exc}).")]) from exc
    if ragged:
        raise DossierFileError(path, _ragged_rows(path, delimiter, len(names)), len(ragged))
    lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
    return table.append_column(LINE, pa.array(lines))


def _ragged_rows(path: Path, delimiter: str, expected: int) -> list[RowError]:
    """Lines whose number of cells differs from the header's (error path only: a Python scan)."""
    errors: list[RowError] = []
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        for row in reader:
            if row and len(row) != expected:
                problem = f"có {len(row)} ô trong khi dòng tiêu đề có {expected} cột."
                errors.append(RowError(reader.line_num, "", problem))
    return errors[:MAX_REPORTED]


def _unique_names(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for name in header:
        name = name.strip()
        count = seen.get(name, 0)
        seen[name] = count + 1
        names.append(name if count == 0 else f"{name} ({count + 1})")
    return names


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _load_xlsx(path: Path) -> pa.Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise DossierFileError(path, [RowError(None, "", f"không đọc được tệp XLSX ({exc}).")]) from exc
    try:
        sheet = book.worksheets[0]
        header: list[str] | None = None
        columns: list[list[str | None]] = []
        lines: list[int] = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            if header is None:
                header = _unique_names([_cell_text(v) or "" for v in row])
                columns = [[] for _ in header]
                continue
            for index, column in enumerate(columns):
                column.append(_cell_text(row[index]) if index < len(row) else None)
            lines.append(number)
    finally:
        book.close()
    if header is None:
        raise DossierFileError(path, [RowError(1, "", "bảng tính rỗng hoặc thiếu dòng tiêu đề.")])
    arrays = {name: pa.array(values, pa.string()) for name, values in zip(header, columns, strict=True)}
    arrays[LINE] = pa.array(lines, pa.int64())
    return pa.table(arrays)


def _load_jsonl(path: Path) -> pa.Table:
    columns: dict[str, list[str | None]] = {}
    lines: list[int] = []
    errors: list[RowError] = []
    with path.open("r", encoding="utf-8-sig") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError:
                errors.append(RowError(number, "", "không phải một đối tượng JSON hợp lệ."))
                continue
            if not isinstance(record, dict):
                errors.append(RowError(number, "", "mỗi dòng phải là một đối tượng JSON {\"cột\": giá trị}."))
                continue
            count = len(lines)
            for key, value in record.items():
                column = columns.get(key)
                if column is None:
                    column = columns[key] = [None] * count
                column.append(_cell_text(value) if not isinstance(value, (dict, list)) else json.dumps(value))
            lines.append(number)
            for column in columns.values():
                if len(column) < len(lines):
                    column.append(None)
    if errors:
        raise DossierFileError(path, errors[:MAX_REPORTED], len(errors))
    arrays = {name: pa.array(values, pa.string()) for name, values in columns.items()}
    arrays[LINE] = pa.array(lines, pa.int64())
    return pa.table(arrays)


def _load_parquet(path: Path) -> pa.Table:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DossierFileError(path, [RowError(None, "", f"không đọc được tệp Parquet ({exc}).")]) from exc
    lines = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return table.append_column(LINE, pa.array(lines))


# -- mapping and parsing -------------------------------------------------------------------------


def _slug(expr: str) -> str:
    """SQL: the value without diacritics, lower case, words joined by '_' (like schema.normalize_name)."""
    return (
        f"trim(regexp_replace(lower(strip_accents(replace(replace({expr}, 'đ', 'd'), 'Đ', 'D'))), "
        f"'[^a-z0-9]+', '_', 'g'), '_')"
    )


def _typed_column(array: pa.ChunkedArray, kind: str) -> pa.ChunkedArray:
    """Arrow pre-conversion: timestamps to naive local time, everything else to text for the SQL parser."""
    kind_of = array.type
    if kind == TIMESTAMP and pa.types.is_timestamp(kind_of):
        if kind_of.tz is not None:
            array = pc.local_timestamp(pc.cast(array, pa.timestamp(kind_of.unit, LOCAL_TZ_NAME)))
        # sub-microsecond digits are dropped (safe=False): stored times are microseconds
        return pc.cast(array, pa.timestamp("us"), safe=False)
    if kind == TIMESTAMP and pa.types.is_date(kind_of):
        return pc.cast(pc.cast(array, pa.date32()), pa.timestamp("us"))
    if pa.types.is_dictionary(kind_of):
        array = pc.cast(array, kind_of.value_type)
        kind_of = array.type
    if pa.types.is_null(kind_of):
        return pa.chunked_array([pa.nulls(len(array), pa.string())])
    if not (pa.types.is_string(kind_of) or pa.types.is_large_string(kind_of)):
        if kind == TIMESTAMP:
            # a number or a flag cannot be a date: make it fail parsing with its own text
            return pc.cast(array, pa.string())
        array = pc.cast(array, pa.string())
    return array


def _parse_expr(
    column: str, kind: str, typed_timestamp: bool, aliases: dict[str, str] | None = None
) -> str:
    """SQL expression turning the raw value of `column` into its canonical type (NULL when unparseable)."""
    raw = f'"{column}"'
    value = f"NULLIF(trim({raw}), '')"
    if kind == TEXT:
        return value
    if kind == TIMESTAMP:
        if typed_timestamp:
            return f"CAST({raw} AS TIMESTAMP)"
        iso = r"^\d{4}-\d{1,2}-\d{1,2}"
        offset = iso + r"[T ].*(Z|z|[+-]\d{2}(:?\d{2})?)$"
        general = (
            f"CASE WHEN {value} IS NULL THEN NULL "
            f"WHEN regexp_matches({value}, '{offset}') "
            f"THEN timezone('{LOCAL_TZ_NAME}', TRY_CAST({value} AS TIMESTAMPTZ)) "
            f"WHEN regexp_matches({value}, '{iso}') THEN TRY_CAST({value} AS TIMESTAMP) "
            f"ELSE try_strptime({value}, ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y']) END"
        )
        # speed: the usual export forms parsed by one format each before the general rule (which
        # would give the same value: a dd/mm/yyyy text never takes its ISO branches)
        usual = (
            f"CASE WHEN length({raw}) <= 10 THEN try_strptime({raw}, '%d/%m/%Y') "
            f"ELSE try_strptime({raw}, '%d/%m/%Y %H:%M') END"
        )
        return f"COALESCE({usual}, {general})"
    if kind == INTEGER:
        number = f"TRY_CAST({value} AS DOUBLE)"
        integral = f"{number} = floor({number}) AND abs({number}) < 1e15"
        return f"CASE WHEN {integral} THEN CAST({number} AS BIGINT) END"
    if kind == NUMBER:
        return f"CASE WHEN isfinite(TRY_CAST({value} AS DOUBLE)) THEN TRY_CAST({value} AS DOUBLE) END"
    if kind == BOOLEAN:
        slug = _slug(value)
        yes = ", ".join(quote(w) for w in TRUE_WORDS)
        no = ", ".join(quote(w) for w in FALSE_WORDS)
        return (
            f"CASE WHEN {value} IS NULL THEN FALSE WHEN {slug} IN ({yes}) THEN TRUE "
            f"WHEN {slug} IN ({no}) THEN FALSE END"
        )
    if kind == CODE:
        slug = _slug(value)
        table = aliases if aliases is not None else VALUE_ALIASES[column]
        cases = " ".join(f"WHEN {quote(a)} THEN {quote(code)}" for a, code in table.items())
        # speed: a value written exactly as its code skips the slug (same result)
        exact = ", ".join(quote(code) for code in CODES[column] if table.get(code) == code)
        return f"CASE WHEN {raw} IN ({exact}) THEN {raw} ELSE CASE {slug} {cases} END END"
    raise ValueError(kind)


def _describe(column: str) -> str:
    """Vietnamese problem for an unparseable value; ``{value}`` stands for the value as written."""
    if column == "level":
        return "cấp “{value}” không hợp lệ (cần tinh, huyen, xa hoặc nganh_doc)."
    if column == "channel":
        return (
            "hình thức nộp “{value}” không hợp lệ "
            "(cần truc_tiep, truc_tuyen_toan_trinh, truc_tuyen_mot_phan hoặc buu_chinh)."
        )
    if column == "status":
        return "trạng thái “{value}” không hợp lệ (cần dang_xu_ly, da_giai_quyet, tra_lai hoặc huy)."
    kind = COLUMNS[column]
    if kind == TIMESTAMP:
        return (
            "ngày giờ “{value}” không hợp lệ "
            "(cần một ngày có thật, dạng YYYY-MM-DD[ HH:MM] hoặc dd/mm/yyyy[ HH:MM])."
        )
    if column == "rating":
        return "đánh giá “{value}” không hợp lệ (cần số nguyên từ 1 đến 5)."
    if kind == INTEGER:
        return "“{value}” không phải số nguyên."
    if kind == NUMBER:
        return "“{value}” không phải một số."
    if kind == BOOLEAN:
        return "“{value}” không hợp lệ (cần có/không, true/false hoặc 1/0)."
    return "giá trị “{value}” không hợp lệ."


def normalize_table(
    raw: pa.Table, path: str | Path = "", *, mapping: ExportMapping | str | Path | None = None
) -> pa.Table:
    """Map headers to canonical columns, parse every value, check the rows; the typed table.

    `raw` holds the columns as written in the file and a ``__line`` column (the line of each row).
    """
    table, _rejects = _normalize(raw, path, mapping, lenient=False)
    return table


def normalize_table_lenient(
    raw: pa.Table, path: str | Path = "", *, mapping: ExportMapping | str | Path | None = None
) -> tuple[pa.Table, pa.Table]:
    """Like :func:`normalize_table`, but bad rows are set aside: (typed table, rejected rows)."""
    return _normalize(raw, path, mapping, lenient=True)


def _resolve_headers(
    raw: pa.Table, path: str | Path, mapping: ExportMapping | None
) -> dict[str, str]:
    """canonical column -> header as written; the mapping file first, then the built-in aliases."""
    headers: dict[str, str] = {}
    errors: list[RowError] = []
    explicit: dict[str, str] = {}  # normalised header -> canonical
    if mapping is not None:
        names = {normalize_name(n): n for n in raw.column_names if n != LINE}
        for column, header in mapping.columns.items():
            found = names.get(normalize_name(header))
            if found is None:
                # an export may leave optional columns out; a required one is reported by name
                if column in REQUIRED:
                    problem = f"tệp ánh xạ khai báo cột “{header}” cho {column} nhưng tệp không có cột này."
                    errors.append(RowError(None, header, problem))
            else:
                explicit[normalize_name(found)] = column
    for name in raw.column_names:
        if name == LINE:
            continue
        column = explicit.get(normalize_name(name))
        if column is None:
            column = canonical_column(name)
            if column is None or (mapping is not None and column in mapping.columns):
                continue
        if column in headers:
            problem = f"trùng nghĩa với cột “{headers[column]}” (cùng là {LABELS_VI[column]})."
            errors.append(RowError(None, name, problem))
            continue
        headers[column] = name
    for column in REQUIRED:
        if column not in headers:
            errors.append(RowError(None, "", f"thiếu cột bắt buộc “{LABELS_VI[column]}” ({column})."))
    if errors:
        raise DossierFileError(path, errors)
    return headers


def _normalize(
    raw: pa.Table, path: str | Path, mapping: ExportMapping | str | Path | None, lenient: bool
) -> tuple[pa.Table, pa.Table]:
    if mapping is not None and not isinstance(mapping, ExportMapping):
        mapping = load_mapping(mapping)
    headers = _resolve_headers(raw, path, mapping)
    value_aliases = {
        column: {**aliases, **(mapping.values.get(column, {}) if mapping else {})}
        for column, aliases in VALUE_ALIASES.items()
    }

    arrays: dict[str, pa.ChunkedArray] = {LINE: raw.column(LINE)}
    typed_ts: set[str] = set()
    for column, header in headers.items():
        array = _typed_column(raw.column(header), COLUMNS[column])
        if pa.types.is_timestamp(array.type):
            typed_ts.add(column)
        arrays[column] = array
    source = pa.table(arrays)

    # All SQL below is built from canonical column names and our own checks; file values are data.
    con = duckdb.connect()
    con.register("source", source)
    selects = [f'"{LINE}"']
    for column, kind in COLUMNS.items():
        if column in headers:
            parsed = _parse_expr(column, kind, column in typed_ts, value_aliases.get(column))
            if kind in (CODE, BOOLEAN):
                parsed = _lookup(con, column, parsed)
            selects.append(f"{parsed} AS \"{column}\"")
            raw_text = f'"{column}"' if column in typed_ts else f"NULLIF(trim(\"{column}\"), '')"
            selects.append(f'({raw_text} IS NOT NULL) AS "{column}__given"')
        else:
            default = "FALSE" if kind == BOOLEAN else "NULL"
            sql_type = {TEXT: "VARCHAR", CODE: "VARCHAR", TIMESTAMP: "TIMESTAMP", INTEGER: "BIGINT",
                        NUMBER: "DOUBLE", BOOLEAN: "BOOLEAN"}[kind]
            selects.append(f'CAST({default} AS {sql_type}) AS "{column}"')
            selects.append(f'FALSE AS "{column}__given"')

    try:
        # rows with every cell empty (blank lines, trailing spreadsheet rows) are skipped; the line
        # numbers of the others are kept in __line
        blank = " AND ".join(f'NULLIF(trim(CAST("{c}" AS VARCHAR)), \'\') IS NULL' for c in headers)
        # parsed into Arrow (cheaper than a DuckDB table, and the result when every row is good)
        status = (
            "COALESCE(status, CASE WHEN completed_at IS NULL THEN 'dang_xu_ly' ELSE 'da_giai_quyet' END)"
        )
        parsed_table = con.sql(
            f"SELECT *, {status} AS __status FROM "  # noqa: S608
            f"(SELECT {', '.join(selects)} FROM source WHERE NOT ({blank}))"
        ).to_arrow_table()
        con.register("parsed", parsed_table)
        # duplicates by a hash aggregate (usually empty), not a window over every row
        con.execute(
            "CREATE TEMP TABLE dup_ids AS SELECT dossier_id FROM parsed "
            "WHERE dossier_id IS NOT NULL GROUP BY dossier_id HAVING count(*) > 1"
        )
        checks = _checks(headers)
        union = " UNION ALL ".join(
            f"SELECT \"{LINE}\" AS line, {quote(column)} AS col, {i} AS check_no "  # noqa: S608
            f"FROM parsed WHERE {condition}"
            for i, (column, condition, _shown, _) in enumerate(checks)
        )
        con.execute(f"CREATE TEMP TABLE bad AS {union}")  # noqa: S608
        total = con.execute("SELECT count(*) FROM bad").fetchall()[0][0]
        rejects = pa.table({"line": pa.array([], pa.int64()), "reason": pa.array([], pa.string())})
        # the values shown in the messages, for the bad rows only: p = parsed row, r = row as read
        shown = " ".join(f"WHEN {i} THEN CAST({c[2]} AS VARCHAR)" for i, c in enumerate(checks))
        listing = (
            f"SELECT b.line, b.col, b.check_no, CASE b.check_no {shown} END AS shown "  # noqa: S608
            "FROM (SELECT * FROM bad ORDER BY line, check_no{limit}) b "
            f'JOIN parsed p ON p."{LINE}" = b.line JOIN source r ON r."{LINE}" = b.line '
            "ORDER BY b.line, b.check_no"
        )
        if total and not lenient:
            listed = listing.replace("{limit}", f" LIMIT {MAX_REPORTED}")
            errors = [
                _row_error(checks, headers, *row) for row in con.execute(listed).fetchall()
            ]
            raise DossierFileError(path, errors, total)
        if total:
            reasons: dict[int, list[str]] = {}
            for row in con.execute(listing.replace("{limit}", "")).fetchall():
                error = _row_error(checks, headers, *row)
                reasons.setdefault(int(row[0]), []).append(f"cột “{error.column}”: {error.problem}")
            lines = pa.table({
                "line": pa.array(list(reasons), pa.int64()),
                "reason": pa.array(["; ".join(r) for r in reasons.values()], pa.string()),
            })
            con.register("reject_lines", lines)
            con.register("raw_rows", raw)
            rejects = con.sql(
                f'SELECT l.line, l.reason, r.* EXCLUDE ("{LINE}") FROM reject_lines l '  # noqa: S608
                f'JOIN raw_rows r ON r."{LINE}" = l.line ORDER BY l.line'
            ).to_arrow_table()
        if total:
            outputs = ['__status AS status' if c == "status" else f'"{c}"' for c in COLUMNS]
            final = (
                f"SELECT {', '.join(outputs)} FROM parsed "  # noqa: S608
                f'WHERE "{LINE}" NOT IN (SELECT line FROM bad) ORDER BY "{LINE}"'
            )
            table = con.sql(final).to_arrow_table()
        else:
            names = ["__status" if c == "status" else c for c in COLUMNS]
            table = parsed_table.select(names).rename_columns(list(COLUMNS))
    finally:
        con.close()
    return table.cast(SCHEMA), rejects


_LOOKUP_LIMIT = 1000


def _lookup(con: duckdb.DuckDBPyConnection, column: str, parsed: str) -> str:
    """`parsed` evaluated once per distinct value of a low-cardinality column, as a CASE on the value.

    Why: the slug of a code or a yes/no word (accents stripped, regular expressions) costs far more
    than the column is worth when evaluated on every one of millions of rows holding a handful of
    distinct values. Same result; columns with many distinct values keep the plain expression.
    """
    rows = con.execute(
        f'SELECT "{column}" AS raw, {parsed} AS parsed FROM '  # noqa: S608 - canonical names only
        f'(SELECT DISTINCT "{column}" FROM source LIMIT {_LOOKUP_LIMIT + 1})'
    ).fetchall()
    if len(rows) > _LOOKUP_LIMIT:
        return parsed

    def literal(value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        return quote(str(value))

    when_null = next((literal(p) for raw, p in rows if raw is None), "NULL")
    cases = " ".join(f"WHEN {quote(raw)} THEN {literal(p)}" for raw, p in rows if raw is not None)
    if not cases:
        return when_null
    return f'CASE WHEN "{column}" IS NULL THEN {when_null} ELSE CASE "{column}" {cases} END END'


def _row_error(
    checks: list[tuple[str, str, str, str]], headers: dict[str, str], line: int, column: str, check_no: int,
    shown: str | None,
) -> RowError:
    problem = checks[check_no][3]
    if shown is not None and "{value}" in problem:
        problem = problem.replace("{value}", str(shown))
    return RowError(int(line), headers.get(column, LABELS_VI[column]), problem)


def _checks(headers: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(column, SQL condition of a bad row, value shown, Vietnamese problem with {value}).

    Conditions use the parsed columns and the ``<column>__given`` flags (a value was written);
    shown values use ``p.`` (parsed row) or ``r.`` (the row as read).
    """

    def written(column: str) -> str:
        return f"NULLIF(trim(CAST(r.\"{column}\" AS VARCHAR)), '')"

    checks: list[tuple[str, str, str, str]] = []
    for column in COLUMNS:
        if column not in headers:
            continue
        checks.append(
            (column, f'"{column}__given" AND "{column}" IS NULL', written(column), _describe(column))
        )
    checks += [
        ("dossier_id", 'NOT "dossier_id__given"', "NULL", "thiếu mã hồ sơ."),
        ("received_at", 'NOT "received_at__given"', "NULL", "thiếu ngày tiếp nhận."),
        (
            "dossier_id",
            '"dossier_id" IN (SELECT dossier_id FROM dup_ids)',
            'p."dossier_id"',
            "mã hồ sơ “{value}” bị trùng với một dòng khác.",
        ),
    ]
    if "completed_at" in headers:
        checks.append(
            ("completed_at", "completed_at < received_at", "strftime(p.completed_at, '%d/%m/%Y %H:%M')",
             "ngày có kết quả ({value}) trước ngày tiếp nhận.")
        )
    if "due_at" in headers:
        checks.append(
            ("due_at", "due_at < date_trunc('day', received_at)", "strftime(p.due_at, '%d/%m/%Y %H:%M')",
             "hạn xử lý ({value}) trước ngày tiếp nhận.")
        )
    if "processing_days" in headers:
        checks.append(
            ("processing_days", "processing_days < 0", "p.processing_days",
             "số ngày giải quyết ({value}) âm.")
        )
    if "rating" in headers:
        checks.append(
            ("rating", "rating IS NOT NULL AND rating NOT BETWEEN 1 AND 5", "p.rating",
             "đánh giá {value} nằm ngoài khoảng 1–5.")
        )
    if "status" in headers:
        checks.append(
            ("completed_at", "status IN ('da_giai_quyet', 'tra_lai') AND NOT completed_at__given", "p.status",
             "hồ sơ đã giải quyết/trả lại nhưng thiếu ngày có kết quả.")
        )
        checks.append(
            ("status", "status = 'dang_xu_ly' AND completed_at IS NOT NULL", "p.status",
             "hồ sơ đang xử lý nhưng đã có ngày có kết quả.")
        )
    return checks
