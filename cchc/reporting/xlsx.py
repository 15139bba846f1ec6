"""The statistical appendix as XLSX: a template to fill in Excel, its import, and exports.

Layout (the seeds' "Phụ lục"): sheet "Phụ lục"; title rows; a header row
`STT | Chỉ tiêu thống kê | Đơn vị tính | Số liệu | Ghi chú | Tử số | Mẫu số`; then one row per
indicator of the catalog with its code in STT. Decision for rates: one row per rate, its
numerator and denominator in the two extra columns F and G (labelled with the catalog's numerator
and denominator names in a cell comment), so every indicator keeps exactly one row as in the
printed appendix; the rate in D is then a formula the import ignores (it is recomputed from F/G).
A rate typed in D without F and G is accepted as legacy data and marked non-aggregable.

Import is all or nothing: every bad cell is reported with its sheet, row, column and reason, and
nothing is saved while one is bad. Blank value cells leave the stored value as it is. Every text
cell written is formula-safe (OWASP): text starting with = + - @ is quoted with a leading '.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from cchc.periods.models import Period
from cchc.reporting.catalog import Aggregation, Catalog, Indicator, ValueType
from cchc.reporting.entry import EntryError, parse_entry
from cchc.reporting.models import Catalog as StoredCatalog
from cchc.reporting.models import Source, Submission
from cchc.reporting.services import AggregateReport, SaveResult, save_values, stored_values
from cchc.units.models import Unit

SHEET = "Phụ lục"
AGGREGATE_SHEET = "Tổng hợp"
HEADERS = ("STT", "Chỉ tiêu thống kê", "Đơn vị tính", "Số liệu", "Ghi chú", "Tử số", "Mẫu số")
AGGREGATE_HEADERS = (
    "STT",
    "Chỉ tiêu thống kê",
    "Đơn vị tính",
    "Số liệu",
    "Tử số",
    "Mẫu số",
    "Số đơn vị tổng hợp",
    "Đơn vị thiếu số liệu",
    "Đơn vị chỉ có tỷ lệ (không tổng hợp được)",
)
HEADER_ROW = 6
FIRST_ROW = HEADER_ROW + 1
HEADER_SEARCH_ROWS = 30
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FONT = "Times New Roman"
_UNIT_MARK = re.compile(r"Mã đơn vị:\s*([^;]+?)\s*(?:;|$)")
_PERIOD_MARK = re.compile(r"Mã kỳ:\s*([^;]+?)\s*(?:;|$)")


def safe_text(value: str) -> str:
    """Text Excel will not run as a formula: a leading ' when it starts like one."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _unquote(value: str) -> str:
    """Undo `safe_text` on import so a note round-trips unchanged."""
    return (
        value[1:] if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_STARTS) else value
    )


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value.normalize())


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = _("Sheet “%(sheet)s”") % {"sheet": self.sheet}
        if self.row is not None:
            where += ", " + _("row %(row)s") % {"row": self.row}
        if self.column:
            where += ", " + _("column %(column)s") % {"column": self.column}
        return f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason}


class XlsxImportError(ValueError):
    """The file was refused; `errors` lists every bad cell. Nothing was saved."""

    def __init__(self, message: str, errors: list[CellError]) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


# --- writing -------------------------------------------------------------------------------------


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    return {
        "font": Font(name=FONT, size=12),
        "bold": Font(name=FONT, size=12, bold=True),
        "title": Font(name=FONT, size=13, bold=True),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="center"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
    }


def _put(sheet: Any, row: int, column: int, value: Any, style: Any = None) -> Any:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"  # never a formula, whatever the text
    else:
        cell.value = value
    if style is not None:
        cell.font = style
    return cell


def _new_sheet(title: str, lines: list[str], headers: tuple[str, ...]) -> tuple[Any, Any]:
    """A workbook whose one sheet carries the appendix title block and the column headers."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    _titles(sheet, lines, len(headers))
    _header(sheet, headers)
    return book, sheet


def _indicator_cells(sheet: Any, row: int, indicator: Any, styles: dict) -> Any:
    """STT, name and unit of measure of one indicator row; returns the row's font (groups bold)."""
    font = styles["bold"] if indicator.is_group else styles["font"]
    _put(sheet, row, 1, indicator.code, font)
    _put(sheet, row, 2, indicator.name, font)
    _put(sheet, row, 3, _unit_label(indicator), font)
    return font


