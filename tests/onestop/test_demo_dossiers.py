"""Demo dossiers: deterministic, in the canonical schema, realistic enough for the dashboard."""

from __future__ import annotations

import datetime as dt

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from cchc.onestop.demo import build_demo_table, generate_demo_dossiers, load_dossier_demo, read_units
from cchc.onestop.metrics import dossier_stats
from cchc.onestop.reader import read_dossiers
from cchc.onestop.schema import SCHEMA
from cchc.onestop.store import DossierStore


@pytest.fixture(scope="module")
def demo():
    return build_demo_table(count=6_000, seed=7)


def test_same_seed_same_rows_other_seed_other_rows(demo):
    assert build_demo_table(count=6_000, seed=7).equals(demo)
    assert not build_demo_table(count=6_000, seed=8).equals(demo)


def test_schema_units_levels_and_window(demo):
    assert demo.schema == SCHEMA
    assert demo.num_rows == 6_000
    assert pc.count_distinct(demo["dossier_id"]).as_py() == 6_000
    kinds = {u["code"]: u["kind"] for u in read_units()}
    level_of = {"so_nganh": "tinh", "huyen": "huyen", "xa": "xa"}
    pairs = set(zip(demo["unit_code"].to_pylist(), demo["level"].to_pylist(), strict=True))
    assert all(level_of[kinds[unit]] == level for unit, level in pairs)
    assert {level for _, level in pairs} == {"tinh", "huyen", "xa"}
    first, last = pc.min_max(demo["received_at"]).values()
    assert first.as_py() >= dt.datetime(2021, 1, 1) and last.as_py() < dt.datetime(2021, 7, 1)
    fields = set(demo["field"].to_pylist())
    assert {"Đất đai", "Xây dựng", "Hộ tịch", "Chứng thực"} <= fields
    assert set(demo["channel"].to_pylist()) == {
        "truc_tiep",
        "truc_tuyen_mot_phan",
        "truc_tuyen_toan_trinh",
        "buu_chinh",
    }


def test_figures_are_plausible_and_some_late_dossiers_have_no_apology(demo):
    total = dossier_stats(demo, dt.date(2021, 1, 1), dt.date(2021, 6, 30))["total"]
    assert 85 <= total["on_time_rate"] < 100
    assert 10 <= total["online_rate"] <= 40
    assert 0 < total["late_without_apology"] < total["late"]
    assert total["in_progress"] > 0


def test_files_round_trip_through_the_reader(tmp_path):
    parquet = generate_demo_dossiers(tmp_path / "demo.parquet", seed=3, count=500)
    csv = generate_demo_dossiers(tmp_path / "demo.csv", seed=3, count=500)
    expected = build_demo_table(count=500, seed=3)
    assert pq.read_table(parquet).equals(expected)
    assert read_dossiers(csv)["dossier_id"].to_pylist() == expected["dossier_id"].to_pylist()
    assert read_dossiers(parquet)["completed_at"].equals(expected["completed_at"])


def test_load_into_the_store_is_idempotent(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))
    first = load_dossier_demo(count=800)
    again = load_dossier_demo(count=800)
    assert first["count"] == again["count"] == 800 == DossierStore().count()
