"""Import a unit list from CSV or XLSX, all or nothing.

Every row is checked before anything is written, and every bad row is reported at once (line,
column, Vietnamese message), because the people who fix these files fix them in one pass. Writes go
through `Unit.save()` so django-auditlog records each created or changed unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import tables
from .models import Unit, UnitKind

CODE_MAX = Unit._meta.get_field("code").max_length
NAME_MAX = Unit._meta.get_field("name").max_length
OPTIONAL_COLUMNS = ("parent_code", "valid_from", "valid_to", "successor_codes")


@dataclass(frozen=True)
class RowError:
    """One problem: `line` in the file (None = the file as a whole), canonical `column`, message."""

    line: int | None
    column: str
    message: str
    reason: str = ""  # machine-readable cause, e.g. "unknown_parent", "cycle", "scope"
    label: str = ""  # the column header as written in the file

    def __str__(self) -> str:
        column = self.label or self.column
        if self.line is not None and column:
            return _("Line %(line)s, column “%(column)s”: %(message)s") % {
                "line": self.line,
                "column": column,
                "message": self.message,
            }
        if self.line is not None:
            return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}
        return self.message


class UnitImportError(Exception):
    """The file was refused; `errors` lists every problem found, ordered by line."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.line or 0, e.column))
        super().__init__(self.summary())

    def lines(self) -> list[int]:
        return sorted({e.line for e in self.errors if e.line is not None})

    def summary(self) -> str:
        """One Vietnamese line for a command line or a page heading."""
        count = len(self.errors)
        lines = self.lines()
        if count == 1:
            return _("nothing was imported: %(error)s") % {"error": self.errors[0]}
        text = ngettext(
            "nothing was imported: %(count)d error",
            "nothing was imported: %(count)d errors",
            count,
        ) % {"count": count}
        if lines:
            shown = ", ".join(str(n) for n in lines[:20]) + (", …" if len(lines) > 20 else "")
            text += _(" (lines %(lines)s)") % {"lines": shown}
        return text


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


@dataclass
class _Row:
    line: int
    code: str = ""
    name: str = ""
    kind: str = ""
    parent_code: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successor_codes: list[str] = field(default_factory=list)


@dataclass
class _Existing:
    id: int
    name: str
    kind: str
    parent_code: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None


def _fmt(date: dt.date | None) -> str:
    return date.strftime("%d/%m/%Y") if date else ""


class _Validator:
    """Collects every error of one file; the checks read like the list of rules in the brief."""

    def __init__(self, table: tables.Table, positions: dict[str, int], scope: set[int] | None) -> None:
        self.table = table
        self.positions = positions
        self.scope = scope
        self.errors: list[RowError] = []
        self.labels = {column: table.header[index] for column, index in positions.items()}

    def error(self, line: int | None, column: str, message: str, reason: str) -> None:
        self.errors.append(RowError(line, column, message, reason, self.labels.get(column, "")))

    def cell(self, cells: list[object], column: str) -> object:
        index = self.positions.get(column)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def parse_row(self, line: int, cells: list[object]) -> _Row:
        row = _Row(line=line)
        code = tables.cell_text(self.cell(cells, "code"))
        if not code:
            self.error(line, "code", _("the code is empty."), "required")
        elif len(code) > CODE_MAX:
            self.error(line, "code", _("the code is longer than %(max)d characters.") % {"max": CODE_MAX},
                       "too_long")
        elif tables.CODE_SEPARATORS.search(code):
            self.error(line, "code", _("the code must not contain “;” or “|”."), "bad_code")
        row.code = code
        name = tables.cell_text(self.cell(cells, "name"))
        if not name:
            self.error(line, "name", _("the name is empty."), "required")
        elif len(name) > NAME_MAX:
            self.error(line, "name", _("the name is longer than %(max)d characters.") % {"max": NAME_MAX},
                       "too_long")
        row.name = name
        kind = tables.cell_text(self.cell(cells, "kind")).lower()
        if not kind:
            self.error(line, "kind", _("the kind is empty."), "required")
        elif kind not in UnitKind.values:
            self.error(
                line,
                "kind",
                _("unknown kind “%(value)s”; use one of: %(choices)s.")
                % {"value": kind, "choices": ", ".join(UnitKind.values)},
                "bad_kind",
            )
        row.kind = kind
        row.parent_code = tables.cell_text(self.cell(cells, "parent_code")) or None
        for column in ("valid_from", "valid_to"):
            raw = self.cell(cells, column)
            try:
                setattr(row, column, tables.parse_date(raw))
            except ValueError:
                self.error(
                    line,
                    column,
                    _("invalid date “%(value)s”; write yyyy-mm-dd or dd/mm/yyyy.")
                    % {"value": tables.cell_text(raw)},
                    "bad_date",
                )
        row.successor_codes = tables.split_codes(self.cell(cells, "successor_codes"))
        for code_ in row.successor_codes:
            if len(code_) > CODE_MAX:
                self.error(line, "successor_codes",
                           _("successor code “%(code)s” is too long.") % {"code": code_[:50]}, "too_long")
        return row


