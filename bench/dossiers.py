"""Benchmark of the one-stop dossier statistics (`make bench`): cchc against pandas and hand-written SQL.

Generates N synthetic dossiers (3 levels, 40 fields, 500 units, 4 channels, 2 years of working days
with Vietnamese holidays, due days from the working-day calendar) as Parquet and as a CSV export
with Vietnamese headers, then measures, each in its own process with its peak resident memory:

  a. ``cchc dossiers stats --input FILE.parquet --from … --to … --by unit,level,field --json``
     (a'. the same on a copy whose ids are shuffled: the command's general duplicate check)
  b. the same metrics in idiomatic vectorised pandas (``python bench/dossiers.py pandas …``)
  c. the same metrics in one hand-written DuckDB query over the raw Parquet (``… sql …``)
  d. ``cchc dossiers import FILE.csv`` into an empty store
  e. ``cchc dossiers stats`` from that store
  f. the command's fixed start-up cost (``cchc dossiers stats --help``; a 3-row input)

and checks that a, a', b, c (and e) give the same counts. The query steps run --repeat times,
interleaved, and their medians are compared. Writes docs/PERFORMANCE.md unless --no-report.

Usage: python bench/dossiers.py [--rows N | --quick] [--repeat N] [--workdir DIR] [--keep] [--no-report]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WINDOW = ("2024-01-01", "2024-12-31")
BY = ("unit_code", "level", "field")
COUNTS = (
    "received", "carried_over", "completed", "early", "on_time", "late", "in_progress",
    "overdue_in_progress", "online", "postal", "paid_online", "late_without_apology",
)
FIELDS = (
    "Đất đai", "Xây dựng", "Hộ tịch", "Chứng thực", "Tư pháp", "Lao động", "Việc làm", "Giáo dục",
    "Y tế", "Tài nguyên nước", "Môi trường", "Giao thông vận tải", "Đăng ký kinh doanh", "Đầu tư",
    "Công thương", "Nông nghiệp", "Thủy lợi", "Lâm nghiệp", "Văn hóa", "Thể dục thể thao", "Du lịch",
    "Thông tin và truyền thông", "Nội vụ", "Tôn giáo", "Thi đua khen thưởng", "Tài chính", "Kho bạc",
    "Khoa học và công nghệ", "Quốc tịch", "Lý lịch tư pháp", "Công chứng", "Luật sư", "Hòa giải",
    "Bảo trợ xã hội", "Người có công", "Dân tộc", "Phòng cháy chữa cháy", "Đo đạc bản đồ", "Khoáng sản",
    "Quy hoạch",
)
CHANNELS = ("truc_tiep", "truc_tuyen_toan_trinh", "truc_tuyen_mot_phan", "buu_chinh")
CHANNEL_P = (0.55, 0.22, 0.18, 0.05)
PROCESSING_DAYS = (1, 2, 3, 5, 7, 10, 12, 15, 20, 30)
EXTRACTED = dt.datetime(2025, 1, 6, 0, 0)  # the export's date: later completions are still in progress
CHUNK = 1_000_000
VI_HEADERS = {
    "dossier_id": "Mã hồ sơ", "procedure_code": "Mã thủ tục", "procedure_name": "Tên thủ tục",
    "field": "Lĩnh vực", "unit_code": "Mã đơn vị", "level": "Cấp", "channel": "Hình thức nộp",
    "received_at": "Ngày tiếp nhận", "due_at": "Hạn xử lý", "processing_days": "Thời hạn giải quyết",
    "completed_at": "Ngày có kết quả", "status": "Trạng thái", "apology_sent": "Văn bản xin lỗi",
    "paid_online": "Thanh toán trực tuyến", "fee_amount": "Phí, lệ phí", "rating": "Đánh giá",
    "digitized": "Số hóa",
}


# -- synthetic data ---------------------------------------------------------------------------------


def _universe(rng: Any) -> dict[str, Any]:
    """Units (with level and size), procedures (with field and processing time), working days."""
    import numpy as np

    from cchc.onestop.calendar import WorkCalendar

    levels = np.array(["tinh"] * 40 + ["huyen"] * 60 + ["xa"] * 400)
    codes = [f"S{i:02d}" for i in range(1, 41)] + [f"H{i:02d}" for i in range(1, 61)]
    codes += [f"X{i:03d}" for i in range(1, 401)]
    size = rng.lognormal(0, 1.0, 500) * np.where(levels == "tinh", 6.0, np.where(levels == "huyen", 3.0, 1.0))
    n_proc = 2000
    proc_field = rng.choice(len(FIELDS), n_proc, p=_zipf(len(FIELDS), 0.9))
    proc_days = rng.choice(PROCESSING_DAYS, n_proc)
    calendar = WorkCalendar.from_files(range(2023, 2027))
    days = np.arange(np.datetime64("2023-01-01"), np.datetime64("2025-01-01"))
    work_days = days[calendar.is_working_day_array(days)]
    return {
        "levels": levels, "codes": np.array(codes), "unit_p": size / size.sum(), "proc_field": proc_field,
        "proc_days": proc_days, "proc_p": _zipf(n_proc, 1.0), "calendar": calendar, "work_days": work_days,
    }


def _zipf(n: int, s: float) -> Any:
    import numpy as np

    weights = 1.0 / np.arange(1, n + 1) ** s
    return weights / weights.sum()


def _chunk(rng: Any, u: dict[str, Any], start: int, n: int) -> Any:
    """n dossiers as an Arrow table in the canonical schema (numpy/pyarrow vectorised, no row loop)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from cchc.onestop.schema import SCHEMA

    unit = rng.choice(500, n, p=u["unit_p"])
    proc = rng.choice(len(u["proc_p"]), n, p=u["proc_p"])
    days = u["proc_days"][proc]
    received_day = u["work_days"][rng.integers(0, len(u["work_days"]), n)]
    minutes = rng.integers(7 * 60 + 30, 17 * 60, n).astype("timedelta64[m]")
    received = received_day.astype("datetime64[us]") + minutes.astype("timedelta64[us]")
    cal = u["calendar"]
    due_day = cal.add_working_days_array(received_day, days)
    # completion after a gamma-distributed share of the allowed time (≈ 5 % late)
    share = rng.gamma(6.0, 0.1, n) * np.where(u["levels"][unit] == "huyen", 1.15, 1.0)
    done_day = cal.add_working_days_array(received_day, np.floor(days * share).astype(np.int64))
    done_minutes = rng.integers(8 * 60, 17 * 60 + 30, n).astype("timedelta64[m]").astype("timedelta64[us]")
    completed = done_day.astype("datetime64[us]") + done_minutes
    completed = np.maximum(completed, received + np.timedelta64(20, "m").astype("timedelta64[us]"))
    fate = rng.random(n)
    cancelled = fate < 0.01
    open_ = completed >= np.datetime64(EXTRACTED)
    completed_null = open_ | (cancelled & (fate < 0.005))
    status = np.where(cancelled, "huy", np.where(open_, "dang_xu_ly",
                                                 np.where(fate > 0.98, "tra_lai", "da_giai_quyet")))
    late = ~completed_null & (completed.astype("datetime64[D]") > due_day)
    channel = rng.choice(4, n, p=CHANNEL_P)
    online = (channel == 1) | (channel == 2)
    ids = dossier_ids(np.arange(start, start + n))
    rating = rng.choice(np.array([1, 2, 3, 4, 5]), n, p=(0.01, 0.02, 0.07, 0.3, 0.6))
    # a dictionary of distinct values: one with repeated values would be written PLAIN
    level_codes, level_index = np.unique(u["levels"], return_inverse=True)
    level_index = level_index.astype(np.int32)
    columns = {
        "dossier_id": ids,
        "procedure_code": pc.binary_join_element_wise("1.00", pc.cast(pa.array(proc + 1000), pa.string()), ""),
        "procedure_name": pa.nulls(n, pa.string()),
        "field": pa.DictionaryArray.from_arrays(pa.array(u["proc_field"][proc].astype(np.int32)), pa.array(FIELDS)),
        "unit_code": pa.DictionaryArray.from_arrays(pa.array(unit.astype(np.int32)), pa.array(u["codes"])),
        "level": pa.DictionaryArray.from_arrays(pa.array(level_index[unit]), pa.array(level_codes)),
        "channel": pa.DictionaryArray.from_arrays(pa.array(channel.astype(np.int32)), pa.array(CHANNELS)),
        "received_at": pa.array(received, pa.timestamp("us")),
        "due_at": pa.array(due_day.astype("datetime64[us]"), pa.timestamp("us")),
        "processing_days": pa.array(days.astype(np.int64)),
        "completed_at": pa.array(completed, pa.timestamp("us"), mask=completed_null),
        "status": pa.array(status),
        "apology_sent": pa.array(late & (rng.random(n) < 0.5)),
        "paid_online": pa.array(online & (rng.random(n) < 0.35)),
        "fee_amount": pa.array(rng.choice(np.array([0.0, 0.0, 15000.0, 50000.0, 100000.0]), n)),
        "rating": pa.array(rating, pa.int64(), mask=rng.random(n) < 0.7),
        "digitized": pa.array(rng.random(n) < 0.6),
    }
    # dictionary columns stay dictionary-encoded in the Parquet file (as an exporter would write them)
    fields = [
        pa.field(f.name, columns[f.name].type) if pa.types.is_dictionary(columns[f.name].type) else f
        for f in SCHEMA
    ]
    return pa.table(columns, schema=pa.schema(fields))


