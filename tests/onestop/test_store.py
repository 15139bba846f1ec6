"""The dossier store: dedup by id, updates moving months, all-or-nothing, --skip-bad, mapping files."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.onestop.metrics import dossier_stats
from cchc.onestop.reader import DossierFileError, load_mapping
from cchc.onestop.store import DossierStore

HEADER = "Mã hồ sơ,Ngày tiếp nhận,Hạn xử lý,Ngày có kết quả,Cấp,Hình thức nộp,Trạng thái,Mã đơn vị\n"
ROWS = [
    "HS-1,04/01/2021 08:00,08/01/2021,07/01/2021 16:00,tinh,truc_tiep,da_giai_quyet,STP",
    "HS-2,05/01/2021 09:30,06/01/2021,11/01/2021 10:00,xa,truc_tuyen_toan_trinh,da_giai_quyet,X01",
    "HS-3,06/02/2021,,,xa,truc_tuyen_mot_phan,dang_xu_ly,X01",
]
MAPPING = Path(__file__).resolve().parents[2] / "cchc/onestop/data/mappings/example-igate.yaml"
WINDOW = (dt.date(2021, 1, 1), dt.date(2021, 3, 31))


def write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def listing(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def stored_rows(store: DossierStore) -> dict[str, tuple]:
    import duckdb

    con = duckdb.connect()
    rows = con.execute(
        "SELECT dossier_id, received_at, month FROM read_parquet(?, hive_partitioning = true)", [store.glob()]
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def test_empty_store(tmp_path):
    store = DossierStore(tmp_path / "kho")
    assert store.count() == 0
    assert store.source() is None


def test_import_twice_keeps_one_row_per_dossier(tmp_path):
    store = DossierStore(tmp_path / "kho")
    path = write(tmp_path / "a.csv", ROWS)
    first = store.import_file(path)
    assert tuple(first) == (3, 0, 0, 3)
    second = store.import_file(path)
    assert tuple(second) == (0, 3, 0, 3)
    assert store.count() == 3
    assert store.months() == ["2021-01", "2021-02"]


def test_update_replaces_row_and_moves_month(tmp_path):
    store = DossierStore(tmp_path / "kho")
    store.import_file(write(tmp_path / "a.csv", ROWS))
    moved = "HS-1,04/03/2021 08:00,08/03/2021,07/03/2021 16:00,tinh,truc_tiep,da_giai_quyet,STP"
    result = store.import_file(write(tmp_path / "b.csv", [moved, ROWS[2].replace("HS-3", "HS-4")]))
    assert tuple(result) == (1, 1, 0, 4)
    rows = stored_rows(store)
    assert sorted(rows) == ["HS-1", "HS-2", "HS-3", "HS-4"]
    assert rows["HS-1"] == (dt.datetime(2021, 3, 4, 8, 0), "2021-03")
    assert store.months() == ["2021-01", "2021-02", "2021-03"]
    # the month it left still holds the others; nothing in it is HS-1 any more
    assert [k for k, (_r, m) in rows.items() if m == "2021-01"] == ["HS-2"]


def test_bad_row_names_line_and_leaves_store_byte_identical(tmp_path):
    store = DossierStore(tmp_path / "kho")
    store.import_file(write(tmp_path / "a.csv", ROWS))
    before = listing(store.root)
    rows = [ROWS[0].replace("HS-1", "HS-7"), ROWS[1].replace("truc_tuyen_toan_trinh", "fax")]
    bad = write(tmp_path / "b.csv", rows)
    with pytest.raises(DossierFileError) as info:
        store.import_file(bad)
    assert info.value.errors[0].line == 3
    assert "fax" in str(info.value)
    assert listing(store.root) == before
    assert store.count() == 3


def test_failure_while_writing_leaves_store_intact(tmp_path, monkeypatch):
    store = DossierStore(tmp_path / "kho")
    store.import_file(write(tmp_path / "a.csv", ROWS))
    before = listing(store.root)

    def broken(*args, **kwargs):
        raise OSError("đĩa đầy")

    monkeypatch.setattr("cchc.onestop.store.os.link", broken)
    moved = "HS-1,04/03/2021 08:00,08/03/2021,07/03/2021 16:00,tinh,truc_tiep,da_giai_quyet,STP"
    with pytest.raises(OSError):
        store.import_file(write(tmp_path / "b.csv", [moved]))
    assert listing(store.root) == before
    assert not [p for p in store.root.iterdir() if p.name.startswith(".")]


def test_skip_bad_writes_rejects_and_keeps_good_rows(tmp_path):
    store = DossierStore(tmp_path / "kho")
    rows = [*ROWS, "HS-8,32/01/2021,,,xa,truc_tiep,dang_xu_ly,X01",
            ",05/01/2021,,,xa,truc_tiep,dang_xu_ly,X01"]
    out = tmp_path / "loi" / "rejects.csv"
    result = store.import_file(write(tmp_path / "a.csv", rows), skip_bad=out)
    assert tuple(result) == (3, 0, 2, 3)
    with out.open(encoding="utf-8-sig") as handle:
        rejects = list(csv.reader(handle))
    assert rejects[0][:3] == ["Dòng", "Lý do", "Mã hồ sơ"]
    assert [r[0] for r in rejects[1:]] == ["5", "6"]
    assert "32/01/2021" in rejects[1][1] and rejects[1][2] == "HS-8"
    assert "thiếu mã hồ sơ" in rejects[2][1]


def test_example_mapping_reads_igate_export(tmp_path):
    export = tmp_path / "igate.csv"
    export.write_text(
        "Số hồ sơ,Mã TTHC,Cấp thực hiện,Hình thức tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,"
        "Tình trạng xử lý,Mã cơ quan thực hiện,Có thư xin lỗi\n"
        "G-1,1.001,UBND cấp xã,Nộp trực tuyến,04/01/2021 08:00,05/01/2021,06/01/2021 09:00,"
        "Đã trả kết quả,X01,Không\n"
        "G-2,1.002,\"Sở, ban, ngành\",Qua dịch vụ BCCI,04/01/2021 08:00,08/01/2021,,Chờ bổ sung,STP,\n",
        encoding="utf-8",
    )
    store = DossierStore(tmp_path / "kho")
    assert tuple(store.import_file(export, mapping=MAPPING)) == (2, 0, 0, 2)
    stats = dossier_stats(store.source(), *WINDOW, by=["level"])
    by_level = {g["key"]["level"]: g for g in stats["groups"]}
    assert by_level["xa"]["online"] == 1 and by_level["xa"]["late_without_apology"] == 1
    assert by_level["tinh"]["postal"] == 1 and by_level["tinh"]["in_progress"] == 1
    # without the mapping the export's wording is refused
    with pytest.raises(DossierFileError, match="Nộp trực tuyến"):
        DossierStore(tmp_path / "kho2").import_file(export)


def test_mapping_file_errors_name_the_key(tmp_path):
    bad = tmp_path / "map.yaml"
    text = "columns:\n  ma_ho_so: 'Số hồ sơ'\nvalues:\n  channel:\n    'Nộp qua fax': fax\n"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DossierFileError) as info:
        load_mapping(bad)
    text = str(info.value)
    assert "columns.ma_ho_so" in text and "values.channel.Nộp qua fax" in text
    assert load_mapping(MAPPING).values["channel"]["nop_truc_tuyen"] == "truc_tuyen_toan_trinh"


day = st.dates(dt.date(2020, 12, 1), dt.date(2021, 4, 30))


@st.composite
def batches(draw):
    ids = draw(st.lists(st.sampled_from([f"HS-{i}" for i in range(8)]), min_size=1, max_size=6, unique=True))
    rows = []
    for dossier_id in ids:
        received = draw(day)
        done = draw(st.one_of(st.none(), st.integers(0, 20)))
        due = received + dt.timedelta(days=draw(st.integers(0, 10)))
        completed = f"{received + dt.timedelta(days=done):%d/%m/%Y} 15:00" if done is not None else ""
        status = "da_giai_quyet" if done is not None else "dang_xu_ly"
        unit = draw(st.sampled_from(["STP", "X01"]))
        cells = [dossier_id, f"{received:%d/%m/%Y} 08:00", f"{due:%d/%m/%Y}", completed]
        rows.append(",".join([*cells, "xa", "truc_tiep", status, unit]))
    return rows


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(batches(), min_size=1, max_size=4))
def test_store_equals_last_version_of_each_row(tmp_path_factory, imports):
    """After any sequence of imports the store's stats are those of the latest row of each dossier."""
    tmp = tmp_path_factory.mktemp("kho")
    store = DossierStore(tmp / "kho")
    latest: dict[str, str] = {}
    for number, rows in enumerate(imports):
        store.import_file(write(tmp / f"{number}.csv", rows))
        latest.update({row.split(",", 1)[0]: row for row in rows})
    assert store.count() == len(latest)
    merged = write(tmp / "merged.csv", list(latest.values()))
    window = (dt.date(2021, 1, 1), dt.date(2021, 3, 31))
    assert dossier_stats(store.source(), *window, by=["unit"]) == dossier_stats(merged, *window, by=["unit"])
