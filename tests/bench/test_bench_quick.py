"""The benchmark runs end to end on a tiny N and its engines agree (no timing assertions)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "dossiers.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_dossiers", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_dossiers"] = module
    spec.loader.exec_module(module)
    return module


def test_generated_data_is_valid_and_realistic(bench, tmp_path):
    import duckdb

    from cchc.onestop.reader import read_dossiers

    parquet, unordered, csv_path = bench.generate(3_000, tmp_path)
    from_parquet = read_dossiers(parquet)
    from_csv = read_dossiers(csv_path)  # the Vietnamese-header export reads to the same rows
    assert from_parquet.num_rows == from_csv.num_rows == 3_000
    assert from_parquet.equals(from_csv.cast(from_parquet.schema))
    # the shuffled copy: the same rows under a permutation of the same ids, no longer in id order
    shuffled = read_dossiers(unordered)
    assert shuffled.drop_columns(["dossier_id"]).equals(from_parquet.drop_columns(["dossier_id"]))
    ids = shuffled["dossier_id"].to_pylist()
    assert sorted(ids) == from_parquet["dossier_id"].to_pylist() and ids != sorted(ids)
    con = duckdb.connect()
    con.register("t", from_parquet)
    levels, channels, units, fields = con.execute(
        "SELECT count(DISTINCT level), count(DISTINCT channel), count(DISTINCT unit_code), "
        "count(DISTINCT field) FROM t"
    ).fetchall()[0]
    assert (levels, channels) == (3, 4) and units > 300 and fields > 20
    late = con.execute(
        "SELECT avg(CASE WHEN CAST(completed_at AS DATE) > CAST(due_at AS DATE) THEN 1 ELSE 0 END) "
        "FROM t WHERE completed_at IS NOT NULL"
    ).fetchall()[0][0]
    assert 0.005 < late < 0.2


def test_quick_run_engines_agree(bench, tmp_path):
    summary = bench.run(4_000, tmp_path, report=tmp_path / "PERFORMANCE.md", repeat=2)
    assert summary["agree"] == {"unordered": True, "pandas": True, "sql": True, "store": True, "import": True}
    assert summary["total"]["received"] > 0 and summary["total"]["late"] > 0
    command = summary["results"]["command"]
    assert command["runs"] == 2 and command["min_s"] <= command["seconds"] <= command["max_s"]
    assert summary["results"]["import"]["runs"] == 1
    report = (tmp_path / "PERFORMANCE.md").read_text(encoding="utf-8")
    assert "4,000" in report and "| Target (issue 4) |" in report and "ids shuffled" in report


def test_peers_see_a_changed_row(bench, tmp_path):
    """The comparison can fail: pandas and SQL differ from the command once the data differ."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    parquet, _unordered, _csv = bench.generate(2_000, tmp_path)
    table = pq.read_table(parquet)
    shifted = table.set_column(
        table.schema.get_field_index("channel"), "channel", pc.cast(table["channel"], "string")
    )
    shifted = shifted.set_column(
        shifted.schema.get_field_index("channel"), "channel",
        pc.if_else(pc.equal(shifted["channel"], "truc_tiep"), "buu_chinh", shifted["channel"]),
    )
    other = tmp_path / "other.parquet"
    pq.write_table(shifted, other)
    before = bench.peer_sql(str(parquet), *bench.WINDOW)
    after = bench.peer_sql(str(other), *bench.WINDOW)
    assert before != after
    assert bench.peer_pandas(str(other), *bench.WINDOW) == after