def _titles(sheet: Any, lines: list[str], width: int) -> None:
    styles = _styles()
    from openpyxl.utils import get_column_letter

    for n, text in enumerate(lines, start=1):
        _put(sheet, n, 1, text, styles["title"] if n < 4 else styles["font"]).alignment = styles["center"]
        sheet.merge_cells(f"A{n}:{get_column_letter(width)}{n}")


def _header(sheet: Any, headers: tuple[str, ...]) -> None:
    styles = _styles()
    for column, text in enumerate(headers, start=1):
        cell = _put(sheet, HEADER_ROW, column, text, styles["bold"])
        cell.border = styles["border"]
        cell.alignment = styles["center"]
    sheet.freeze_panes = f"A{FIRST_ROW}"


def _unit_label(indicator: Indicator) -> str:
    if indicator.value_type is ValueType.CHOICE:
        return "; ".join(f"{c.label} = {c.code}" for c in indicator.choices)
    return indicator.unit


def _widths(sheet: Any, widths: tuple[int, ...]) -> None:
    from openpyxl.utils import get_column_letter

    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width


def _title_lines(unit: Unit, period: Period, catalog_code: str, heading: str) -> list[str]:
    return [
        heading,
        "THỐNG KÊ SỐ LIỆU VỀ KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH",
        unit.name.upper(),
        f"Kỳ báo cáo: {period.name}; Mã đơn vị: {unit.code}; Mã kỳ: {period.code}; Danh mục: {catalog_code}",
    ]


def template_xlsx(
    unit: Unit, period: Period, catalog: StoredCatalog, submission: Submission | None = None
) -> bytes:
    """The appendix to fill for a unit and period, with the values already stored filled in."""
    from openpyxl.comments import Comment
    from openpyxl.worksheet.datavalidation import DataValidation

    if submission is None:
        submission = Submission.objects.filter(unit=unit, period=period, catalog=catalog).first()
    values = stored_values(submission) if submission is not None else {}
    styles = _styles()
    book, sheet = _new_sheet(SHEET, _title_lines(unit, period, catalog.code, "Phụ lục"), HEADERS)
    row = FIRST_ROW
    for indicator in catalog.pure:
        font = _indicator_cells(sheet, row, indicator, styles)
        stored = values.get(indicator.code)
        if not indicator.is_group:
            value_cell = sheet.cell(row=row, column=4)
            if indicator.aggregation is Aggregation.RATIO:
                if stored is not None and not stored.non_aggregable and stored.numerator is not None:
                    _put(sheet, row, 6, _number(stored.numerator))
                    _put(sheet, row, 7, _number(stored.denominator))
                if stored is not None and stored.non_aggregable:
                    value_cell.value = _number(stored.value)
                else:
                    value_cell.value = f'=IF(N(G{row})>0,ROUND(F{row}/G{row}*100,2),"")'
                sheet.cell(row=row, column=6).comment = Comment(indicator.numerator_label, "cchc")
                sheet.cell(row=row, column=7).comment = Comment(indicator.denominator_label, "cchc")
            elif stored is not None:
                if indicator.value_type in (ValueType.CHOICE, ValueType.TEXT):
                    _put(sheet, row, 4, stored.text)
                else:
                    value_cell.value = _number(stored.value)
            if indicator.value_type is ValueType.CHOICE:
                check = DataValidation(
                    type="list",
                    formula1='"' + ",".join(c.code for c in indicator.choices) + '"',
                    allow_blank=True,
                )
                sheet.add_data_validation(check)
                check.add(value_cell)
            if stored is not None and stored.note:
                _put(sheet, row, 5, stored.note)
        for column in range(1, len(HEADERS) + 1):
            cell = sheet.cell(row=row, column=column)
            cell.border = styles["border"]
            cell.alignment = styles["wrap"]
            if cell.font != font and column > 3:
                cell.font = styles["font"]
        row += 1
    _widths(sheet, (10, 60, 18, 14, 30, 12, 12))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_xlsx(source: Submission | AggregateReport) -> bytes:
    """A submission (appendix layout, as the template) or an aggregate (one row per indicator)."""
    if isinstance(source, Submission):
        return template_xlsx(source.unit, source.period, source.catalog, source)
    return _aggregate_xlsx(source)


