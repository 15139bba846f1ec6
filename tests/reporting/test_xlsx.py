"""XLSX round trip: template → filled in a spreadsheet → imported equals typed entry; bad files refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cchc.reporting import services, xlsx
from cchc.reporting.models import Submission, Value

TYPED = {
    "1.1.1": "38",
    "1.1.2": "11",
    "1.4.1": "3.133",
    "1.4.2": "1",
    "3.1.3": "1.964",
    "3.4.1": ("1.234", "1.500"),
    "3.4.2": "72,8",
    "4.1.4.d": ("139", "1.000"),
    "7.3": "2",
    "2.3": {"value": "94", "note": "-16 VB của Sở Thông tin và Truyền thông"},
}
# The same figures as someone types them into the template's cells in Excel.
CELLS = {
    "1.1.1": {"D": 38},
    "1.1.2": {"D": 11},
    "1.4.1": {"D": 3133},
    "1.4.2": {"D": "1"},
    "3.1.3": {"D": "1.964"},
    "3.4.1": {"F": 1234, "G": 1500},
    "3.4.2": {"D": 72.8},
    "4.1.4.d": {"F": 139, "G": "1.000"},
    "7.3": {"D": 2},
    "2.3": {"D": 94, "E": "-16 VB của Sở Thông tin và Truyền thông"},
}


def _snapshot(submission: Submission) -> dict:
    return {
        code: (v.value, v.text, v.numerator, v.denominator, v.non_aggregable, v.note)
        for code, v in services.stored_values(submission).items()
    }


def _rows(sheet) -> dict[str, int]:
    return {str(sheet.cell(row=r, column=1).value): r for r in range(xlsx.FIRST_ROW, sheet.max_row + 1)}


def _fill(data: bytes, cells: dict[str, dict[str, object]]) -> bytes:
    book = load_workbook(io.BytesIO(data))
    sheet = book[xlsx.SHEET]
    rows = _rows(sheet)
    for code, values in cells.items():
        for column, value in values.items():
            sheet[f"{column}{rows[code]}"] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def pair(catalog, tree, h1, rep_users):
    reporter = rep_users["reporter"]
    typed = services.get_or_create_submission(tree["stp"], h1, catalog, reporter)
    uploaded = services.get_or_create_submission(tree["snv"], h1, catalog, rep_users["admin"])
    return typed, uploaded


def test_template_layout(catalog, tree, h1):
    book = load_workbook(io.BytesIO(xlsx.template_xlsx(tree["stp"], h1, catalog)))
    assert book.sheetnames == ["Phụ lục"]
    sheet = book["Phụ lục"]
    assert [c.value for c in sheet[xlsx.HEADER_ROW]] == list(xlsx.HEADERS)
    assert sheet["A1"].value == "Phụ lục" and sheet["A3"].value == "SỞ TƯ PHÁP"
    rows = _rows(sheet)
    assert list(rows) == list(catalog.pure.codes)
    assert sheet.cell(row=rows["1.4.2"], column=3).value == "Trực tuyến = 0; Phát phiếu = 1; Kết hợp = 2"
    assert sheet.cell(row=rows["3.4.1"], column=4).value.startswith("=IF(")


def test_template_filled_and_imported_equals_typed_entry(pair, rep_users):
    typed, uploaded = pair
    services.save_values(typed, rep_users["reporter"], TYPED, typed.version)
    template = xlsx.template_xlsx(uploaded.unit, uploaded.period, uploaded.catalog)
    result = xlsx.import_xlsx(_fill(template, CELLS), uploaded, rep_users["admin"])
    assert result.saved == len(TYPED)
    assert _snapshot(uploaded) == _snapshot(typed)
    assert {v.source for v in uploaded.values.all()} == {"xlsx"}


def test_export_of_a_submission_imports_back_unchanged(pair, rep_users):
    typed, _ = pair
    services.save_values(typed, rep_users["reporter"], TYPED, typed.version)
    before = _snapshot(typed)
    exported = xlsx.export_xlsx(typed)
    sheet = load_workbook(io.BytesIO(exported))[xlsx.SHEET]
    note = sheet.cell(row=_rows(sheet)["2.3"], column=5)
    assert note.value == "'-16 VB của Sở Thông tin và Truyền thông" and note.data_type == "s"
    result = xlsx.import_xlsx(exported, typed, rep_users["reporter"])
    assert result.saved == 0 and _snapshot(typed) == before


def test_export_is_safe_from_formula_injection(pair, rep_users):
    typed, _ = pair
    services.save_values(
        typed, rep_users["reporter"], {"1.1.1": {"value": "3", "note": '=HYPERLINK("x")'}}, typed.version
    )
    for data in (xlsx.export_xlsx(typed), xlsx.template_xlsx(typed.unit, typed.period, typed.catalog)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
        assert "HYPERLINK" not in sheet_xml.split("<f>")[-1] if "<f>" in sheet_xml else True
        assert "<f>HYPERLINK" not in sheet_xml and "<f>=HYPERLINK" not in sheet_xml
        sheet = load_workbook(io.BytesIO(data))[xlsx.SHEET]
        assert sheet.cell(row=_rows(sheet)["1.1.1"], column=5).value == '\'=HYPERLINK("x")'


def test_aggregate_export(catalog, tree, h1, rep_users):
    admin = rep_users["admin"]
    for key, pair in (("snv", (1, 10)), ("stp", (9, 10))):
        submission = services.get_or_create_submission(tree[key], h1, catalog, admin)
        services.save_values(submission, admin, {"3.4.1": pair, "1.1.1": 2, "1.5": "1"}, submission.version)
        services.submit(submission, admin)
        services.approve(submission, admin)
    data = xlsx.export_xlsx(services.aggregate(tree["province"], h1, catalog))
    sheet = load_workbook(io.BytesIO(data))[xlsx.AGGREGATE_SHEET]
    rows = _rows(sheet)
    assert [c.value for c in sheet[rows["3.4.1"]]][3:7] == [50, 10, 20, 2]
    assert sheet.cell(row=rows["1.1.1"], column=4).value == 4
    assert sheet.cell(row=rows["1.5"], column=4).value == "Không: 0; Có: 2"


def _refused(data: bytes, submission: Submission, user) -> xlsx.XlsxImportError:
    with pytest.raises(xlsx.XlsxImportError) as refused:
        xlsx.import_xlsx(data, submission, user)
    assert not Value.objects.filter(submission=submission).exists()
    return refused.value


def test_corrupted_and_wrong_layout_files_refused(pair, rep_users):
    _, uploaded = pair
    admin = rep_users["admin"]
    template = xlsx.template_xlsx(uploaded.unit, uploaded.period, uploaded.catalog)
    assert "XLSX" in _refused(b"STT;Chi tieu\n1;2\n", uploaded, admin).message
    assert "XLSX" in _refused(template[: len(template) // 2], uploaded, admin).message
    assert "MB" in _refused(b"PK" + b"0" * (xlsx.MAX_BYTES + 1), uploaded, admin).message

    book = load_workbook(io.BytesIO(template))
    book[xlsx.SHEET].title = "Sheet1"
    buffer = io.BytesIO()
    book.save(buffer)
    error = _refused(buffer.getvalue(), uploaded, admin)
    assert error.errors[0].sheet == "Phụ lục" and "Sheet1" in error.message

    book = load_workbook(io.BytesIO(template))
    book[xlsx.SHEET]["D6"] = "Giá trị"
    buffer = io.BytesIO()
    book.save(buffer)
    error = _refused(buffer.getvalue(), uploaded, admin)
    assert (error.errors[0].row, error.errors[0].column) == (6, "D") and "Số liệu" in error.errors[0].reason

    other = xlsx.template_xlsx(rep_users["reporter"].unit, uploaded.period, uploaded.catalog)
    error = _refused(_fill(other, {"1.1.1": {"D": 4}}), uploaded, admin)
    assert error.errors[0].row == 4 and "STP" in error.errors[0].reason


def test_every_bad_cell_named_and_nothing_saved(pair, rep_users):
    _, uploaded = pair
    template = xlsx.template_xlsx(uploaded.unit, uploaded.period, uploaded.catalog)
    book = load_workbook(io.BytesIO(template))
    sheet = book[xlsx.SHEET]
    rows = _rows(sheet)
    sheet[f"D{rows['1.1.1']}"] = 12  # good, but must not be saved
    sheet[f"D{rows['1.1.2']}"] = "mười"
    sheet[f"D{rows['1.1.3']}"] = -2
    sheet[f"D{rows['3.4.2']}"] = 120
    sheet[f"D{rows['1.4.2']}"] = 5
    sheet[f"D{rows['1.1']}"] = 3
    extra = sheet.max_row + 1
    sheet[f"A{extra}"] = "9.9"
    sheet[f"D{extra}"] = 1
    buffer = io.BytesIO()
    book.save(buffer)
    error = _refused(buffer.getvalue(), uploaded, rep_users["admin"])
    found = {(e.row, e.column) for e in error.errors}
    assert found == {
        (rows["1.1.2"], "D"),
        (rows["1.1.3"], "D"),
        (rows["3.4.2"], "D"),
        (rows["1.4.2"], "D"),
        (rows["1.1"], "D"),
        (extra, "A"),
    }
    assert all(e.sheet == "Phụ lục" and e.reason for e in error.errors)
    assert str(error.errors[0]).startswith("Trang “Phụ lục”, dòng ")
    assert error.message.startswith("Tệp bị từ chối: 6 ô sai; chưa lưu số liệu nào.")
    assert "6" in error.message


BAD_CELLS = st.sampled_from(
    [
        ("1.2.1", "D", -1),
        ("1.2.1", "D", 2.5),
        ("1.2.1", "D", "abc"),
        ("1.2.1", "D", "1,2,3"),
        ("3.3.3", "D", 100.5),
        ("3.3.3", "D", -0.1),
        ("3.3.3", "F", 5),
        ("3.3.3", "G", "x"),
        ("1.5", "D", 2),
        ("1.5", "D", "Có lẽ"),
        ("7.2", "D", -1),
        ("2.1", "F", 3),
        ("1", "D", 1),
    ]
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bad=st.lists(BAD_CELLS, min_size=1, max_size=4, unique_by=lambda c: c[0]),
    good=st.integers(min_value=0, max_value=10**6),
)
def test_generated_bad_cells_are_refused_with_their_row(pair, rep_users, bad, good):
    _, uploaded = pair
    template = xlsx.template_xlsx(uploaded.unit, uploaded.period, uploaded.catalog)
    cells: dict[str, dict[str, object]] = {"4.2.4": {"D": good}}
    for code, column, value in bad:
        cells.setdefault(code, {})[column] = value
    data = _fill(template, cells)
    rows = _rows(load_workbook(io.BytesIO(data))[xlsx.SHEET])
    error = _refused(data, uploaded, rep_users["admin"])
    assert {e.row for e in error.errors} == {rows[code] for code, _, _ in bad}
    assert all(e.sheet == "Phụ lục" for e in error.errors)