def dossier_ids(numbers: Any) -> Any:
    """Dossier ids HS-000000042 for an array of numbers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.binary_join_element_wise("HS-", pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), 9, "0"), "")


def _csv_view(table: Any) -> Any:
    """The same rows as a one-stop CSV export: Vietnamese headers, dd/mm/yyyy HH:MM, 1/0 flags."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = {}
    for name in table.column_names:
        column = table[name]
        if pa.types.is_timestamp(column.type):
            fmt = "%d/%m/%Y" if name == "due_at" else "%d/%m/%Y %H:%M"
            column = pc.strftime(column, format=fmt)
        elif pa.types.is_boolean(column.type):
            column = pc.if_else(column, "1", "0")
        elif pa.types.is_dictionary(column.type):
            column = pc.cast(column, pa.string())
        out[VI_HEADERS[name]] = column
    return pa.table(out)


def generate(n: int, directory: Path, seed: int = 20260101) -> tuple[Path, Path, Path]:
    """Write n synthetic dossiers to Parquet and CSV in `directory`, chunk by chunk.

    dossiers.parquet is in id order, as a one-stop system exports its list; dossiers-unordered.parquet
    holds the same rows with the ids shuffled (same figures), for the command's general path.
    """
    import numpy as np
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    universe = _universe(rng)
    shuffled = rng.permutation(n)
    paths = directory / "dossiers.parquet", directory / "dossiers-unordered.parquet", directory / "dossiers.csv"
    writers: list[Any] = [None, None, None]
    try:
        for start in range(0, n, CHUNK):
            table = _chunk(rng, universe, start, min(CHUNK, n - start))
            unordered = table.set_column(0, "dossier_id", dossier_ids(shuffled[start:start + len(table)]))
            for i, data in enumerate((table, unordered)):
                if writers[i] is None:
                    writers[i] = pq.ParquetWriter(paths[i], data.schema, compression="snappy")
                writers[i].write_table(data, row_group_size=256 * 1024)
            view = _csv_view(table)
            if writers[2] is None:
                writers[2] = pacsv.CSVWriter(paths[2], view.schema)
            writers[2].write_table(view)
    finally:
        for writer in writers:
            if writer is not None:
                writer.close()
    return paths