def _aggregate_xlsx(report: AggregateReport) -> bytes:

    catalog = StoredCatalog.objects.get(code=report.catalog)
    unit = Unit.objects.get(code=report.unit)
    period = Period.objects.get(code=report.period)
    styles = _styles()
    book, sheet = _new_sheet(
        AGGREGATE_SHEET, _title_lines(unit, period, catalog.code, "Tổng hợp số liệu"), AGGREGATE_HEADERS
    )
    row = FIRST_ROW
    for indicator in catalog.pure:
        _indicator_cells(sheet, row, indicator, styles)
        result = report.indicators.get(indicator.code)
        if result is not None:
            if result.counts is not None:
                options = {c.code: c.label for c in indicator.choices}
                _put(sheet, row, 4, "; ".join(f"{options.get(k, k)}: {n}" for k, n in result.counts.items()))
            else:
                value = result.value
                if value is not None and indicator.aggregation is Aggregation.RATIO:
                    value = value.quantize(Decimal("0.01"))
                _put(sheet, row, 4, _number(value))
            _put(sheet, row, 5, _number(result.numerator))
            _put(sheet, row, 6, _number(result.denominator))
            _put(sheet, row, 7, len(result.units))
            _put(sheet, row, 8, ", ".join(result.missing + result.invalid))
            _put(sheet, row, 9, ", ".join(result.non_aggregable))
        for column in range(1, len(AGGREGATE_HEADERS) + 1):
            sheet.cell(row=row, column=column).border = styles["border"]
        row += 1
    _widths(sheet, (10, 60, 18, 14, 12, 12, 12, 30, 30))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- reading -------------------------------------------------------------------------------------


def _read_bytes(path_or_bytes: str | Path | bytes) -> tuple[bytes, str]:
    if isinstance(path_or_bytes, (bytes, bytearray)):
        return bytes(path_or_bytes), "XLSX"
    path = Path(path_or_bytes)
    try:
        size = path.stat().st_size
    except OSError:
        raise XlsxImportError(_("File %(name)s cannot be read.") % {"name": path.name}, []) from None
    if size > MAX_BYTES:
        raise _too_big(path.name, size)
    return path.read_bytes(), path.name


