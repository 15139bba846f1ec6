"""Synthetic one-stop dossiers for the Gia Lai demo province, January–June 2021 (pure: no Django).

Why: the dashboard, the 766 index and the indicators need dossiers to show anything in a demo or a
browser test, and real exports hold personal data. The generator is deterministic (one seed → the
same file, byte for byte in content), uses the demo units (`cchc/demo/data/gialai-2021-units.csv`:
departments at province level, districts, communes) and a small catalogue of real procedure names
(`data/demo/procedures.csv`) with their fields, legal processing times and fees. Due days come from
the Vietnamese working-day calendar (Tết 2021 included); each unit has its own punctuality, so the
"worst first" chart has a story, and some late dossiers have no apology letter.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from .calendar import WorkCalendar
from .schema import SCHEMA

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
PROCEDURES_FILE = DEMO_DIR / "procedures.csv"
UNITS_FILE = Path(__file__).resolve().parents[1] / "demo" / "data" / "gialai-2021-units.csv"
DEFAULT_COUNT = 50_000
FIRST_DAY = dt.date(2021, 1, 1)
LAST_DAY = dt.date(2021, 6, 30)
# dossier kind -> level of the one-stop export
LEVEL_OF_KIND = {"so_nganh": "tinh", "huyen": "huyen", "xa": "xa"}
# relative volume of one unit of each kind
VOLUME = {"so_nganh": 6.0, "huyen": 14.0, "xa": 1.6}
CHANNELS = ("truc_tiep", "truc_tuyen_mot_phan", "truc_tuyen_toan_trinh", "buu_chinh")
CHANNEL_SHARE = (0.70, 0.14, 0.09, 0.07)
_US_PER_DAY = 86_400_000_000


def read_units(path: Path = UNITS_FILE) -> list[dict[str, str]]:
    """Demo units that receive dossiers: departments, districts and communes (code, name, kind)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["kind"] in LEVEL_OF_KIND]