def _load_existing() -> tuple[dict[str, _Existing], dict[str, set[str]]]:
    existing = {
        code: _Existing(pk, name, kind, parent_code, valid_from, valid_to)
        for pk, code, name, kind, parent_code, valid_from, valid_to in Unit.objects.values_list(
            "id", "code", "name", "kind", "parent__code", "valid_from", "valid_to"
        )
    }
    successors: dict[str, set[str]] = {}
    through = Unit.successors.through
    for from_code, to_code in through.objects.values_list("from_unit__code", "to_unit__code"):
        successors.setdefault(from_code, set()).add(to_code)
    return existing, successors


def _file_error(message: str, reason: str) -> UnitImportError:
    return UnitImportError([RowError(None, "", message, reason)])


def _read(path: Path) -> tables.Table:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _file_error(_("the file %(name)s cannot be opened.") % {"name": path.name}, "missing") from exc
    limit = settings.CCHC_MAX_UPLOAD_BYTES
    if size > limit:
        megabytes = {
            "size": f"{size / 1048576:.1f}".replace(".", ","),
            "limit": f"{limit / 1048576:g}".replace(".", ","),
        }
        message = _("the file is %(size)s MB, more than the %(limit)s MB limit.") % megabytes
        raise _file_error(message, "too_large")
    try:
        return tables.read_table(path)
    except tables.TableProblem as problem:
        messages = {
            "unsupported": _("file type “%(suffix)s” is not supported; upload a CSV or XLSX file."),
            "encoding": _("the CSV file is not UTF-8 text; save it again as “CSV UTF-8”."),
            "unreadable": _("the file cannot be read (%(detail)s)."),
            "empty": _("the file is empty."),
        }
        message = messages[problem.code] % {"suffix": problem.detail or "?", "detail": problem.detail}
        raise _file_error(message, problem.code) from problem


def import_units(path: Path, *, scope: set[int] | None = None) -> ImportResult:
    """Create or update the units listed in `path`; refuse the whole file on any bad row.

    With `scope` (ids of the units the importing user may write, from `unit_scope`), every row must
    stay inside it: an existing unit must be in scope, and a new or moved unit must hang under a unit
    in scope (or under another row of the file). Optional columns left out of the file keep the
    stored values; an empty cell in a present column clears the value.
    """
    path = Path(path)
    table = _read(path)
    positions, duplicates, missing = tables.map_header(table.header)
    header_errors = [
        RowError(
            table.header_line,
            column,
            _("required column “%(column)s” is missing (accepted headers: %(aliases)s).")
            % {"column": column, "aliases": ", ".join(f"“{a}”" for a in tables.COLUMNS[column])},
            "missing_column",
        )
        for column in missing
    ] + [
        RowError(table.header_line, column, _("column “%(column)s” appears more than once.")
                 % {"column": table.header[index]}, "duplicate_column", table.header[index])
        for index, column in duplicates
    ]
    if header_errors:
        raise UnitImportError(header_errors)
    if not table.rows:
        raise UnitImportError(
            [RowError(table.header_line, "", _("the file has a header but no unit rows."), "no_rows")]
        )

    check = _Validator(table, positions, scope)
    parsed = [check.parse_row(line, cells) for line, cells in table.rows]
    present = {column: column in positions for column in OPTIONAL_COLUMNS}

    with transaction.atomic():
        existing, stored_successors = _load_existing()
        rows = _check_references(check, parsed, existing, present)
        if check.errors:
            raise UnitImportError(check.errors)
        return _write(rows, existing, stored_successors, present)