# -- the two peers ----------------------------------------------------------------------------------


def peer_pandas(path: str, start: str, end: str) -> dict[str, Any]:
    """The metrics as an analyst would write them in pandas: boolean columns, one groupby-sum."""
    import pandas as pd

    columns = ["unit_code", "level", "field", "channel", "received_at", "due_at", "completed_at",
               "status", "apology_sent", "paid_online"]
    df = pd.read_parquet(path, columns=columns)
    df = df[df["status"] != "huy"]
    s, e = pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1)
    due_day = df["due_at"].dt.normalize()
    deadline = df["due_at"].where(df["due_at"] != due_day, due_day + pd.Timedelta(days=1) - pd.Timedelta(1, "us"))
    r, c = df["received_at"], df["completed_at"]
    received = (r >= s) & (r < e)
    completed = (c >= s) & (c < e)
    late = completed & (c > deadline)
    in_progress = (r < e) & (c.isna() | (c >= e))
    flags = pd.DataFrame({
        "received": received,
        "carried_over": (r < s) & (c.isna() | (c >= s)),
        "completed": completed,
        "early": completed & due_day.notna() & (c.dt.normalize() < due_day),
        "on_time": completed & (deadline.isna() | (c <= deadline)),
        "late": late,
        "in_progress": in_progress,
        "overdue_in_progress": in_progress & (deadline < e),
        "online": received & df["channel"].isin(["truc_tuyen_toan_trinh", "truc_tuyen_mot_phan"]),
        "postal": received & (df["channel"] == "buu_chinh"),
        "paid_online": received & df["paid_online"],
        "late_without_apology": late & ~df["apology_sent"],
    })
    for key in BY:
        flags[key] = df[key]
    sums = flags.groupby(list(BY), observed=True, dropna=False).sum()
    groups = {"|".join(str(k) for k in key): {n: int(v) for n, v in zip(COUNTS, row, strict=True)}
              for key, row in zip(sums.index, sums.to_numpy(), strict=True) if row.any()}
    return {"total": {n: int(v) for n, v in sums.sum().items()}, "groups": groups}


