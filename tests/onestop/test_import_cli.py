"""`cchc dossiers import` and `cchc dossiers stats` from the store, through the real entry point."""

from __future__ import annotations

import json

import pytest

from cchc.cli import main

pytestmark = pytest.mark.django_db

CSV = """Mã hồ sơ,Ngày tiếp nhận,Hạn xử lý,Ngày có kết quả,Cấp,Hình thức nộp,Trạng thái,Mã đơn vị,\
Thời hạn giải quyết
HS-1,04/01/2021 08:00,08/01/2021,07/01/2021 16:00,tinh,truc_tiep,da_giai_quyet,STP,
HS-2,05/01/2021 09:30,,19/02/2021 10:00,xa,truc_tuyen_toan_trinh,da_giai_quyet,X01,5
HS-3,05/02/2021 10:00,,22/02/2021 10:00,huyen,buu_chinh,da_giai_quyet,H01,5
HS-4,06/01/2021,,,xa,truc_tuyen_mot_phan,dang_xu_ly,X01,3
"""


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["dossiers", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_json_then_stats_from_store_equal_input(capsys, tmp_path, data_dir):
    path = tmp_path / "hs.csv"
    path.write_text(CSV, encoding="utf-8")
    code, out, _ = run(capsys, "import", str(path), "--json")
    assert code == 0 and json.loads(out) == {"imported": 4, "updated": 0, "rejected": 0, "total": 4}
    code, out, _ = run(capsys, "import", str(path), "--json")
    assert json.loads(out) == {"imported": 0, "updated": 4, "rejected": 0, "total": 4}
    window = ["--from", "2021-01-01", "--to", "2021-03-31", "--by", "unit,level,month", "--json"]
    code, from_store, _ = run(capsys, "stats", *window)
    assert code == 0
    code, from_input, _ = run(capsys, "stats", "--input", str(path), *window)
    assert json.loads(from_store) == json.loads(from_input)
    assert json.loads(from_store)["total"]["received"] == 4
    assert (data_dir / "dossiers" / "CURRENT").is_file()


def test_import_progress_and_vietnamese_summary(capsys, tmp_path, data_dir):
    path = tmp_path / "hs.csv"
    path.write_text(CSV, encoding="utf-8")
    code, out, err = run(capsys, "import", str(path))
    assert code == 0
    assert "[1/4]" in err and "[4/4]" in err
    assert "4" in out and "hồ sơ" in out


def test_bad_file_exit_1_names_rows_and_stores_nothing(capsys, tmp_path, data_dir):
    path = tmp_path / "hs.csv"
    bad = CSV.replace("buu_chinh", "fax").replace("06/01/2021,", "31/02/2021,")
    path.write_text(bad, encoding="utf-8")
    code, out, err = run(capsys, "import", str(path))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert lines[-1].startswith("Lỗi: ") and "dòng 4" in lines[-1] and "2 lỗi" in lines[-1]
    assert "dòng 5" in err and "31/02/2021" in err
    assert not (data_dir / "dossiers" / "CURRENT").exists()
    code, _out, err = run(capsys, "stats", "--from", "2021-01-01", "--to", "2021-01-31")
    assert code == 1 and "dossiers import" in err


def test_skip_bad_cli(capsys, tmp_path, data_dir):
    path = tmp_path / "hs.csv"
    path.write_text(CSV.replace("buu_chinh", "fax"), encoding="utf-8")
    rejects = tmp_path / "loi.csv"
    code, out, _ = run(capsys, "import", str(path), "--skip-bad", str(rejects), "--json")
    assert code == 0 and json.loads(out) == {"imported": 3, "updated": 0, "rejected": 1, "total": 3}
    text = rejects.read_text(encoding="utf-8-sig")
    assert text.splitlines()[1].startswith("4,") and "fax" in text


def test_mapping_option(capsys, tmp_path, data_dir):
    mapping = tmp_path / "map.yaml"
    text = "columns:\n  dossier_id: 'Mã biên nhận'\nvalues:\n  channel:\n    'Bưu điện': buu_chinh\n"
    mapping.write_text(text, encoding="utf-8")
    path = tmp_path / "hs.csv"
    export = CSV.replace("Mã hồ sơ", "Mã biên nhận").replace("buu_chinh", "Bưu điện")
    path.write_text(export, encoding="utf-8")
    code, out, _ = run(capsys, "import", str(path), "--mapping", str(mapping), "--json")
    assert code == 0 and json.loads(out)["imported"] == 4
    code, out, _ = run(capsys, "stats", "--from", "2021-01-01", "--to", "2021-03-31", "--json")
    assert json.loads(out)["total"]["postal"] == 1
    code, _out, err = run(capsys, "import", str(path), "--mapping", str(tmp_path / "none.yaml"))
    assert code == 1 and "none.yaml" in err