def _check_references(
    check: _Validator, parsed: list[_Row], existing: dict[str, _Existing], present: dict[str, bool]
) -> dict[str, _Row]:
    """Duplicates, references, validity ranges, cycles and scope; returns the rows by code."""
    rows: dict[str, _Row] = {}
    for row in parsed:
        if not row.code:
            continue
        if row.code in rows:
            check.error(row.line, "code", _("code “%(code)s” already appears on line %(line)s.")
                        % {"code": row.code, "line": rows[row.code].line}, "duplicate_code")
        else:
            rows[row.code] = row
    known = set(rows) | set(existing)

    for row in rows.values():
        stored = existing.get(row.code)
        if not present["parent_code"]:
            row.parent_code = stored.parent_code if stored else None
        elif row.parent_code == row.code:
            check.error(row.line, "parent_code", _("a unit cannot be its own parent."), "cycle")
        elif row.parent_code and row.parent_code not in known:
            check.error(row.line, "parent_code",
                        _("parent unit “%(code)s” is neither in the file nor in the database.")
                        % {"code": row.parent_code}, "unknown_parent")
        for code in row.successor_codes:
            if code == row.code:
                check.error(row.line, "successor_codes", _("a unit cannot be its own successor."),
                            "self_successor")
            elif code not in known:
                check.error(row.line, "successor_codes",
                            _("successor unit “%(code)s” is neither in the file nor in the database.")
                            % {"code": code}, "unknown_successor")
        if stored and not present["valid_from"]:
            row.valid_from = stored.valid_from
        if stored and not present["valid_to"]:
            row.valid_to = stored.valid_to
        if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
            check.error(row.line, "valid_to" if present["valid_to"] else "valid_from",
                        _("the unit stops being valid (%(to)s) before it starts (%(from)s).")
                        % {"to": _fmt(row.valid_to), "from": _fmt(row.valid_from)}, "bad_range")

    parents: dict[str, str | None] = {code: unit.parent_code for code, unit in existing.items()}
    parents.update({code: row.parent_code for code, row in rows.items()})
    for code in sorted(tables.cycle_members(parents)):
        if code in rows and rows[code].parent_code != code:
            chain = [code, *tables.ancestor_chain(code, parents)]
            path = " → ".join([*chain, parents[chain[-1]] or ""])
            check.error(rows[code].line, "parent_code",
                        _("the parents form a cycle: %(path)s.") % {"path": path}, "cycle")

    if check.scope is not None:
        _check_scope(check, rows, existing)
    return rows


def _check_scope(check: _Validator, rows: dict[str, _Row], existing: dict[str, _Existing]) -> None:
    """Each row must stay inside the scope; a parent that is another row counts when that row does."""
    scope = check.scope or set()
    verdict: dict[str, str] = {}  # code -> "" when fine, else the reason's column

    def parent_fine(parent_code: str | None) -> bool:
        if parent_code is None:
            return False
        if parent_code in rows:
            return judge(parent_code) == ""
        parent = existing.get(parent_code)
        # An unknown parent is reported as such; it says nothing about the scope.
        return parent is None or parent.id in scope

    def judge(code: str) -> str:
        if code in verdict:
            return verdict[code]
        verdict[code] = "parent_code"  # provisional: a parent cycle is not a way into the scope
        row, stored = rows[code], existing.get(code)
        if stored and stored.id not in scope:
            verdict[code] = "code"
        elif (stored and stored.parent_code == row.parent_code) or parent_fine(row.parent_code):
            verdict[code] = ""
        return verdict[code]

    for code, row in rows.items():
        column = judge(code)
        if column == "code":
            check.error(row.line, "code", _("unit “%(code)s” is outside the units you may manage.")
                        % {"code": code}, "scope")
        elif column and row.parent_code is None:
            check.error(row.line, "parent_code",
                        _("only an administrator may add a unit without a parent unit."), "scope")
        elif column:
            check.error(row.line, "parent_code",
                        _("parent unit “%(code)s” is outside the units you may manage.")
                        % {"code": row.parent_code}, "scope")


def _parents_first(rows: dict[str, _Row]) -> list[str]:
    """Row codes ordered so a parent listed in the file is saved before its children."""
    depth: dict[str, int] = {}
    for code in rows:
        chain: list[str] = []
        node: str | None = code
        while node in rows and node not in depth:
            chain.append(node)
            node = rows[node].parent_code
        level = depth.get(node, -1) if node is not None else -1
        for item in reversed(chain):
            level += 1
            depth[item] = level
    return sorted(rows, key=depth.__getitem__)


def _write(
    rows: dict[str, _Row],
    existing: dict[str, _Existing],
    stored_successors: dict[str, set[str]],
    present: dict[str, bool],
) -> ImportResult:
    ids = {code: unit.id for code, unit in existing.items()}
    created: set[str] = set()
    changed: set[str] = set()

    for code in _parents_first(rows):
        row = rows[code]
        values = {
            "name": row.name,
            "kind": row.kind,
            "parent_id": ids[row.parent_code] if row.parent_code else None,
            "valid_from": row.valid_from,
            "valid_to": row.valid_to,
        }
        stored = existing.get(code)
        if stored is None:
            unit = Unit(code=code, **values)
            unit.save()
            ids[code] = unit.pk
            created.add(code)
            continue
        before = {
            "name": stored.name,
            "kind": stored.kind,
            "parent_id": ids[stored.parent_code] if stored.parent_code else None,
            "valid_from": stored.valid_from,
            "valid_to": stored.valid_to,
        }
        if before != values:
            unit = Unit.objects.get(pk=stored.id)
            for name, value in values.items():
                setattr(unit, name, value)
            unit.save()
            changed.add(code)

    if present["successor_codes"]:
        for code, row in rows.items():
            wanted = set(row.successor_codes)
            if wanted == stored_successors.get(code, set()):
                continue
            unit = Unit.objects.get(pk=ids[code])
            unit.successors.set([ids[c] for c in wanted])
            if code not in created:
                changed.add(code)
    return ImportResult(created=len(created), updated=len(changed))