def hand_sql(path: str, start: str, end: str) -> str:
    """The one query a DuckDB expert would write for the same metrics."""
    s, e = f"TIMESTAMP '{start}'", f"(DATE '{end}' + INTERVAL 1 DAY)"
    return f"""
    WITH d AS (
      SELECT unit_code, level, field, channel, received_at, completed_at, apology_sent, paid_online,
             CAST(due_at AS DATE) AS due_day,
             CASE WHEN due_at = date_trunc('day', due_at)
                  THEN due_at + INTERVAL 1 DAY - INTERVAL 1 MICROSECOND ELSE due_at END AS deadline
      FROM read_parquet('{path}') WHERE status <> 'huy')
    SELECT unit_code, level, field,
      count(*) FILTER (received_at >= {s} AND received_at < {e}),
      count(*) FILTER (received_at < {s} AND (completed_at IS NULL OR completed_at >= {s})),
      count(*) FILTER (completed_at >= {s} AND completed_at < {e}),
      count(*) FILTER (completed_at >= {s} AND completed_at < {e} AND CAST(completed_at AS DATE) < due_day),
      count(*) FILTER (completed_at >= {s} AND completed_at < {e} AND (deadline IS NULL OR completed_at <= deadline)),
      count(*) FILTER (completed_at >= {s} AND completed_at < {e} AND completed_at > deadline),
      count(*) FILTER (received_at < {e} AND (completed_at IS NULL OR completed_at >= {e})),
      count(*) FILTER (received_at < {e} AND (completed_at IS NULL OR completed_at >= {e}) AND deadline < {e}),
      count(*) FILTER (received_at >= {s} AND received_at < {e}
                       AND channel IN ('truc_tuyen_toan_trinh', 'truc_tuyen_mot_phan')),
      count(*) FILTER (received_at >= {s} AND received_at < {e} AND channel = 'buu_chinh'),
      count(*) FILTER (received_at >= {s} AND received_at < {e} AND paid_online),
      count(*) FILTER (completed_at >= {s} AND completed_at < {e} AND completed_at > deadline AND NOT apology_sent)
    FROM d GROUP BY ALL"""  # noqa: S608 - benchmark input paths and dates, not user data


def peer_sql(path: str, start: str, end: str) -> dict[str, Any]:
    import duckdb

    rows = duckdb.connect().execute(hand_sql(path, start, end)).fetchall()
    groups = {"|".join(str(k) for k in row[:3]): dict(zip(COUNTS, row[3:], strict=True))
              for row in rows if any(row[3:])}
    total = {n: sum(g[n] for g in groups.values()) for n in COUNTS}
    return {"total": total, "groups": groups}


def from_command(document: dict[str, Any]) -> dict[str, Any]:
    """The cchc --json document in the peers' shape (counts only; rates derive from them)."""
    groups = {"|".join(str(g["key"][k]) for k in ("unit", "level", "field")): {n: g[n] for n in COUNTS}
              for g in document["groups"]}
    return {"total": {n: document["total"][n] for n in COUNTS}, "groups": groups}


# -- measuring --------------------------------------------------------------------------------------


TIME = Path("/usr/bin/time")


