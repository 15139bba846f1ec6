"""`cchc indicators …`: load-catalog, template, import (all or nothing), export, completeness."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from cchc.cli import main
from cchc.reporting import xlsx
from cchc.reporting.models import Catalog, Indicator, Submission, Value


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.django_db
def test_load_catalog_json_then_unchanged(capsys):
    code, out, _ = run(capsys, "indicators", "load-catalog", "--json")
    assert code == 0
    first = json.loads(out)
    assert (
        first["created"] is True and first["rules"] == 15 and first["indicators"] == Indicator.objects.count()
    )
    code, out, _ = run(capsys, "indicators", "load-catalog", "--json")
    assert json.loads(out)["created"] is False and json.loads(out)["updated"] is False
    assert Catalog.objects.count() == 1


def _filled_template(capsys, tmp_path, unit: str) -> tuple:
    out_file = tmp_path / "mau.xlsx"
    code, out, _ = run(
        capsys,
        "indicators",
        "template",
        "--unit",
        unit,
        "--period",
        "2021-H1",
        "--out",
        str(out_file),
        "--json",
    )
    assert code == 0 and json.loads(out)["out"] == str(out_file)
    book = load_workbook(out_file)
    sheet = book[xlsx.SHEET]
    rows = {str(sheet.cell(row=r, column=1).value): r for r in range(xlsx.FIRST_ROW, sheet.max_row + 1)}
    return out_file, book, sheet, rows


def test_template_import_export_round_trip(capsys, tmp_path, tree, periods):
    out_file, book, sheet, rows = _filled_template(capsys, tmp_path, "STP")
    sheet[f"D{rows['1.1.1']}"] = 38
    sheet[f"D{rows['1.1.2']}"] = "11"
    sheet[f"F{rows['3.4.1']}"] = 90
    sheet[f"G{rows['3.4.1']}"] = 100
    book.save(out_file)
    code, out, err = run(
        capsys, "indicators", "import", str(out_file), "--unit", "STP", "--period", "2021-H1", "--json"
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["saved"] == 3 and result["unit"] == "STP"
    values = {v.indicator_code: v for v in Value.objects.filter(submission__unit__code="STP")}
    assert values["1.1.2"].value == 11 and values["3.4.1"].value == 90

    exported = tmp_path / "xuat.xlsx"
    code, out, _ = run(
        capsys, "indicators", "export", "--unit", "STP", "--period", "2021-H1", "--out", str(exported)
    )
    assert code == 0
    sheet = load_workbook(exported)[xlsx.SHEET]
    assert sheet.cell(row=rows["1.1.1"], column=4).value == 38


def test_import_refused_lists_cells_and_saves_nothing(capsys, tmp_path, tree, periods):
    out_file, book, sheet, rows = _filled_template(capsys, tmp_path, "STP")
    sheet[f"D{rows['1.1.1']}"] = 38
    sheet[f"D{rows['1.1.2']}"] = -1
    sheet[f"D{rows['3.4.2']}"] = "abc"
    book.save(out_file)
    code, _, err = run(capsys, "indicators", "import", str(out_file), "--unit", "STP", "--period", "2021-H1")
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[-1].startswith("Lỗi: ")
    assert any(f"{rows['1.1.2']}" in line and "1.1.2" in line for line in lines[:-1])
    assert any(f"{rows['3.4.2']}" in line for line in lines[:-1])
    assert not Value.objects.exists()

    code, out, err = run(
        capsys, "indicators", "import", str(out_file), "--unit", "STP", "--period", "2021-H1", "--json"
    )
    assert code == 1 and {e["row"] for e in json.loads(out)["errors"]} == {rows["1.1.2"], rows["3.4.2"]}


def test_bad_arguments_one_vietnamese_line(capsys, tmp_path, tree, periods):
    not_xlsx = tmp_path / "x.xlsx"
    not_xlsx.write_text("không phải XLSX", encoding="utf-8")
    for argv in (
        ("indicators", "import", str(not_xlsx), "--unit", "NOPE", "--period", "2021-H1"),
        ("indicators", "import", str(not_xlsx), "--unit", "STP", "--period", "2021-X9"),
        ("indicators", "import", str(tmp_path / "missing.xlsx"), "--unit", "STP", "--period", "2021-H1"),
        ("indicators", "import", str(not_xlsx), "--unit", "STP", "--period", "2021-H1"),
        ("indicators", "export", "--unit", "STP", "--period", "2021-H1", "--out", str(tmp_path / "o.xlsx")),
    ):
        code, _, err = run(capsys, *argv)
        assert code == 1, argv
        assert err.startswith("Lỗi: ") and len(err.strip().splitlines()) == 1, err
    assert not Submission.objects.filter(values__isnull=False).exists()


def test_export_aggregate_and_completeness(capsys, tmp_path, tree, periods, users):
    from cchc.reporting import services

    catalog = services.default_catalog()
    for key, n in (("snv", 3), ("stp", 4)):
        submission = services.get_or_create_submission(tree[key], periods["2021-H1"], catalog, users["admin"])
        services.save_values(submission, users["admin"], {"1.1.1": n}, submission.version)
        services.submit(submission, users["admin"])
        services.approve(submission, users["admin"])
    out_file = tmp_path / "tong-hop.xlsx"
    code, out, _ = run(
        capsys,
        "indicators",
        "export",
        "--unit",
        "T64",
        "--period",
        "2021-H1",
        "--out",
        str(out_file),
        "--aggregate",
        "--json",
    )
    assert code == 0 and json.loads(out)["units"] == ["SNV", "STP"]
    sheet = load_workbook(io.BytesIO(out_file.read_bytes()))[xlsx.AGGREGATE_SHEET]
    row = next(
        r for r in range(xlsx.FIRST_ROW, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "1.1.1"
    )
    assert sheet.cell(row=row, column=4).value == 7
    code, out, _ = run(capsys, "indicators", "completeness", "--unit", "T64", "--period", "2021-H1", "--json")
    result = json.loads(out)
    assert result["submitted"] == ["SNV", "STP"] and result["counts"]["missing"] == 3
