"""Reading unit lists from CSV/XLSX and the graph checks on them: plain Python, no Django.

Kept apart from the importer so the parsing rules (header aliases, date formats, separators,
cycle detection) can be tested directly and reused by anything else that reads unit codes.
Problems are reported as `TableProblem` codes; the caller turns them into translated messages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

# Canonical column -> accepted header spellings (compared after `normalize_header`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "mã", "mã đơn vị"),
    "name": ("name", "tên", "tên đơn vị"),
    "kind": ("kind", "loại", "loại đơn vị"),
    "parent_code": ("parent_code", "mã đơn vị cha", "mã cha"),
    "valid_from": ("valid_from", "hiệu lực từ", "hiệu lực từ ngày"),
    "valid_to": ("valid_to", "hiệu lực đến", "hiệu lực đến ngày"),
    "successor_codes": ("successor_codes", "mã đơn vị kế thừa", "đơn vị kế thừa"),
}
REQUIRED_COLUMNS = ("code", "name", "kind")
CSV_SUFFIXES = frozenset({".csv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
CODE_SEPARATORS = re.compile(r"[;|]")


class TableProblem(Exception):
    """The file as a whole cannot be read; `code` says why (unsupported, encoding, unreadable, empty)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Table:
    """Header cells (stripped) with their line, and the data rows as (line number, cells)."""

    header: list[str]
    header_line: int
    rows: list[tuple[int, list[object]]]


def normalize_header(text: object) -> str:
    """Lower-case, NFC, single spaces, BOM removed: so "Mã  đơn vị" and "mã đơn vị" match."""
    value = unicodedata.normalize("NFC", str(text or "")).replace("\ufeff", "")
    return " ".join(value.split()).lower()


ALIASES: dict[str, str] = {alias: column for column, names in COLUMNS.items() for alias in names}


def map_header(header: Iterable[object]) -> tuple[dict[str, int], list[tuple[int, str]], list[str]]:
    """Canonical column -> index; duplicate columns as (index, name); missing required columns."""
    positions: dict[str, int] = {}
    duplicates: list[tuple[int, str]] = []
    for index, cell in enumerate(header):
        column = ALIASES.get(normalize_header(cell))
        if column is None:
            continue
        if column in positions:
            duplicates.append((index, column))
        else:
            positions[column] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    return positions, duplicates, missing


def _is_blank(cells: Iterable[object]) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _csv_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableProblem("encoding", str(exc)) from exc
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TableProblem("unreadable", f"{start}: {exc}") from exc
        yield start, list(row)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    import zipfile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableProblem("unreadable", str(exc)) from exc
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong sheet size
        for line, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield line, list(row)
    finally:
        workbook.close()


def read_table(path: Path) -> Table:
    """Read the first sheet / the CSV text: the first non-blank row is the header; blank rows skipped."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        rows = _csv_rows(path)
    elif suffix in XLSX_SUFFIXES:
        rows = _xlsx_rows(path)
    else:
        raise TableProblem("unsupported", suffix)
    header: list[str] | None = None
    header_line = 0
    data: list[tuple[int, list[object]]] = []
    for line, cells in rows:
        if _is_blank(cells):
            continue
        if header is None:
            header, header_line = [str(c).strip() if c is not None else "" for c in cells], line
        else:
            data.append((line, cells))
    if header is None:
        raise TableProblem("empty")
    return Table(header=header, header_line=header_line, rows=data)


def cell_text(value: object) -> str:
    """A cell as trimmed text; whole floats from spreadsheets lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value: object) -> dt.date | None:
    """ISO yyyy-mm-dd, dd/mm/yyyy, or a spreadsheet date; None for blank; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    # Spreadsheets often show a date cell as "2025-07-01 00:00:00".
    text = re.sub(r"[ T]00:00(:00)?$", "", text)
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueError(text)
    return dt.date(year, month, day)


def split_codes(value: object) -> list[str]:
    """Successor codes separated by ";" or "|", blanks dropped, order kept, duplicates removed."""
    codes: list[str] = []
    for part in CODE_SEPARATORS.split(cell_text(value)):
        part = part.strip()
        if part and part not in codes:
            codes.append(part)
    return codes


def cycle_members(parents: Mapping[str, str | None]) -> set[str]:
    """Codes that lie on a parent cycle (a unit that is, through its parents, its own ancestor)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    on_cycle: set[str] = set()
    for start in parents:
        if state.get(start):
            continue
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parents and not state.get(node):
            state[node] = 1
            path.append(node)
            node = parents[node]
        if node is not None and state.get(node) == 1:
            on_cycle.update(path[path.index(node):])
        for item in path:
            state[item] = 2
    return on_cycle


def ancestor_chain(code: str, parents: Mapping[str, str | None]) -> list[str]:
    """Codes above `code`, nearest first; stops at a root or when a cycle repeats."""
    chain: list[str] = []
    seen = {code}
    node = parents.get(code)
    while node is not None and node not in seen:
        chain.append(node)
        seen.add(node)
        node = parents.get(node)
    return chain
