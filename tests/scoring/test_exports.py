"""XLSX results (numbers numeric, formula injection escaped) and the lost-points DOCX read back."""

from __future__ import annotations

import io

import openpyxl
import pytest
from docx import Document

from cchc.scoring import exports, services
from cchc.scoring.models import Status

from .test_services_results import full, scored

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(mini_template, tree, scoring_users):
    admin = scoring_users["admin"]
    tree["district_b"].name = '=HYPERLINK("http://x","bấm")'
    tree["district_b"].save()
    scored(mini_template, tree["district_a"], 2021, full("5"), admin)
    a = scored(
        mini_template, tree["district_a"], 2022, {"1.1": "2", "1.2": "1", "2.1": "2.5"}, admin, auto="90"
    )
    scored(mini_template, tree["district_b"], 2022, full("6.5"), admin)
    return a


def test_results_xlsx_numbers_and_escaping(published, mini_template):
    workbook = openpyxl.load_workbook(io.BytesIO(exports.export_results_xlsx(mini_template, 2022)))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[2]]
    assert headers[:3] == ["STT", "Mã đơn vị", "Đơn vị"]
    total_col = headers.index("Tổng điểm") + 1
    index_col = headers.index("Chỉ số (%)") + 1
    rank_col = headers.index("Xếp hạng") + 1
    rows = {sheet.cell(r, 2).value: r for r in range(3, sheet.max_row + 1)}
    h01 = rows["H01"]
    assert sheet.cell(h01, total_col).value == pytest.approx(7.3)
    assert sheet.cell(h01, total_col).data_type == "n"
    assert sheet.cell(h01, index_col).value == pytest.approx(73.0)
    assert sheet.cell(h01, index_col).number_format == "[$-42A]#,##0.00"
    assert sheet.cell(h01, rank_col).value == 2
    assert sheet.cell(rows["H02"], rank_col).value == 1
    name = sheet.cell(rows["H02"], 3)
    assert name.data_type == "s" and name.value.startswith("'=HYPERLINK")
    previous = headers.index("Điểm 2021") + 1
    assert sheet.cell(h01, previous).value == 7  # 5 manual + 2 automatic
    gained = headers.index("Điểm tăng/giảm") + 1
    assert sheet.cell(h01, gained).value == pytest.approx(0.3)


def test_safe_text_escapes_each_formula_start():
    for start in "=+-@":
        assert exports.safe_text(start + "1") == "'" + start + "1"
    assert exports.safe_text("Huyện Chư Păh") == "Huyện Chư Păh"


def test_lost_points_docx_lists_lost_rows(published, scoring_users, tree):
    services.save_remediation(published, scoring_users["admin"], {"1.2": ("Nộp báo cáo đúng hạn", "SNV")})
    document = Document(io.BytesIO(exports.lost_points_docx(published)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO ĐIỂM BỊ TRỪ CHỈ SỐ CCHC NĂM 2022" in text
    assert "Chỉ số CCHC năm 2022 đạt 7,3/10 điểm, đạt 73,00%, xếp thứ 2/2, xếp loại Khá" in text
    assert document.styles["Normal"].font.name == "Times New Roman"
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.left_margin.cm, 1) == 3.0
    areas, lost = document.tables
    assert [c.text for c in areas.rows[0].cells][:2] == ["STT", "Lĩnh vực"]
    assert [c.text for c in areas.rows[1].cells] == [
        "1",
        "Công tác chỉ đạo, điều hành CCHC",
        "5,5",
        "4,8",
        "0,7",
        "87,27",
        "2/2",
    ]
    assert [c.text for c in lost.rows[0].cells] == [
        "Mã",
        "Nội dung",
        "Điểm bị trừ",
        "Biện pháp khắc phục",
        "Đơn vị chịu trách nhiệm",
    ]
    body = [[c.text for c in row.cells] for row in lost.rows[1:]]
    assert body[0] == ["1.2", "Báo cáo CCHC", "0,5", "Nộp báo cáo đúng hạn", "Sở Nội vụ"]
    assert [row[0] for row in body] == ["1.2", "1.3", "2.1", "2.2"]
    assert [row[2] for row in body] == ["0,5", "0,2", "0,5", "1,5"]


def test_docx_without_lost_points(mini_template, tree, scoring_users):
    a = scored(
        mini_template,
        tree["district_a"],
        2022,
        {**full("6.5"), "2.2": "100"},
        scoring_users["admin"],
        status=Status.APPRAISED,
    )
    document = Document(io.BytesIO(exports.lost_points_docx(a)))
    assert len(document.tables) == 1
    assert any("Không bị trừ điểm" in p.text for p in document.paragraphs)