def _too_big(name: str, size: int) -> XlsxImportError:
    return XlsxImportError(
        _("File %(name)s is too big (%(size)s MB; at most %(max)s MB).")
        % {"name": name, "size": round(size / 1024 / 1024, 1), "max": MAX_BYTES // 1024 // 1024},
        [],
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _code(value: Any) -> str:
    return _cell_text(value).rstrip(".").strip()


@dataclass(frozen=True)
class ImportResult:
    saved: int
    cleared: int
    unchanged: int
    rows: int
    version: int

    def as_dict(self) -> dict[str, int]:
        return {
            "saved": self.saved,
            "cleared": self.cleared,
            "unchanged": self.unchanged,
            "rows": self.rows,
            "version": self.version,
        }


def read_xlsx(
    path_or_bytes: str | Path | bytes, catalog: Catalog, unit_code: str = "", period_code: str = ""
) -> dict:
    """Parse and check a filled appendix; returns {code: raw input}. `XlsxImportError` lists bad cells."""
    from openpyxl import load_workbook

    data, name = _read_bytes(path_or_bytes)
    if len(data) > MAX_BYTES:
        raise _too_big(name, len(data))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise XlsxImportError(_("File %(name)s is not an XLSX workbook.") % {"name": name}, [])
    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
        cached = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise XlsxImportError(
            _("File %(name)s is not an XLSX workbook or is damaged.") % {"name": name}, []
        ) from None
    if SHEET not in book.sheetnames:
        error = CellError(
            SHEET,
            None,
            None,
            _("the sheet is missing (sheets in the file: %(sheets)s)")
            % {"sheets": ", ".join(book.sheetnames)},
        )
        raise XlsxImportError(str(error), [error])
    sheet, values_sheet = book[SHEET], cached[SHEET]
    if sheet.max_row > MAX_ROWS:
        error = CellError(
            SHEET,
            None,
            None,
            _("too many rows (%(rows)s; at most %(max)s)") % {"rows": sheet.max_row, "max": MAX_ROWS},
        )
        raise XlsxImportError(str(error), [error])
    rows = list(sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=len(HEADERS), values_only=True))
    cached_rows = list(
        values_sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=len(HEADERS), values_only=True)
    )
    header_at = next(
        (
            n
            for n, r in enumerate(rows[:HEADER_SEARCH_ROWS], start=1)
            if r and _cell_text(r[0]).upper() == "STT"
        ),
        None,
    )
    if header_at is None:
        error = CellError(
            SHEET,
            None,
            "A",
            _("no header row starting with “STT” in the first %(n)s rows") % {"n": HEADER_SEARCH_ROWS},
        )
        raise XlsxImportError(str(error), [error])
    from openpyxl.utils import get_column_letter

    errors: list[CellError] = []
    header = rows[header_at - 1]
    for column, expected in enumerate(HEADERS, start=1):
        found = _cell_text(header[column - 1] if column <= len(header) else None)
        if not found.casefold().startswith(expected.casefold()):
            errors.append(
                CellError(
                    SHEET,
                    header_at,
                    get_column_letter(column),
                    _("the header must be “%(expected)s”, found “%(found)s”")
                    % {"expected": expected, "found": found},
                )
            )
    if errors:
        raise XlsxImportError(_("The file does not have the appendix layout.") + " " + str(errors[0]), errors)
    for n, r in enumerate(rows[: header_at - 1], start=1):
        text = " ".join(_cell_text(c) for c in r if c is not None)
        for pattern, expected, what in (
            (_UNIT_MARK, unit_code, _("unit")),
            (_PERIOD_MARK, period_code, _("period")),
        ):
            match = pattern.search(text)
            if match and expected and match.group(1).strip() != expected:
                errors.append(
                    CellError(
                        SHEET,
                        n,
                        "A",
                        _("the file is for %(what)s %(found)s, not %(expected)s")
                        % {"what": what, "found": match.group(1).strip(), "expected": expected},
                    )
                )
    result: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for n in range(header_at + 1, len(rows) + 1):
        cells = list(rows[n - 1]) + [None] * (len(HEADERS) - len(rows[n - 1]))
        cached_cells = list(cached_rows[n - 1]) + [None] * (len(HEADERS) - len(cached_rows[n - 1]))
        code_raw, _name, _unit, value, note, numerator, denominator = cells[: len(HEADERS)]
        code = _code(code_raw)
        filled = [v for v in (value, numerator, denominator) if _cell_text(v)]
        if not code:
            if filled and not all(_is_formula(v) for v in filled):
                errors.append(CellError(SHEET, n, "A", _("a value without an indicator code in STT")))
            continue
        indicator = catalog.get(code)
        if indicator is None:
            if filled:
                errors.append(
                    CellError(SHEET, n, "A", _("code %(code)s is not in the catalog") % {"code": code})
                )
            continue
        if code in seen:
            errors.append(
                CellError(
                    SHEET,
                    n,
                    "A",
                    _("code %(code)s is repeated (first on row %(row)s)") % {"code": code, "row": seen[code]},
                )
            )
            continue
        seen[code] = n
        if indicator.is_group:
            if filled and not all(_is_formula(v) for v in filled):
                errors.append(
                    CellError(
                        SHEET, n, "D", _("%(code)s is a group heading and takes no value") % {"code": code}
                    )
                )
            continue
        is_ratio = indicator.aggregation is Aggregation.RATIO
        has_counts = is_ratio and (_cell_text(numerator) or _cell_text(denominator))
        if _is_formula(value):
            if has_counts:
                value = None  # the template's rate formula: recomputed from F and G
            else:
                value = cached_cells[3]
                if value is None and not is_ratio:
                    errors.append(
                        CellError(SHEET, n, "D", _("a formula without a computed value: type the number"))
                    )
                    continue
        bad_formula = next((c for c, v in (("F", numerator), ("G", denominator)) if _is_formula(v)), None)
        if bad_formula:
            index = 5 if bad_formula == "F" else 6
            if cached_cells[index] is None:
                errors.append(
                    CellError(SHEET, n, bad_formula, _("a formula without a computed value: type the number"))
                )
                continue
            numerator, denominator = cached_cells[5], cached_cells[6]
        if not is_ratio and (_cell_text(numerator) or _cell_text(denominator)):
            errors.append(
                CellError(
                    SHEET,
                    n,
                    "F",
                    _("%(code)s is not a rate: leave the numerator and denominator empty") % {"code": code},
                )
            )
            continue
        if not (_cell_text(value) or has_counts):
            continue  # blank: the stored value stays as it is
        raw: dict[str, Any] = {"value": value}
        if is_ratio:
            raw.update(numerator=numerator, denominator=denominator)
        note_text = _unquote(_cell_text(note))
        raw["note"] = note_text
        try:
            parse_entry(indicator, raw)
        except EntryError as exc:
            column = "F, G" if has_counts else "D"
            errors.append(CellError(SHEET, n, column, exc.message))
            continue
        result[code] = raw
    if errors:
        raise XlsxImportError(
            _("The file was refused: %(count)s bad cells; nothing was saved. First: %(first)s")
            % {"count": len(errors), "first": errors[0]},
            errors,
        )
    return result


