"""`cchc dossiers stats` through the real entry point: JSON, Vietnamese table, one-line errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cchc.cli import main
from cchc.periods.models import Period

pytestmark = pytest.mark.django_db

CSV = """Mã hồ sơ,Ngày tiếp nhận,Hạn xử lý,Ngày có kết quả,Cấp,Hình thức nộp,Trạng thái,Mã đơn vị
HS-1,04/01/2021 08:00,08/01/2021,07/01/2021 16:00,tinh,truc_tiep,da_giai_quyet,STP
HS-2,05/01/2021 09:30,06/01/2021,11/01/2021 10:00,xa,truc_tuyen_toan_trinh,da_giai_quyet,X01
HS-3,06/01/2021,,,xa,truc_tuyen_mot_phan,dang_xu_ly,X01
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["dossiers", "stats", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "ho-so.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_json_by_unit(capsys, csv_file):
    code, out, _ = run(
        capsys,
        "--input",
        str(csv_file),
        "--from",
        "01/01/2021",
        "--to",
        "2021-01-31",
        "--by",
        "unit",
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert result["window"] == {"from": "2021-01-01", "to": "2021-01-31"}
    assert [g["key"] for g in result["groups"]] == [{"unit": "STP"}, {"unit": "X01"}]
    x01 = result["groups"][1]
    assert (x01["received"], x01["completed"], x01["late"], x01["on_time_rate"], x01["online_rate"]) == (
        2,
        1,
        1,
        0.0,
        100.0,
    )
    assert result["total"]["on_time_rate"] == 50.0


def test_unit_filter(capsys, csv_file):
    code, out, _ = run(capsys, "--input", str(csv_file), "--period", "2021-M01", "--unit", "STP", "--json")
    assert code == 0
    assert json.loads(out)["total"]["received"] == 1


def test_text_table_is_vietnamese(capsys, csv_file):
    code, out, _ = run(
        capsys, "--input", str(csv_file), "--from", "2021-01-01", "--to", "2021-01-31", "--by", "level"
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Hồ sơ từ 01/01/2021 đến 31/01/2021"
    assert "Tiếp nhận" in lines[1] and "Tỷ lệ đúng hạn" in lines[1]
    assert lines[-1].startswith("Tổng cộng")
    assert "50,00" in lines[-1]  # Vietnamese decimal comma


def test_custom_period_from_the_database(capsys, csv_file):
    Period.objects.create(
        code="2021-C-dot-dau-nam",
        kind="custom",
        year=2021,
        name="Đợt đầu năm",
        start=dt.date(2021, 1, 5),
        deadline=dt.date(2021, 1, 20),
        end=dt.date(2021, 1, 6),
    )
    code, out, err = run(capsys, "--input", str(csv_file), "--period", "2021-C-dot-dau-nam", "--json")
    assert code == 0, err
    assert json.loads(out)["total"]["received"] == 2


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--period", "2021-Q5"], "2021-Q5"),
        (["--from", "2021-01-32", "--to", "2021-02-01"], "--from: “2021-01-32” không phải ngày hợp lệ"),
        (["--from", "2021-02-01", "--to", "2021-01-01"], "--to 01/01/2021 trước --from 01/02/2021"),
        (["--from", "2021-02-01"], "cần --period MÃ_KỲ, hoặc cả --from và --to"),
        (["--period", "2021-Q1", "--to", "2021-01-01"], "chỉ dùng --period hoặc --from/--to"),
        (["--period", "2021-Q1", "--by", "level,huyen"], "Không nhóm được theo “huyen”"),
        (["--period", "2021-C-khong-co"], "kỳ báo cáo 2021-C-khong-co không tồn tại"),
    ],
)
def test_bad_arguments(capsys, csv_file, argv, words):
    code, out, err = run(capsys, "--input", str(csv_file), *argv, "--json")
    assert code == 1 and out == ""
    assert err.startswith("Lỗi: ") and err.count("\n") == 1
    assert words in err


def test_bad_row_is_one_line_naming_file_row_and_column(capsys, tmp_path):
    path = tmp_path / "loi.csv"
    path.write_text(CSV.replace("06/01/2021,,,xa", "06/13/2021,,,xa"), encoding="utf-8")
    code, out, err = run(capsys, "--input", str(path), "--period", "2021-Q1", "--json")
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert str(path) in err and "dòng 4, cột “Ngày tiếp nhận”" in err and "06/13/2021" in err


def test_missing_file_and_missing_input(capsys, tmp_path):
    code, _, err = run(capsys, "--input", str(tmp_path / "khong-co.csv"), "--period", "2021-Q1")
    assert code == 1 and "không tìm thấy tệp" in err
    code, _, err = run(capsys, "--period", "2021-Q1")
    assert code == 1 and "--input" in err
