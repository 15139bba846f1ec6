"""`cchc units load-vn` and `cchc units import FILE` through `cchc.cli.main`."""

from __future__ import annotations

import json

import pytest

from cchc.cli import main
from cchc.units.models import Unit

from .helpers import write_csv

pytestmark = pytest.mark.django_db(transaction=False)


def test_import_json(tmp_path, capsys):
    path = write_csv(tmp_path / "u.csv", [["P1", "Tỉnh", "tinh", "", "", "", ""],
                                          ["X1", "Xã", "xa", "P1", "", "", ""]])
    assert main(["units", "import", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"created": 2, "updated": 0}

    assert main(["units", "import", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"created": 0, "updated": 0}


def test_import_text_output(tmp_path, capsys):
    path = write_csv(tmp_path / "u.csv", [["P1", "Tỉnh", "tinh", "", "", "", ""]])
    assert main(["units", "import", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "Đã tạo 1 đơn vị, cập nhật 0 đơn vị."


def test_bad_file_exits_1_with_one_summary_line_and_every_row(tmp_path, capsys):
    rows = [["P1", "Tỉnh", "tinh", "", "", "", ""], ["X1", "Xã", "xa", "NOPE", "", "", ""],
            ["X2", "Xã 2", "lang", "P1", "", "", ""]]
    path = write_csv(tmp_path / "bad.csv", rows)

    assert main(["units", "import", str(path), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert lines[0].startswith("Lỗi: ")
    assert "3, 4" in lines[0]
    assert lines[1].strip().startswith("Dòng 3, cột “parent_code”")
    assert lines[2].strip().startswith("Dòng 4, cột “kind”")
    assert not Unit.objects.exists()


def test_missing_file(capsys, tmp_path):
    assert main(["units", "import", str(tmp_path / "none.csv")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("Lỗi: ") and "none.csv" in err and "\n" not in err


def test_load_vn_json(capsys):
    assert main(["units", "load-vn", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"provinces": 34, "communes": 3321}
    assert Unit.objects.count() == 34 + 3321
