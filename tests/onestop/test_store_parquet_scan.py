"""Canonical Parquet files are scanned in place by DuckDB: same figures as the reader, same refusals."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.onestop import scan
from cchc.onestop.metrics import dossier_stats, late_without_apology_ids
from cchc.onestop.reader import DossierFileError, read_dossiers
from cchc.onestop.schema import SCHEMA

WINDOW = (dt.date(2021, 1, 1), dt.date(2021, 3, 31))
BASE = dt.datetime(2020, 12, 1, 8, 0)


@st.composite
def dossiers(draw):
    n = draw(st.integers(1, 25))
    rows = []
    for i in range(n):
        received = BASE + dt.timedelta(hours=draw(st.integers(0, 24 * 130)))
        due = draw(st.one_of(st.none(), st.integers(0, 15)))
        due_at = None
        if due is not None:
            due_at = dt.datetime.combine(received.date() + dt.timedelta(days=due), dt.time())
            if draw(st.booleans()):
                due_at += dt.timedelta(hours=17)
        days = draw(st.one_of(st.none(), st.integers(0, 12)))
        done = draw(st.one_of(st.none(), st.integers(0, 24 * 40)))
        completed = received + dt.timedelta(hours=done) if done is not None else None
        status = draw(st.sampled_from([None, "huy", "tra_lai", "da_giai_quyet"])) if completed else None
        if completed is None:
            status = draw(st.sampled_from([None, "dang_xu_ly", "huy"]))
        rows.append({
            "dossier_id": f"HS-{i}",
            "unit_code": draw(st.sampled_from(["STP", "X01", None])),
            "field": draw(st.sampled_from(["Đất đai", "Hộ tịch"])),
            "level": draw(st.sampled_from(["tinh", "huyen", "xa", None])),
            "channel": draw(st.sampled_from(["truc_tiep", "truc_tuyen_toan_trinh", "buu_chinh", None])),
            "received_at": received,
            "due_at": due_at,
            "processing_days": days,
            "completed_at": completed,
            "status": status,
            "apology_sent": draw(st.sampled_from([True, False, None])),
            "paid_online": draw(st.booleans()),
        })
    return rows


def write(path, rows, dictionary=False):
    names = list(rows[0])
    table = pa.Table.from_pylist(rows, schema=pa.schema([SCHEMA.field(n) for n in names]))
    if dictionary:
        index = table.schema.get_field_index("unit_code")
        table = table.set_column(index, "unit_code", table["unit_code"].dictionary_encode())
    pq.write_table(table, path)
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dossiers(), st.sampled_from([(), ("unit",), ("level", "field"), ("month",), ("unit", "month")]),
       st.booleans(), st.sampled_from([None, "X01"]))
def test_scan_in_place_equals_reader(tmp_path_factory, monkeypatch, rows, by, dictionary, unit):
    path = write(tmp_path_factory.mktemp("pq") / "hs.parquet", rows, dictionary)
    expected = dossier_stats(read_dossiers(path), *WINDOW, by=by, unit=unit)
    expected_ids = late_without_apology_ids(read_dossiers(path), *WINDOW, unit=unit)

    def no_reader(*args, **kwargs):
        raise AssertionError("the canonical file should be scanned in place")

    with monkeypatch.context() as patch:
        patch.setattr("cchc.onestop.reader.read_dossiers", no_reader)
        assert dossier_stats(path, *WINDOW, by=by, unit=unit) == expected
        assert late_without_apology_ids(path, *WINDOW, unit=unit) == expected_ids


ROWS = [
    {"dossier_id": "A", "received_at": dt.datetime(2021, 1, 4, 8), "level": "xa", "status": "da_giai_quyet",
     "completed_at": dt.datetime(2021, 1, 5, 8), "processing_days": 1},
    {"dossier_id": "B", "received_at": dt.datetime(2021, 1, 5, 8), "level": "tinh", "status": "dang_xu_ly",
     "completed_at": None, "processing_days": 3},
]


def test_alias_codes_fall_back_to_the_reader(tmp_path):
    rows = [dict(ROWS[0], level="Cấp xã"), ROWS[1]]
    path = write(tmp_path / "hs.parquet", rows)
    result = dossier_stats(path, *WINDOW, by=["level"])
    assert [g["key"]["level"] for g in result["groups"]] == ["tinh", "xa"]


@pytest.mark.parametrize("status", ["da_giai_quyet", "huy"])
def test_bad_row_is_named_even_when_cancelled(tmp_path, status):
    rows = [ROWS[0], dict(ROWS[1], status=status, completed_at=dt.datetime(2021, 1, 1, 8))]
    path = write(tmp_path / "hs.parquet", rows)
    with pytest.raises(DossierFileError) as info:
        dossier_stats(path, *WINDOW, by=["unit"], unit="KHONG-CO")
    assert info.value.errors[0].line == 2
    assert "trước ngày tiếp nhận" in str(info.value)


def test_duplicate_ids_are_refused(tmp_path):
    path = write(tmp_path / "hs.parquet", [ROWS[0], dict(ROWS[1], dossier_id="A")])
    with pytest.raises(DossierFileError, match="bị trùng"):
        dossier_stats(path, *WINDOW)
    with pytest.raises(DossierFileError, match="bị trùng"):
        late_without_apology_ids(path, *WINDOW)


def test_non_canonical_schema_is_not_scanned(tmp_path):
    path = tmp_path / "hs.parquet"
    pq.write_table(pa.table({"Mã hồ sơ": ["A"], "Ngày tiếp nhận": ["04/01/2021 08:00"]}), path)
    assert not scan.is_canonical_parquet(path)
    assert dossier_stats(path, *WINDOW)["total"]["received"] == 1