def import_xlsx(path_or_bytes: str | Path | bytes, submission: Submission, user: Any) -> ImportResult:
    """Import a filled appendix into a submission, all or nothing (see the module docstring)."""
    data = read_xlsx(path_or_bytes, submission.catalog.pure, submission.unit.code, submission.period.code)
    result: SaveResult = save_values(submission, user, data, submission.version, source=Source.XLSX)
    return ImportResult(result.saved, result.cleared, result.unchanged, len(data), result.version)


def _pivot_cell(indicator: Indicator, value: object) -> Any:
    """A period-pivot value as a cell: numbers numeric (rates in %, 2 places), labels as text."""
    from cchc.reporting.aggregate import RatioInput

    if value is None:
        return None
    if isinstance(value, dict):
        options = {c.code: c.label for c in indicator.choices}
        return "; ".join(f"{options.get(k, k)}: {n}" for k, n in sorted(value.items()))
    if isinstance(value, str):
        if indicator.value_type is ValueType.CHOICE:
            return next((c.label for c in indicator.choices if c.code == value), value)
        return value
    if isinstance(value, RatioInput):
        value = value.rate
    if value is not None and indicator.aggregation is Aggregation.RATIO:
        value = Decimal(value).quantize(Decimal("0.01"))
    return _number(value)  # type: ignore[arg-type]


def export_period_pivot_xlsx(pivot: Any) -> bytes:
    """Indicators × periods (`services.pivot_by_period`) with the year column; a partial value is
    followed by a "*" column so the number itself stays numeric."""
    from openpyxl.utils import get_column_letter

    catalog = StoredCatalog.objects.get(code=pivot.catalog)
    unit = Unit.objects.get(code=pivot.unit)
    styles = _styles()
    headers: list[str] = ["STT", "Chỉ tiêu thống kê", "Đơn vị tính"]
    for column in pivot.columns:
        headers += [column.name if column.own else f"{column.name} (tổng hợp)", "*"]
    headers += [f"Năm {pivot.year}", "*"]
    kind = "quý" if pivot.kind == "quarter" else "6 tháng"
    book, sheet = _new_sheet(
        "Theo kỳ",
        [
            "Số liệu theo kỳ",
            "THỐNG KÊ SỐ LIỆU VỀ KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH",
            unit.name.upper(),
            f"Năm {pivot.year}, theo {kind}; Mã đơn vị: {unit.code}; Danh mục: {catalog.code}; "
            "* số liệu chưa đủ (thiếu đơn vị hoặc kỳ chưa được phê duyệt)",
        ],
        tuple(headers),
    )
    row = FIRST_ROW
    for indicator in catalog.pure:
        font = _indicator_cells(sheet, row, indicator, styles)
        cells = [c.cells.get(indicator.code) for c in pivot.columns] + [pivot.total.get(indicator.code)]
        for n, cell in enumerate(cells):
            column = 4 + 2 * n
            if cell is not None:
                _put(sheet, row, column, _pivot_cell(indicator, cell.value), font)
                if cell.partial:
                    _put(sheet, row, column + 1, "*", font)
        for column in range(1, len(headers) + 1):
            sheet.cell(row=row, column=column).border = styles["border"]
        row += 1
    _widths(sheet, (10, 60, 18))
    for n in range(len(cells)):
        sheet.column_dimensions[get_column_letter(4 + 2 * n)].width = 16
        sheet.column_dimensions[get_column_letter(5 + 2 * n)].width = 3
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