def read_procedures(path: Path = PROCEDURES_FILE) -> list[dict[str, Any]]:
    """The demo procedure catalogue with typed processing days, fee and weight."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["processing_days"] = int(row["processing_days"])
        row["fee"] = float(row["fee"])
        row["weight"] = float(row["weight"])
    return rows


def _procedures_for(unit: dict[str, str], procedures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    level = LEVEL_OF_KIND[unit["kind"]]
    if level != "tinh":
        return [p for p in procedures if p["level"] == level]
    department = unit["code"].split("-", 1)[-1]
    return [p for p in procedures if p["level"] == "tinh" and p["department"] == department]


def build_demo_table(count: int = DEFAULT_COUNT, seed: int = 2021) -> pa.Table:
    """`count` synthetic dossiers in the canonical schema, identical for the same seed."""
    rng = np.random.default_rng(seed)
    units = read_units()
    procedures = read_procedures()
    catalogue = {u["code"]: _procedures_for(u, procedures) for u in units}
    units = [u for u in units if catalogue[u["code"]]]
    n_units = len(units)

    # volume and punctuality per unit: a few units are clearly worse (the chart's "worst first")
    volume = np.array([VOLUME[u["kind"]] for u in units]) * rng.uniform(0.6, 1.4, n_units)
    late_share = rng.beta(1.2, 40.0, n_units)
    late_share[rng.choice(n_units, size=max(1, n_units // 12), replace=False)] += rng.uniform(0.08, 0.2)
    apology_share = rng.uniform(0.3, 0.95, n_units)
    unit_index = rng.choice(n_units, size=count, p=volume / volume.sum())

    days = (LAST_DAY - FIRST_DAY).days + 1
    calendar = WorkCalendar.from_files(range(2020, 2023))
    day_offset = rng.integers(0, days, size=count)
    received_day = np.datetime64(FIRST_DAY) + day_offset.astype("timedelta64[D]")
    working = calendar.is_working_day_array(received_day)
    # dossiers are received on working days: move the others to the next working day (never past June)
    received_day = np.where(
        working, received_day, calendar.add_working_days_array(received_day, np.ones(count, np.int64))
    )
    received_day = np.minimum(received_day, np.datetime64(LAST_DAY))
    minutes = rng.integers(7 * 60 + 30, 17 * 60, size=count)
    received = received_day.astype("datetime64[us]") + (minutes * 60_000_000).astype("timedelta64[us]")

    # procedure per dossier, drawn from its unit's catalogue by weight (vectorised per unit)
    chosen = np.empty(count, dtype=object)
    for k, unit in enumerate(units):
        rows = np.flatnonzero(unit_index == k)
        options = catalogue[unit["code"]]
        weights = np.array([p["weight"] for p in options])
        chosen[rows] = [
            options[j] for j in rng.choice(len(options), size=len(rows), p=weights / weights.sum())
        ]
    proc_code = [p["code"] for p in chosen]
    proc_name = [p["name"] for p in chosen]
    field = [p["field"] for p in chosen]
    processing = np.array([p["processing_days"] for p in chosen], dtype=np.int64)
    fee = np.array([p["fee"] for p in chosen])

    due_day = calendar.add_working_days_array(received, processing).astype("datetime64[D]")
    due_end = due_day.astype("datetime64[us]") + np.timedelta64(_US_PER_DAY - 1, "us")

    channel = np.array(CHANNELS)[rng.choice(len(CHANNELS), size=count, p=CHANNEL_SHARE)]
    online = np.isin(channel, CHANNELS[1:3])
    late = rng.random(count) < late_share[unit_index]
    span = (due_end - received).astype(np.int64)
    early_part = rng.beta(2.0, 1.6, count)
    completed = received + (span * early_part).astype("timedelta64[us]")
    late_by = rng.integers(1, 12, size=count) * _US_PER_DAY + rng.integers(0, 8 * 3_600_000_000, size=count)
    completed = np.where(late, due_end + late_by.astype("timedelta64[us]"), completed)
    # completion happens in office hours
    completed = completed.astype("datetime64[D]").astype("datetime64[us]") + (
        rng.integers(8 * 60, 17 * 60, size=count) * 60_000_000
    ).astype("timedelta64[us]")
    completed = np.maximum(completed, received + np.timedelta64(30 * 60_000_000, "us"))
    cut = np.datetime64(LAST_DAY + dt.timedelta(days=1)).astype("datetime64[us]")
    open_now = completed >= cut
    cancelled = rng.random(count) < 0.004
    returned = ~open_now & ~cancelled & (rng.random(count) < 0.01)
    status = np.where(open_now, "dang_xu_ly", np.where(returned, "tra_lai", "da_giai_quyet"))
    status = np.where(cancelled, "huy", status)
    completed_values = np.where(open_now | cancelled, np.datetime64("NaT"), completed)
    is_late_done = late & ~open_now & ~cancelled
    apology = is_late_done & (rng.random(count) < apology_share[unit_index])

    has_fee = fee > 0
    paid_online = has_fee & online & (rng.random(count) < 0.55)
    month = (received_day.astype("datetime64[M]").astype(np.int64) % 12) + 1
    digitized = rng.random(count) < (0.25 + 0.08 * month)
    rated = ~open_now & (rng.random(count) < 0.3)
    rating_values = rng.choice([1, 2, 3, 4, 5], size=count, p=[0.02, 0.03, 0.1, 0.3, 0.55])

    order = np.lexsort((unit_index, received))
    codes = np.array([u["code"] for u in units], dtype=object)
    levels = np.array([LEVEL_OF_KIND[u["kind"]] for u in units], dtype=object)
    months = received_day.astype("datetime64[M]").astype(str)
    ids = [f"GL-{months[i].replace('-', '')}-{n:06d}" for n, i in enumerate(order, start=1)]

    def pick(values: Any) -> list[Any]:
        return [values[i] for i in order] if isinstance(values, list) else np.asarray(values)[order]

    data = {
        "dossier_id": ids,
        "procedure_code": pick(proc_code),
        "procedure_name": pick(proc_name),
        "field": pick(field),
        "unit_code": codes[unit_index][order],
        "level": levels[unit_index][order],
        "channel": pick(channel),
        "received_at": pick(received),
        "due_at": pa.nulls(count, pa.timestamp("us")),
        "processing_days": pick(processing),
        "completed_at": pa.array(pick(completed_values), pa.timestamp("us")),
        "status": pick(status),
        "apology_sent": pick(np.where(is_late_done, apology, False)),
        "paid_online": pick(paid_online),
        "fee_amount": pick(fee),
        "rating": pa.array(pick(rating_values).astype(np.int64), pa.int64(), mask=~pick(rated)),
        "digitized": pick(digitized),
    }
    arrays = []
    for f in SCHEMA:
        value = data[f.name]
        if not isinstance(value, pa.Array):
            if isinstance(value, np.ndarray) and value.dtype == object:
                value = value.tolist()
            value = pa.array(value, f.type)
        arrays.append(value)
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def generate_demo_dossiers(path: str | Path, seed: int = 2021, count: int = DEFAULT_COUNT) -> Path:
    """Write the demo dossiers to `path` (Parquet, or CSV when it ends in .csv); same seed, same rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = build_demo_table(count, seed)
    if path.suffix.lower() == ".csv":
        from pyarrow import csv as pacsv

        pacsv.write_csv(table, path)
    else:
        import pyarrow.parquet as pq

        pq.write_table(table, path, compression="zstd")
    return path


def demo_file(data_dir: str | Path | None = None) -> Path:
    """Where the demo file is written: ``<CCHC_DATA_DIR>/demo/dossiers-gialai-2021.parquet``."""
    base = Path(data_dir or os.environ.get("CCHC_DATA_DIR", "./var")).resolve()
    return base / "demo" / "dossiers-gialai-2021.parquet"


def load_dossier_demo(store: Any = None, seed: int = 2021, count: int = DEFAULT_COUNT) -> dict[str, Any]:
    """Generate the demo dossiers and import them into the dossier store (idempotent: ids are stable).

    Returns the file written and the store's dossier count. Raises RuntimeError (Vietnamese) while
    the store is not available.
    """
    if store is None:
        try:
            from .store import DossierStore
        except ImportError as exc:
            raise RuntimeError("Kho hồ sơ (cchc.onestop.store) chưa có: không nạp được hồ sơ mẫu.") from exc
        store = DossierStore()
    path = generate_demo_dossiers(demo_file(), seed=seed, count=count)
    imported = store.import_file(path)
    return {"file": str(path), "imported": imported, "count": store.count()}