def measure(argv: list[str], env: dict[str, str], stdout: Path | None = None) -> dict[str, Any]:
    """Run argv in a child process: wall seconds and peak RSS in MB.

    Peak memory comes from GNU time (``/usr/bin/time -f %M``) when present: its child is a fresh
    exec, so the benchmark's own memory is not counted. Otherwise from ``wait4``'s rusage.
    """
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    err = tempfile.TemporaryFile()
    report = Path(tempfile.mkstemp(prefix="cchc-bench-time-")[1])
    command = [str(TIME), "-f", "%M", "-o", str(report), *argv] if TIME.exists() else argv
    try:
        began = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({child.returncode}): {err.read().decode()[-2000:]}")
        text = report.read_text().strip().splitlines() if TIME.exists() else []
        peak_kb = int(text[-1]) if text and text[-1].isdigit() else usage.ru_maxrss
    finally:
        if stdout:
            out.close()
        report.unlink(missing_ok=True)
    return {"seconds": seconds, "peak_mb": peak_kb / 1024}


def machine() -> dict[str, str]:
    import duckdb

    def sh(command: str) -> str:
        try:
            return subprocess.run(command, shell=True, capture_output=True, text=True, check=False).stdout.strip()  # noqa: S602
        except OSError:
            return "?"

    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip() or platform.processor()
    return {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "nproc": sh("nproc"),
        "memory": sh("free -g | sed -n 2p | awk '{print $2\" GB total, \"$7\" GB available\"}'"),
        "cpu": cpu,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "load": sh("cut -d' ' -f1-3 /proc/loadavg"),
    }


