"""Exports officials open in Excel and Word: the results table (XLSX) and a unit's lost-points report (DOCX).

Numbers stay numbers in the workbook (sortable, summable) with a Vietnamese display format; text that
Excel would read as a formula is escaped. The DOCX follows the administrative layout (Times New Roman,
A4, Nghị định 30/2020 margins) so the unit can edit and sign it.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cchc.scoring.models import Assessment, ScoringTemplate
from cchc.scoring.numbers import vi_number
from cchc.scoring.services import LostPointsReport, lost_points, results

# Excel shows these with the reader's separators; [$-42A] marks the cells as Vietnamese (1.964,5).
POINTS_FORMAT = "[$-42A]#,##0.0#"
INDEX_FORMAT = "[$-42A]#,##0.00"
INTEGER_FORMAT = "[$-42A]0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FONT = "Times New Roman"


def safe_text(value: str) -> str:
    """Text Excel will not run as a formula (OWASP CSV/XLSX injection): a leading ' when needed."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _number(value: Decimal | int | None) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def export_results_xlsx(template: ScoringTemplate, year: int) -> bytes:
    """The results table of template × year: one row per unit, area points, rank and last year."""
    rows = results(template, year)
    parsed = template.parsed
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Results %(year)s") % {"year": year}
    title = _("Results of %(template)s, year %(year)s") % {"template": template.name, "year": year}
    sheet.append([safe_text(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    headers = [
        _("No."),
        _("Unit code"),
        _("Unit"),
        _("Group"),
        _("Status"),
        *[
            safe_text(
                _("%(code)s. %(name)s (max %(max)s)")
                % {"code": a.code, "name": a.name, "max": vi_number(a.max)}
            )
            for a in parsed.criteria
        ],
        _("Total points"),
        _("Maximum"),
        _("Index (%)"),
        _("Band"),
        _("Rank"),
        _("Points %(year)s") % {"year": year - 1},
        _("Index %(year)s (%%)") % {"year": year - 1},
        _("Rank %(year)s") % {"year": year - 1},
        _("Points gained"),
        _("Index gained"),
        _("Places gained"),
    ]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    areas = len(parsed.criteria)
    for number, row in enumerate(rows, start=1):
        area_points = [_number(area.score) for area in row.areas]
        sheet.append(
            [
                number,
                safe_text(row.unit.code),
                safe_text(row.unit.name),
                safe_text(row.group),
                str(row.assessment.get_status_display()),
                *area_points,
                _number(row.total),
                _number(row.max),
                _number(row.index),
                safe_text(row.band or ""),
                row.rank,
                _number(row.previous_total),
                _number(row.previous_index),
                row.previous_rank,
                _number(row.points_change),
                _number(row.index_change),
                row.rank_change,
            ]
        )
    first_area = 6
    formats = {col: POINTS_FORMAT for col in range(first_area, first_area + areas + 2)}
    after = first_area + areas + 2
    formats.update(
        {
            after: INDEX_FORMAT,
            after + 2: INTEGER_FORMAT,
            after + 3: POINTS_FORMAT,
            after + 4: INDEX_FORMAT,
            after + 5: INTEGER_FORMAT,
            after + 6: POINTS_FORMAT,
            after + 7: INDEX_FORMAT,
            after + 8: INTEGER_FORMAT,
        }
    )
    for line in sheet.iter_rows(min_row=3):
        for cell in line:
            if cell.column in formats and isinstance(cell.value, int | float):
                cell.number_format = formats[cell.column]
    widths = {1: 6, 2: 14, 3: 34, 4: 10, 5: 14}
    for col in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = widths.get(col, 13)
    sheet.freeze_panes = "D3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- DOCX --------------------------------------------------------------------------------------------


def _style_document(document: Document) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(2)


def _table(document: Document, headers: list[str], rows: list[list[str]], widths: list[float]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(12)
                    run.font.name = FONT


def _rank_text(rank: int | None, size: int) -> str:
    return f"{rank}/{size}" if rank is not None else "—"


def lost_points_docx(assessment: Assessment) -> bytes:
    """The unit's lost-points report: area points and ranks, then each criterion that lost points."""
    report: LostPointsReport = lost_points(assessment)
    document = Document()
    _style_document(document)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(
        _("REPORT ON POINTS LOST IN THE PAR INDEX FOR %(year)s") % {"year": assessment.year}
    )
    run.bold = True
    run.font.size = Pt(14)
    unit_line = document.add_paragraph()
    unit_line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    unit_line.add_run(assessment.unit.name).italic = True

    summary = _(
        "The PAR index of %(year)s reached %(total)s/%(max)s points, %(index)s%%, "
        "ranked %(rank)s, band %(band)s; %(lost)s points were lost."
    ) % {
        "year": assessment.year,
        "total": vi_number(report.total),
        "max": vi_number(report.max),
        "index": vi_number(report.index, 2),
        "rank": _rank_text(report.rank, report.group_size),
        "band": report.band or "—",
        "lost": vi_number(report.lost),
    }
    document.add_paragraph(summary)

    document.add_paragraph().add_run(_("1. Points and rank by area")).bold = True
    _table(
        document,
        [_("No."), _("Area"), _("Maximum"), _("Points"), _("Points lost"), _("Index (%)"), _("Rank")],
        [
            [
                area.code,
                area.name,
                vi_number(area.max),
                vi_number(area.score),
                vi_number(area.lost),
                vi_number(area.index, 2),
                _rank_text(area.rank, report.group_size),
            ]
            for area in report.areas
        ],
        [1.2, 6.0, 1.8, 1.8, 1.8, 1.8, 1.6],
    )

    document.add_paragraph()
    document.add_paragraph().add_run(_("2. Sub-criteria that lost points")).bold = True
    if report.leaves:
        _table(
            document,
            [_("Code"), _("Content"), _("Points lost"), _("Remediation"), _("Responsible unit")],
            [
                [
                    leaf.code,
                    leaf.name,
                    vi_number(leaf.lost),
                    leaf.remediation_note,
                    leaf.responsible_unit.name if leaf.responsible_unit else "",
                ]
                for leaf in report.leaves
            ],
            [1.4, 5.6, 1.8, 4.6, 3.0],
        )
    else:
        document.add_paragraph(_("No points were lost."))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
