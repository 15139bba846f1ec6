"""`cchc periods ...` through the real entry point: exit codes, JSON, Vietnamese one-line errors."""

from __future__ import annotations

import json

import pytest

from cchc.cli import main
from cchc.periods.models import Period

pytestmark = pytest.mark.django_db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_year_is_idempotent(capsys):
    code, out, _ = run(capsys, "periods", "create", "--year", "2021", "--json")
    assert code == 0
    assert json.loads(out) == {"created": 19, "existing": 0}
    code, out, _ = run(capsys, "periods", "create", "--year", "2021", "--json")
    assert json.loads(out) == {"created": 0, "existing": 19}
    assert Period.objects.filter(year=2021).count() == 19


def test_create_year_text_output_is_vietnamese(capsys):
    code, out, _ = run(capsys, "periods", "create", "--year", "2022")
    assert code == 0
    assert "đã tạo 19 kỳ" in out


def test_create_year_out_of_range(capsys):
    code, out, err = run(capsys, "periods", "create", "--year", "1999", "--json")
    assert code == 1
    assert out == ""
    assert err.startswith("Lỗi: Năm: 1999") and err.count("\n") == 1
    assert Period.objects.count() == 0


def test_show_returns_the_window_and_deadline(capsys):
    run(capsys, "periods", "create", "--year", "2021")
    code, out, _ = run(capsys, "periods", "show", "2021-H1", "--json")
    assert code == 0
    data = json.loads(out)
    assert {k: data[k] for k in ("code", "kind", "start", "end", "deadline", "is_open")} == {
        "code": "2021-H1", "kind": "half", "start": "2020-12-15", "end": "2021-06-14",
        "deadline": "2021-06-19", "is_open": True,
    }
    code, out, _ = run(capsys, "periods", "show", "2021-Q1")
    assert "15/12/2020 – 14/03/2021" in out and "Hạn nộp báo cáo: 19/03/2021" in out


@pytest.mark.parametrize(
    ("ident", "words"),
    [
        ("2021-M13", "tháng phải từ 01 đến 12"),
        ("2021-Q5", "quý phải từ 1 đến 4"),
        ("abc", "2021-M05, 2021-Q1, 2021-H1, 2021-H2, 2021-Y"),
        ("2030-H1", "chưa được tạo"),
        ("2021-C-khong-co", "Không có kỳ báo cáo"),
    ],
)
def test_show_unknown_or_ill_formed(capsys, ident, words):
    run(capsys, "periods", "create", "--year", "2021")
    code, out, err = run(capsys, "periods", "show", ident, "--json")
    assert code == 1
    assert out == ""
    assert err.startswith("Lỗi: ") and ident in err and words in err
    assert err.count("\n") == 1


def test_list_by_year(capsys):
    run(capsys, "periods", "create", "--year", "2021")
    run(capsys, "periods", "create", "--year", "2022")
    code, out, _ = run(capsys, "periods", "list", "--year", "2022", "--json")
    assert code == 0
    periods = json.loads(out)["periods"]
    assert len(periods) == 19 and {p["year"] for p in periods} == {2022}
    code, out, _ = run(capsys, "periods", "list", "--json")
    assert len(json.loads(out)["periods"]) == 38
    code, out, _ = run(capsys, "periods", "list", "--year", "2022")
    assert "2022-M05" in out and "Tháng 5 năm 2022" in out and "2021-M05" not in out


def test_close_and_open(capsys):
    run(capsys, "periods", "create", "--year", "2021")
    code, out, _ = run(capsys, "periods", "close", "2021-Q1", "--json")
    assert code == 0 and json.loads(out)["is_open"] is False
    assert Period.objects.get(code="2021-Q1").is_open is False
    code, out, _ = run(capsys, "periods", "open", "2021-Q1")
    assert "đang mở" in out
    assert Period.objects.get(code="2021-Q1").is_open is True


def test_create_custom(capsys):
    code, out, _ = run(capsys, "periods", "create-custom", "2021-C-kiem-tra", "--name", "Đợt kiểm tra",
                       "--start", "01/03/2021", "--end", "2021-04-30", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["kind"], data["start"], data["end"], data["deadline"]) == (
        "custom", "2021-03-01", "2021-04-30", "2021-05-05")
    code, _, err = run(capsys, "periods", "create-custom", "2021-C-x", "--name", "X",
                       "--start", "31/02/2021", "--end", "01/03/2021")
    assert code == 1 and "Ngày bắt đầu: “31/02/2021” không phải là ngày" in err
    code, _, err = run(capsys, "periods", "create-custom", "2021-C-x", "--name", "X",
                       "--start", "02/03/2021", "--end", "01/03/2021")
    assert code == 1 and "Ngày kết thúc: 01/03/2021 trước ngày bắt đầu 02/03/2021" in err
    assert Period.objects.count() == 1