def product_env(workdir: Path) -> dict[str, str]:
    """Environment of the cchc processes: their own data dir, and pandas hidden.

    pandas is installed in the virtualenv only for peer b; the product does not depend on it, but
    pyarrow imports it when present (≈0,25 s of start-up). A stub package on PYTHONPATH makes
    ``import pandas`` fail in the cchc processes, as in a production install.
    """
    stub = workdir / "no-pandas" / "pandas"
    stub.mkdir(parents=True, exist_ok=True)
    (stub / "__init__.py").write_text('raise ImportError("pandas is not a cchc dependency")\n', encoding="utf-8")
    path = os.pathsep.join(p for p in (str(stub.parent), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "CCHC_DATA_DIR": str(workdir / "data"), "PYTHONPATH": path}


def run(rows: int, workdir: Path, report: Path | None, repeat: int = 3) -> dict[str, Any]:
    env = product_env(workdir)
    peer_env = {**os.environ}
    cchc = str(BIN / "cchc")
    me = [sys.executable, str(Path(__file__).resolve())]
    print(f"Sinh {rows:,} hồ sơ giả lập vào {workdir} …", flush=True)
    began = time.perf_counter()
    parquet, unordered, csv_path = generate(rows, workdir)
    generated = time.perf_counter() - began
    print(f"  xong trong {generated:.1f} s (Parquet {parquet.stat().st_size / 1e6:.0f} MB, "
          f"CSV {csv_path.stat().st_size / 1e6:.0f} MB)", flush=True)
    window = ["--from", WINDOW[0], "--to", WINDOW[1]]
    runs: dict[str, list[dict[str, Any]]] = {}
    labels: dict[str, str] = {}
    outputs: dict[str, dict[str, Any]] = {}

    def step(name: str, argv: list[str], label: str, step_env: dict[str, str] | None = None) -> None:
        target = workdir / f"{name}.json"
        result = measure(argv, step_env or env, target)
        runs.setdefault(name, []).append(result)
        labels[name] = label
        text = target.read_text(encoding="utf-8")
        if text.strip().startswith("{"):
            outputs[name] = json.loads(text)
        print(f"  {label}: {result['seconds']:.2f} s, {result['peak_mb']:.0f} MB", flush=True)

    tiny = workdir / "tiny.csv"
    tiny.write_text("Mã hồ sơ,Ngày tiếp nhận,Hạn xử lý,Ngày có kết quả\nA,02/01/2024 08:00,05/01/2024,"
                    "03/01/2024 09:00\n", encoding="utf-8")
    startups = {
        "startup_help": ([cchc, "dossiers", "stats", "--help"], "f. khởi động (--help)", None),
        "startup_pandas": ([cchc, "dossiers", "stats", "--help"], "f. --help, pandas cài sẵn", peer_env),
        "startup_tiny": ([cchc, "dossiers", "stats", "--input", str(tiny), *window, "--json"],
                         "f. khởi động (tệp 1 dòng)", None),
    }
    # one unmeasured run first: the first start after an install compiles bytecode and reads the
    # libraries from disk, which is not the command's fixed cost
    for argv, _label, step_env in startups.values():
        measure(argv, step_env or env)
    step("import", [cchc, "dossiers", "import", str(csv_path), "--json"], "d. nhập CSV vào kho")
    by = ["--by", "unit,level,field", "--json"]
    queries = {
        **startups,
        "command": ([cchc, "dossiers", "stats", "--input", str(parquet), *window, *by], "a. cchc --input Parquet",
                    None),
        "unordered": ([cchc, "dossiers", "stats", "--input", str(unordered), *window, *by],
                      "a'. cchc --input, mã không theo thứ tự", None),
        "pandas": ([*me, "pandas", str(parquet), *WINDOW], "b. pandas", peer_env),
        "sql": ([*me, "sql", str(parquet), *WINDOW], "c. DuckDB viết tay", peer_env),
        "store": ([cchc, "dossiers", "stats", *window, *by], "e. cchc từ kho", None),
    }
    # the start-up and query steps run `repeat` times, interleaved, so a busy moment of the shared
    # machine falls on every contender alike; the median of each is reported
    for _round in range(repeat):
        for name, (argv, label, step_env) in queries.items():
            step(name, argv, label, step_env)

    reference = from_command(outputs["command"])
    agree = {
        "unordered": from_command(outputs["unordered"]) == reference,
        "pandas": outputs["pandas"] == reference,
        "sql": outputs["sql"] == reference,
        "store": from_command(outputs["store"]) == reference,
        "import": outputs["import"].get("total") == rows,
    }
    results = {name: summarize(measured, labels[name]) for name, measured in runs.items()}
    summary = {"rows": rows, "generated_s": generated, "results": results, "agree": agree, "repeat": repeat,
               "groups": len(reference["groups"]), "total": reference["total"], "machine": machine()}
    print_summary(summary)
    (workdir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(render_report(summary), encoding="utf-8")
        print(f"Đã ghi {report}")
    if not all(agree.values()):
        raise SystemExit(f"Kết quả không khớp: {agree}")
    return summary


def summarize(measured: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """Median wall time (and the range) of the runs of one step, and their highest peak memory."""
    seconds = sorted(m["seconds"] for m in measured)
    return {"seconds": statistics.median(seconds), "min_s": seconds[0], "max_s": seconds[-1],
            "runs": len(seconds), "peak_mb": max(m["peak_mb"] for m in measured), "label": label}


def ratios(summary: dict[str, Any]) -> dict[str, float]:
    r = summary["results"]
    return {
        "pandas_over_command": r["pandas"]["seconds"] / r["command"]["seconds"],
        "command_over_sql": r["command"]["seconds"] / r["sql"]["seconds"],
        "unordered_over_sql": r["unordered"]["seconds"] / r["sql"]["seconds"],
        "pandas_over_unordered": r["pandas"]["seconds"] / r["unordered"]["seconds"],
        "store_over_sql": r["store"]["seconds"] / r["sql"]["seconds"],
    }


def targets(summary: dict[str, Any]) -> list[tuple[str, str, bool]]:
    r, q = summary["results"], ratios(summary)
    return [
        ("--input ≥ 2× nhanh hơn pandas", f"{q['pandas_over_command']:.2f}×", q["pandas_over_command"] >= 2),
        ("--input trong vòng 1,5× truy vấn viết tay", f"{q['command_over_sql']:.2f}×", q["command_over_sql"] <= 1.5),
        ("bộ nhớ đỉnh --input ≤ 1,5 GB", f"{r['command']['peak_mb']:.0f} MB", r["command"]["peak_mb"] <= 1536),
        ("từ kho nhanh hơn truy vấn viết tay trên tệp gốc", f"{q['store_over_sql']:.2f}×", q["store_over_sql"] < 1),
        ("nhập CSV 20 triệu dòng ≤ 90 s", f"{r['import']['seconds']:.1f} s ({summary['rows']:,} dòng)",
         r["import"]["seconds"] * 20_000_000 / summary["rows"] <= 90),
        ("khởi động < 1 s", f"{r['startup_help']['seconds']:.2f} s / {r['startup_tiny']['seconds']:.2f} s",
         max(r["startup_help"]["seconds"], r["startup_tiny"]["seconds"]) < 1),
    ]


def print_summary(summary: dict[str, Any]) -> None:
    rows = summary["rows"]
    print(f"\n{rows:,} hồ sơ, {summary['groups']:,} nhóm đơn vị × cấp × lĩnh vực")
    for name, result in summary["results"].items():
        speed = rows / result["seconds"] if not name.startswith("startup") else 0
        extra = f", {speed / 1e6:.1f} triệu dòng/s" if speed else ""
        spread = f" ({result['min_s']:.2f}–{result['max_s']:.2f})" if result["runs"] > 1 else ""
        print(f"  {result['label']:<36} {result['seconds']:7.2f} s{spread}  {result['peak_mb']:7.0f} MB{extra}")
    for name, value in ratios(summary).items():
        print(f"  {name}: {value:.2f}")
    print(f"  khớp kết quả: {summary['agree']}")
    for label, value, met in targets(summary):
        print(f"  [{'đạt' if met else 'CHƯA ĐẠT'}] {label}: {value}")


def render_report(summary: dict[str, Any]) -> str:
    m, rows = summary["machine"], summary["rows"]
    lines = [
        "# Performance of the one-stop dossier statistics",
        "",
        f"Measured by `make bench` (`bench/dossiers.py --rows {rows}`) on {m['date']}.",
        "",
        f"- Machine: {m['nproc']} cores ({m['cpu']}), {m['memory']}; load average at the end "
        f"{m['load']}. The 2 cores are shared with other engineers' processes: timings of one run can "
        "differ from the next by up to 2×.",
        f"- Python {m['python']}, DuckDB {m['duckdb']}.",
        f"- Data: {rows:,} synthetic dossiers (500 units at 3 levels, 40 fields, 2,000 procedures, 4 channels, "
        "received on the working days of 2023–2024 with Vietnamese holidays, due days from the working-day "
        "calendar, ≈5 % late), as Parquet and as a CSV export with Vietnamese headers and dd/mm/yyyy dates.",
        f"- Window {WINDOW[0]} → {WINDOW[1]}, grouped by unit × level × field "
        f"({summary['groups']:,} groups). Results of a, a', b, c, e agree: {summary['agree']}.",
        "",
        f"Start-up and query steps (f, a, a', b, c, e) ran {summary['repeat']} times each, interleaved, after "
        "one unmeasured start; the table gives the median wall time, the range of the runs and the highest "
        "peak memory.",
        "",
        "| Measurement | Wall time (median) | Range | Peak memory | Rows/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, result in summary["results"].items():
        speed = "" if name.startswith("startup") else f"{rows / result['seconds'] / 1e6:.1f} M"
        spread = f"{result['min_s']:.2f}–{result['max_s']:.2f} s" if result["runs"] > 1 else ""
        label = LABELS_EN.get(name, result["label"])
        lines.append(f"| {label} | {result['seconds']:.2f} s | {spread} | {result['peak_mb']:.0f} MB | {speed} |")
    lines += ["", "| Target (issue 4) | Measured | Met |", "|---|---:|:---:|"]
    for (_label, value, met), label in zip(targets(summary), TARGETS_EN, strict=True):
        lines.append(f"| {label} | {value} | {'yes' if met else '**no**'} |")
    q = ratios(summary)
    lines += [
        "",
        f"With the ids shuffled (a'), the command is {q['pandas_over_unordered']:.2f}× faster than pandas and "
        f"{q['unordered_over_sql']:.2f}× the hand-written query (no target: see below).",
        "",
        NOTES,
    ]
    return "\n".join(lines) + "\n"


LABELS_EN = {
    "startup_help": "f. start-up (`--help`)",
    "startup_pandas": "f. start-up (`--help`), pandas visible",
    "startup_tiny": "f. start-up (one-row file)",
    "command": "a. cchc `--input` Parquet (file in id order)",
    "unordered": "a'. cchc `--input` Parquet, same rows, ids shuffled",
    "pandas": "b. pandas",
    "sql": "c. hand-written DuckDB",
    "import": "d. import CSV into the store",
    "store": "e. cchc from the store",
}
TARGETS_EN = (
    "`--input` ≥ 2× faster than pandas",
    "`--input` within 1,5× of the hand-written query",
    "`--input` peak memory ≤ 1,5 GB",
    "from the store faster than the hand-written query on the raw file",
    "20M-row CSV import ≤ 90 s",
    "start-up < 1 s",
)
NOTES = """## How each number is measured

Every measurement is a separate process started by the benchmark; wall time includes interpreter
start-up, and peak memory is that process's maximum resident set size (GNU `time -f %M`, else
`wait4` rusage). pandas is a benchmark-only dependency (a test extra of the project).

- **a** is the whole command a user runs: argument parsing, reading and checking the file, due
  times, the aggregate and the JSON output. The file is in id order, as a one-stop system exports
  its list. **a'** is the same command on a copy of the file holding the same rows with the ids
  shuffled: the general duplicate check (no target; shown so that the id-order path does not hide
  the general cost).
- **b** reads the ten needed columns with `pandas.read_parquet`, builds one boolean column per metric
  and sums them in one `groupby`. **c** is one DuckDB query over the raw Parquet file with `count(*)
  FILTER (...)` per metric, using the export's due date directly (no validation, no calendar).
- **d** imports the CSV export (Vietnamese headers, dd/mm/yyyy) into an empty store: parsing and
  checking every value, due times, Parquet partitions by month. **e** is the same statistics as **a**
  from that store.
- **f** is the fixed cost of the command: `--help` (imports and argument parsing) and a one-row CSV
  file (the reader, DuckDB, the calendar).

## What the product path does, and why

Neither peer checks anything: on a file with a duplicated id, an unknown channel or a completion
before receipt they silently return wrong figures. The command refuses such a file and names the
rows (through the reader). The work is in making those checks nearly free:

- **Start-up.** `dossiers stats` and `dossiers import` set Django up only when they translate a
  message or read the database (`lazy_django` in `cchc/cli.py`): `--input FILE --json` never does,
  which saves 0,3–0,5 s. DuckDB, pyarrow and the calendar (with the `holidays` package) are imported
  only where they are used; the other commands' engines are imported by their handlers. pyarrow
  imports pandas whenever it is installed (about 0,25 s): the product does not depend on pandas, so
  the benchmark hides it from the cchc processes (as in a production install) and reports `--help`
  with pandas visible separately.
- **`--input` Parquet** (`cchc/onestop/scan.py`). A file already in the canonical schema is not read
  into Python: DuckDB scans it in place. Each of the reader's checks is placed where it costs least:
  the Parquet footer (null counts, rating and processing-day bounds, whether any due day must be
  computed); one small aggregate of the *distinct* level, channel and status codes (and fees that
  are not numbers); the dates-in-order and status checks as one column of the statistics query
  itself; unit, field and procedure codes the reader would trim checked on the result's group keys
  (they only matter where they name a group). Duplicate ids: when the row groups' id ranges follow
  each other (the footer says so), the ids are compared with their neighbours by pyarrow in two
  threads, with no hash table; otherwise (a') one DuckDB hash aggregate over the ids decides, which
  costs about 2 s on 20 million rows. Anything flagged sends the file to the reader, which names
  the bad rows by line.
- **The aggregate.** The window tests are computed once per row in an inner projection and counted
  by plain filters; rows that cannot count in the window (received after it, completed before it)
  never reach the hash aggregate. This makes the statistics query itself faster than the
  hand-written one, which pays for the checks.
- **Import.** pyarrow reads the CSV as text; one DuckDB query parses and checks every value. The
  usual date forms are parsed with one `strptime` format each before the general rule, codes and
  yes/no words (accents stripped, regular expressions) are mapped once per *distinct* value, and
  duplicate ids are found by a hash aggregate; the parsed rows go straight to Arrow. Due times are
  computed by the vectorised calendar and stored with the rows; pyarrow's dataset writer writes the
  month partitions. The whole file is parsed in memory (about 10 GB at peak for 20 million rows):
  there is no memory target for the import, and a chunked import would bound it.
- **From the store.** The store holds checked rows with `due_day` and `deadline` already computed,
  so the statistics are the same aggregate over the month partitions, with no checks and no
  calendar.

Timings on this shared machine vary between runs (other engineers' tests use the same two cores);
the query steps are therefore repeated and interleaved, and ratios are taken between medians.
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("pandas", "sql"):
        engine, path, start, end = argv[:4]
        result = (peer_pandas if engine == "pandas" else peer_sql)(path, start, end)
        print(json.dumps(result, ensure_ascii=False))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000, help="number of synthetic dossiers")
    parser.add_argument("--quick", action="store_true", help="200,000 dossiers")
    parser.add_argument("--workdir", type=Path, help="keep the files here (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="do not delete the temporary directory")
    parser.add_argument("--no-report", action="store_true", help="do not write docs/PERFORMANCE.md")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query step (median reported)")
    args = parser.parse_args(argv)
    rows = 200_000 if args.quick else args.rows
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        run(rows, workdir, None if args.no_report else args.report, max(args.repeat, 1))
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
