"""`cchc dossiers fill-indicators` and `cchc dossiers index766` through the real entry point."""

from __future__ import annotations

import json

import pytest

from cchc.cli import main
from cchc.reporting import services
from cchc.reporting.models import Source
from tests.onestop.test_indicators import HEADER, PROVINCE, ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "ho-so.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


@pytest.fixture
def year(db):
    from cchc.periods.services import create_year_periods

    create_year_periods(2021)


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "trong"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["dossiers", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_fill_indicators_json(capsys, tree, year, csv_file):
    code, out, err = run(capsys, "fill-indicators", "--unit", "T64", "--period", "2021-Q1",
                         "--input", str(csv_file), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["unit"] == "T64" and result["period"] == "2021-Q1"
    assert result["window"] == {"from": "2020-12-15", "to": "2021-03-14"}
    assert {c: (v["numerator"], v["denominator"]) for c, v in result["values"].items()} == PROVINCE
    assert result["values"]["7.8.3"]["rate"] == 33.33
    assert result["saved"] == len(PROVINCE)
    submission = services.get_or_create_submission(
        tree["province"], _period("2021-Q1"), services.default_catalog(), services.SYSTEM
    )
    assert submission.values.filter(source=Source.DOSSIERS).count() == len(PROVINCE)


def test_fill_indicators_text_is_vietnamese(capsys, tree, year, csv_file):
    code, out, _ = run(capsys, "fill-indicators", "--unit", "H01", "--period", "2021-Q1",
                       "--input", str(csv_file))
    assert code == 0
    assert "đã điền 8 chỉ tiêu từ hồ sơ" in out
    assert "3.4.4.b" in out and "50,00%" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--unit", "KHONG", "--period", "2021-Q1"], "đơn vị KHONG không tồn tại"),
        (["--unit", "T64", "--period", "2021-Q9"], "2021-Q9"),
        (["--unit", "T64", "--period", "2021-Q1", "--input", "/khong/co.csv"], "/khong/co.csv"),
        (["--unit", "T64", "--period", "2021-Q1"], "Kho hồ sơ đang trống"),
    ],
)
def test_fill_indicators_errors(capsys, tree, year, empty_store, argv, fragment):
    code, out, err = run(capsys, "fill-indicators", *argv)
    assert code == 1 and out == ""
    assert err.startswith("Lỗi: ") and fragment in err
    assert len(err.strip().splitlines()) == 1


def test_fill_indicators_refuses_a_submitted_report(capsys, tree, year, csv_file):
    submission = services.get_or_create_submission(
        tree["stp"], _period("2021-Q1"), services.default_catalog(), services.SYSTEM
    )
    services.save_values(submission, services.SYSTEM, {"1.1.1": "4", "1.1.2": "3"}, submission.version)
    services.submit(submission, services.SYSTEM)
    code, _, err = run(capsys, "fill-indicators", "--unit", "STP", "--period", "2021-Q1",
                       "--input", str(csv_file))
    assert code == 1
    assert "chỉ báo cáo nháp hoặc bị trả lại" in err


def test_index766_json_shape(capsys, csv_file):
    code, out, err = run(capsys, "index766", "--year", "2021", "--month", "1",
                         "--input", str(csv_file), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["year"], result["month"], result["unit"]) == (2021, 1, None)
    units = {row["unit"] for row in result["rows"]}
    assert units == {"STP", "SNV", "H01", "X0101", "T52", "H02"}
    for row in result["rows"]:
        assert row["month"] == "2021-M01"
        assert row["max"] == 100
        assert set(row) >= {"window", "counts", "inputs", "total", "index", "band", "groups", "leaves"}
    stp = next(row for row in result["rows"] if row["unit"] == "STP")
    assert stp["counts"]["received"] == 2  # d1 d2 (d11 cancelled, d12 in March)
    assert stp["inputs"]["on_time_rate"] == 100  # d1 on time; d2 completed on 20/01, next data month


def test_index766_one_unit_text(capsys, csv_file):
    code, out, _ = run(capsys, "index766", "--year", "2021", "--unit", "H01", "--input", str(csv_file))
    assert code == 0
    # d6, still open, keeps H01 in every data month of the year
    assert out.startswith("Bộ chỉ số phục vụ 766 năm 2021: 12 lượt đơn vị - tháng.")
    assert "2021-M01  H01" in out and "2021-M12  H01" in out and "X0101" not in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--year", "2021", "--month", "13"], "--month 13 không phải một tháng"),
        (["--year", "1999"], "--year 1999 nằm ngoài khoảng"),
        (["--year", "2021", "--input", "/khong/co.csv"], "/khong/co.csv"),
    ],
)
def test_index766_errors(capsys, argv, fragment):
    code, out, err = run(capsys, "index766", *argv)
    assert code == 1 and out == ""
    assert err.startswith("Lỗi: ") and fragment in err


def _period(code: str):
    from cchc.periods.models import Period

    return Period.objects.get(code=code)
